"""The container's results channel: one line of JSON per judged exercise on the entry's stdout.

    {"slug": "<exercise>", "run": {<what the judge returned>}}\n

Written by the entry (container_entry.py) as each exercise's result is believed, read by the host
(host/sandboxes/container_streams.py) as the lines arrive, so when the host's wall clock stops the
container, the exercises that finished still count. A line cut short by the kill has no newline
and is not read. Only the entry holds the channel: its children get a standard output that goes
to the log (standard error).
"""

from __future__ import annotations

import json


def encode(slug: str, run: dict) -> bytes:
    # json.dumps escapes newlines inside strings, so a result is one line whatever it holds.
    return json.dumps({"slug": slug, "run": run}, ensure_ascii=True).encode("ascii") + b"\n"


def decode(line: bytes) -> tuple[str, dict] | None:
    """The exercise and its result, or None for a line that is not one."""
    try:
        parsed = json.loads(line.decode("utf-8"))
    except ValueError:
        return None
    if not isinstance(parsed, dict):
        return None
    slug, run = parsed.get("slug"), parsed.get("run")
    if not isinstance(slug, str) or not isinstance(run, dict):
        return None
    return slug, run
