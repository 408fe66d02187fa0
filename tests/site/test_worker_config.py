"""`grader serve` and `grader worker` take the sandbox's settings file (--config, GRADER_CONFIG), as
`grader grade` and `grader batch` do: an operator sets the containers' limits for the site's
gradings too, and a file that cannot be used stops the command before it starts."""

from __future__ import annotations

import pytest

from grader.cli import main
from grader.host.results import StudentStatus
from grader.site.course.models import CourseExercise
from grader.site.submissions import accept, grade
from grader.site.submissions.models import Submission

from .conftest import file_of


@pytest.mark.parametrize("command", ["serve", "worker"])
def test_a_config_that_cannot_be_used_stops_the_command_saying_why(tmp_path, capsys, command):
    config = tmp_path / "grader.yaml"
    config.write_text("docker:\n  mem_limt: 2g\n", encoding="utf-8")  # a misspelt key
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "site.sqlite3").touch()  # a site is there: only the config is wrong
    code = main([command, "--data", str(tmp_path / "data"), "--config", str(config)])
    out = capsys.readouterr().out
    assert code == 2 and "--config" in out and "mem_limt" in out, out


@pytest.mark.django_db
def test_the_workers_config_reaches_the_container_sandbox(people, course, tmp_path, settings, docker_image):
    config = tmp_path / "grader.yaml"
    config.write_text("docker:\n  image: concurrency-grader-sandbox:no-such-tag\n", encoding="utf-8")
    settings.SANDBOX, settings.CONFIG = "docker", str(config)
    stored = accept.store(student=people["alice"].user, course_exercise=CourseExercise.objects.get(slug="race-counter"),
                          files=[file_of("race-counter", solved=True)])
    result = grade._grade(Submission.objects.get(pk=stored.pk))
    assert result.status is StudentStatus.INFRASTRUCTURE_ERROR  # the image the file names, which is not there
    assert result.sandbox_message_ref == {"id": "infra_no_image", "params": {
        "image": "concurrency-grader-sandbox:no-such-tag", "reason": result.sandbox_message_ref["params"]["reason"]}}
