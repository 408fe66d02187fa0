"""`grader` command line: a thin layer over grader.host.grading.grade_submission."""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .host import hidden, packs, reports
from .host.assignment import Assignment, AssignmentError, Plan, load_assignment, plan
from .host.config import ConfigError, load_config
from .host.grading import grade_submission, select_exercises
from .host.i18n import LANGS, terminal_lang
from .host.messages import text
from .host.results import StudentStatus
from .host.sandboxes import NAMES as SANDBOXES

console = Console(soft_wrap=True)  # paths in messages must not be broken across lines


def _options(p, *, sandbox=True, exercises=True, lang=True, config=True):
    """The options several commands share."""
    if sandbox:
        p.add_argument("--sandbox", choices=SANDBOXES, default="auto")
    if exercises:
        p.add_argument("--exercises", type=Path, default=None,
                       help="a folder of exercise packs (default: the config's `exercises`, else this checkout's)")
    if lang:
        p.add_argument("--lang", choices=LANGS, default=None,
                       help="language of what students read (default: the config's `lang`, else en)")
    if config:
        p.add_argument("--config", type=Path, help="YAML settings (docs/sandbox.md)")


def _choice(p, what: str = "grade only") -> None:
    """--assignment FILE, or --exercise SLUG (repeatable): which exercises, and what each is worth."""
    one = p.add_mutually_exclusive_group()
    one.add_argument("--assignment", type=Path, default=None, metavar="FILE",
                     help="an assignment.yaml: its exercises, in order, and their points (docs/batch.md)")
    one.add_argument("--exercise", action="append", metavar="SLUG",
                     help=f"{what} this exercise (repeatable; a slug given twice counts once)")


def _assignment(args) -> Assignment | None:
    """The --assignment file, read and checked (AssignmentError says what to fix), or None."""
    path = getattr(args, "assignment", None)
    return load_assignment(path) if path is not None else None


def _plan(args) -> Plan:
    return plan(args.exercises, _assignment(args), args.exercise)


class _Parser(argparse.ArgumentParser):
    """No abbreviated options: `--exercise` on a command that has only `--exercises` (the packs'
    folder) must be an error, not silently taken for it. Subcommands get the same class."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)


def _say(message_id: str, lang: str | None, *, style: str = "", **params) -> None:
    """One line from the catalogs, in the teacher's language; what it quotes (paths, names, code) is
    printed as written, never read as the terminal's markup."""
    line = escape(text(message_id, lang or terminal_lang(), **params))
    console.print(f"[{style}]{line}[/]" if style else line, highlight=False)


