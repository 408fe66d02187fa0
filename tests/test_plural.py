"""Counts in English agree with their words ("1 thread waits", "2 threads wait"), through the one
mechanism every message uses: `{n:singular|plural}` (harness/judge/plural.py). Chinese, which has no
plural forms, reads as it did."""

from __future__ import annotations

import re

import pytest

from grader.harness.judge.api import CheckFailed, fail, phrase
from grader.harness.judge.plural import choose, fill, is_one
from grader.host.i18n import translations
from grader.host.messages import render, text

SENTINELS = {"waiting": 1, "line": 5, "code": "item = q.get()", "value": "None", "put_line": 17,
             "put_code": "q.put(None)", "consumers": 2, "stopped": 1}


@pytest.mark.parametrize(("count", "one"), [(1, True), (0, False), (2, False), ("1", True), ("3", False),
                                            ("?", False), (True, False), (1.0, True),
                                            ([7], True), ([], False), ([1, 2], False), ((3,), True)])
def test_only_a_count_of_one_takes_the_singular(count, one):
    assert is_one(count) is one
    assert choose(count, "thread|threads") == ("thread" if one else "threads")


def test_fill_chooses_each_counts_words_and_leaves_other_specs_alone():
    template = "{a} {a:thread waits|threads wait}, {b} {b:item was|items were} put; {s:g} s; {x!r}"
    assert fill(template, {"a": 1, "b": 2, "s": 1.5, "x": "q"}) == "1 thread waits, 2 items were put; 1.5 s; 'q'"
    assert fill(template, {"a": 3, "b": 1, "s": 2.0, "x": "q"}) == "3 threads wait, 1 item was put; 2 s; 'q'"
    assert fill("thread{n:|s}", {"n": 2}) == "threads"  # an empty singular: a suffix


def test_a_spec_with_other_than_two_words_is_an_error():
    with pytest.raises(ValueError):
        fill("{n:a|b|c}", {"n": 1})


def test_deadlock_sentinels_agrees_with_one_sentinel_and_with_two():
    one = text("deadlock_sentinels", "en", sentinels=1, **SENTINELS)
    assert one.startswith("Deadlock: 1 thread waits in q.get() at line 5 (`item = q.get()`), and the queue is empty. "
                          "1 sentinel (None) was put in it, at line 17 (`q.put(None)`), for 2 threads that take ")
    two = text("deadlock_sentinels", "en", sentinels=2, **{**SENTINELS, "waiting": 3, "consumers": 5})
    assert "Deadlock: 3 threads wait in q.get()" in two
    assert "2 sentinels (None) were put in it, at line 17 (`q.put(None)`), for 5 threads that take" in two


def test_chinese_is_as_it_was():
    # the Chinese of these messages before counts chose words: it has no plural forms to choose
    zh = text("deadlock_sentinels", "zh", sentinels=1, **SENTINELS)
    assert zh.startswith("死锁：1 个线程在第 5 行（`item = q.get()`）的 q.get() 中等待，而队列是空的。"
                         "往队列里放了 1 个哨兵（None，第 17 行：`q.put(None)`），但从队列取数据的线程有 2 个：")
    assert text("submit_late", "zh", days=1) == "（迟交 1 天）"
    moodle = text("cli_sheet_written_moodle", "zh", count=1, column="c", path="p")
    assert moodle == "Moodle 评分表：在 p 的“c”列写入了 1 个成绩。"
    assert text("batch_left_out", "zh", count=1, slugs="a") == "没有任何学生提交的 1 道练习未列在班级成绩页中：a"
    assert text("handout_left_out", "zh", checks=1, points=1) == "老师给这道练习评分时还有 1 项隐藏检查，共 1 分。"
    for message in _catalog_ids():
        assert "|" not in "".join(re.findall(r"\{\w+:[^}]*\}", translations("zh").gettext(message)))


@pytest.mark.parametrize(("message_id", "params", "one", "two"), [
    ("submit_late", {}, " (1 day late)", " (2 days late)"),
    ("cli_sheet_written_canvas", {"column": "c", "path": "p"},
     'Canvas gradebook: 1 grade written in column "c" of p.', 'Canvas gradebook: 2 grades written in column "c" of p.'),
    ("batch_left_out", {"slugs": "a"}, "1 exercise that no student submitted is left out of the dashboard: a",
     "2 exercises that no student submitted are left out of the dashboard: a"),
    ("trace_queue_saw_items", {}, "sees 1 item in the queue", "sees 2 items in the queue"),
])
def test_counted_messages_in_english(message_id, params, one, two):
    name = next(iter(set(re.findall(r"\{(\w+):[^}]*\|", translations("en").gettext(message_id)))))
    assert text(message_id, "en", **params, **{name: 1}) == one
    assert text(message_id, "en", **params, **{name: 2}) == two


def test_no_english_message_says_s_in_brackets():
    left = {m for m in _catalog_ids() if re.search(r"\{\w+\} \w+\(s\)", translations("en").gettext(m))}
    assert left == set()


def test_every_choice_in_the_grader_catalog_has_two_words():
    specs = [spec for m in _catalog_ids() for spec in re.findall(r"\{\w+:([^{}]*\|[^{}]*)\}",
                                                                translations("en").gettext(m))]
    assert specs and all(spec.count("|") == 1 for spec in specs)


def test_a_pack_message_chooses_in_the_judge_and_in_the_host():
    template = "relay with {n} {n:writer|writers} returned {k} {k:value|values}"
    with pytest.raises(CheckFailed) as failed:
        fail(template, n=1, k=2)
    assert failed.value.message == "relay with 1 writer returned 2 values"
    said = phrase("{k} {k:greenlet|greenlets} not started", k=1)
    assert str(said) == "1 greenlet not started"
    ref = {"msgid": template, "params": {"n": 2, "k": 1}}
    assert render(ref, "zh") == "relay with 2 writers returned 1 value"  # no pack: the English, chosen


def test_a_nested_message_chooses_its_own_words():
    outer = {"msgid": "{thread} {step}", "params": {"thread": "T-1", "step": {"id": "trace_queue_saw_items",
                                                                           "params": {"n": 1}}}}
    assert render(outer, "en") == "T-1 sees 1 item in the queue"


def _catalog_ids():
    from babel.messages.pofile import read_po

    from grader.host.i18n import LOCALE_DIR

    with open(LOCALE_DIR / "en" / "LC_MESSAGES" / "grader.po", "rb") as fh:
        return [m.id for m in read_po(fh) if m.id and not m.context]
