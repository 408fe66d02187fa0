"""What the samples' reports say a student, at two commits: which messages, statuses and scores changed.

Issue 23 ("the feedback reads the student's code") ends: "the note says how many of the samples'
messages changed and shows three before/after reports". This measures it. For each of two commits
(default: `5f24101^`, the parent of the first commit of the issue's work, and `HEAD`):

- a git worktree of its own, /work/wt-msg-<sha7>, with its own venv (made if missing: `python3 -m venv
  .venv && .venv/bin/pip install -q -e '.[test,site]'`; an existing one is reused);
- its cases from tests/samples/<slug>/expected.yaml (or the pack's samples/): the reference solution,
  the starter and every sample answer. A case graded is one whose (slug, name) exists at both commits;
  its file is taken from each commit's own tree, and the output says when the two differ. The
  samples only the after commit has (most were added by the work measured) are also graded by both
  graders from the after commit's file, and counted apart (`new_samples_summary`);
- each case graded by that commit's own grader, as `grader grade DIR --student sample --exercise SLUG
  --sandbox local --lang en`, at most `--jobs` (2) gradings at a time;
- what the student reads, read from report.json in that commit's venv: from the commit that added
  hidden_details on, report.json is the teacher's record and the student reads `hidden.for_student` at
  the default level (a hidden check's hint), which this applies; before it, report.json was what the
  student read. The same report is also written again in zh (`reports.rerender`: rendering, not
  grading) and read the same way;
- each check normalised to check id -> (status, message text, score): a check of a shared outcome
  takes the shared message; ids renamed between the commits are mapped (RENAMES).

It writes bench/results/message-changes.json (per case, per check, before and after; `partial` while
gradings are missing) after every case, and prints the counts: cases compared, checks compared,
messages changed (en, zh), statuses and scores changed (every score change listed, with the scores
expected.yaml wanted at each commit), and cases at one commit only. A grading that fails (a venv that
does not install, a grader that exits with an error, a timeout) is recorded for that case, not fatal.
Gradings are cached under --cache (a rerun grades only what is missing).

    .venv/bin/python bench/message_changes.py [--before REV] [--after REV] [--jobs 2] [--no-zh]
        [--only SLUG ...] [--out bench/results/message-changes.json] [--cache /work/wt-msg-cache]

Slow: ~250 cases per commit; on a busy 2-core machine run it in the background (nohup ... > log).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
WORKTREES = Path("/work")  # each commit's worktree: /work/wt-msg-<sha7>
RENAMES = {  # a check id before -> its id after
    "judge_threads_end": "extra_threads_end",
    "judge_greenlets_share_the_queue": "extra_greenlets_share_the_queue",
}
GRADE_TIMEOUT = 900  # seconds for one grading (a pack's own time_limit is far below)
INSTALL_TIMEOUT = 1800
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# How a message changed, roughly: what is left after taking out punctuation (ASCII and full-width) and
# whitespace, then the judge's name (issue 23, item 8: "the judge" became "the test" or "the grader").
PUNCTUATION = re.compile(r"[\s.,:;!?()\[\]'\"`，。：；！？（）、「」“”‘’《》…-]+")
JUDGE_WORDS = re.compile(r"\b(?:the|this) (?:judge|test|grader)\b|\b(?:judge|test)-(?=\w)|评测程序|评分程序|测试",
                         re.IGNORECASE)
JUDGE_CLASSES = re.compile(r"\b(?:FetchError|JudgeError|Exception)\b")

# Run by the commit's own venv: report.json -> what the student reads, en and zh, as JSON on stdout.
VIEW_HELPER = r"""
import json, pathlib, shutil, sys, tempfile
from grader.host import packs, reports
from grader.host.results import StudentResult
try:
    from grader.host import hidden
except ImportError:  # before hidden_details, report.json was what the student read
    hidden = None
folder, want_zh = pathlib.Path(sys.argv[1]), sys.argv[2] == "1"
exercises = {ex.slug: ex for ex in packs.load_all(packs.default_root())}

