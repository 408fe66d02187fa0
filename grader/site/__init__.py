"""The course site: students submit, workers grade, everyone reads reports (Django, Huey).

A layer above grader.host: it grades through grade_submission(), as the CLI and batch do, and
nothing in grader.host or grader.harness imports it. docs/site.md is the operator's page.

    settings.py     one configuration, from the data folder and GRADER_* variables
    datadir.py      the data folder: created on first start, secret key (0600), first teacher's link
    people/         who is who: roles, languages, one-time sign-in links, API tokens
    course/         the course: its exercises, deadlines, extensions, late and rate policies
    submissions/    submissions, their files (content-addressed), the queue's rows and leases
    api.py          the JSON API (django-ninja, token auth): submit, status, report, history
    student/        a student's pages
    teacher/        a teacher's pages
    serve.py        `grader serve` (waitress + workers) and `grader worker` (Huey consumer)
"""
