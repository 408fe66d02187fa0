"""The upload form: one field taking several files (the exercise's file, others, or a .zip)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from grader.host.batch.archives import SUFFIXES

# A hint to the browser's file picker only: the intake decides what is taken.
ACCEPT = ",".join((".py", *SUFFIXES))


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A list of files; none chosen is left to the intake, which refuses it saying which file to send."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT, "aria-describedby": "drop-help"}))
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_empty_file", True)  # an empty file is the intake's to judge, as in the API
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class UploadForm(forms.Form):
    files = MultipleFileField(label=_("Files"))
