"""Who may open a teacher's page: a signed-in teacher. Anyone else learns nothing of it."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404


def teacher_required(view):
    """Anonymous: to the sign-in page, then back. Signed in but not a teacher: 404, as for a page
    that does not exist (a 403 would tell a student that it does)."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        person = getattr(request.user, "person", None)
        if person is None or not person.is_teacher:
            raise Http404
        return view(request, *args, **kwargs)

    return checked