def build_parser() -> tuple[argparse.ArgumentParser, dict]:
    """The whole command line, and the course site's commands' handlers ({command: handler}); tests
    parse deploy/compose.yaml's commands with it (tests/site/test_deploy.py)."""
    parser = _Parser(prog="grader", description="Grade Python concurrency exercises.")
    sub = parser.add_subparsers(dest="command", required=True)

    g = sub.add_parser("grade", help="grade one student's submission folder")
    g.add_argument("submission", type=Path, help="folder with the student's files")
    g.add_argument("--student", required=True, help="the student's name, used for the report folder")
    g.add_argument("--out", type=Path, required=True, help="reports go to OUT/STUDENT/")
    _choice(g)
    g.add_argument("--results-json", type=Path, default=None,
                   help="also write the result in Gradescope's results.json format here")
    _options(g)

    bt = sub.add_parser("batch", help="grade a whole class: a folder or an archive of submissions")
    bt.add_argument("submissions", type=Path, help="class folder or archive (docs/batch.md)")
    bt.add_argument("--out", type=Path, required=True, help="reports, index.html, grades.csv go here")
    bt.add_argument("--workers", type=int, default=None, help="students graded at once (default: cores)")
    bt.add_argument("--force", action="store_true", help="regrade students whose submission has not changed")
    _choice(bt)
    _options(bt)
    from .site.commands import add_via

    add_via(bt)

    gsh = sub.add_parser("gradesheet", help="fill the LMS's own grade sheet (a Moodle grading worksheet, a "
                                            "Canvas gradebook export) with a batch's totals, for importing")
    gsh.add_argument("dir", type=Path, help="the folder `grader batch --out` wrote")
    gsh.add_argument("sheet", type=Path, help="the CSV downloaded from the LMS")
    gsh.add_argument("--out", type=Path, default=None, help="the filled copy (default: SHEET-graded.csv)")
    gsh.add_argument("--column", default=None,
                     help="the column to fill (Canvas: the assignment; Moodle: default Grade)")
    gsh.add_argument("--out-of", type=float, default=None,
                     help="scale each total to this many points (the LMS's maximum grade)")
    _choice(gsh, "fill the total of only")
    _options(gsh, sandbox=False, exercises=False)

    c = sub.add_parser("check", help="without DIR: check the packs' solutions and starters (with --samples: "
                                     "every sample against its expected verdict); with DIR: self-check a folder")
    c.add_argument("dir", type=Path, nargs="?")
    _choice(c, "check only")
    c.add_argument("--samples", action="store_true", help="grade every sample answer against its expected verdict")
    c.add_argument("--repeat", type=int, default=1, help="grade each case N times: flaky checks show up")
    c.add_argument("--out", type=Path, default=None, help="where a self-check writes its report")
    c.add_argument("--started-only", action="store_true",
                   help="with DIR: grade only the exercises whose file differs from its starter (the others "
                        "are listed as not started); with --exercise, that exercise, started or not")
    _options(c)

    i = sub.add_parser("image", help="the container sandbox's image")
    i_sub = i.add_subparsers(dest="image_command", required=True)
    b = i_sub.add_parser("build", help="build it if its tag (a hash of its inputs) is missing")
    b.add_argument("--registry-free", action="store_true",
                   help="base it on Debian packages via debootstrap instead of python:3.11-slim from a registry")
    b.add_argument("--mirror", default=None, help="Debian mirror for --registry-free")

    ls = sub.add_parser("list", help="list the exercises")
    _options(ls, sandbox=False)

    h = sub.add_parser("handout", help="the kit for students: starters, READMEs, visible checks, make check")
    h.add_argument("--out", type=Path, required=True, help="a new folder, or a .zip file")
    _choice(h, "hand out only")
    h.add_argument("--wheels", action="store_true",
                   help="add every package the grader needs, for installing offline (on this platform)")
    h.add_argument("--server", default="", metavar="URL",
                   help="the course site's address, for the kit's `make submit` (docs/site.md)")
    _options(h, sandbox=False)

    gs = sub.add_parser("gradescope", help="the autograder zip for Gradescope: our checks, graded there")
    gs.add_argument("--out", type=Path, required=True, help="the .zip to write")
    _choice(gs, "grade only")
    gs.add_argument("--wheels", action="store_true",
                    help="add every package the grader needs, for installing offline (on this platform)")
    _options(gs, sandbox=False)

    n = sub.add_parser("new", help="write a new exercise pack to fill in (docs/exercise-packs.md)")
    n.add_argument("slug", help="the pack's name: lowercase words joined by hyphens")
    n.add_argument("--file", "--student-file", dest="student_file", default=None, metavar="NAME.py",
                   help="the file students hand in (default: the slug with underscores, e.g. word_tally.py)")
    _options(n, sandbox=False, lang=False)

    t = sub.add_parser("translate", help="write or update an exercise pack's catalog for a language")
    t.add_argument("exercise", help="the pack's slug")
    _options(t, sandbox=False, lang=False)
    # The catalog's language, not the teacher's: the command's own messages follow the terminal.
    t.add_argument("--lang", dest="catalog_lang", choices=[x for x in LANGS if x != "en"], default="zh")
    from .client import add_parser as add_submit
    from .site.commands import add_parsers as add_site

    site_commands = add_site(sub, SANDBOXES)
    site_commands["submit"] = add_submit(sub)
    return parser, site_commands


