"""The floor: a Django project of one view, no middleware and no database.

Served by the same gunicorn as the app (`gunicorn bench.floor:application`), it is the most
requests per second this machine, this Python and this Django can answer at all; every page
of the app is reported as a share of it, measured in the same minutes.
"""

import secrets

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    # Nothing is signed: a new key on every start costs nothing.
    SECRET_KEY=secrets.token_urlsafe(32),
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    DATABASES={},
)


def ok(request):
    return HttpResponse("ok")


urlpatterns = [path("", ok)]

application = get_wsgi_application()
