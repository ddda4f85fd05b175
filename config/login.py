"""Logging in: who a request comes from, and one attempt at a time per account and address.

django-axes counts failed logins in the database (shared by every app server, with no other
server to run) for every `authenticate()` call, the admin's login included, and locks an
account out from one address after too many. Two things here make that limit exact:

- `client_ip`: the address a request came from. Behind trusted proxies it is read from
  X-Forwarded-For, counting from the right, because everything left of what the nearest
  proxy wrote is whatever the client chose to send.
- `LoginAttemptLockMiddleware`: the check, the password and the count happen under one lock
  per account and address, so simultaneous attempts through several workers cannot all pass
  the check before any of them is counted.
"""

import fcntl
import hashlib
import ipaddress
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db import connection, transaction
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

# Login attempts on SQLite wait on one of this many lock files: attempts for different
# accounts rarely share one, and the folder never grows.
LOCK_SLOTS = 256


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str:
    """The client's address, trusting X-Forwarded-For only as far as DJANGO_TRUSTED_PROXIES."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part]
    if not forwarded:
        return remote
    # With n proxies, the n-th address from the right is the one the outermost proxy saw.
    claimed = forwarded[-proxies] if len(forwarded) >= proxies else forwarded[0]
    return _valid_ip(claimed) or remote


def locked_out(request, original_response=None, credentials=None):
    """The login page again, saying why, with nothing checked: 429 Too Many Requests."""
    form = AuthenticationForm(request)
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    wanted = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(wanted, {request.get_host()}, request.is_secure()):
        wanted = ""
    if request.path == reverse("admin:login"):
        wanted = reverse("admin:index")
    context = {"form": form, "too_many_attempts": True, "cooloff_minutes": minutes, "next": wanted}
    # Rendered now: it is answered from middleware, after the view's own rendering.
    return render(request, "registration/login.html", context, status=429)


@contextmanager
def _attempt_lock(key: str):
    digest = hashlib.sha256(key.encode()).digest()
    if connection.vendor == "postgresql":
        # Held until the transaction ends, and only by attempts for the same key.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s)",
                [int.from_bytes(digest[:8], "big", signed=True)],
            )
            yield
        return
    # SQLite serves one machine: a lock file stands for the key. A transaction would do as
    # well but would hold the database's one write lock while the password is hashed.
    folder = settings.DATA_DIR / "login-locks"
    folder.mkdir(parents=True, exist_ok=True)
    slot = int.from_bytes(digest[:2], "big") % LOCK_SLOTS
    with (folder / f"{slot:03d}.lock").open("a") as handle:
        # Every worker process on this machine waits here for the one before it.
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


class LoginAttemptLockMiddleware:
    """Serialise login attempts for one account from one address, across every worker."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "POST" or request.path not in _login_paths():
            return self.get_response(request)
        username = request.POST.get("username", "")[:150]
        with _attempt_lock(f"{username}\n{client_ip(request)}"):
            return self.get_response(request)


def _login_paths() -> set[str]:
    return {reverse("login"), reverse("admin:login")}
