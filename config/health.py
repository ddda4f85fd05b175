"""/healthz: whether the app and its database answer, for a load balancer or a monitor."""

from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

PATH = "/healthz"


@never_cache
@require_safe
def healthz(request):
    """200 while the app and its database answer; 503 when the database does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse(
            "database unavailable\n", status=503, content_type="text/plain; charset=utf-8"
        )
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


class HealthCheckMiddleware:
    """/healthz answered before anything else: asked every few seconds, it needs no session,
    token, page cache or security headers, and pays for none of them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == PATH:
            return healthz(request)
        return self.get_response(request)
