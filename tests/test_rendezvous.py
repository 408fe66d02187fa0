"""The rendezvous proves overlap from the judge's side, with no timing in any verdict."""

from __future__ import annotations

import multiprocessing
import os

import pytest

from grader.harness.child.rendezvous_client import RendezvousCheck
from grader.harness.judge.rendezvous import RendezvousServer


def _pool_map(address, workers, numbers):
    check = RendezvousCheck(address)
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return sum(pool.map(check, numbers, chunksize=1))


def test_two_workers_overlap():
    server = RendezvousServer(bound=30)
    try:
        assert _pool_map(server.address, 2, list(range(12))) == 4
        stats = server.stats
        assert stats.overlap_seen and stats.max_processes_inside >= 2
        assert len(stats.pids()) == 2 and os.getpid() not in stats.pids()
        assert sorted(stats.item_counts().items()) == [(n, 1) for n in range(12)]
    finally:
        server.close()


def test_one_worker_never_overlaps_and_waits_only_once():
    server = RendezvousServer(bound=0.5)  # liveness only: how long the first caller is held
    try:
        assert _pool_map(server.address, 1, list(range(6))) == 2
        assert not server.stats.overlap_seen and server.stats.max_processes_inside == 1
    finally:
        server.close()


def test_calls_in_the_calling_process_are_not_held():
    server = RendezvousServer(bound=30)
    try:
        check = RendezvousCheck(server.address)
        assert [check(n) for n in range(4)] == [True, False, False, True]
        assert server.stats.pids() == {os.getpid()} and not server.stats.overlap_seen
    finally:
        server.close()


def test_serial_calls_in_different_processes_never_look_like_overlap():
    # Regression: the server used to count a call out only when it noticed the closed socket,
    # so the next serial call, in another worker, could be counted in before that.
    server = RendezvousServer(bound=0.2)
    try:
        check = RendezvousCheck(server.address)
        with multiprocessing.get_context("fork").Pool(3) as pool:
            for n in range(40):
                pool.apply(check, (n,))
        assert len(server.stats.pids()) >= 2
        assert not server.stats.overlap_seen and server.stats.max_processes_inside == 1
    finally:
        server.close()


def test_a_held_call_runs_only_once_the_parent_waits_for_it():
    from grader.harness.child.pool_watch import JudgeTask, TaskFailed, _ask
    from grader.harness.judge.rendezvous import HoldingServer

    server = HoldingServer(bound=0.2, holds={1: {"wait:1"}}, fail=(2,))
    try:
        task = JudgeTask(server.address)
        with multiprocessing.get_context("fork").Pool(2) as pool:
            pending = [pool.apply_async(task, (i, "unused")) for i in range(3)]
            _ask(server.address, {"op": "wait", "item": 0}, 5)  # opens the gate, releases nothing held
            assert pending[0].get(timeout=30) == server.value_of(0)
            with pytest.raises(TaskFailed) as failed:
                pending[2].get(timeout=30)
            assert failed.value.item == 2 and failed.value.token == server.token_of(2)
            assert not pending[1].ready()  # held: it cannot have ended, however long the others took
            _ask(server.address, {"op": "wait", "item": 1}, 5)
            assert pending[1].get(timeout=30) == server.value_of(1)
        release = server.events("wait")[1]["seq"]
        (end,) = [e for e in server.events("end") if e["item"] == 1]
        assert end["seq"] > release and os.getpid() not in {e["pid"] for e in server.events("arrive")}
    finally:
        server.close()


def test_a_caller_is_the_process_the_kernel_names_not_the_pid_it_claims():
    """Issue 24: two raw threads of one process, each claiming another worker's pid and no parent,
    are one process inside at once: no overlap, and every call counted in the process that made it."""
    import _thread
    import json
    import socket
    import threading

    server = RendezvousServer(bound=0.5)
    done = threading.Barrier(3)

    def forge(fake_pid):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(server.address)
            sock.sendall(json.dumps({"pid": fake_pid, "item": fake_pid, "in_parent": False}).encode() + b"\n")
            sock.recv(16)  # go
            sock.sendall(b"done\n")
            sock.recv(16)
        finally:
            sock.close()
            done.wait()

    try:
        for fake in (11111, 22222):
            _thread.start_new_thread(forge, (fake,))
        done.wait(timeout=30)
        assert server.stats.pids() == {os.getpid()}
        assert not server.stats.overlap_seen and server.stats.max_processes_inside == 1
    finally:
        server.close()
