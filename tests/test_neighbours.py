"""Who is graded again for having run beside a fork bomb (pure: no grading here)."""

from __future__ import annotations

from grader.host.batch.neighbours import Span, beside_a_storm


def test_only_those_that_overlapped_a_storm_are_graded_again():
    spans = [
        Span("bomb", 10.0, 20.0, storm=True),
        Span("during", 12.0, 14.0, storm=False),
        Span("across_the_start", 5.0, 11.0, storm=False),
        Span("across_the_end", 19.0, 25.0, storm=False),
        Span("before", 1.0, 10.0, storm=False),  # ended as the bomb started: never beside it
        Span("after", 20.0, 30.0, storm=False),
    ]
    assert beside_a_storm(spans) == ["during", "across_the_start", "across_the_end"]


def test_a_storm_is_not_graded_again_even_beside_another():
    spans = [Span("bomb1", 0.0, 10.0, storm=True), Span("bomb2", 5.0, 15.0, storm=True),
             Span("quiet", 20.0, 21.0, storm=False)]
    assert beside_a_storm(spans) == []


def test_no_storm_no_second_grading():
    assert beside_a_storm([Span("a", 0.0, 5.0, storm=False), Span("b", 1.0, 6.0, storm=False)]) == []
