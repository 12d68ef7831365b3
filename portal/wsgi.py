import os

import django
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
django.setup(set_prefix=False)
from portal import telemetry  # noqa: E402 - needs the settings

telemetry.setup("web")  # before the handler loads the middleware: tracing adds its own
application = get_wsgi_application()
