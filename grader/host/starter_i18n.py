"""A starter file in the student's language: its docstrings and comments, translated, the code as it is.

A starter's prose (each docstring, each comment) is a translatable text of its pack (pack_i18n.py
lists them with the file's line, `race_counter.py:6`), translated in the pack's catalog like its
check messages. `localized` writes the starter again with the translations in place of the English;
nothing else changes, which `tests/test_pack_i18n.py` checks by comparing the two files' syntax trees
without their docstrings. The kit (handout.py) hands out the localized starter, and its packs compare
a student's file with that one to tell whether it was started (self_check.py).
"""

from __future__ import annotations

import ast
import inspect
import io
import tokenize
from collections.abc import Callable
from dataclasses import dataclass

# Comments that talk to tools, not to the student: kept as they are.
PRAGMAS = ("!", " -*-", " noqa", " type:", " pragma", " fmt:")


@dataclass(frozen=True)
class Prose:
    msgid: str
    line: int
    start: tuple[int, int]  # tokenize's (row, column) of the string or comment token
    end: tuple[int, int]
    docstring: bool
    raw: str = ""  # the token as written


def prose(source: str) -> list[Prose]:
    """Every docstring (module, class, function) and comment of `source`, in order."""
    docstring_lines = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            doc = ast.get_docstring(node, clean=False)
            if doc is not None:
                docstring_lines.add(node.body[0].lineno)
    found = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT and not token.string[1:].startswith(PRAGMAS):
            text = token.string[1:].strip()
            if text:
                found.append(Prose(text, token.start[0], token.start, token.end, docstring=False))
        elif token.type == tokenize.STRING and token.start[0] in docstring_lines:
            docstring_lines.discard(token.start[0])  # the first string of that line only
            text = inspect.cleandoc(ast.literal_eval(token.string))
            if text:
                found.append(Prose(text, token.start[0], token.start, token.end, docstring=True, raw=token.string))
    return found


def localized(source: str, translate: Callable[[str], str]) -> str:
    """`source` with each docstring and comment replaced by `translate(its text)`."""
    lines = source.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(position: tuple[int, int]) -> int:
        return starts[position[0] - 1] + position[1]

    out = source
    for item in reversed(prose(source)):
        translated = translate(item.msgid)
        if translated == item.msgid:
            continue
        if item.docstring:
            indent = " " * item.start[1]
            body = translated.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
            lines_of = [(indent + line) if line else "" for line in body.splitlines()]
            closing = "\n" + indent if "\n" in item.raw.rstrip("\"' ") else ""  # as the English closed it
            replacement = '"""' + "\n".join(lines_of).lstrip() + closing + '"""'
        else:
            replacement = "# " + " ".join(translated.split())
        out = out[:offset(item.start)] + replacement + out[offset(item.end):]
    return out
