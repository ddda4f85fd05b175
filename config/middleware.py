"""What every request goes through before any view sees it."""

import logging
import re
import uuid

from django.http import HttpResponseBadRequest

# A request id a proxy sent is kept when it looks like one; anything else is replaced.
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Give every request an id, shown on error pages and written in every log line about it.

    A learner who meets an error can quote the id; the log line with the same id says what
    went wrong. It is also sent back as X-Request-ID.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        sent = request.META.get("HTTP_X_REQUEST_ID", "")
        request.id = sent if REQUEST_ID.match(sent) else uuid.uuid4().hex[:16]
        response = self.get_response(request)
        response["X-Request-ID"] = request.id
        return response


class RequestIdFilter(logging.Filter):
    """Adds `request_id` and `path` to log records about a request ("-" for the others)."""

    def filter(self, record):
        request = getattr(record, "request", None)
        record.request_id = getattr(request, "id", "-")
        record.path = getattr(request, "path", "-")
        return True


def _holds_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in value for value in data.getlist(key)) for key in data)


class RefuseNulMiddleware:
    """Refuse a NUL character in the address, any parameter or any form field.

    No field of the app accepts one, and PostgreSQL can neither store nor compare text that
    holds one: left to the database, it would be a server error instead of a clear refusal.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            "\x00" in request.path
            or _holds_nul(request.GET)
            or (request.method == "POST" and _holds_nul(request.POST))
        ):
            return HttpResponseBadRequest(
                "The request holds a NUL character (\\0), which no field accepts: "
                "remove it and send it again.",
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
