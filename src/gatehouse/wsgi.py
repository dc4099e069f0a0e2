"""WSGI entry point for gunicorn."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gatehouse.settings")
application = get_wsgi_application()

# gunicorn does not run Django's system checks; run the serious ones so that a production
# server refuses to start with, for example, the development secret key.
from django.core import checks  # noqa: E402

_serious = [e for e in checks.run_checks(include_deployment_checks=False) if e.is_serious()]
if _serious:
    raise SystemExit("Gatehouse refuses to start:\n" + "\n".join(str(e) for e in _serious))
