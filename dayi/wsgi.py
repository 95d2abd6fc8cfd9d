"""The WSGI app (``dayi serve`` runs it under gunicorn). An entry point: it starts the private PostgreSQL
when no DATABASE_URL is given, before the settings are read."""

import os

from django.core.wsgi import get_wsgi_application

from dayi.db import embedded

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dayi.settings")
embedded.start_for_entry_point()
application = get_wsgi_application()
