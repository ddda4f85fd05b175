"""Logging in, with failed attempts limited so a password cannot be guessed by brute force."""

from django.contrib.auth.views import LoginView
from django.core.cache import cache

WINDOW_SECONDS = 15 * 60
# Failed attempts allowed in the window: for one username from one address, and from one
# address in all (generous, as several people may share an address behind a proxy).
PER_ACCOUNT = 5
PER_ADDRESS = 50


class RateLimitedLoginView(LoginView):
    def _keys(self) -> list[tuple[str, int]]:
        address = self.request.META.get("REMOTE_ADDR", "")
        username = self.request.POST.get("username", "").strip().lower()[:150]
        return [
            (f"login-fail:{address}:{username}", PER_ACCOUNT),
            (f"login-fail:{address}", PER_ADDRESS),
        ]

    def post(self, request, *args, **kwargs):
        keys = self._keys()
        if any((cache.get(key) or 0) >= limit for key, limit in keys):
            form = self.get_form_class()(request, data=None)
            context = self.get_context_data(form=form, too_many_attempts=True)
            return self.render_to_response(context, status=429)
        response = super().post(request, *args, **kwargs)
        if response.status_code == 302:
            cache.delete(keys[0][0])
        else:
            for key, _ in keys:
                # The cache is shared by every app server when REDIS_URL is set.
                cache.add(key, 0, WINDOW_SECONDS)
                cache.incr(key)
        return response
