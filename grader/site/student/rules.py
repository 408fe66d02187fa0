"""The course's rules in words, in the reader's language: late policy, which attempt counts, rate."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from grader.site.course.models import Course, CourseExercise


def late_policy(row: CourseExercise, deadline) -> list[str]:
    """Sentences saying what a late submission costs and until when it is taken."""
    if deadline is None:
        return [_("No deadline: every submission is on time.")]
    words = []
    if row.grace_minutes:
        words.append(ngettext("The deadline has %(minutes)d minute of grace.",
                              "The deadline has %(minutes)d minutes of grace.",
                              row.grace_minutes) % {"minutes": row.grace_minutes})
    if row.max_days_late == 0:
        words.append(_("Late submissions are not accepted."))
        return words
    if row.penalty_per_day:
        words.append(_("Each day late, or part of one, costs %(percent)s%% of the points.")
                     % {"percent": f"{row.penalty_per_day:g}"})
    else:
        words.append(_("Late submissions lose no points."))
    if row.max_days_late is None:
        words.append(_("Late submissions are accepted at any time."))
    else:
        words.append(ngettext("Submissions are accepted up to %(days)d day late.",
                              "Submissions are accepted up to %(days)d days late.",
                              row.max_days_late) % {"days": row.max_days_late})
    return words


def late_warning(row: CourseExercise, now, student) -> str:
    """What a submission now would cost, when now is past the student's own deadline and its grace;
    empty while it is on time."""
    days = row.days_late(now, student)
    if not days:
        return ""
    if not row.accepts(now, student):
        if not row.max_days_late:
            return _("The deadline has passed: late submissions are not accepted, so a submission now "
                     "would not be accepted.")
        return ngettext("A submission now would be %(days)d day late: it would not be accepted.",
                        "A submission now would be %(days)d days late: it would not be accepted.",
                        days) % {"days": days}
    percent = min(100.0, row.penalty_per_day * days)
    if not percent:
        return ngettext("A submission now would be %(days)d day late: it loses no points.",
                        "A submission now would be %(days)d days late: it loses no points.",
                        days) % {"days": days}
    return ngettext("A submission now would be %(days)d day late: it costs %(percent)s%% of the points.",
                    "A submission now would be %(days)d days late: it costs %(percent)s%% of the points.",
                    days) % {"days": days, "percent": f"{percent:g}"}


def counting(course: Course) -> str:
    if course.counting == Course.Counting.BEST:
        return _("Your best graded submission counts.")
    return _("Your last graded submission before the deadline counts; if none was on time, your last "
             "late one counts, with its penalty.")


def rate(course: Course) -> str:
    if course.rate_refill_minutes == 0 or course.rate_burst == 0:
        return _("You may submit as often as you like.")
    # two counts: one plural form chooses by one of them, so the refill's words are chosen first
    then = ngettext("then once more every minute", "then once more every %(minutes)d minutes",
                    course.rate_refill_minutes) % {"minutes": course.rate_refill_minutes}
    return ngettext("You may submit %(burst)d time in a row, %(then)s.",
                    "You may submit %(burst)d times in a row, %(then)s.",
                    course.rate_burst) % {"burst": course.rate_burst, "then": then}
