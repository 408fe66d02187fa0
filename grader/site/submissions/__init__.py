"""Submissions, their files (content-addressed), and the queue's rows: the source of truth.

The task engine (Huey) only says "there is work"; which submission is graded next, by whom, for
how long, and whether its result is recorded is decided here, in the database (queue.py).
"""
