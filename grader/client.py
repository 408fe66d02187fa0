"""`grader submit`: send files to the course site and wait for the grade, from a terminal or the
handout kit (`make submit`). Talks only to the site's JSON API (grader/site/api.py), with the token
a student copies from their page on the site.

Exit codes: 0 graded (whatever the score); 2 refused or a usage problem; 3 not graded (the site's
infrastructure; the teacher is told); 4 the site cannot be reached or refused the token. With
--no-wait: 0 once the site has taken the submission.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import requests

from .host.i18n import LANGS, terminal_lang, translations
from .host.messages import text

POLL_SECONDS = 0.5
AWAY_LIMIT_SECONDS = 120  # a site restarting comes back in seconds; then give up waiting (not the submission)
WAIT_LIMIT_SECONDS = 30 * 60  # then stop watching; the site grades it anyway (`--status ID` later)
EXIT_GRADED, EXIT_REFUSED, EXIT_NOT_GRADED, EXIT_UNREACHABLE = 0, 2, 3, 4


def add_parser(sub):
    p = sub.add_parser("submit", help="submit files to the course site and wait for the grade")
    p.add_argument("files", type=Path, nargs="*", help="the exercise's file, several files, or a zip")
    p.add_argument("--server", default=os.environ.get("GRADER_SERVER"), help="the site's address (env GRADER_SERVER)")
    p.add_argument("--token", default=os.environ.get("GRADER_TOKEN"),
                   help="your token, from your page on the site (env GRADER_TOKEN)")
    p.add_argument("--exercise", default=None, help="which exercise (default: the one whose file this is)")
    p.add_argument("--status", type=int, default=None, metavar="ID", help="show an earlier submission instead")
    p.add_argument("--no-wait", action="store_true", help="print the submission's id and return")
    p.add_argument("--lang", choices=LANGS, default=terminal_lang(),
                   help="the language of what this command says (default: GRADER_LANG, else the terminal's "
                        "LANG; the grade's own texts come in your language on the site)")
    return run


class _TokenRefused(Exception):
    """The site answered 401 or 403: the token is wrong, or was replaced by a newer one."""


class _Site:
    def __init__(self, server: str, token: str):
        self.base = server.rstrip("/") + "/api/v1"
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def get(self, path: str):
        return _checked(self.session.get(self.base + path, timeout=30))

    def post(self, path: str, **kwargs):
        return _checked(self.session.post(self.base + path, timeout=120, **kwargs))


def _checked(response: requests.Response) -> requests.Response:
    """A refused token, whichever call meets it, ends in one message (exit 4); a server error,
    whose body is not the API's JSON, ends as an HTTPError (the site cannot be reached, exit 4)."""
    if response.status_code in (401, 403):
        raise _TokenRefused
    if response.status_code >= 500:
        response.raise_for_status()
    return response


class _Words:
    """This command's own words in the chosen language: said (printed), or as text."""

    def __init__(self, lang: str, out):
        self.lang, self.out = lang, out

    def text(self, message_id: str, **params) -> str:
        return text(message_id, self.lang, **params)

    def __call__(self, message_id: str, **params) -> None:
        self.out(self.text(message_id, **params))

    def status(self, word: str) -> str:
        """A status word (passed, deadlock...), as the reports say it."""
        return translations(self.lang).pgettext("status", word)


def run(args, out=print) -> int:
    say = _Words(getattr(args, "lang", "en"), out)
    if not args.server or not args.token:
        say("submit_need_server")
        return EXIT_REFUSED
    site = _Site(args.server, args.token)
    try:
        if args.status is not None:
            return _watch(site, args.status, say, out, wait=not args.no_wait)
        if not args.files:
            say("submit_need_files")
            return EXIT_REFUSED
        missing = [str(f) for f in args.files if not f.is_file()]
        if missing:
            say("submit_not_a_file", files=", ".join(missing))
            return EXIT_REFUSED
        exercise = args.exercise or _exercise_of(site, args.files, say)
        if exercise is None:
            return EXIT_REFUSED
        handles = [(f.name, f.read_bytes()) for f in args.files]
        response = site.post("/submissions", data={"exercise": exercise},
                             files=[("files", (name, content)) for name, content in handles])
        if response.status_code == 413:  # the site's server refused the body before the site saw it
            say("submit_too_big")
            return EXIT_REFUSED
        body = response.json()
        if response.status_code != 201:  # the site's own words, in the student's language there
            out(body.get("message") or body.get("detail") or say.text("submit_refused", code=response.status_code))
            return EXIT_REFUSED
        say("submit_id", id=body["id"])
        return _watch(site, body["id"], say, out, wait=not args.no_wait, first=body)
    except _TokenRefused:
        say("submit_token_refused")
        return EXIT_UNREACHABLE
    except requests.RequestException as exc:
        say("submit_unreachable", server=args.server, reason=exc)
        return EXIT_UNREACHABLE