def main(argv: list[str] | None = None) -> int:
    from .host.sandboxes import WindowsNeedsDocker

    parser, site_commands = build_parser()
    args = parser.parse_args(argv)
    if args.command in site_commands:
        return site_commands[args.command](args)
    try:
        settings = load_config(getattr(args, "config", None))
        if getattr(args, "lang", "x") is None:
            args.lang = settings.lang
        args.exercises = getattr(args, "exercises", None) or settings.exercises
        return {"grade": _grade, "batch": _batch, "check": _check, "list": _list,
                "image": _image, "translate": _translate, "new": _new,
                "handout": _handout, "gradescope": _gradescope, "gradesheet": _gradesheet}[args.command](args)
    except WindowsNeedsDocker as exc:  # Windows, and no Docker to grade in: what to install
        console.print(f"[red]{escape(exc.say(_lang(args)))}[/]", highlight=False)
        return 2
    except AssignmentError as exc:
        _say("cli_which_exercises", _lang(args), style="red", problem=exc.say(_lang(args)))
        return 2
    except ConfigError as exc:  # before PackError, which it extends: the teacher's settings, not a pack
        _say("cli_settings_problem", _lang(args), style="red", problem=exc.say(_lang(args)))
        return 2
    except packs.PacksFolderError as exc:
        _say("cli_packs_folder", _lang(args), style="red", problem=exc.say(_lang(args)))
        return 2
    except packs.PackError as exc:  # an author's pack: its messages name files and keys, in English
        _say("cli_pack_problem", _lang(args), style="red", problem=str(exc))
        return 2


def _lang(args) -> str:
    """The teacher's language: --lang (or the settings' `lang`), else the terminal's."""
    return getattr(args, "lang", None) or terminal_lang()


