"""Every exercise pack reads in Simplified Chinese as well as English: every text a student can
read has its translation, with the same placeholders, and a README of its own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from grader.host import pack_i18n, packs

from .conftest import ROOT

PACKS = [*packs.load_all(ROOT / "exercises"), *packs.load_all(Path(__file__).resolve().parent / "packs")]


@pytest.mark.parametrize("exercise", PACKS, ids=lambda ex: ex.slug)
def test_every_pack_is_complete_in_chinese(exercise):
    assert pack_i18n.missing_translations(exercise, "zh") == []


def test_a_missing_translation_or_a_changed_placeholder_is_named(tmp_path):
    import shutil

    root = tmp_path / "hit-counter"
    shutil.copytree(Path(__file__).resolve().parent / "packs" / "hit-counter", root)
    exercise = packs.load_exercise(root)
    po = pack_i18n.catalog_path(root, "zh")
    text = po.read_text(encoding="utf-8")
    po.write_text(re.sub(r"(msgstr .*)\{lost\}", r"\1{lots}", text), encoding="utf-8")  # the translation only
    (root / "README.zh.md").unlink()
    problems = pack_i18n.missing_translations(exercise, "zh")
    assert any("placeholders differ" in p for p in problems) and "README.zh.md is missing" in problems
    path, total, untranslated = pack_i18n.update_catalog(exercise, "zh")  # keeps what it has
    assert untranslated == 0 and total == len({t.msgid for t in pack_i18n.translatable(exercise)[0]})


def test_the_message_of_fail_is_a_text_to_translate_as_expects_is(tmp_path):
    import shutil

    root = tmp_path / "hit-counter"
    shutil.copytree(Path(__file__).resolve().parent / "packs" / "hit-counter", root)
    tests = root / "tests" / "test_hits.py"
    source = tests.read_text(encoding="utf-8")
    lines = len(source.splitlines())
    tests.write_text(source + "\n\ndef _more(fail):\n    fail('said {n} outright', n=2)\n    fail(MESSAGE)\n",
                     encoding="utf-8")
    texts, problems = pack_i18n.translatable(packs.load_exercise(root))
    assert "said {n} outright" in {t.msgid for t in texts}
    where = f"tests/test_hits.py:{lines + 5}"
    assert problems == [f"{where}: the message of fail() must be a string literal to be translated"]


def test_a_phrase_inside_a_message_is_translated_with_it():
    """api.phrase: words of the pack's inside another message's details (gevent-workers' "not started",
    once English inside a Chinese report), also as one of api.listed's parts."""
    from grader.harness.judge import api
    from grader.host import messages

    exercise = packs.load_exercise(ROOT / "exercises" / "gevent-workers")
    template = ("When {call} returned, {k} of the {started} {started:greenlet|greenlets} it started had not ended "
                "({where}), and it returned {got}. A greenlet runs only when the one running yields: without a join, "
                "run_workers returns before the workers did their tasks. Wait for all of them before returning: "
                "`gevent.joinall(greenlets)` (with no timeout).")
    where = api.listed(["7: `task = tasks.get()` ×2", api.phrase("not started ×{k}", k=3)])
    with pytest.raises(api.CheckFailed) as failed:
        api.fail(template, call="run_workers(6)", k=5, started=5, where=where, got="[]")
    message = {"msgid": failed.value.template, "params": failed.value.details, "text": failed.value.message}
    assert "(7: `task = tasks.get()` ×2; not started ×3)" in messages.render(message, "en", exercise)
    zh = messages.render(message, "zh", exercise)
    assert "尚未开始运行 ×3" in zh and "7: `task = tasks.get()` ×2" in zh and "not started" not in zh
    assert api.listed(["a", "b"]) == "a; b" and not isinstance(api.listed(["a", "b"]), api.Described)


def test_pack_texts_translate_and_fall_back_to_english(tmp_path):
    exercise = packs.load_exercise(Path(__file__).resolve().parent / "packs" / "hit-counter")
    assert pack_i18n.pack_text(exercise, exercise.spec.title, "zh") != exercise.spec.title
    assert pack_i18n.pack_text(exercise, "a text nobody translated", "zh") == "a text nobody translated"
    assert pack_i18n.pack_text(exercise, exercise.spec.title, "en") == exercise.spec.title


def _code_only(source: str) -> str:
    import ast

    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) \
                and ast.get_docstring(node, clean=False) is not None:
            node.body = node.body[1:]
    return ast.dump(tree)


@pytest.mark.parametrize("exercise", PACKS, ids=lambda ex: ex.slug)
def test_the_chinese_starter_is_the_same_code_with_its_prose_translated(exercise):
    from grader.host.starter_i18n import prose

    english = exercise.starter.read_text(encoding="utf-8")
    chinese = pack_i18n.starter(exercise, "zh").decode("utf-8")
    assert _code_only(chinese) == _code_only(english)
    # every docstring and comment the English has is there in Chinese (none left in English)
    assert [p.msgid for p in prose(chinese)] == [pack_i18n.pack_text(exercise, p.msgid, "zh") for p in prose(english)]
    assert not {p.msgid for p in prose(chinese)} & {p.msgid for p in prose(english)}


