from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _

from .models import Person


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = ["lang", "display_name"]
        labels = {"lang": _("Language"), "display_name": _("Name shown")}


class OptionalPasswordForm(SetPasswordForm):
    """Set a password, to sign in later without a link (after the session expires)."""
