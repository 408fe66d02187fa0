"""Who may open what: every URL pattern of the site, walked from the URL conf itself, so a view
added later is checked without anyone remembering to add it here.

For each pattern, its parameters are filled with objects that belong to alice (her submission,
her user, an exercise), then it is opened by bob (another student), by a teacher, and by nobody
signed in. Bob must get 404 wherever the URL names something of alice's and everywhere under
teacher/; nobody signed in is sent to sign in (or gets 401 from the API). GET and POST both.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from grader.site.submissions import accept
from grader.site.submissions.models import Submission

from .conftest import file_of

PUBLIC = {"people:sign_in", "people:sign_in_link", "admin"}  # open to anyone (the link checks its token)
# Parameters that name something of one person's: a URL with one of these, filled with alice's, is bob's 404.
OWNED = re.compile(r"<(?:\w+:)?(pk|id|submission_id|student_id|user_id|person_id)>|\{(submission_id|id)\}")


def patterns(resolver=None, prefix="", namespace=""):
    """(route with <params>, name with namespace) for every pattern, recursively."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from patterns(entry, route, inner)
        elif isinstance(entry, URLPattern):
            yield route, f"{namespace}{entry.name or ''}"


def fill(route: str, values: dict) -> str | None:
    """The route with each <param> filled from `values` (by name, then by converter), or None."""
    def one(match):
        converter, name = (match.group(1) or "str"), match.group(2)
        for key in (name, converter):
            if key in values:
                return str(values[key])
        raise KeyError(name)

    route = route.replace("^", "").replace("$", "").replace("\\Z", "")
    try:
        return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", one, route)
    except KeyError:
        return None


@pytest.fixture
def alices(course, people):
    from grader.site.course.models import CourseExercise

    exercise = CourseExercise.objects.get(slug="race-counter")
    submission = accept.store(student=people["alice"].user, course_exercise=exercise, files=[file_of("race-counter")])
    Submission.objects.filter(pk=submission.pk).update(state="graded", score=4, max_score=10, result=None)
    return {"pk": submission.pk, "submission_id": submission.pk, "id": submission.pk, "int": submission.pk,
            "slug": exercise.slug, "exercise": exercise.slug, "student_id": people["alice"].user.pk,
            "user_id": people["alice"].user.pk, "person_id": people["alice"].pk, "token": "not-a-token",
            "str": "x", "path": "x"}


def owned_urls(values):
    for route, name in patterns():
        if name.startswith("admin") or "api/v1/" in route and ("openapi" in route or "docs" in route):
            continue
        url = fill(route, values)
        if url is None:
            pytest.fail(f"test_access cannot fill the parameters of {route} ({name}): add its parameter to `alices`")
        yield url, name, route


@pytest.mark.django_db
def test_another_student_gets_404_for_anything_of_alices_and_for_every_teacher_page(client, alices, people):
    client.force_login(people["bob"].user)
    checked = 0
    for url, name, route in owned_urls(alices):
        if name in PUBLIC:
            continue
        if not (OWNED.search(route) or name.startswith("teacher:") or route.startswith("api/v1/queue")):
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code in (404, 405), f"bob {method.upper()} {url} ({name}): {response.status_code}"
            if response.status_code == 405:
                assert method == "post" or name.startswith("api")
        checked += 1
    assert checked >= 5  # the walk found the site's URLs


@pytest.mark.django_db
def test_a_teacher_may_open_a_students_submission(client, alices, people):
    client.force_login(people["teacher"].user)
    for url, name, route in owned_urls(alices):
        if OWNED.search(route) and not name.startswith("teacher:"):
            assert client.get(url).status_code in (200, 405), url


@pytest.mark.django_db
def test_nobody_signed_in_is_sent_to_sign_in(client, alices):
    for url, name, route in owned_urls(alices):
        if name in PUBLIC or name == "people:sign_out":
            continue
        response = client.get(url)
        if route.startswith("api/"):
            assert response.status_code in (401, 404, 405), f"{url}: {response.status_code}"
        else:
            assert response.status_code == 302 and "/people/sign-in/" in response["Location"], \
                f"anonymous GET {url} ({name}): {response.status_code}"
