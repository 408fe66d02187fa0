"""Exercise packs: load `exercises/<slug>/`, validate it, and say exactly what is wrong and where.

A pack is `exercise.yaml`, the starter file (named as `student_file`), `README.md` and `tests/`
with the hidden judge tests. Each check in the yaml is one `test_<check>` function in the tests.

Its reference solution and sample answers are the author's: a pack that lives on its own (a
teacher's folder, `--exercises DIR`) keeps them inside, in `solution/` and `samples/`; the packs of
this repository keep them beside, in `solutions/<slug>/` and `tests/samples/<slug>/`. Neither is
part of the pack's version: they do not change a grade.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import keyword
import sys
from enum import Enum
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import ErrorDetails

from .messages import MessageError

# libyaml's parser where PyYAML was built with it: the same documents, read several times faster.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class PackError(Exception):
    """A pack is broken; the message names the file and the key."""


class Visibility(str, Enum):
    VISIBLE = "visible"
    HIDDEN = "hidden"


class CheckSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    points: float = Field(gt=0)
    description: str = Field(min_length=1)
    visibility: Visibility = Visibility.VISIBLE
    hint: str | None = None


class LeftOut(BaseModel):
    """In a handout's copy of a pack: the hidden checks it does not have, which the grade includes."""
    model_config = ConfigDict(extra="forbid")
    checks: int = Field(ge=0)
    points: float = Field(ge=0)


class ExerciseSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    topic: str = Field(min_length=1)
    student_file: str
    time_limit: float = Field(gt=0, description="real seconds for the whole judge of this exercise")
    check_timeout: float = Field(gt=0, description="real seconds before one scenario is killed")
    checks: dict[str, CheckSpec] = Field(min_length=1)
    left_out: LeftOut | None = None  # written by `grader handout` only

    @field_validator("student_file")
    @classmethod
    def _plain_python_file(cls, value: str) -> str:
        problem = student_file_problem(value)
        if problem is not None:
            raise ValueError(f"must be a plain module file name such as race_counter.py ({problem})")
        return value


# The child imports the student's file under its own name and puts it in sys.modules (so that pool
# workers can unpickle its functions): a name the child itself imports would replace that module.
TAKEN_MODULES = frozenset(sys.stdlib_module_names) | {"grader", "gevent", "greenlet"}


def student_file_problem(name: str) -> str | None:
    """Why `name` cannot be the file students hand in, or None when it can: it must be a module's
    file name that `import` accepts (ASCII letters, digits, underscores, then .py; no keyword) and
    that no module of Python's or the grader's already has."""
    module = name.removesuffix(".py")
    if not name.endswith(".py") or not module.isidentifier() or not module.isascii():
        return "letters, digits and underscores, then .py"
    if keyword.iskeyword(module):
        return f"{module} is a Python keyword: import {module} cannot work"
    if module in TAKEN_MODULES:
        return f"{module} is a module Python or the grader imports already"
    return None


AUTHOR_ONLY = ("solution", "samples")  # a pack's folders that never reach a student or a judge


class Exercise:
    """A loaded, validated pack."""

    def __init__(self, slug: str, root: Path, spec: ExerciseSpec):
        self.slug = slug
        self.root = root
        self.spec = spec

    @property
    def student_file(self) -> str:
        return self.spec.student_file

    @property
    def module(self) -> str:
        return self.spec.student_file[:-3]

    @property
    def tests_dir(self) -> Path:
        return self.root / "tests"

    @property
    def starter(self) -> Path:
        return self.root / self.spec.student_file

    @property
    def max_score(self) -> float:
        return sum(c.points for c in self.spec.checks.values())

    @property
    def solution(self) -> Path:
        """The reference solution: `solution/<file>` in the pack, else the repository's `solutions/`."""
        inside = self.root / "solution" / self.student_file
        return inside if inside.exists() else project_root() / "solutions" / self.slug / self.student_file

    @property
    def samples_dir(self) -> Path:
        """Sample answers and their expected.yaml: `samples/` in the pack, else `tests/samples/<slug>`."""
        inside = self.root / "samples"
        return inside if inside.is_dir() else project_root() / "tests" / "samples" / self.slug

    def version(self) -> str:
        """A hash of what grades: the pack without its author's solution and samples."""
        digest = hashlib.sha256()
        for path in sorted(p for p in self.root.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                           and p.relative_to(self.root).parts[0] not in AUTHOR_ONLY):
            digest.update(str(path.relative_to(self.root)).encode())
            digest.update(path.read_bytes())
        return digest.hexdigest()[:16]


