"""Set up a live site's course and students from outside it (its own process, its own data folder).

    python -m tests.site.seed DATA '{"exercises": [...], "students": [...], "course": {...}}'

prints {"tokens": {student: api_token}} as JSON. The live tests (tests/site/live.py) use it to
seed a `grader serve` started as a real process, whose database is not the test process's.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(data: str, spec_json: str) -> None:
    from grader.site import serve

    serve.setup(Path(data), None, None)
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
    print(json.dumps({"tokens": tokens}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
