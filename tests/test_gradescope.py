"""The Gradescope autograder zip, run the way Gradescope runs it: an image with the zip in
/autograder/source and setup.sh run once at build (here registry-free, from our Debian base, with no
network: everything it installs comes from the zip's wheels), then run_autograder per submission,
which must leave /autograder/results/results.json in Gradescope's format."""

from __future__ import annotations

import io
import json
import tarfile
import uuid
import zipfile
from pathlib import Path

import pytest

from grader.host import packs
from grader.host.gradescope_zip import make_autograder

from .conftest import ROOT

RACE = packs.load_exercise(ROOT / "exercises" / "race-counter")
DOCKERFILE = """FROM {base}
COPY autograder/ /autograder/source/
RUN chmod +x /autograder/source/setup.sh /autograder/source/run_autograder \\
 && bash /autograder/source/setup.sh \\
 && cp /autograder/source/run_autograder /autograder/run_autograder \\
 && mkdir -p /autograder/submission /autograder/results
"""


def test_the_zip_has_gradescopes_layout_and_no_solution(tmp_path):
    out = make_autograder([RACE], tmp_path / "autograder.zip")
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        modes = {i.filename: i.external_attr >> 16 for i in zf.infolist()}
        script = zf.read("run_autograder").decode()
    assert {"setup.sh", "run_autograder"} <= set(names) and modes["run_autograder"] & 0o111
    assert "packs/race-counter/tests/test_race_counter.py" in names  # hidden checks too: Gradescope's to keep
    assert not [n for n in names if "solution" in n or "samples" in n]
    assert "/autograder/results/results.json" in script and "--exercise race-counter" in script


@pytest.fixture(scope="module")
def gradescope_image(docker_image, tmp_path_factory):
    from grader.host import docker_engine
    from grader.host.image import build

    client = docker_engine.connect(timeout=600)
    base = build._debian_base(client, build.DEFAULT_MIRROR, lambda line: None)
    context = tmp_path_factory.mktemp("gradescope")
    zipped = make_autograder([RACE], context / "autograder.zip", wheels=True)
    with zipfile.ZipFile(zipped) as zf:
        zf.extractall(context / "autograder")
    (context / "Dockerfile").write_text(DOCKERFILE.format(base=base), encoding="utf-8")
    tag = f"grader-gradescope-test:{uuid.uuid4().hex[:8]}"
    client.images.build(path=str(context), tag=tag, network_mode="none", rm=True, forcerm=True)
    yield client, tag
    client.images.remove(tag, force=True)


def _run(client, tag: str, submission: Path) -> dict:
    container = client.containers.create(tag, ["/autograder/run_autograder"], network_mode="none")
    try:
        data = io.BytesIO()
        with tarfile.open(fileobj=data, mode="w") as tar:
            tar.add(submission, arcname=submission.name)
        container.put_archive("/autograder/submission", data.getvalue())
        container.start()
        assert container.wait(timeout=600)["StatusCode"] == 0, container.logs().decode()[-3000:]
        stream, _ = container.get_archive("/autograder/results/results.json")
        with tarfile.open(fileobj=io.BytesIO(b"".join(stream))) as tar:
            return json.loads(tar.extractfile("results.json").read())
    finally:
        container.remove(force=True)


@pytest.mark.slow  # builds the Gradescope-layout image: ~30 s
@pytest.mark.docker
def test_gradescope_grades_a_solution_and_a_starter(gradescope_image, tmp_path):
    client, tag = gradescope_image
    solved = _run(client, tag, RACE.solution)
    assert solved["score"] == 10.0 and all(t["status"] == "passed" for t in solved["tests"])
    starter = _run(client, tag, RACE.starter)
    assert starter["score"] < 10.0
    failed = [t for t in starter["tests"] if t["status"] == "failed"]
    assert failed and "decrements were lost" in failed[0]["output"]
    assert {"score", "execution_time", "output", "tests"} <= set(starter)


def test_an_assignments_autograder_grades_its_exercises_at_their_points(tmp_path, monkeypatch):
    from grader.host import gradescope_zip
    from grader.host.assignment import Assignment, load_assignment, plan

    monkeypatch.setattr(gradescope_zip, "_wheels", lambda folder, with_dependencies: folder.mkdir(parents=True))
    chosen = plan(ROOT / "exercises", Assignment.model_validate(
        {"title": "HW 3", "exercises": [{"slug": "race-counter", "points": 20}, "queue-drain"]}))
    out = make_autograder(chosen.exercises, tmp_path / "autograder.zip", assignment=chosen)
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        script = zf.read("run_autograder").decode()
        (tmp_path / "assignment.yaml").write_bytes(zf.read("assignment.yaml"))
    assert "--assignment /autograder/source/assignment.yaml" in script and "--exercise " not in script
    assert {n.split("/")[1] for n in names if n.startswith("packs/")} == {"race-counter", "queue-drain"}
    again = plan(ROOT / "exercises", load_assignment(tmp_path / "assignment.yaml"))
    assert again.slugs == ["race-counter", "queue-drain"] and again.points == chosen.points and again.title == "HW 3"
