"""The JSON API through Django's test client: token auth, refusals with their reasons, nothing
stored when refused, the OpenAPI schema."""

from __future__ import annotations

import pytest
from django.test import override_settings

from grader.site.submissions import storage
from grader.site.submissions.models import Submission

from .conftest import file_of


def post(client, token, exercise, files):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post("/api/v1/submissions", {"exercise": exercise,
                                               "files": [SimpleUploadedFile(n, c) for n, c in files]},
                       HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.mark.django_db
def test_a_submission_through_the_api_is_stored_and_queued(client, course, people):
    token = people["alice"].new_api_token()
    response = post(client, token, "race-counter", [file_of("race-counter")])
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "queued" and body["position"] == 0 and body["exercise"] == "race-counter"
    row = Submission.objects.get(pk=body["id"])
    assert storage.get(row.files.get().sha256) == file_of("race-counter")[1]
    listed = client.get("/api/v1/submissions?exercise=race-counter", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert [s["id"] for s in listed] == [body["id"]]


@pytest.mark.django_db
@pytest.mark.parametrize("files, refusal", [
    ([], "upload_empty"),
    ([("Race_Counter.py", b"x = 1\n")], "missing_near"),
    ([("notes.txt", b"hello\n")], "missing"),
    ([("race_counter.py", b"\xff\xfe\x00bad\x81\x00")], "not_utf8_nor_gb18030"),
])
def test_a_refused_upload_says_why_and_stores_nothing(client, course, people, files, refusal):
    token = people["alice"].new_api_token()
    response = post(client, token, "race-counter", files)
    assert response.status_code == 400
    assert response.json()["refused"] == refusal and response.json()["message"]
    assert Submission.objects.count() == 0


@pytest.mark.django_db
@override_settings(MAX_UPLOAD_BYTES=10_000)
def test_an_upload_past_the_limit_is_not_read_and_says_so(client, course, people):
    token = people["alice"].new_api_token()
    response = post(client, token, "race-counter", [("race_counter.py", b"#" * 50_000)])
    assert response.status_code == 400 and response.json()["refused"] == "upload_too_big"
    assert Submission.objects.count() == 0


@pytest.mark.django_db
def test_a_chinese_students_refusal_is_in_chinese(client, course, people):
    person = people["alice"]
    person.lang = "zh"
    person.save()
    response = post(client, person.new_api_token(), "race-counter", [("Race_Counter.py", b"x = 1\n")])
    assert "你的提交中没有" in response.json()["message"]


@pytest.mark.django_db
def test_no_token_or_a_wrong_one_is_401(client, course):
    assert client.get("/api/v1/exercises").status_code == 401
    assert client.get("/api/v1/exercises", HTTP_AUTHORIZATION="Bearer gr_wrong").status_code == 401


@pytest.mark.django_db
def test_an_unknown_exercise_is_404_with_its_name(client, course, people):
    response = post(client, people["alice"].new_api_token(), "no-such", [file_of("race-counter")])
    assert response.status_code == 404 and "no-such" in response.json()["message"]


@pytest.mark.django_db
def test_the_rate_limit_is_429_with_when_to_come_back(client, course, people):
    course.rate_burst, course.rate_refill_minutes = 2, 30
    course.save()
    token = people["alice"].new_api_token()
    assert [post(client, token, "race-counter", [file_of("race-counter")]).status_code for _ in range(2)] == [201, 201]
    third = post(client, token, "race-counter", [file_of("race-counter")])
    assert third.status_code == 429 and 0 < third.json()["retry_after_seconds"] <= 30 * 60
    assert third["Retry-After"] == str(third.json()["retry_after_seconds"])
    assert Submission.objects.count() == 2


@pytest.mark.django_db
def test_the_openapi_schema_lists_the_calls(client, course):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/submissions", "/api/v1/submissions/{submission_id}",
            "/api/v1/submissions/{submission_id}/report", "/api/v1/exercises"} <= set(paths)