def view(data):
    if hidden is None:
        return data
    return hidden.for_student(StudentResult.from_dict(data), hidden.DEFAULT, exercises).to_dict()

record = json.loads((folder / "report.json").read_text(encoding="utf-8"))
out = {"record": record, "en": view(record), "zh": None, "hidden_details": hidden is not None}
if want_zh:
    with tempfile.TemporaryDirectory() as tmp:
        copy = pathlib.Path(tmp) / "r"
        shutil.copytree(folder, copy)
        out["zh"] = view(reports.rerender(copy, "zh", exercises).to_dict())
json.dump(out, sys.stdout, ensure_ascii=False)
"""


def git(*args: str, cwd: Path = REPO) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def resolve(rev: str) -> str:
    return git("rev-parse", "--verify", f"{rev}^{{commit}}")


def worktree_for(sha: str) -> Path:
    """The commit's own worktree, added (detached) if it is not there yet."""
    path = WORKTREES / f"wt-msg-{sha[:7]}"
    if not (path / ".git").exists():
        git("worktree", "add", "--detach", str(path), sha)
    return path


def ensure_venv(worktree: Path) -> str | None:
    """The worktree's .venv with its grader installed; None when ready, else what went wrong."""
    if (worktree / ".venv" / "bin" / "grader").exists():
        return None
    log = worktree / ".venv-install.log"
    command = "python3 -m venv .venv && .venv/bin/pip install -q -e '.[test,site]'"
    try:
        with log.open("w") as out:
            done = subprocess.run(command, shell=True, cwd=worktree, stdout=out, stderr=subprocess.STDOUT,
                                  timeout=INSTALL_TIMEOUT)
    except subprocess.TimeoutExpired:
        return f"venv install timed out after {INSTALL_TIMEOUT} s (see {log})"
    if done.returncode != 0 or not (worktree / ".venv" / "bin" / "grader").exists():
        return f"venv install failed, exit {done.returncode}: {log.read_text()[-1000:]}"
    return None


def samples_dir(worktree: Path, slug: str) -> Path:
    inside = worktree / "exercises" / slug / "samples"
    return inside if inside.is_dir() else worktree / "tests" / "samples" / slug


def list_cases(worktree: Path) -> dict[tuple[str, str], dict]:
    """(slug, name) -> {path, student_file, want} for every case of every pack at this worktree."""
    cases = {}
    for spec_path in sorted((worktree / "exercises").glob("*/exercise.yaml")):
        slug = spec_path.parent.name
        student_file = yaml.safe_load(spec_path.read_text(encoding="utf-8"))["student_file"]
        expected = samples_dir(worktree, slug) / "expected.yaml"
        if not expected.exists():
            continue
        for name, want in (yaml.safe_load(expected.read_text(encoding="utf-8")) or {}).items():
            cases[(slug, name)] = {"path": case_path(worktree, slug, name, student_file),
                                   "student_file": student_file, "want": want}
    return cases


def case_path(worktree: Path, slug: str, name: str, student_file: str) -> Path:
    pack = worktree / "exercises" / slug
    if name == "starter":
        return pack / student_file
    if name == "solution":
        inside = pack / "solution" / student_file
        return inside if inside.exists() else worktree / "solutions" / slug / student_file
    return samples_dir(worktree, slug) / f"{name}.py"


