"""Signing in (a one-time link, or name and password), out, and one's own preferences and token.

A sign-in link is opened with GET (a page with one button) and used with POST: a chat app or mail
scanner that previews the link does not spend it.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ..middleware import DJANGO_LANG
from .forms import OptionalPasswordForm, PreferencesForm
from .models import Person
from .throttle import link_failed, link_throttled, password_failed, password_throttled


class SignIn(LoginView):
    template_name = "people/sign_in.html"
    redirect_authenticated_user = True
    next_page = "student:home"  # without ?next=: the exercises (settings has no LOGIN_REDIRECT_URL)

    def post(self, request, *args, **kwargs):
        if password_throttled(request, request.POST.get("username", "")):
            return render(request, "people/throttled.html", status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        password_failed(self.request, self.request.POST.get("username", ""))  # only failures count
        return super().form_invalid(form)


@require_http_methods(["GET", "POST"])
def sign_in_link(request, token: str):
    person = Person.by_sign_in_token(token)
    if person is None or not person.user.is_active:
        # Only invalid links count (a valid one is 24 random bytes: not guessed); the page is in the
        # browser's language, as nothing says whose link it was.
        if link_throttled(request):
            return render(request, "people/throttled.html", status=429)
        link_failed(request)
        return render(request, "people/link_used.html", status=404)
    if request.method == "GET":
        with translation.override(DJANGO_LANG.get(person.lang, "en")):  # not signed in yet: in theirs
            return render(request, "people/sign_in_link.html", {"person": person})
    person.sign_in_digest = ""  # one time
    person.save(update_fields=["sign_in_digest"])
    login(request, person.user, backend="django.contrib.auth.backends.ModelBackend")
    if not person.user.has_usable_password():
        # This request is in the browser's language; the page that shows the message is in theirs.
        with translation.override(DJANGO_LANG.get(person.lang, "en")):
            messages.info(request, _("Signed in. Set a password on this page to sign in later without a link."))
        return redirect("people:me")
    return redirect("student:home")


@require_POST
def sign_out(request):
    logout(request)
    return redirect("people:sign_in")


@login_required
def me(request):
    person = getattr(request.user, "person", None)
    if person is None:
        raise Http404
    preferences = PreferencesForm(instance=person)
    password = OptionalPasswordForm(request.user)
    token = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "preferences":
            preferences = PreferencesForm(request.POST, instance=person)
            if preferences.is_valid():
                preferences.save()
                return redirect("people:me")
        elif action == "password":
            password = OptionalPasswordForm(request.user, request.POST)
            if password.is_valid():
                password.save()
                update_session_auth_hash(request, password.user)
                messages.success(request, _("Password set."))
                return redirect("people:me")
        elif action == "token":
            token = person.new_api_token()  # shown once, on this response only
    return render(request, "people/me.html", {"person": person, "preferences": preferences,
                                              "password": password, "token": token})
