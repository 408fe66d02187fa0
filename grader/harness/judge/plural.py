"""Words that agree with a count, in any message's English: `{n:thread waits|threads wait}`.

A placeholder whose format spec holds a `|` shows not its value but one of the two words around the
`|`: the first when the value is 1, the second otherwise (0 too: "0 threads"). The number itself is
written as usual, once, beside it:

    "{waiting} {waiting:thread waits|threads wait} in q.get()"  ->  "1 thread waits in q.get()"
                                                               ->  "3 threads wait in q.get()"

A list counts by its length: "the {missing:task|tasks} {missing}" (a string is no list: a count
written as digits is read as a number). A sentence may
hold several counts, each choosing its own words, which one gettext plural form could not do. No
standard format spec has a `|`, so `{seconds:g}` and the like mean what they always did. A language
without plural forms (Chinese) just writes `{waiting}`: the catalogs' placeholder checks compare
names only. The grader's catalogs, a pack's check messages and phrases all go through `fill`, in the
judge and in the host, so one message reads the same wherever it is formatted.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any


def is_one(value: Any) -> bool:
    """Whether `value`, as a count, takes the singular."""
    if isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            return False  # not a count ("?" for a missing param): the plural reads as the general case
    elif isinstance(value, (list, tuple)):
        value = len(value)
    return value == 1 and not isinstance(value, bool)


def choose(value: Any, spec: str) -> str:
    """The word of `spec` ("singular|plural") that agrees with the count `value`."""
    words = spec.split("|")
    if len(words) != 2:
        raise ValueError(f"a count's words are two, singular|plural, not {spec!r}")
    return words[0] if is_one(value) else words[1]


class _Formatter(string.Formatter):
    def format_field(self, value: Any, format_spec: str) -> Any:
        if "|" in format_spec:
            return choose(value, format_spec)
        return super().format_field(value, format_spec)


_FORMATTER = _Formatter()


def fill(template: str, params: Mapping[str, Any]) -> str:
    """`template.format_map(params)`, where `{n:one|other}` chooses a word by the count `n`."""
    return _FORMATTER.vformat(template, (), params)
