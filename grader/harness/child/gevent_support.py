"""gevent in the child: the tutorial's `monkey.patch_all()` must not undo the harness.

install.py has already replaced threading's primitives and time.sleep with the deterministic,
virtual-time ones. gevent's monkey patching would replace them again: it refuses the harness's
RLock at once (an AssertionError, "Found unknown lock implementation", raised at the student's
import, so every check would fail on a line the tutorial itself writes), and its time.sleep would
wait in real time. So in the child, gevent.monkey patches only what makes I/O cooperative:
`socket` (and `dns`), `select` and `ssl`, which the harness does not own and the crawler exercises
need (a request waiting for its response lets the other greenlets run). The other patch_* functions
do nothing, and patch_all patches those four where the student asked for them.

Nothing is lost for what is graded: greenlets switch without any patching where they yield
(gevent.sleep, gevent.queue, Greenlet.join, joinall), and all of them run in the scenario's one
thread. gevent itself is imported only if the student's file imports it: the hook is a meta path
finder that wraps gevent.monkey when (and if) it is first imported.

Each call is noted with the student's line and which of `requests`, `urllib3`, `ssl` were imported
already: patching after them is too late (they keep what they took from the unpatched modules), and
the judge says so from this order, which the child keeps clean (it imports none of them itself).
Names are resolved by the blocking resolver: the judge's servers have IP addresses, and gevent's
default resolver would answer from a pool of OS threads.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import inspect
import os
import sys

from . import sites

MONKEY = "gevent.monkey"
# gevent.monkey's own helpers (patch_item, patch_module) are left alone: gevent may use them.
KEPT = {"patch_item", "patch_module"}
# What the child lets gevent patch (patch_all's switches, and patch_<name> functions); patch_all's
# other switches are turned off.
ALLOWED = {"socket", "dns", "select", "selectors", "ssl"}
WATCHED_MODULES = ("requests", "urllib3", "ssl")

CALLS: list[dict] = []  # every patch_* call of the student's (not patch_all's own), in order
_inside = [0]  # > 0 while a patch_* runs: the calls it makes are its own


def _noted(name: str, patched: bool, run, args, kwargs):
    if not _inside[0]:
        CALLS.append({"call": name, "patched": patched, "site": sites.student_site(3),
                      "imported_before": [m for m in WATCHED_MODULES if m in sys.modules]})
    _inside[0] += 1
    try:
        return run(*args, **kwargs)
    finally:
        _inside[0] -= 1


def _allowed_patch_all(original):
    signature = inspect.signature(original)

    def patch_cooperative_io(*args, **kwargs):
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError:
            return original(*args, **kwargs)  # gevent's own message for a wrong call
        chosen = {name: bound.arguments.get(name, param.default) for name, param in signature.parameters.items()
                  if param.kind is not param.VAR_KEYWORD and isinstance(param.default, bool)}
        original(**{name: (on if name in ALLOWED else False) for name, on in chosen.items()})
        return True

    def patch_all(*args, **kwargs):
        """gevent.monkey.patch_all in the grader's child: cooperative I/O only; the harness owns
        threading and time."""
        return _noted("patch_all", True, patch_cooperative_io, args, kwargs)

    return patch_all


def _allowed(name, original):
    def patch(*args, **kwargs):
        return _noted(name, True, original, args, kwargs)

    patch.__name__ = name
    return patch


def _disarmed(name):
    def patch(*args, **kwargs):
        """gevent.monkey.patch_* in the grader's child: the harness already owns what it would patch."""
        return _noted(name, False, lambda *a, **k: None, args, kwargs)

    patch.__name__ = name
    return patch


def disarm(module) -> None:
    """Let gevent.monkey patch cooperative I/O only, and note every call."""
    if getattr(module, "_grader_disarmed", False):
        return
    for name in list(vars(module)):
        original = getattr(module, name)
        if not name.startswith("patch_") or name in KEPT or not callable(original):
            continue
        if name == "patch_all":
            setattr(module, name, _allowed_patch_all(original))
        elif name[len("patch_"):] in ALLOWED:
            setattr(module, name, _allowed(name, original))
        else:
            setattr(module, name, _disarmed(name))
    module._grader_disarmed = True


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
    os.environ.setdefault("GEVENT_RESOLVER", "block")
    # A compiled Greenlet records its spawning stack with sys._getframe, called from C: with no Python
    # frame of gevent's in between, the audit hook (guard.py) would take the call for the student's.
    os.environ["GEVENT_TRACK_GREENLET_TREE"] = "false"
    if MONKEY in sys.modules:
        disarm(sys.modules[MONKEY])
    if not any(isinstance(f, MonkeyFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, MonkeyFinder())