def grade(worktree: Path, slug: str, case: dict, folder: Path, zh: bool) -> dict:
    """Grade one case with the worktree's grader into `folder`; returns the grading's record (cached)."""
    done_file = folder / "done.json"
    if done_file.exists():
        return json.loads(done_file.read_text(encoding="utf-8"))
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    submission = folder / "submission"
    submission.mkdir()
    shutil.copy(case["path"], submission / case["student_file"])
    started = time.monotonic()
    command = [str(worktree / ".venv" / "bin" / "grader"), "grade", str(submission), "--student", "sample",
               "--out", str(folder / "out"), "--exercise", slug, "--sandbox", "local", "--lang", "en"]
    env = dict(os.environ, COLUMNS="110", NO_COLOR="1", TERM="dumb")
    record: dict = {"error": None}
    try:
        run = subprocess.run(command, cwd=worktree, capture_output=True, text=True, timeout=GRADE_TIMEOUT, env=env)
        record["exit"] = run.returncode
        (folder / "terminal.txt").write_text(ANSI.sub("", run.stdout) + run.stderr, encoding="utf-8")
        report = folder / "out" / "sample"
        if not (report / "report.json").exists():
            record["error"] = f"no report.json (exit {run.returncode}): {run.stderr[-800:]}"
        else:
            record["view"] = read_view(worktree, report, zh)
    except subprocess.TimeoutExpired:
        record["error"] = f"grading timed out after {GRADE_TIMEOUT} s"
    except (subprocess.CalledProcessError, json.JSONDecodeError) as exc:
        record["error"] = f"reading the report failed: {getattr(exc, 'stderr', '') or exc}"[-800:]
    record["seconds"] = round(time.monotonic() - started, 1)
    done_file.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    return record


def read_view(worktree: Path, report: Path, zh: bool) -> dict:
    """What the student reads of the report, en (and zh), by the commit's own code (VIEW_HELPER)."""
    run = subprocess.run([str(worktree / ".venv" / "bin" / "python"), "-c", VIEW_HELPER, str(report),
                          "1" if zh else "0"], cwd=worktree, capture_output=True, text=True, check=True,
                         timeout=GRADE_TIMEOUT)
    return json.loads(run.stdout)


def normalise(report: dict | None, slug: str) -> dict | None:
    """One exercise of a report: its status, score, message, and check id -> {status, message, score}."""
    if report is None:
        return None
    exercise = next((e for e in report.get("exercises", []) if e.get("exercise") == slug), None)
    if exercise is None:
        return {"status": report.get("status"), "score": report.get("score"), "message": "", "checks": {}}
    shared = exercise.get("shared") or []
    checks = {}
    for check in exercise.get("checks", []):
        message = check.get("message") or ""
        index = check.get("shared")
        if not message and isinstance(index, int) and index < len(shared):
            message = shared[index].get("message") or ""
        checks[RENAMES.get(check["name"], check["name"])] = {
            "status": check.get("status"), "message": message.strip(), "score": check.get("score")}
    return {"status": exercise.get("status"), "score": exercise.get("score"),
            "message": (exercise.get("message") or "").strip(),
            "warnings": [w.strip() for w in exercise.get("warning_texts") or []], "checks": checks}


def compare_case(slug: str, before: dict, after: dict) -> dict:
    """Per check: before and after (student's view en, zh; the record's status), and what changed."""
    sides = {}
    for side, graded in (("before", before), ("after", after)):
        view = graded.get("view") or {}
        sides[side] = {kind: normalise(view.get(kind), slug) for kind in ("record", "en", "zh")}
    checks = {}
    names = list(dict.fromkeys([*sides["before"]["en"]["checks"], *sides["after"]["en"]["checks"]]))
    for name in names:
        got = {side: {kind: (sides[side][kind] or {"checks": {}})["checks"].get(name)
                      for kind in ("record", "en", "zh")} for side in ("before", "after")}
        b, a = got["before"], got["after"]
        entry = {"before": {"status": _get(b["record"], "status"), "student_status": _get(b["en"], "status"),
                            "score": _get(b["record"], "score"), "message_en": _get(b["en"], "message"),
                            "message_zh": _get(b["zh"], "message")},
                 "after": {"status": _get(a["record"], "status"), "student_status": _get(a["en"], "status"),
                           "score": _get(a["record"], "score"), "message_en": _get(a["en"], "message"),
                           "message_zh": _get(a["zh"], "message")}}
        if b["en"] is None or a["en"] is None:
            entry["only"] = "before" if a["en"] is None else "after"
        else:
            entry["changed"] = [field for field in ("status", "student_status", "score", "message_en", "message_zh")
                                if entry["before"][field] != entry["after"][field]
                                and not (field == "message_zh" and None in (entry["before"][field],
                                                                            entry["after"][field]))]
            for lang in ("en", "zh"):
                if f"message_{lang}" in entry["changed"]:
                    entry[f"change_{lang}"] = kind_of_change(entry["before"][f"message_{lang}"],
                                                             entry["after"][f"message_{lang}"])
        checks[name] = entry
    exercise = {side: {k: sides[side]["en"][k] for k in ("status", "score", "message", "warnings")}
                for side in ("before", "after")}
    return {"exercise": exercise, "checks": checks}