def _grade(args) -> int:
    if not args.submission.is_dir():
        _say("cli_grade_not_folder", args.lang, style="red", path=args.submission)
        return 2
    # Before grading: a bad path must not cost the grading, nor touch the student's files. Reports may
    # go to a folder inside the student's (intake ignores them), not into it: OUT/STUDENT/.
    if _refuse_output(args, args.out, option="--out", kind="folder", not_at=(args.submission,)) or \
            _refuse_output(args, args.results_json, option="--results-json", kind="file",
                           not_inside=(args.submission,)):
        return 2
    started = time.monotonic()
    result = grade_submission(submission=args.submission, student=args.student, out_dir=args.out,
                              sandbox=args.sandbox, exercises=args.exercise, config=args.config, lang=args.lang,
                              exercises_root=args.exercises, assignment=_assignment(args))
    if args.results_json is not None:
        from .host.batch.gradescope import results_json

        # what the student reads on Gradescope: of a hidden check, what `hidden_details` allows
        data = results_json(_student_view(args, result), time.monotonic() - started)
        reports.atomic_write(args.results_json, json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8"))
    reports.print_summary(result, console)
    _say("cli_report_at", args.lang, path=args.out / reports.safe_dirname(args.student) / "report.html")
    return _exit_code(result)


def _hidden_details(args) -> tuple[str, dict]:
    """The settings' `hidden_details` and the packs by slug: what a student's view needs (hidden.py)."""
    return load_config(args.config).hidden_details, {
        ex.slug: ex for ex in packs.load_all(packs.default_root(args.exercises))}


def _student_view(args, result):
    """What the student reads of `result`: of a hidden check, what `hidden_details` allows."""
    level, by_slug = _hidden_details(args)
    return hidden.for_student(result, level, by_slug)


def _refuse_output(args, path: Path | None, **how) -> bool:
    """Say what is wrong with writing `path` (output_paths.problem), in the teacher's language; True if so."""
    from .host.output_paths import problem

    found = problem(path, **how) if path is not None else None
    if found is not None:
        _say(found[0], _lang(args), style="red", **found[1])
    return found is not None


def _exit_code(result) -> int:
    """0: graded (whatever the score); 3: not graded because of the grader's infrastructure."""
    return 3 if result.status is StudentStatus.INFRASTRUCTURE_ERROR else 0


def _check(args) -> int:
    if args.dir is not None:
        return _self_check(args)
    if args.repeat < 1:
        _say("cli_repeat_bad", args.lang, style="red", repeat=args.repeat)
        return 2
    exercises = _plan(args).exercises
    from .host import sandboxes

    used = sandboxes.choose(args.sandbox, load_config(args.config)).name  # what `auto` comes to here
    if args.samples or args.repeat > 1:
        return _check_cases(args, exercises, only=None,
                            title=text("cli_check_samples_title", args.lang, repeat=args.repeat, sandbox=used))
    # Without --samples: the reference solution and the starter, against the same expected.yaml.
    return _check_cases(args, exercises, only=("solution", "starter"),
                        title=text("cli_check_title", args.lang, sandbox=used))


def _check_cases(args, exercises, *, only: tuple[str, ...] | None, title: str) -> int:
    """Each pack's cases (all, or `only` those) against expected.yaml, `--repeat` times each, compared
    by pack_check.differences: the same comparison as the grader's own tests."""
    from .host import pack_check

    lang = args.lang
    table = Table(title=escape(title))
    for col in ("check_col_exercise", "check_col_case", "check_col_score", "check_col_runs", "check_col_verdict"):
        table.add_column(text(col, lang))
    odd = 0
    for ex in exercises:
        def show(result, ex=ex):
            ok = result.stable
            scores = ", ".join(dict.fromkeys("null" if x is None else f"{x:g}" for x in result.scores))
            table.add_row(ex.slug, result.case.name, f"{scores}/{ex.max_score:g}",
                          f"{result.as_expected}/{result.runs}",
                          f"[green]{text('check_as_expected', lang)}[/]" if ok
                          else f"[red]{text('check_different', lang)}[/]")
            for run, found in enumerate(result.differences[:3], 1):
                console.print("  " + text("check_run_differed", lang, case=f"{ex.slug}/{result.case.name}", run=run,
                                          of=len(result.differences)), markup=False, highlight=False)
                for line in found:
                    console.print(f"    {line}", markup=False, highlight=False)
        try:
            with console.status(f"{ex.slug}..."):
                results = pack_check.check_pack(ex, repeat=args.repeat, sandbox=args.sandbox,
                                                exercises_root=args.exercises, only=only, config=args.config,
                                                on_case=show)
        except pack_check.InfrastructureNotGraded as exc:
            if table.row_count:
                console.print(table)
            _say("cli_not_graded", lang, style="red", problem=str(exc))
            return 3
        odd += sum(1 for r in results if not r.stable)
    console.print(table)
    return 1 if odd else 0


def _self_check(args) -> int:
    """`grader check DIR`: grade a student's folder and say what to fix. With --started-only (the kit's
    `make check`): only the exercises the student has started, or the one --exercise names."""
    from .host import self_check

    if not args.dir.is_dir():
        _say("cli_self_check_not_folder", args.lang, style="red", path=args.dir)
        return 2
    if args.samples or args.repeat != 1:  # they check the packs, not a student's folder
        _say("cli_check_dir_options", args.lang, style="red")
        return 2
    out = args.out or packs.project_root() / "reports"
    if _refuse_output(args, out, option="--out", kind="folder"):
        return 2
    lang = args.lang
    slugs = args.exercise
    not_started: list[packs.Exercise] = []
    choosing = args.started_only and args.assignment is None
    if choosing:
        available = packs.load_all(packs.default_root(args.exercises))
        try:
            chosen = self_check.choose(available, _submitted(args.dir, available),
                                       {ex.slug: ex.starter.read_bytes() for ex in available},
                                       only=args.exercise, started_only=True)
        except AssignmentError:
            console.print(f"[red]{escape(self_check.unknown_text(args.exercise, available, lang))}[/]",
                          highlight=False)
            return 2
        not_started = chosen.not_started
        if not chosen.graded:
            console.print(escape(text("self_check_nothing_started", lang)), highlight=False)
            return 0
        slugs = [ex.slug for ex in chosen.graded]
    result = grade_submission(submission=args.dir, student="self-check", out_dir=None, sandbox=args.sandbox,
                              exercises=slugs, config=args.config, lang=lang,
                              exercises_root=args.exercises, assignment=_assignment(args))
    if choosing:  # an exercise not chosen is not "outside the assignment": the student chose
        result.not_assigned = []
        result.ignored_files = self_check.students_ignored(
            result.ignored_files, available, [ex for ex in available if ex not in chosen.graded])
    result.self_check = True
    level, by_slug = _hidden_details(args)
    reports.write(result, out / reports.safe_dirname(result.student), exercises=by_slug, hidden_details=level)
    reports.print_summary(hidden.for_student(result, level, by_slug), console, details=True, brief=args.started_only)
    if choosing and result.ignored_files:  # one line: what might be a misplaced file of the student's
        console.print(escape(reports.ignored_line(result)), highlight=False)
    if not_started:
        listed = text("list_separator", lang).join(ex.slug for ex in not_started)
        console.print(escape(text("self_check_not_started", lang, count=len(not_started), slugs=listed)),
                      highlight=False)
    console.print(escape(text("self_check_report", lang, path=out / "self-check" / "report.html")), highlight=False)
    # Like a test runner: non-zero while any check fails, so `make check` does too.
    failed = any(c.status.value != "passed" for ex in result.exercises for c in ex.checks)
    return _exit_code(result) or (1 if failed else 0)


def _submitted(folder: Path, exercises: list[packs.Exercise]) -> dict[str, bytes]:
    """Each exercise's file in `folder`, as the grader will take it (missing and refused ones left out)."""
    from .host import intake

    return intake.take(folder, exercises).accepted


def _batch(args) -> int:
    from .host.batch import dashboard
    from .host.batch.progress import BatchProgress
    from .host.batch.roster import ClassInputError
    from .host.batch.run import grade_class
    from .host.sandboxes.base import InfrastructureError

    lang = args.lang
    if args.workers is not None and args.workers < 1:
        _say("cli_workers_bad", lang, style="red", workers=args.workers)
        return 2
    assignment = _assignment(args)
    chosen = plan(args.exercises, assignment, args.exercise)  # a wrong assignment stops here, before any grading
    if _refuse_output(args, args.out, option="--out", kind="folder"):
        return 2
    if chosen.assigned:
        console.print(escape(text("batch_assignment", lang, title=chosen.title or ", ".join(chosen.slugs),
                                  count=len(chosen.exercises), points=f"{chosen.max_score:g}")), highlight=False)
    elsewhere = None
    if args.via:
        from .site.commands import cluster_grading

        elsewhere = cluster_grading(args, versions={ex.slug: ex.version() for ex in chosen.exercises},
                                    title=chosen.title)
        if isinstance(elsewhere, int):
            return elsewhere
    try:
        with BatchProgress(console, lang) as progress:
            result = grade_class(submissions=args.submissions, out_dir=args.out, sandbox=args.sandbox,
                                 workers=args.workers, force=args.force, lang=lang, config=args.config,
                                 exercises_root=args.exercises, assignment=assignment,
                                 exercises=args.exercise, elsewhere=elsewhere, on_start=progress.start,
                                 on_done=progress.done, on_again=progress.again)
    except ClassInputError as exc:
        _say("cli_class_unreadable", lang, style="red", problem=exc.say(_lang(args)))
        return 2
    except InfrastructureError as exc:
        _say("cli_nothing_graded", lang, style="red", problem=exc.say(_lang(args)))
        return 3
    n = dashboard.counts(result)
    rerendered = text("batch_rerendered", lang, count=n["rerendered"], language=lang) if n["rerendered"] else ""
    if n["left_out"]:
        console.print(escape(text("batch_left_out", lang, count=n["left_out"], slugs=", ".join(n["left_out_slugs"]))),
                      highlight=False)
    console.print(escape(text("batch_summary", lang, graded=n["graded"], skipped=n["skipped"], rerendered=rerendered,
                              with_errors=n["with_errors"], with_missing=n["with_missing"],
                              dashboard=args.out / "index.html", gradebook=args.out / "grades.csv")), highlight=False)
    if result.interrupted:
        console.print(f"[yellow]{escape(text('batch_interrupted', lang))}[/]", highlight=False)
        return 130
    return 0


def _gradesheet(args) -> int:
    from .host.batch import gradesheet

    lang = _lang(args)
    try:
        journal = json.loads((args.dir / "batch.json").read_text(encoding="utf-8"))
        students = journal["students"]
    except (OSError, ValueError, KeyError, TypeError):
        _say("cli_no_batch_json", lang, style="red", path=args.dir)
        return 2
    if not journal.get("finished"):
        _say("cli_batch_unfinished", lang, style="red")
        return 2
    graded = [gradesheet.Graded(s["student"], s.get("lms_id", ""), s["score"], s["max_score"]) for s in students]
    out = args.out or args.sheet.with_name(args.sheet.stem + "-graded.csv")
    if args.out_of is not None and not 0 < args.out_of <= gradesheet.MAX_OUT_OF:  # nan fails both comparisons
        _say("cli_out_of_bad", lang, style="red", out_of=f"{args.out_of:g}", limit=f"{gradesheet.MAX_OUT_OF:g}")
        return 2
    if out.resolve() == args.sheet.resolve():
        _say("cli_sheet_is_download", lang, style="red", path=out)
        return 2
    if _refuse_output(args, out, option="--out", kind="file"):
        return 2
    try:
        chosen = _assignment(args) or (Assignment.of(args.exercise) if args.exercise else None)
        if chosen is not None:  # the assignment's exercises only, each out of its points
            graded = gradesheet.assignment_totals(journal, chosen)
        sheet = gradesheet.read(args.sheet.read_bytes())
        filled = gradesheet.fill(sheet, gradesheet.layout(sheet, args.column), graded, args.out_of)
    except OSError as exc:
        _say("cli_sheet_unreadable", lang, style="red", path=args.sheet, reason=exc.strerror or str(exc))
        return 2
    except gradesheet.SheetError as exc:
        _say("cli_sheet_cannot_fill", lang, style="red", path=args.sheet, problem=exc.say(lang))
        return 2
    if filled.sheet_maximum is not None:  # importing 31 into a 100-point grade is never what was meant
        _say("cli_sheet_maximum", lang, style="red", sheet=f"{filled.sheet_maximum:g}",
             batch=f"{graded[0].max_score:g}")
        return 2
    reports.atomic_write(out, gradesheet.write(filled.sheet))
    _say(f"cli_sheet_written_{filled.layout.lms}", lang, count=filled.matched, column=filled.layout.header, path=out)
    separator = text("list_separator", lang)
    for names, what in ((filled.not_in_sheet, "cli_sheet_not_in_sheet"), (filled.clashes, "cli_sheet_clashes"),
                        (filled.not_graded, "cli_sheet_not_graded"), (filled.rows_left, "cli_sheet_rows_left")):
        if names:
            _say(what, lang, style="yellow", count=len(names), names=separator.join(names))
    refused = [s["student"] for s in students if s.get("status") == "error"]
    if refused:  # their 0 is written, but a teacher may want to look before importing it
        _say("cli_sheet_refused", lang, style="yellow", count=len(refused), names=separator.join(refused))
    # Loud when a graded student's grade could not be placed: the teacher must look before importing.
    return 1 if filled.not_in_sheet or filled.clashes else 0


def _image(args) -> int:
    from .host import docker_engine
    from .host.image import build as image_build
    from .host.sandboxes.base import InfrastructureError

    try:
        client = docker_engine.connect()
        report = image_build.build_image(
            client, registry_free=args.registry_free, mirror=args.mirror or image_build.DEFAULT_MIRROR,
            say=lambda line: console.print(f"  {line}", highlight=False, markup=False))
    except InfrastructureError as exc:
        console.print(f"[red]No Docker engine:[/] {exc.message['params']['reason']}", highlight=False)
        console.print("Start Docker (or set DOCKER_HOST), then run the command again.")
        return 3
    except image_build.ImageError as exc:
        console.print("[red]The image could not be built.[/]")
        console.print(str(exc), markup=False, highlight=False)
        return 3
    verb = f"built in {report.seconds:.1f} s" if report.built else "already built"
    console.print(f"{report.tag}: {verb}", highlight=False)
    return 0


def _handout(args) -> int:
    from .host.handout import HandoutError, make_handout

    if args.server and not re.fullmatch(r"https?://[^\s\\$#'\"]+", args.server):
        # It goes into the kit's Makefile as SERVER: one plain URL, nothing make or the shell reads.
        _say("cli_server_bad", args.lang, style="red", server=args.server)
        return 2
    chosen = _plan(args)
    exercises = chosen.exercises
    if _refuse_output(args, args.out, option="--out", new=True,
                      kind="file" if args.out.suffix.lower() == ".zip" else "folder"):
        return 2
    missing: list[tuple[str, str]] = []
    try:
        with console.status(escape(text("cli_building_kit", args.lang))):
            out = make_handout(exercises, args.out, lang=args.lang, wheels=args.wheels, assignment=chosen,
                               server=args.server, on_missing=lambda where, package: missing.append((where, package)))
    except HandoutError as exc:
        _say("cli_kit_failed", args.lang, style="red", problem=exc.say(args.lang))
        return 3
    for where, package in missing:  # one line per platform and Python the kit cannot install offline
        platform, _, python = where.rpartition("-")
        _say("cli_kit_platform_missing", args.lang, style="yellow", platform=platform, python=python, package=package)
    _say("cli_kit_written_submit" if args.server else "cli_kit_written", args.lang, path=out, count=len(exercises))
    return 0


def _gradescope(args) -> int:
    from .host.gradescope_zip import make_autograder
    from .host.handout import HandoutError

    chosen = _plan(args)
    if _refuse_output(args, args.out, option="--out", kind="file", new=True):
        return 2
    try:
        with console.status(escape(text("cli_building_autograder", args.lang))):
            out = make_autograder(chosen.exercises, args.out, lang=args.lang, wheels=args.wheels, assignment=chosen)
    except HandoutError as exc:
        _say("cli_autograder_failed", args.lang, style="red", problem=exc.say(args.lang))
        return 3
    _say("cli_autograder_written", args.lang, path=out)
    return 0


def _new(args) -> int:
    from .host.scaffold import new_pack, student_module

    root = packs.packs_folder(packs.default_root(args.exercises))  # a mistyped folder is not made
    option = f" --exercises {args.exercises}" if args.exercises else ""
    written = new_pack(args.slug, root, option, args.student_file)
    module = student_module(args.slug, args.student_file)
    console.print(f"Wrote the pack {root / args.slug}:", highlight=False)
    for path in written:
        console.print(f"  {path.relative_to(root)}", highlight=False, markup=False)
    console.print(
        f"Next: 1. write the exercise in exercise.yaml, the starter and the READMEs (each TODO says what);\n"
        f"      2. write the reference solution, solution/{module}.py, and run\n"
        f"         grader check --exercise {args.slug}{option}   (it fails until the solution gets full marks);\n"
        f"      3. write the checks (tests/), a sample answer per mistake (samples/), then\n"
        f"         grader check --exercise {args.slug} --samples --repeat 20{option};\n"
        f"      4. grader translate {args.slug}{option}, and fill i18n/zh.po.", highlight=False, markup=False)
    return 0


def _translate(args) -> int:
    from .host import pack_i18n

    (exercise,) = select_exercises(args.exercises, [args.exercise])
    path, total, untranslated = pack_i18n.update_catalog(exercise, args.catalog_lang)
    console.print(f"{path}: {total} texts, {untranslated} still to translate.", highlight=False)
    problems = pack_i18n.missing_translations(exercise, args.catalog_lang)
    for problem in problems:
        console.print(f"  {problem}", highlight=False, markup=False)
    return 0 if not problems else 1


def _list(args) -> int:
    from .host.pack_i18n import pack_text

    table = Table(title=text("list_title", args.lang))
    for col in ("list_exercise", "list_student_file", "list_topic", "list_points", "list_checks"):
        table.add_column(text(col, args.lang))
    for ex in select_exercises(args.exercises, None):
        # Topics quote code (`D[x] = y`): plain text, never rich markup, which would eat `[x]`.
        table.add_row(ex.slug, ex.student_file, escape(pack_text(ex, ex.spec.topic, args.lang)),
                      f"{ex.max_score:g}", str(len(ex.spec.checks)))
    console.print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