def _exercise_of(site: _Site, files: list[Path], say: _Words) -> str | None:
    response = site.get("/exercises")
    response.raise_for_status()
    exercises = response.json()
    names = {f.name for f in files}
    found = [e["slug"] for e in exercises if e.get("file") in names]
    if len(found) == 1:
        return found[0]
    say("submit_which_exercise", choices=", ".join(e["slug"] for e in exercises))
    return None


def _watch(site: _Site, submission_id: int, say: _Words, out, *, wait: bool, first: dict | None = None) -> int:
    started, said = time.monotonic(), ""
    body = first
    away_since: float | None = None  # the site stopped answering (a restart, an upgrade): wait a while
    while True:
        if body is None:
            try:
                response = site.get(f"/submissions/{submission_id}")
            except requests.RequestException:
                if first is None and away_since is None and not said:
                    raise  # not one answer yet: the address is wrong, or the site is down
                away_since = away_since or time.monotonic()
                if time.monotonic() - away_since > AWAY_LIMIT_SECONDS:
                    say("submit_site_gone", id=submission_id)
                    return EXIT_UNREACHABLE
                if said != "away":
                    say("submit_site_away")
                    said = "away"
                time.sleep(1.0)
                continue
            away_since = None
            if response.status_code == 404:
                say("submit_no_such", id=submission_id)
                return EXIT_REFUSED
            response.raise_for_status()
            body = response.json()
        line = _state_line(body, say)
        if line != said:
            out(line)
            said = line
        if body["state"] in ("graded", "not_graded", "superseded") or not wait:
            break
        if time.monotonic() - started > WAIT_LIMIT_SECONDS:
            say("submit_still_waiting", id=submission_id)
            return EXIT_NOT_GRADED
        time.sleep(POLL_SECONDS)
        body = None
    if body["state"] == "graded":
        _table(body, say, out)
        return EXIT_GRADED
    if body["state"] in ("not_graded", "superseded"):
        return EXIT_NOT_GRADED
    return EXIT_GRADED  # --no-wait: taken, still queued or running


def _state_line(body: dict, say: _Words) -> str:
    words = say.text
    state = body["state"]
    if state == "queued":
        position = body.get("position")
        wait = body.get("estimated_wait_seconds")
        return words("submit_queued") + (words("submit_position", position=position + 1) if position is not None
                                         else "") + (words("submit_about", seconds=f"{wait:.0f}") if wait else "")
    if state == "graded":
        return words("submit_graded", score=f"{body['score']:g}", max_score=f"{body['max_score']:g}") + \
            (words("submit_late", days=body["days_late"]) if body.get("days_late") else "")
    if state in ("not_graded", "superseded", "running"):
        return words(f"submit_{state}")
    return state


def _table(body: dict, say: _Words, out) -> None:
    for exercise in body.get("exercises", []):
        score = "-" if exercise["score"] is None else f"{exercise['score']:g}"
        out(f"{exercise['title']}: {score}/{exercise['max_score']:g} ({say.status(exercise['status'])})")
        said: dict[str, str] = {}  # each cause once: a check that ended the same way points to the first
        for check in exercise["checks"]:
            mark = "ok " if check["status"] == "passed" else "-- "
            first = (check.get("message") or "").splitlines()[0:1]
            cause = ""
            if first and first[0] in said:
                cause = ": " + say.text("submit_as_before", check=said[first[0]])
            elif first:
                said[first[0]] = check["name"]
                cause = f": {first[0]}"
            out(f"  {mark}{check['name']} [{say.status(check['status'])}]{cause}")

