"""`grader gradescope`: the autograder zip Gradescope expects, to grade with our checks there.

    setup.sh           run once by Gradescope: installs the grader into /autograder/venv
    run_autograder     run per submission: grades /autograder/submission with the local sandbox and
                       writes /autograder/results/results.json in Gradescope's format
    packs/<slug>/      the exercise packs, hidden checks included (Gradescope keeps /autograder/source
                       from students; no solution and no sample goes in)
    assignment.yaml    with an assignment: its exercises and points, which run_autograder grades for
    wheels/            the grader's wheel (and, with `wheels=True`, every package it needs)

Inside Gradescope's container there is no Docker: student code runs in the local sandbox, in
bubblewrap where the container allows user namespaces (the report says which).
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

from .assignment import Plan
from .handout import HandoutError, _wheels
from .packs import AUTHOR_ONLY, Exercise


def make_autograder(exercises: list[Exercise], out: Path, lang: str = "en", wheels: bool = False,
                    assignment: Plan | None = None) -> Path:
    """With an assignment (its plan), results.json counts only its exercises, each out of its points."""
    out = Path(out)
    # An assignment file's (it has a title) goes in whole; bare --exercise names stay flags of the script.
    chosen = assignment if assignment is not None and assignment.assigned and assignment.title else None
    if out.exists():
        raise HandoutError("gradescope_out_exists", path=str(out))
    env = Environment(loader=PackageLoader("grader", "templates/gradescope"), undefined=StrictUndefined,
                      keep_trailing_newline=True)
    with tempfile.TemporaryDirectory(prefix="grader-gradescope-") as tmp:
        root = Path(tmp)
        for ex in exercises:
            shutil.copytree(ex.root, root / "packs" / ex.slug,
                            ignore=shutil.ignore_patterns("__pycache__", *AUTHOR_ONLY))
        _wheels(root / "wheels", with_dependencies=wheels)
        scripts = {"setup.sh": env.get_template("setup.sh.j2").render(),
                   "run_autograder": env.get_template("run_autograder.j2").render(
                       lang=lang, exercises=[ex.slug for ex in exercises], assignment=chosen is not None)}
        if chosen is not None:
            (root / "assignment.yaml").write_text(chosen.to_yaml(), encoding="utf-8")
        out.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, text in scripts.items():
                info = zipfile.ZipInfo(name)
                info.external_attr = 0o100755 << 16  # executable, as Gradescope runs them
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, text)
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    zf.write(path, path.relative_to(root).as_posix())
    return out
