"""Checks on every request, before any view sees it."""

from django.http import HttpResponseBadRequest


def _holds_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in value for value in data.getlist(key)) for key in data)


class RefuseNulMiddleware:
    """Refuse a NUL character in any parameter or form field.

    No field of the app accepts one, and PostgreSQL can neither store nor compare text that
    holds one: left to the database, it would be a server error instead of a clear refusal.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _holds_nul(request.GET) or (request.method == "POST" and _holds_nul(request.POST)):
            return HttpResponseBadRequest(
                "The request holds a NUL character (\\0), which no field accepts: "
                "remove it and send it again.",
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