def kind_of_change(before: str | None, after: str | None) -> str:
    """A rough name for how a message changed: new, gone, punctuation, the judge's words or class
    names only (item 8), text added at the end (a note), or rewritten."""
    if not before:
        return "new message"
    if not after:
        return "message gone"
    if PUNCTUATION.sub("", before) == PUNCTUATION.sub("", after):
        return "punctuation only"
    if _same_but_judge(before, after):
        return "the judge's name only"
    if PUNCTUATION.sub("", after).startswith(PUNCTUATION.sub("", before)):
        return "text added at the end"
    return "rewritten"


def _same_but_judge(before: str, after: str) -> bool:
    def plain(text: str) -> str:
        return PUNCTUATION.sub("", JUDGE_CLASSES.sub("C", JUDGE_WORDS.sub("J", text)))
    return plain(before) == plain(after)


def _get(check: dict | None, field: str):
    return None if check is None else check.get(field)


def summarise(results: dict, total: int) -> dict:
    """The counts over the cases compared so far."""
    compared = [r for r in results.values() if "comparison" in r]
    checks = [c for r in compared for c in r["comparison"]["checks"].values() if "only" not in c]
    count = {field: sum(field in c["changed"] for c in checks)
             for field in ("message_en", "message_zh", "status", "student_status", "score")}
    score_changes = [
        {"case": key, "before": r["comparison"]["exercise"]["before"]["score"],
         "after": r["comparison"]["exercise"]["after"]["score"],
         "expected_before": r["want"]["before"].get("score"), "expected_after": r["want"]["after"].get("score"),
         "file_changed": r["file_changed"]}
        for key, r in results.items() if "comparison" in r
        and r["comparison"]["exercise"]["before"]["score"] != r["comparison"]["exercise"]["after"]["score"]]
    return {
        "cases_to_compare": total,
        "cases_compared": len(compared),
        "cases_with_a_message_changed": sum(any("message_en" in c.get("changed", []) for c in
                                                r["comparison"]["checks"].values()) for r in compared),
        "checks_compared": len(checks),
        "checks_at_one_commit_only": sum("only" in c for r in compared for c in r["comparison"]["checks"].values()),
        "messages_changed_en": count["message_en"],
        "messages_changed_zh": count["message_zh"],
        "how_messages_changed_en": _tally(c.get("change_en") for c in checks),
        "how_messages_changed_zh": _tally(c.get("change_zh") for c in checks),
        "check_statuses_changed": count["status"],
        "check_statuses_changed_as_the_student_reads_them": count["student_status"],
        "check_scores_changed": count["score"],
        "exercise_scores_changed": len(score_changes),
        "score_changes": score_changes,
        "grading_failures": {key: {side: r["graded"][side]["error"] for side in ("before", "after")
                                   if r["graded"].get(side, {}).get("error")}
                             for key, r in results.items() if any(
                                 r["graded"].get(side, {}).get("error") for side in ("before", "after"))},
    }


def _tally(kinds) -> dict[str, int]:
    out: dict[str, int] = {}
    for kind in kinds:
        if kind:
            out[kind] = out.get(kind, 0) + 1
    return dict(sorted(out.items(), key=lambda item: -item[1]))


