"""gevent in the child: the tutorial's `monkey.patch_all()` must not undo the harness.

install.py has already replaced threading's primitives and time.sleep with the deterministic,
virtual-time ones. gevent's monkey patching would replace them again: it refuses the harness's
RLock at once (an AssertionError, "Found unknown lock implementation", raised at the student's
import, so every check would fail on a line the tutorial itself writes), and its time.sleep would
wait in real time. So in the child, the patch_* functions of gevent.monkey do nothing (patch_all
says it patched, as it does when nothing was cancelled).

Nothing is lost for what is graded: greenlets switch without any patching, where they yield
(gevent.sleep, gevent.queue, Greenlet.join, joinall), and all of them run in the scenario's one
thread. gevent itself is imported only if the student's file imports it: the hook is a meta path
finder that wraps gevent.monkey when (and if) it is first imported.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys

MONKEY = "gevent.monkey"
# gevent.monkey's own helpers (patch_item, patch_module) are left alone: gevent may use them.
KEPT = {"patch_item", "patch_module"}


def _patched_all(*args, **kwargs):
    """gevent.monkey.patch_all in the grader's child: the harness already owns threading and time."""
    return True


def _patched(*args, **kwargs):
    """gevent.monkey.patch_* in the grader's child: the harness already owns what it would patch."""
    return None


def disarm(module) -> None:
    """Make the public patch_* functions of a gevent.monkey module no-ops."""
    for name in list(vars(module)):
        if name.startswith("patch_") and name not in KEPT and callable(getattr(module, name)):
            setattr(module, name, _patched_all if name == "patch_all" else _patched)


class _Loader(importlib.abc.Loader):
    def __init__(self, loader):
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.loader.exec_module(module)
        disarm(module)


class MonkeyFinder(importlib.abc.MetaPathFinder):
    """Finds gevent.monkey as the path finder would, and disarms it once it has run."""

    def find_spec(self, name, path, target=None):
        if name != MONKEY:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path, target)
        if spec is not None and spec.loader is not None:
            spec.loader = _Loader(spec.loader)
        return spec


def install() -> None:
    if MONKEY in sys.modules:
        disarm(sys.modules[MONKEY])
    if not any(isinstance(f, MonkeyFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, MonkeyFinder())
