"""Set up a live site's course and students from outside it (its own process, its own data folder).

    python -m tests.site.seed DATA '{"exercises": [...], "students": [...], "course": {...}}'

prints {"tokens": {student: api_token}} as JSON. GRADER_DB and GRADER_BROKER, when set, name the
cluster's database and broker (tests/site/test_cluster.py). "queued": {"exercise": SLUG, "per_student":
N, "file": [NAME, TEXT]} adds N waiting submissions of that file for every student, as rows (no
message: the workers' sweep enqueues them), none superseding another. The live tests (tests/site/live.py) use it to
seed a `grader serve` started as a real process, whose database is not the test process's.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def main(data: str, spec_json: str) -> None:
    from grader.site import serve

    serve.setup(Path(data), os.environ.get("GRADER_DB") or None, os.environ.get("GRADER_BROKER") or None)
    serve.migrate()
    from django.contrib.auth import get_user_model

    from grader.site.course.models import Course, CourseExercise
    from grader.site.people.models import Person

    spec = json.loads(spec_json)
    course = Course.current() or Course.objects.create(title="Live", **spec.get("course", {}))
    for i, slug in enumerate(spec.get("exercises", [])):
        CourseExercise.objects.get_or_create(course=course, slug=slug, defaults={"position": i})
    tokens = {}
    for name in spec.get("students", []):
        user, _ = get_user_model().objects.get_or_create(username=name)
        person, _ = Person.objects.get_or_create(user=user, defaults={"display_name": name})
        tokens[name] = person.new_api_token()
    if "queued" in spec:
        _queue(course, spec["queued"], spec.get("students", []))
    print(json.dumps({"tokens": tokens}))


def _queue(course, queued: dict, students: list[str]) -> None:
    from django.contrib.auth import get_user_model

    from grader.site.submissions import storage
    from grader.site.submissions.models import Submission, SubmittedFile

    exercise = course.exercises.get(slug=queued["exercise"])
    name, text = queued["file"]
    content = text.encode()
    sha = storage.put(content)
    users = list(get_user_model().objects.filter(username__in=students))
    rows = Submission.objects.bulk_create(Submission(student=user, exercise=exercise)
                                          for _ in range(queued["per_student"]) for user in users)
    SubmittedFile.objects.bulk_create(SubmittedFile(submission=row, name=name, sha256=sha, size=len(content))
                                      for row in rows)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
