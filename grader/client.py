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


def run(args, out=print) -> int:
    if not args.server or not args.token:
        out("Give the site's address and your token: --server URL --token TOKEN (your page on the site shows both).")
        return EXIT_REFUSED
    site = _Site(args.server, args.token)
    try:
        if args.status is not None:
            return _watch(site, args.status, out, wait=not args.no_wait)
        if not args.files:
            out("Give the file(s) to submit, or --status ID.")
            return EXIT_REFUSED
        missing = [str(f) for f in args.files if not f.is_file()]
        if missing:
            out(f"Not a file: {', '.join(missing)}")
            return EXIT_REFUSED
        exercise = args.exercise or _exercise_of(site, args.files, out)
        if exercise is None:
            return EXIT_REFUSED
        handles = [(f.name, f.read_bytes()) for f in args.files]
        response = site.post("/submissions", data={"exercise": exercise},
                             files=[("files", (name, content)) for name, content in handles])
        if response.status_code == 413:  # the site's server refused the body before the site saw it
            out("The upload is too big for the site. Submit only the exercise's file.")
            return EXIT_REFUSED
        body = response.json()
        if response.status_code != 201:
            out(body.get("message") or body.get("detail") or f"Refused ({response.status_code}).")
            return EXIT_REFUSED
        out(f"submission {body['id']}")
        return _watch(site, body["id"], out, wait=not args.no_wait, first=body)
    except _TokenRefused:
        out("The site did not accept your token: make a new one on your page on the site.")
        return EXIT_UNREACHABLE
    except requests.RequestException as exc:
        out(f"The site at {args.server} cannot be reached: {exc}")
        return EXIT_UNREACHABLE


def _exercise_of(site: _Site, files: list[Path], out) -> str | None:
    response = site.get("/exercises")
    response.raise_for_status()
    exercises = response.json()
    names = {f.name for f in files}
    found = [e["slug"] for e in exercises if e.get("file") in names]
    if len(found) == 1:
        return found[0]
    choices = ", ".join(e["slug"] for e in exercises)
    out(f"Which exercise? Add --exercise SLUG (one of: {choices}).")
    return None


def _watch(site: _Site, submission_id: int, out, *, wait: bool, first: dict | None = None) -> int:
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
                    out(f"The site stopped answering. Your submission {submission_id} is stored and will be "
                        f"graded; see it later with: grader submit --status {submission_id}")
                    return EXIT_UNREACHABLE
                if said != "away":
                    out("The site is not answering (restarting?); still waiting...")
                    said = "away"
                time.sleep(1.0)
                continue
            away_since = None
            if response.status_code == 404:
                out(f"No submission {submission_id} of yours.")
                return EXIT_REFUSED
            response.raise_for_status()
            body = response.json()
        line = _state_line(body)
        if line != said:
            out(line)
            said = line
        if body["state"] in ("graded", "not_graded", "superseded") or not wait:
            break
        if time.monotonic() - started > WAIT_LIMIT_SECONDS:
            out(f"Still waiting; see it later with: grader submit --status {submission_id}")
            return EXIT_NOT_GRADED
        time.sleep(POLL_SECONDS)
        body = None
    if body["state"] == "graded":
        _table(body, out)
        return EXIT_GRADED
    if body["state"] in ("not_graded", "superseded"):
        return EXIT_NOT_GRADED
    return EXIT_GRADED  # --no-wait: taken, still queued or running


def _state_line(body: dict) -> str:
    state = body["state"]
    if state == "queued":
        position = body.get("position")
        wait = body.get("estimated_wait_seconds")
        return "queued" + (f", position {position + 1}" if position is not None else "") + \
            (f", about {wait:.0f} s" if wait else "")
    if state == "graded":
        return f"graded: {body['score']:g}/{body['max_score']:g}" + \
            (f" ({body['days_late']} day(s) late)" if body.get("days_late") else "")
    if state == "not_graded":
        return "not graded: the site could not grade it (not your code); your teacher is told"
    if state == "superseded":
        return "superseded: a newer submission of yours replaced it before grading"
    return state


def _table(body: dict, out) -> None:
    for exercise in body.get("exercises", []):
        score = "-" if exercise["score"] is None else f"{exercise['score']:g}"
        out(f"{exercise['title']}: {score}/{exercise['max_score']:g} ({exercise['status']})")
        said: dict[str, str] = {}  # each cause once: a check that ended the same way points to the first
        for check in exercise["checks"]:
            mark = "ok " if check["status"] == "passed" else "-- "
            first = (check.get("message") or "").splitlines()[0:1]
            cause = ""
            if first and first[0] in said:
                cause = f": (as {said[first[0]]})"
            elif first:
                said[first[0]] = check["name"]
                cause = f": {first[0]}"
            out(f"  {mark}{check['name']} [{check['status']}]{cause}")

