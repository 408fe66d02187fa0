"""Checks for the tiny-add test pack."""

from grader.harness.judge.api import expect


def test_adds(student):
    obs = student.run("two_and_three")
    expect(obs["sum"] == 5, "add(2, 3) returns {got}, not 5.", got=obs["sum"])