def test_functions(tests_dir: Path) -> dict[str, Path]:
    """`test_*` functions defined in the pack's test files, read with ast (nothing is imported)."""
    found: dict[str, Path] = {}
    for path in sorted(tests_dir.glob("test_*.py")):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        except SyntaxError as exc:
            raise PackError(f"{path}: line {exc.lineno}: {exc.msg}") from exc
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_"):
                found[node.name[len("test_"):]] = path
    return found


def load_exercise(root: Path) -> Exercise:
    root = Path(root)
    yaml_path = root / "exercise.yaml"
    if not yaml_path.is_file():
        raise PackError(f"{root}: no exercise.yaml")
    # Every grading loads every pack: read and check each one once while its files stay as they are.
    spec = _checked_spec(root, _fingerprint(root))
    return Exercise(root.name, root, spec.model_copy(deep=True))


def _fingerprint(root: Path) -> tuple:
    """What load_exercise reads, by name, size and modification time: a change loads the pack again."""
    def stamp(path: Path) -> tuple:
        try:
            st = path.stat()
        except OSError:
            return (path.name, None)
        return (path.name, st.st_size, st.st_mtime_ns)

    return (stamp(root / "exercise.yaml"), stamp(root / "README.md"), stamp(root / "tests"),
            *(stamp(p) for p in sorted((root / "tests").glob("test_*.py"))),
            *(stamp(p) for p in sorted(root.glob("*.py"))))


@functools.lru_cache(maxsize=256)
def _checked_spec(root: Path, fingerprint: tuple) -> ExerciseSpec:
    """The pack's exercise.yaml, validated against its files; PackError says what to fix."""
    yaml_path = root / "exercise.yaml"
    try:
        raw = yaml.load(yaml_path.read_text(encoding="utf-8"), Loader=YAML_LOADER)
    except yaml.YAMLError as exc:
        raise PackError(f"{yaml_path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise PackError(f"{yaml_path}: must be a mapping of keys such as title, student_file, checks")
    try:
        spec = ExerciseSpec.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {_explain(e)}" for e in exc.errors())
        raise PackError(f"{yaml_path}: {problems}") from exc
    for needed in (spec.student_file, "README.md"):
        if not (root / needed).is_file():
            raise PackError(f"{root}: missing {needed} (the starter and the task for students)")
    if not (root / "tests").is_dir():
        raise PackError(f"{root}: missing tests/ (the hidden judge tests)")
    tests = test_functions(root / "tests")
    listed = set(spec.checks)
    for name in sorted(listed - set(tests)):
        raise PackError(f"{yaml_path}: checks.{name}: listed, but no test_{name} in {root / 'tests'}")
    for name in sorted(set(tests) - listed):
        raise PackError(f"{tests[name]}: test_{name}: a test not listed under checks in {yaml_path}")
    return spec


def _explain(error: ErrorDetails) -> str:
    if error["type"] == "extra_forbidden":
        return "unknown key"
    if error["type"] == "missing":
        return "required key is missing"
    return error["msg"]


class PacksFolderError(MessageError, PackError):
    """The folder of packs (--exercises, or the settings' `exercises`) is not one."""


def packs_folder(exercises_root: Path) -> Path:
    """`exercises_root`, absolute, if it is a folder (PacksFolderError otherwise)."""
    root = Path(exercises_root)
    if not root.exists():
        raise PacksFolderError("packs_folder_missing", path=str(root))
    if not root.is_dir():
        raise PacksFolderError("packs_folder_not_folder", path=str(root))
    return root.resolve()  # the judge runs in another working folder (and, in a container, at another path)


def load_all(exercises_root: Path) -> list[Exercise]:
    roots = sorted(p for p in packs_folder(exercises_root).iterdir() if (p / "exercise.yaml").exists())
    if not roots:
        raise PacksFolderError("packs_folder_empty", path=str(exercises_root))
    return [load_exercise(p) for p in roots]


def project_root() -> Path:
    """The checkout this package lives in (exercises/ and solutions/ sit beside grader/)."""
    return Path(__file__).resolve().parents[2]


def default_root(config_root: Path | None = None) -> Path:
    """Where packs are looked for: `--exercises`, else the config's `exercises`, else this checkout's."""
    return Path(config_root) if config_root else project_root() / "exercises"
