"""The judge's held HTTP server (judge/held_http.py) and the child's watch (child/http_watch.py): the
server answers one response at a time, last URL first, only when the child's greenlets all wait, so
what was in flight and in which order the responses finished is the same on every run."""

from __future__ import annotations

import pytest

from grader.harness.judge.held_http import HeldHttpServer

from .harness_helpers import run_program

pytest.importorskip("gevent")
pytest.importorskip("requests")

SCENARIO = """
def fetch(module, probe, urls, port, **kwargs):
    with probe.HttpWatch(port) as watch:
        return watch.call(module.fetch_all, list(urls), **kwargs)
"""

GEVENT = """
from gevent import monkey
monkey.patch_all()
import gevent
import requests
from gevent.pool import Pool


def size(url):
    try:
        return len(requests.get(url, timeout=10).text)
    except requests.RequestException:
        return None


def fetch_all(urls, limit=None):
    {body}
"""

PAGES = {f"p{i}": 100 + 37 * i for i in range(5)}


def fetch(tmp_path, source, fail=(), bound=5.0, **kwargs):
    server = HeldHttpServer(PAGES, fail=fail, bound=bound)
    try:
        outcome = run_program(tmp_path, source, SCENARIO, "fetch", urls=[server.url(p) for p in PAGES],
                              port=server.port, **kwargs)
        assert outcome.ok, outcome.result
        return outcome.observations, server.summary()
    finally:
        server.close()


def test_greenlets_for_every_url_are_all_in_flight_and_finish_last_url_first(tmp_path):
    source = GEVENT.replace("{body}", "jobs = [gevent.spawn(size, u) for u in urls]\n    gevent.joinall(jobs)\n"
                                      "    return [j.value for j in jobs]")
    for _ in range(3):
        obs, seen = fetch(tmp_path, source, fail={"p2"})
        assert obs["result"] == [100, 137, None, 211, 248]
        assert seen["in_flight"] == [5, 4, 3, 2, 1] and not seen["gave_up"]
        assert seen["answer_order"] == ["p4", "p3", "p2", "p1", "p0"]
        assert all(c["scenario_thread"] for c in obs["connections"]) and len(obs["connections"]) == 5
        (patch,) = obs["patches"]
        assert patch["call"] == "patch_all" and patch["imported_before"] == []
        assert patch["site"]["code"] == "monkey.patch_all()"


def test_a_pool_keeps_its_size_in_flight_and_imap_unordered_yields_in_the_servers_order(tmp_path):
    ordered = GEVENT.replace("{body}", "return list(Pool(limit).imap(size, urls))")
    unordered = GEVENT.replace("{body}", "return list(Pool(limit).imap_unordered(size, urls))")
    obs, seen = fetch(tmp_path, ordered, limit=2)
    assert obs["result"] == [100, 137, 174, 211, 248]
    assert seen["in_flight"] == [2, 2, 2, 2, 1] and seen["answer_order"] == ["p1", "p2", "p3", "p4", "p0"]
    obs, seen = fetch(tmp_path, unordered, limit=2)
    assert obs["result"] == [137, 174, 211, 248, 100]


def test_requests_made_one_after_another_cost_one_bound_and_show_one_in_flight(tmp_path):
    source = """
import requests


def fetch_all(urls):
    return [len(requests.get(u, timeout=10).text) for u in urls]
"""
    obs, seen = fetch(tmp_path, source, bound=1.0)
    assert obs["result"] == [100, 137, 174, 211, 248]
    assert seen["gave_up"] and seen["in_flight"] == [1]
    assert seen["answer_order"] == ["p0", "p1", "p2", "p3", "p4"] and obs["patches"] == []


def test_patching_after_requests_is_noted_and_threads_are_told_apart(tmp_path):
    source = """
import requests
from gevent import monkey
monkey.patch_all()
from concurrent.futures import ThreadPoolExecutor


def fetch_all(urls):
    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(lambda u: len(requests.get(u, timeout=10).text), urls))
"""
    obs, seen = fetch(tmp_path, source, bound=1.0)
    assert obs["result"] == [100, 137, 174, 211, 248]
    assert obs["patches"][0]["imported_before"] == ["requests", "urllib3", "ssl"]
    assert not any(c["scenario_thread"] for c in obs["connections"])
    assert seen["gave_up"]  # a thread waiting in a socket keeps the others from running: one at a time


def test_the_child_has_imported_neither_requests_nor_ssl_before_the_students_module(tmp_path):
    # Patching too late is judged by what was imported before the student's patch_all(): the
    # harness itself must import none of them.
    source = """
import sys

BEFORE = [m for m in ("requests", "urllib3", "ssl", "http.client") if m in sys.modules]


def fetch_all(urls):
    return BEFORE
"""
    obs, _ = fetch(tmp_path, source, bound=1.0)
    assert obs["result"] == []


def test_a_failing_url_is_closed_unanswered_and_the_error_reaches_the_caller(tmp_path):
    source = GEVENT.replace("{body}", "return [len(requests.get(u, timeout=10).text) for u in urls]")
    obs, seen = fetch(tmp_path, source, fail={"p0"}, bound=1.0)
    assert obs["outcome"] == "raised" and obs["error"]["type"] == "ConnectionError"
    assert obs["error"]["stack"][-1]["code"].startswith("return [len(requests.get(")
    assert seen["requests"] == ["p0"]
