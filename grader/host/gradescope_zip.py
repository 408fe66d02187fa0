"""`grader gradescope`: the autograder zip Gradescope expects, to grade with our checks there.

    setup.sh           run once by Gradescope: installs the grader into /autograder/venv
    run_autograder     run per submission: grades /autograder/submission with the local sandbox and
                       writes /autograder/results/results.json in Gradescope's format
    packs/<slug>/      the exercise packs, hidden checks included (Gradescope keeps /autograder/source
                       from students; no solution and no sample goes in)
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

from .handout import HandoutError, _wheels
from .packs import AUTHOR_ONLY, Exercise


def make_autograder(exercises: list[Exercise], out: Path, lang: str = "en", wheels: bool = False) -> Path:
    out = Path(out)
    if out.exists():
        raise HandoutError(f"{out} exists already: give a new .zip name")
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
                       lang=lang, exercises=[ex.slug for ex in exercises])}
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
