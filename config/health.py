"""/healthz: whether the app and its database answer, for a load balancer or a monitor."""

from django.db import DatabaseError, connection
from django.http import HttpResponse, HttpResponseNotAllowed

PATH = "/healthz"
# What never_cache says, written once: asked every few seconds, the answer is kept by no one.
NOT_KEPT = "max-age=0, no-cache, no-store, must-revalidate, private"


def healthz(request):
    """200 while the app and its database answer; 503 when the database does not."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        response = HttpResponse(
            "database unavailable\n", status=503, content_type="text/plain; charset=utf-8"
        )
    else:
        response = HttpResponse("ok\n", content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = NOT_KEPT
    return response


class HealthCheckMiddleware:
    """/healthz answered before anything else: asked every few seconds, it needs no session,
    token, page cache or security headers, and pays for none of them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == PATH:
            return healthz(request)
        return self.get_response(request)