def write_output(path: Path, meta: dict, results: dict, only: dict) -> dict:
    """The JSON file: the counts over the cases at both commits (`summary`), those over the samples
    that only the after commit has, graded by both graders (`new_samples_summary`), and every case."""
    both = {key: r for key, r in results.items() if not r["new_sample"]}
    new = {key: r for key, r in results.items() if r["new_sample"]}
    summary = summarise(both, meta["cases_to_compare"])
    partial = summary["cases_compared"] + len(summary["grading_failures"]) < meta["cases_to_compare"]
    data = {**meta, "partial": partial, "summary": summary, "cases_at_one_commit_only": only,
            "new_samples_summary": summarise(new, meta["new_samples_to_grade"]),
            "cases": {key: changed_only(results[key]) for key in sorted(results)}}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)
    return data


def changed_only(result: dict) -> dict:
    """A case as the committed file keeps it: how it was graded, and only the checks that changed or
    exist at one commit (the counts above cover every check; unchanged ones would make it megabytes)."""
    comparison = result.get("comparison")
    if not comparison:
        return result
    checks = {name: entry for name, entry in comparison["checks"].items() if entry.get("changed") or entry.get("only")}
    kept = {k: v for k, v in result.items() if k not in ("comparison", "want")}
    return {**kept, "comparison": {**comparison, "checks": checks}}


def print_summary(data: dict) -> None:
    s = data["summary"]
    print(f"before {data['before']['sha'][:7]} ({data['before']['rev']}), after {data['after']['sha'][:7]} "
          f"({data['after']['rev']}){'  PARTIAL' if data['partial'] else ''}")
    print(f"cases compared: {s['cases_compared']} of {s['cases_to_compare']} at both commits "
          f"({s['cases_with_a_message_changed']} with a message changed)")
    print(f"checks compared: {s['checks_compared']} ({s['checks_at_one_commit_only']} at one commit only)")
    print(f"messages changed: {s['messages_changed_en']} en, {s['messages_changed_zh']} zh")
    print(f"  how (en): {s['how_messages_changed_en']}")
    print(f"  how (zh): {s['how_messages_changed_zh']}")
    print(f"check statuses changed: {s['check_statuses_changed']} "
          f"({s['check_statuses_changed_as_the_student_reads_them']} as the student reads them); "
          f"check scores changed: {s['check_scores_changed']}")
    print(f"exercise scores changed: {s['exercise_scores_changed']}")
    for change in s["score_changes"]:
        print(f"  {change['case']}: {change['before']} -> {change['after']} (expected.yaml "
              f"{change['expected_before']} -> {change['expected_after']})"
              + ("; its file changed" if change["file_changed"] else ""))
    for key, errors in s["grading_failures"].items():
        print(f"  not compared: {key}: {errors}")
    for side, keys in data["cases_at_one_commit_only"].items():
        print(f"cases only {side}: {len(keys)}: {', '.join(keys)}")
    new = data["new_samples_summary"]
    if new["cases_to_compare"]:
        print(f"the after commit's new samples, graded by both graders: {new['cases_compared']} of "
              f"{new['cases_to_compare']}, {new['messages_changed_en']} messages of {new['checks_compared']} "
              f"checks changed, {new['exercise_scores_changed']} scores changed")
        for change in new["score_changes"]:
            print(f"  {change['case']}: {change['before']} -> {change['after']}")


def prepare(rev: str) -> dict:
    """A commit's sha, worktree, venv (or the reason it has none) and cases."""
    sha = resolve(rev)
    worktree = worktree_for(sha)
    return {"rev": rev, "sha": sha, "worktree": worktree, "venv_error": ensure_venv(worktree),
            "cases": list_cases(worktree)}


def plan(commits: dict, only_packs: list[str] | None, new_samples: bool) -> list[tuple[str, bool, dict]]:
    """What to grade: (slug/name, new sample?, side -> case). A case at both commits is graded from each
    commit's own file; with `new_samples`, a sample only the after commit has is graded by both
    graders from the after commit's file (kept apart from the counts)."""
    before, after = commits["before"]["cases"], commits["after"]["cases"]
    todo = []
    for key, case in after.items():
        if only_packs and key[0] not in only_packs:
            continue
        if key in before:
            todo.append((f"{key[0]}/{key[1]}", False, {"before": before[key], "after": case}))
        elif new_samples and key[1] not in ("solution", "starter"):
            todo.append((f"{key[0]}/{key[1]}", True, {"before": {**case, "want": {}}, "after": case}))
    return sorted(todo, key=lambda item: item[1])  # the cases at both commits first


