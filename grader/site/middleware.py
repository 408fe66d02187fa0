"""Site-wide middleware: the signed-in person's language, and 503 while the database is away."""

from __future__ import annotations

from django.db import DatabaseError, InterfaceError
from django.http import HttpResponse
from django.utils import translation

DJANGO_LANG = {"en": "en", "zh": "zh-hans"}


class PersonLanguage:
    """Every page in the reader's language: a signed-in person's choice (Person.lang), else the
    browser's (Accept-Language, the language cookie). Runs after authentication."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            person = getattr(request.user, "person", None) if request.user.is_authenticated else None
        except (DatabaseError, InterfaceError) as error:
            if not _unreachable(error):
                raise
            return unavailable()
        lang = DJANGO_LANG.get(person.lang, "en") if person is not None else \
            translation.get_language_from_request(request)
        translation.activate(lang)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


def grader_lang(django_lang: str) -> str:
    """The grader's language code (reports, messages) for Django's."""
    return "zh" if django_lang.lower().startswith("zh") else "en"


def reader_lang() -> str:
    """The grader's language code for whoever this request is for (PersonLanguage activated it)."""
    return grader_lang(translation.get_language() or "en")


class DatabaseUnavailable:
    """The database stopped answering: 503 with Retry-After, not a 500 page; nothing was written.

    Django turns an exception inside any middleware or view into a response on the spot, so this
    answers through process_exception (views), and PersonLanguage calls unavailable() itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        return unavailable() if _unreachable(exception) else None


def unavailable() -> HttpResponse:
    response = HttpResponse(translation.gettext("The site's database is not answering; try again in a few seconds."),
                            status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = "5"
    return response


def _unreachable(error: Exception) -> bool:
    from django.db import OperationalError

    if not isinstance(error, (DatabaseError, InterfaceError)):
        return False
    text = str(error).lower()
    # SQLite's and PostgreSQL's (psycopg's) words for a server away, restarting or busy; not a
    # constraint, a syntax error or a missing table, which are bugs and stay 500s.
    return isinstance(error, (OperationalError, InterfaceError)) and any(
        word in text for word in ("connection", "could not connect", "server closed", "terminating", "locked",
                                  "unable to open", "the database system is", "timeout expired",
                                  "could not translate host name", "ssl syscall", "eof detected"))
