"""An exercise pack's texts in the student's language: each pack has its own gettext catalog.

A pack is written in English. Its translatable texts are
- in `exercise.yaml`: the title, the summary, the topic, and each check's description and hint;
- in `tests/test_*.py`: the message of every `expect(condition, "message {x}", x=...)` and
  `fail("message {x}", x=...)` (a string literal: the English text is the msgid, its
  `{placeholders}` are filled after translation);
- in the starter: each docstring and comment (starter_i18n.py; `starter` writes it translated).
Their translations live beside the pack in `i18n/<lang>.po` (for example `i18n/zh.po`: `msgid` the
English, `msgstr` the translation), and its README in `README.<lang>.md`. The .po files are compiled
in memory with Babel on first use, as the grader's own catalogs are. A text with no translation
reads in English; `tests/test_pack_i18n.py` fails when a pack lacks one or a placeholder differs.
A text the pack no longer has stays in its catalog as an obsolete entry (`#~ msgid`, as msgmerge
keeps them): a result stored before the English changed names the old text, and still reads translated.
"""

from __future__ import annotations

import ast
import gettext
import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

# the check author's calls whose text a student reads (judge/api.py): the text's position and keyword
MESSAGE_ARGUMENT = {"expect": (1, "message"), "fail": (0, "message"), "phrase": (0, "text")}


@dataclass(frozen=True)
class PackText:
    msgid: str
    where: str  # file and key or line, for the author


def catalog_path(root: Path, lang: str) -> Path:
    return Path(root) / "i18n" / f"{lang}.po"


def pack_text(exercise, msgid: str, lang: str) -> str:
    """`msgid` of `exercise` in `lang` (English: itself; untranslated: itself)."""
    if lang == "en" or not msgid:
        return msgid
    path = catalog_path(exercise.root, lang)
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        return msgid
    return _translations(str(path), mtime).gettext(msgid)


@lru_cache(maxsize=64)
def _translations(path: str, mtime: int) -> gettext.NullTranslations:
    with open(path, "rb") as fh:
        catalog = read_po(fh)
    for message in list(catalog.obsolete.values()):
        if message.id not in catalog:  # a retired text, named by a result stored before it changed
            catalog[message.id] = message
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def readme(exercise, lang: str) -> Path:
    """The pack's README in `lang`, or the English one."""
    localized = Path(exercise.root) / f"README.{lang}.md"
    return localized if lang != "en" and localized.exists() else Path(exercise.root) / "README.md"


def starter(exercise, lang: str) -> bytes:
    """The pack's starter in `lang`: its docstrings and comments translated, its code as it is."""
    original = Path(exercise.starter).read_bytes()
    if lang == "en":
        return original
    from .starter_i18n import localized

    return localized(original.decode("utf-8"), lambda msgid: pack_text(exercise, msgid, lang)).encode("utf-8")


def translatable(exercise) -> tuple[list[PackText], list[str]]:
    """Every text of the pack a student can read, and the problems that keep one from translation
    (a check message that is not a string literal)."""
    spec = exercise.spec
    texts = [PackText(spec.title, "exercise.yaml#title"), PackText(spec.summary, "exercise.yaml#summary"),
             PackText(spec.topic, "exercise.yaml#topic")]
    for name, check in spec.checks.items():
        texts.append(PackText(check.description, f"exercise.yaml#checks.{name}.description"))
        if check.hint:
            texts.append(PackText(check.hint, f"exercise.yaml#checks.{name}.hint"))
    from .starter_i18n import prose

    starter_file = Path(exercise.starter)
    texts.extend(PackText(item.msgid, f"{starter_file.name}:{item.line}")
                 for item in prose(starter_file.read_text(encoding="utf-8")))
    problems: list[str] = []
    for path in sorted(Path(exercise.root, "tests").glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in MESSAGE_ARGUMENT):
                continue
            at, keyword = MESSAGE_ARGUMENT[node.func.id]
            message = node.args[at] if len(node.args) > at else next(
                (k.value for k in node.keywords if k.arg == keyword), None)
            where = f"{path.relative_to(exercise.root)}:{node.lineno}"
            if isinstance(message, ast.Constant) and isinstance(message.value, str):
                texts.append(PackText(message.value, where))
            else:
                problems.append(f"{where}: the message of {node.func.id}() must be a string literal to be translated")
    return texts, problems


def update_catalog(exercise, lang: str, keep_obsolete: bool = True) -> tuple[Path, int, int]:
    """Write `i18n/<lang>.po` with every translatable text of the pack, keeping the translations it
    has. A translated text the pack no longer has is kept as an obsolete entry (stored results name
    it), and comes back with its translation when the pack has it again; `keep_obsolete=False` drops
    them. Returns (path, texts, untranslated), obsolete entries not counted."""
    path = catalog_path(exercise.root, lang)
    old = Catalog(locale=lang)
    if path.exists():
        with open(path, "rb") as fh:
            old = read_po(fh)
    # active last: a text both active and obsolete (edited by hand) keeps its active translation
    known = {m.id: m.string for m in [*old.obsolete.values(), *old] if m.id and m.string}
    texts, _ = translatable(exercise)
    catalog = Catalog(locale=lang, project=f"exercise pack {exercise.slug}", charset="utf-8")
    for item in texts:
        found = catalog.get(item.msgid)
        if found is not None:
            found.locations.append((item.where, 0))
            continue
        catalog.add(item.msgid, known.get(item.msgid, ""), locations=[(item.where, 0)])
    if keep_obsolete:
        for msgid, string in known.items():
            if msgid not in catalog:
                catalog.obsolete[msgid] = Message(msgid, string)
    path.parent.mkdir(exist_ok=True)
    with open(path, "wb") as fh:
        write_po(fh, catalog, width=100, omit_header=False, sort_output=False)
    untranslated = sum(1 for m in catalog if m.id and not m.string)
    return path, len([m for m in catalog if m.id]), untranslated


def missing_translations(exercise, lang: str) -> list[str]:
    """Why the pack is not complete in `lang`: untranslated texts, placeholders that differ, a
    README missing; empty when complete."""
    import re

    problems = []
    texts, literal_problems = translatable(exercise)
    problems.extend(literal_problems)
    path = catalog_path(exercise.root, lang)
    if not path.exists():
        return [*problems, f"{path} does not exist (grader translate {exercise.slug} --lang {lang} writes it)"]
    with open(path, "rb") as fh:
        catalog = read_po(fh)
    for item in texts:
        for spec in re.findall(r"\{\w+:([^{}]*\|[^{}]*)\}", item.msgid):
            if spec.count("|") != 1:
                problems.append(f"{item.where}: a count chooses between two words, singular|plural, not {spec!r}")
        message = catalog.get(item.msgid)
        if message is None or not message.string:
            problems.append(f"{item.where}: no {lang} translation for {item.msgid[:60]!r}")
            continue
        fields = set(re.findall(r"\{(\w*)", item.msgid))
        translated = message.string if isinstance(message.string, str) else " ".join(message.string)  # plural forms
        if set(re.findall(r"\{(\w*)", translated)) != fields:
            problems.append(f"{item.where}: the {lang} translation's placeholders differ from {sorted(fields)}")
    if not (Path(exercise.root) / f"README.{lang}.md").exists():
        problems.append(f"README.{lang}.md is missing")
    return problems