def one_commits_cases_only(commits: dict, only_packs: list[str] | None) -> dict[str, list[str]]:
    out = {}
    for side, other in (("before", "after"), ("after", "before")):
        mine, theirs = commits[side]["cases"], commits[other]["cases"]
        out[f"at {side} ({commits[side]['sha'][:7]})"] = sorted(
            f"{s}/{n}" for s, n in mine if (s, n) not in theirs and (not only_packs or s in only_packs))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", default="5f24101^")
    parser.add_argument("--after", default="HEAD")
    parser.add_argument("--jobs", type=int, default=2, help="gradings at a time (at most 2 on a shared 2-core host)")
    parser.add_argument("--no-zh", action="store_true", help="English only (zh is a rerender: cheap)")
    parser.add_argument("--no-new-samples", action="store_true",
                        help="do not grade the after commit's new samples with the before grader")
    parser.add_argument("--only", action="append", help="these packs only (repeatable)")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "message-changes.json")
    parser.add_argument("--cache", type=Path, default=WORKTREES / "wt-msg-cache")
    args = parser.parse_args(argv)

    commits = {side: prepare(rev) for side, rev in (("before", args.before), ("after", args.after))}
    todo = plan(commits, args.only, not args.no_new_samples)
    only = one_commits_cases_only(commits, args.only)
    meta = {"measures": "what the samples' reports say a student, before and after (bench/message_changes.py)",
            "before": {"rev": args.before, "sha": commits["before"]["sha"]},
            "after": {"rev": args.after, "sha": commits["after"]["sha"]},
            "sandbox": "local", "langs": ["en"] if args.no_zh else ["en", "zh (rerendered from the en report)"],
            "renames": RENAMES, "cases_to_compare": sum(not new for _, new, _ in todo),
            "new_samples_to_grade": sum(new for _, new, _ in todo)}
    results: dict[str, dict] = {}
    lock = threading.Lock()

    def one(name: str, new: bool, side: str, case: dict) -> dict:
        commit = commits[side]
        if commit["venv_error"]:
            return {"error": commit["venv_error"]}
        slug = name.split("/")[0]
        # the after commit's new sample graded by the before grader: a file of another commit
        borrowed = new and side == "before"
        folder = args.cache / commit["sha"][:7] / (name + (f"@{commits['after']['sha'][:7]}" if borrowed else ""))
        try:
            return grade(commit["worktree"], slug, case, folder, not args.no_zh)
        except Exception as exc:  # noqa: BLE001 - one case's failure is that case's result
            return {"error": f"{type(exc).__name__}: {exc}"}

    def grade_both(item: tuple[str, bool, dict]) -> None:
        name, new, cases = item
        graded = {side: one(name, new, side, cases[side]) for side in ("before", "after")}
        entry = {"new_sample": new,
                 "graded": {side: {k: v for k, v in g.items() if k != "view"} for side, g in graded.items()},
                 "file_changed": cases["before"]["path"].read_bytes() != cases["after"]["path"].read_bytes(),
                 "want": {side: cases[side]["want"] for side in ("before", "after")}}
        if not any(g.get("error") for g in graded.values()):
            entry["comparison"] = compare_case(name.split("/")[0], graded["before"], graded["after"])
        with lock:
            results[name] = entry
            write_output(args.out, meta, results, only)
            print(f"[{len(results)}/{len(todo)}] {name}{' (new sample)' if new else ''}: "
                  f"{graded['before'].get('seconds')} s, {graded['after'].get('seconds')} s"
                  + ("" if "comparison" in entry else " NOT COMPARED"), flush=True)

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        list(pool.map(grade_both, todo))
    print_summary(write_output(args.out, meta, results, only))
    return 0


if __name__ == "__main__":
    sys.exit(main())
