"""The WSGI application (waitress serves it in `grader serve`); static files through WhiteNoise."""

import os

from django.core.wsgi import get_wsgi_application
from whitenoise import WhiteNoise

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grader.site.settings")
application = WhiteNoise(get_wsgi_application())

# No collectstatic step: each app's static/ folder is served as it is, under STATIC_URL (WhiteNoise
# given no root serves nothing, and every page's stylesheet and script were 404).
from django.conf import settings  # noqa: E402  (after the application: it sets Django up)
from django.contrib.staticfiles import finders  # noqa: E402

for _finder in finders.get_finders():
    for _storage in getattr(_finder, "storages", {}).values():
        application.add_files(_storage.location, prefix=settings.STATIC_URL)
