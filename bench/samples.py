"""The graded cases of tests/samples/catalog.py, and how the bench scripts grade one."""

from __future__ import annotations

import sys

from grader.host import packs
from grader.host.pack_check import differences, grade_file  # noqa: F401 - re-exported for the bench scripts

ROOT = packs.project_root()
sys.path.insert(0, str(ROOT))  # tests/samples/catalog.py lists the cases

from tests.samples.catalog import cases, side_by_side  # noqa: E402,F401 - re-exported for the bench scripts
