"""The rendezvous proves overlap from the judge's side, with no timing in any verdict."""

from __future__ import annotations

import multiprocessing
import os

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
