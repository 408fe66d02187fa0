"""Importing the class list: accounts for every student, and the sheet of their links and tokens."""

from __future__ import annotations

import base64

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from grader.site.people.roster import RosterError, create_accounts, links_csv, read_roster

from .access import teacher_required
from .forms import RosterForm


@never_cache  # the answer holds sign-in links and tokens: no cache keeps a copy
@teacher_required
def roster(request):
    """The sheet comes back as a download link that carries the file itself (a data: URL): the
    tokens are shown this once and kept nowhere (the database keeps their digests only)."""
    form = RosterForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return render(request, "teacher/roster.html", {"form": form}, status=400 if request.method == "POST" else 200)
    try:
        entries = read_roster(form.cleaned_data["file"].read(settings.MAX_UPLOAD_BYTES + 1))
    except RosterError as exc:
        form.add_error("file", str(exc))
        return render(request, "teacher/roster.html", {"form": form}, status=400)
    created = create_accounts(entries, lang=form.cleaned_data["lang"] or None)
    sheet = links_csv(created, request.build_absolute_uri("/"))
    return render(request, "teacher/roster.html", {
        "form": RosterForm(), "created": created, "new": sum(c.created for c in created),
        "href": "data:text/csv;base64," + base64.b64encode(sheet).decode("ascii")})
