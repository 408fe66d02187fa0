"""The WSGI application (waitress serves it in `grader serve`); static files through WhiteNoise."""

import os

from django.core.wsgi import get_wsgi_application
from whitenoise import WhiteNoise

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grader.site.settings")
application = WhiteNoise(get_wsgi_application())
