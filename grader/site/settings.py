"""Django settings for the course site: everything comes from the data folder and GRADER_*.

GRADER_DATA   the data folder (required; datadir.prepare() creates it)
GRADER_DB     a database URL: none = SQLite in the data folder; postgres://... (cluster mode)
GRADER_BROKER the task queue's storage: none = SQLite in the data folder; redis://...
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

if not os.environ.get("GRADER_DATA"):
    raise RuntimeError("GRADER_DATA is not set: start the site with `grader serve --data DIR`")
DATA = Path(os.environ["GRADER_DATA"]).resolve()

BASE_DIR = Path(__file__).resolve().parent
SECRET_KEY = (DATA / "secret_key").read_text(encoding="ascii").strip()
DEBUG = os.environ.get("GRADER_DEBUG") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("GRADER_ALLOWED_HOSTS", "*").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "huey.contrib.djhuey",
    "grader.site.people",
    "grader.site.course",
    "grader.site.submissions",
    "grader.site.student",
    "grader.site.teacher",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "grader.site.middleware.DatabaseUnavailable",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "grader.site.middleware.PersonLanguage",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "grader.site.urls"
WSGI_APPLICATION = "grader.site.wsgi.application"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [BASE_DIR / "templates"],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.template.context_processors.i18n",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]


def _database(url: str | None) -> dict:
    if not url:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": DATA / "site.sqlite3",
                # WAL: readers (status polls) never wait for the worker's writes; a write waits up to 20 s
                "OPTIONS": {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                            "transaction_mode": "IMMEDIATE"}}
    parts = urlparse(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise RuntimeError(f"GRADER_DB: {url!r} is neither empty (SQLite) nor postgres://")
    return {"ENGINE": "django.db.backends.postgresql", "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""), "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "", "PORT": str(parts.port or ""), "CONN_MAX_AGE": 60,
            # A server away answers 503 within seconds (middleware.py), not after TCP's minutes.
            "CONN_HEALTH_CHECKS": True, "OPTIONS": {"connect_timeout": 5}}


DATABASES = {"default": _database(os.environ.get("GRADER_DB"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def _huey(url: str | None) -> dict:
    # No results stored: the queue's rows hold them. The consumer's options are in serve.worker().
    common = {"name": "grader", "immediate": False, "results": False, "utc": True}
    if not url:
        return {**common, "huey_class": "huey.SqliteHuey", "filename": str(DATA / "queue.sqlite3")}
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise RuntimeError(f"GRADER_BROKER: {url!r} is neither empty (SQLite) nor redis://")
    # Bounded waits (redis-py reads them from the URL): a Redis host away does not hang a request's
    # enqueue or a worker; the reads block 1 s at most (Huey's read_timeout), well under 30.
    for option, seconds in (("socket_connect_timeout", 5), ("socket_timeout", 30)):
        if f"{option}=" not in url:
            url += f"{'&' if '?' in url else '?'}{option}={seconds}"
    return {**common, "huey_class": "huey.PriorityRedisHuey", "url": url}


HUEY = _huey(os.environ.get("GRADER_BROKER"))

AUTH_PASSWORD_VALIDATORS = [{"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"}]
LOGIN_URL = "people:sign_in"
SESSION_COOKIE_AGE = 14 * 24 * 3600  # two weeks, then sign in again
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = os.environ.get("GRADER_HTTPS") == "1"
X_FRAME_OPTIONS = "SAMEORIGIN"  # the report is embedded in the site's own page
SECURE_CONTENT_TYPE_NOSNIFF = True

# Reports hold what students wrote: no inline script anywhere, so an injected <script> never runs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {"default-src": ["'self'"], "script-src": ["'self'"], "style-src": ["'self'", "'unsafe-inline'"],
                   "img-src": ["'self'", "data:"], "object-src": ["'none'"], "base-uri": ["'none'"],
                   "frame-ancestors": ["'self'"], "form-action": ["'self'"]},
}

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
# Compiled at start from each app's catalog (datadir.py); imported here, after the data folder is known.
from grader.site.datadir import compiled_dirs  # noqa: E402

LOCALE_PATHS = compiled_dirs(DATA / "locale")
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("GRADER_TIME_ZONE", "UTC")

STATIC_URL = "/static/"
STATIC_ROOT = DATA / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]  # site/site.css, which every page links: no app holds it

# Uploads are bounded before they are read: the request body, and no file spooled past this.
MAX_UPLOAD_BYTES = int(os.environ.get("GRADER_MAX_UPLOAD_BYTES", str(2 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_UPLOAD_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = MAX_UPLOAD_BYTES
DATA_UPLOAD_MAX_NUMBER_FILES = 50
FILE_UPLOAD_HANDLERS = ["grader.site.submissions.upload_limit.UploadLimit",
                        "django.core.files.uploadhandler.MemoryFileUploadHandler",
                        "django.core.files.uploadhandler.TemporaryFileUploadHandler"]

# The queue (submissions/queue.py): how long a claim lasts without a heartbeat, retries, backoff.
LEASE_SECONDS = float(os.environ.get("GRADER_LEASE_SECONDS", "60"))
MAX_ATTEMPTS = int(os.environ.get("GRADER_MAX_ATTEMPTS", "3"))
RETRY_BACKOFF_SECONDS = float(os.environ.get("GRADER_RETRY_BACKOFF_SECONDS", "5"))
SANDBOX = os.environ.get("GRADER_SANDBOX", "auto")
EXERCISES = os.environ.get("GRADER_EXERCISES") or None
CONFIG = os.environ.get("GRADER_CONFIG") or None  # the sandbox's settings file (grader/host/config.py)

LOGGING = {
    "version": 1, "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("GRADER_LOG_LEVEL", "WARNING")},
}
