"""Who may see which submissions: a teacher all of them, a student their own. Every view and API
call that opens a submission filters through visible_to(), so anyone else's is 404, as if it did
not exist (tests/site/test_access.py walks every URL)."""

from __future__ import annotations

from .models import Submission


def is_teacher(user) -> bool:
    person = getattr(user, "person", None) if user.is_authenticated else None
    return bool(person and person.is_teacher)


def visible_to(user):
    # A batch's rows belong to the teacher's own outputs (grader batch --via), never to a page.
    rows = Submission.objects.filter(batch__isnull=True).select_related("exercise", "student__person")
    return rows if is_teacher(user) else rows.filter(student=user)
