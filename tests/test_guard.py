"""The child's audit hook and integrity checks (child/guard.py, integrity.py), through the real child:
what only a cheat needs ends the run as `tampered` and names the student's line; what honest code
does (the standard library calling the same functions on its behalf) runs as before."""

from __future__ import annotations

import pytest

from .harness_helpers import run_program

HONEST = """
import collections, dataclasses, enum, logging, sys, threading, traceback, typing, warnings

Point = collections.namedtuple("Point", "x y")

class Colour(enum.Enum):
    RED = 1

@dataclasses.dataclass
class Box:
    size: int = 0

class Pair(typing.NamedTuple):
    a: int
    b: int

def main():
    try:
        1 / 0
    except ZeroDivisionError:
        text = traceback.format_exc()
    logging.getLogger("x").warning("careful")
    warnings.warn("deprecated", stacklevel=2)
    names = []
    t = threading.Thread(target=lambda: names.append(threading.current_thread().name))
    t.start()
    t.join()
    Box.size = 3  # its own class
    return [Point(1, 2).x, Colour.RED.value, Box.size, Pair(1, 2).b, "ZeroDivisionError" in text, names,
            len(sys.argv) >= 0]
"""


def test_honest_code_runs_as_before(tmp_path):
    outcome = run_program(tmp_path, HONEST)
    assert outcome.status == "ok", (outcome.result, outcome.output)
    assert outcome.observations["value"] == [1, 1, 3, 2, True, ["Thread-1 (<lambda>)"], True]


def test_exit_in_main_is_still_an_exit(tmp_path):
    outcome = run_program(tmp_path, "import sys\ndef main():\n    sys.exit(3)\n")
    assert outcome.status == "exit", outcome.result


CHEATS = {
    "sys._getframe": "import sys\ndef main():\n    return sys._getframe().f_back is not None\n",
    "sys._current_frames": "import sys\ndef main():\n    return len(sys._current_frames())\n",
    ".tb_frame": "def main():\n    try:\n        1 / 0\n    except ZeroDivisionError as e:\n"
                 "        return e.__traceback__.tb_frame is not None\n",
    "gc.get_objects": "import gc\ndef main():\n    return len(gc.get_objects())\n",
    "gc.get_referrers": "import gc, threading\ndef main():\n    return len(gc.get_referrers(threading))\n",
    "ctypes.dlopen": "import ctypes\ndef main():\n    return ctypes.CDLL(None) is not None\n",
    "code.__new__": "def main():\n    return main.__code__.replace(co_name='x') is not None\n",
    "threading.settrace": "import threading\ndef main():\n    threading.settrace(None)\n",
    "sys.setprofile": "import sys\ndef main():\n    sys.setprofile(None)\n",
    "compile": "import threading\ndef main():\n"
               "    exec(compile('import sys; sys._getframe()', threading.__file__, 'exec'))\n",
}


@pytest.mark.parametrize("what", sorted(CHEATS))
def test_a_cheat_ends_the_run_naming_its_line(what, tmp_path):
    outcome = run_program(tmp_path, CHEATS[what])
    assert outcome.status == "tampered", (outcome.status, outcome.result, outcome.output)
    assert outcome.result["what"] == what
    source = CHEATS[what].splitlines()
    assert outcome.result["line"] >= 2 and outcome.result["code"] == source[outcome.result["line"] - 1].strip()


def test_a_cheat_cannot_be_caught(tmp_path):
    outcome = run_program(tmp_path, "import sys\ndef main():\n    try:\n        sys._getframe()\n"
                                    "    except BaseException:\n        pass\n    return 1\n")
    assert outcome.status == "tampered"


def test_a_class_patched_for_good_is_found_at_the_end_of_the_run(tmp_path):
    # CPython 3.11 writes a class's attribute without an audit event: integrity.py compares them.
    outcome = run_program(tmp_path, "import threading\ndef main():\n"
                                    "    threading.Thread.is_alive = lambda self: False\n    return 1\n")
    assert (outcome.status, outcome.result.get("what")) == ("tampered", "threading.Thread.is_alive")


def test_a_harness_module_replaced_through_sys_modules_is_found(tmp_path):
    outcome = run_program(tmp_path, "import sys\ndef main():\n    sys.modules['grader.harness.child.probe']"
                                    ".encode = lambda v: 0\n    return 1\n")
    assert (outcome.status, outcome.result.get("what")) == ("tampered", "grader.harness.child.probe.encode")


def test_a_thread_the_scheduler_does_not_know_ends_the_run(tmp_path):
    """`_thread` imported afresh gives the real start_new_thread back: that thread runs unseen, and the
    kernel's list of the process's threads (/proc/self/task) says so."""
    outcome = run_program(tmp_path, """
import sys
import threading

def spin(flag):
    while not flag:
        pass

def main():
    del sys.modules["_thread"]
    import _thread
    sys.modules["_thread"] = sys.modules.get("_thread")
    flag = []
    _thread.start_new_thread(spin, (flag,))
    return 1
""")
    found = (outcome.status, outcome.result.get("what"), outcome.result.get("count"))
    assert found == ("tampered", "unknown_thread", 1)
    detail = outcome.result["detail"]  # the kernel's view of it, kept for the teacher (a false one can be told)
    assert len(detail["threads"]) == 1 and detail["starting"] == 0, detail
