"""`grader new SLUG`: a new exercise pack that loads at once and fails `grader check` until its
author fills it in (the files come from grader/templates/new_pack/, each with its TODOs).

The example it writes is a whole small exercise: a starter whose `total += 1` loses updates, a
check that explores schedules, a scenario, both READMEs, a catalog to translate, a reference
solution that raises until it is written, and the expected verdicts of the solution and the starter.
"""

from __future__ import annotations

import re
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

from . import pack_i18n
from .packs import PackError, load_exercise, student_file_problem

# template -> where it goes in the pack ({module}: the student file's module name)
FILES = {
    "exercise.yaml.j2": "exercise.yaml",
    "starter.py.j2": "{module}.py",
    "README.md.j2": "README.md",
    "README.zh.md.j2": "README.zh.md",
    "tests/scenarios.py.j2": "tests/scenarios.py",
    "tests/test_module.py.j2": "tests/test_{module}.py",
    "solution/solution.py.j2": "solution/{module}.py",
    "samples/expected.yaml.j2": "samples/expected.yaml",
}


def new_pack(slug: str, root: Path, exercises_option: str = "", student_file: str | None = None) -> list[Path]:
    """Write the pack `root/slug`; the paths written. `exercises_option` is what the written
    instructions add to commands (` --exercises DIR` for a folder of one's own). The student's file
    is `student_file` (a module's name and .py), else the slug's words joined by underscores."""
    if not re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", slug):
        raise PackError(f"{slug!r}: a pack's name is lowercase words joined by hyphens, e.g. word-tally")
    module = student_module(slug, student_file)
    target = Path(root) / slug
    if target.exists():
        raise PackError(f"{target} exists already: choose another name, or remove it first")
    env = Environment(loader=PackageLoader("grader", "templates/new_pack"), undefined=StrictUndefined,
                      keep_trailing_newline=True)
    written = []
    for template, name in FILES.items():
        path = target / name.format(module=module)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(env.get_template(template).render(slug=slug, module=module,
                                                          exercises_option=exercises_option),
                        encoding="utf-8")
        written.append(path)
    catalog, _, _ = pack_i18n.update_catalog(load_exercise(target), "zh")
    written.append(catalog)
    return written


def student_module(slug: str, student_file: str | None) -> str:
    """The student's module's name: `student_file` without .py (`grader new --file`), else the slug's
    words joined by underscores; refused, saying why, when the child could not import it as itself."""
    name = student_file if student_file is not None else slug.replace("-", "_") + ".py"
    problem = student_file_problem(name)
    if problem is not None:
        told = f"--file {name!r}" if student_file is not None else f"the student's file {name} (from the slug)"
        raise PackError(f"{told}: {problem}; name it with --file, such as --file gate.py")
    return name.removesuffix(".py")
