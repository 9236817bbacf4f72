"""WSGI entry point (gunicorn backend.wsgi)."""

import os
import sys

from django.core.wsgi import get_wsgi_application

from backend.startup import config_error_line

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

try:
    application = get_wsgi_application()
except Exception as exc:
    line = config_error_line(exc)
    if line is None:
        raise
    print(line, file=sys.stderr)
    sys.exit(2)
