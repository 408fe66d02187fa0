"""The task engine's part (Huey): a message means "there is work"; the queue's rows say which.

enqueue() is called once a submission is stored; top_up() (every worker, every few seconds) puts
back a message for every claimable submission the broker no longer holds one for, so a broker that
lost messages (a restart, a crash before enqueue) loses no submission.
"""

from __future__ import annotations

import logging
import os
import socket

from huey.contrib.djhuey import HUEY, db_task

from . import grade, queue

log = logging.getLogger(__name__)
OWNER = f"{socket.gethostname()}:{os.getpid()}"


@db_task()
def grade_next() -> str:
    submission = queue.claim(OWNER)
    if submission is None:
        return "idle"
    return grade.run(submission)


def enqueue() -> None:
    """Tell a worker there is work; a broker that does not answer loses nothing (top_up)."""
    try:
        grade_next()
    except Exception:
        log.warning("the task queue did not take a message; a worker's sweep will", exc_info=True)


def top_up() -> int:
    missing = queue.claimable().count() - HUEY.pending_count()
    for _ in range(max(0, missing)):
        grade_next()
    return max(0, missing)