def test_a_starter_keeps_its_pragmas_and_its_layout():
    from grader.host.starter_i18n import localized

    source = ('#!/usr/bin/env python3\n"""Module."""\nimport os  # noqa: F401\n\n\ndef f():\n'
              '    """First line.\n\n    More.\n    """\n    return 1  # one\n')
    out = localized(source, lambda msgid: {"Module.": "模块。", "First line.\n\nMore.": "第一行。\n\n更多。",
                                           "one": "一"}.get(msgid, msgid))
    assert out == ('#!/usr/bin/env python3\n"""模块。"""\nimport os  # noqa: F401\n\n\ndef f():\n'
                   '    """第一行。\n\n    更多。\n    """\n    return 1  # 一\n')


def test_a_pack_choice_of_other_than_two_words_is_named(tmp_path):
    import shutil

    root = tmp_path / "hit-counter"
    shutil.copytree(Path(__file__).resolve().parent / "packs" / "hit-counter", root)
    test = next((root / "tests").glob("test_*.py"))
    test.write_text(test.read_text(encoding="utf-8").replace("{lost:hit was|hits were}", "{lost:hit|hits|many}"),
                    encoding="utf-8")
    problems = pack_i18n.missing_translations(packs.load_exercise(root), "zh")
    assert any("not 'hit|hits|many'" in p for p in problems), problems


def test_a_pack_message_reads_in_chinese_as_its_catalog_says():
    from grader.host.messages import render

    exercise = packs.load_exercise(ROOT / "exercises" / "process-queue")
    ref = {"msgid": "relay with {n} {n:writer|writers} returned {got}, not a list.", "params": {"n": 1, "got": "None"}}
    assert render(ref, "en", exercise) == "relay with 1 writer returned None, not a list."
    assert render(ref, "zh", exercise) == "有 1 个写进程时，relay 返回了 None，不是一个列表。"


def test_a_result_stored_before_its_english_changed_still_reads_in_chinese():
    """A course site keeps a check's message as its English template and params: a result stored before
    counts agreed with their words names the old English, kept in the catalog as an obsolete entry."""
    from grader.host.messages import render

    counter = packs.load_exercise(ROOT / "exercises" / "race-counter")
    old = {"msgid": "{n} of the test's threads each called decrement() once on Counter({start}); under the schedule "
                    "below the value ended at {got}, not {want}: {lost} update(s) lost. Every decrement must hold one "
                    "lock, created in __init__, from reading self.value to writing it.",
           "params": {"n": 8, "start": 100, "got": 97, "want": 92, "lost": 5}}
    assert render(old, "zh", counter) == (
        "测试的 8 个线程各对 Counter(100) 调用了一次 decrement()；在下面这种调度下，最后的值是 97，而不是 92："
        "丢失了 5 次更新。每次减一都必须从读取 self.value 到写回它的整个过程中持有同一把锁，"
        "这把锁要在 __init__ 里创建。")
    relay = packs.load_exercise(ROOT / "exercises" / "process-queue")
    old = {"msgid": "relay with {n} writer(s) returned {got}, not a list.", "params": {"n": 1, "got": "None"}}
    assert render(old, "zh", relay) == "有 1 个写进程时，relay 返回了 None，不是一个列表。"


def _entries(path: Path) -> tuple[dict, dict]:
    """A catalog's active and obsolete entries, msgid: msgstr."""
    from babel.messages.pofile import read_po

    with open(path, "rb") as fh:
        catalog = read_po(fh)
    return {m.id: m.string for m in catalog if m.id}, {m.id: m.string for m in catalog.obsolete.values()}


@pytest.mark.parametrize("exercise", PACKS, ids=lambda ex: ex.slug)
def test_grader_translate_keeps_the_obsolete_entries(exercise, tmp_path, capsys):
    import shutil

    from grader import cli

    shutil.copytree(exercise.root, tmp_path / exercise.slug)
    po = pack_i18n.catalog_path(tmp_path / exercise.slug, "zh")
    before = _entries(po)
    assert cli.main(["translate", exercise.slug, "--exercises", str(tmp_path)]) == 0
    assert ", 0 still to translate." in capsys.readouterr().out
    assert _entries(po) == before


def test_a_retired_text_used_again_comes_back_with_its_translation(tmp_path):
    import shutil

    root = tmp_path / "hit-counter"
    shutil.copytree(Path(__file__).resolve().parent / "packs" / "hit-counter", root)
    test = root / "tests" / "test_hits.py"
    new, old = "{lost} {lost:hit was|hits were} lost.", "{lost} hit(s) were lost."
    test.write_text(test.read_text(encoding="utf-8").replace(new, old), encoding="utf-8")
    po = pack_i18n.catalog_path(root, "zh")
    active, obsolete = _entries(po)
    retired = next(msgid for msgid in obsolete if old in msgid)
    _, _, untranslated = pack_i18n.update_catalog(packs.load_exercise(root), "zh")
    now_active, now_obsolete = _entries(po)
    assert untranslated == 0 and now_active[retired] == obsolete[retired] and retired not in now_obsolete
    replaced = next(msgid for msgid in active if new in msgid)  # the text it stood for, retired in turn
    assert now_obsolete[replaced] == active[replaced] and replaced not in now_active


def test_a_visible_copy_has_no_obsolete_entry(tmp_path):
    """The students' copy of a pack: its obsolete entries would hold the hidden checks' messages."""
    from grader.host.visible_pack import write_visible_pack

    exercise = packs.load_exercise(ROOT / "exercises" / "process-queue")
    copy = write_visible_pack(exercise, tmp_path / exercise.slug)
    assert _entries(pack_i18n.catalog_path(exercise.root, "zh"))[1]
    assert _entries(pack_i18n.catalog_path(copy.root, "zh"))[1] == {}
