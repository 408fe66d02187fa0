"""Checks for the hit-counter test pack."""

from grader.harness.judge.api import expect


def test_counts_every_hit(student):
    def all_counted(obs):
        expect(obs["count"] == 6, "Two threads hit 3 times each, but the count is {got}, not 6: "
               "{lost} {lost:hit was|hits were} lost.",
               got=obs["count"], lost=6 - obs["count"] if isinstance(obs["count"], int) else "?")
    student.explore("hit_from_threads", all_counted, threads=2, hits=3)


def test_starts_at_zero(student):
    obs = student.run("fresh")
    expect(obs["count"] == 0, "A new Hits() counts {got}, not 0.", got=obs["count"])
