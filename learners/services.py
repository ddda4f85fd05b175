"""Writes about learners that touch several models."""

import hashlib
from datetime import timedelta

from django.contrib.auth.models import Group, Permission
from django.db import connection, transaction
from django.utils import timezone

from .models import Attempt

SITE_OWNERS = "Site owners"
# What running the site takes: their own roadmaps and posts (the admin shows only theirs),
# invitations, profiles, and unlocking an account the login limit locked out.
OWNER_PERMISSIONS = [
    ("roadmap", None),
    ("journal", None),
    ("learners", "invitation"),
    ("learners", "profile"),
    ("axes", "accessattempt"),
]


def site_owners() -> Group:
    group, _ = Group.objects.get_or_create(name=SITE_OWNERS)
    for app, model in OWNER_PERMISSIONS:
        permissions = Permission.objects.filter(content_type__app_label=app)
        if model:
            permissions = permissions.filter(content_type__model=model)
        group.permissions.add(*permissions)
    return group


def attempt_allowed(*, kind: str, value: str, limit: int, window: timedelta) -> bool:
    """Count one attempt of `kind` for `value`; False once `limit` were made in `window`.

    The count and the new attempt are one step: on SQLite the transaction holds the
    database's write lock, on PostgreSQL an advisory lock per kind and value.
    """
    key = hashlib.sha256(f"{kind}\n{value}".encode()).hexdigest()
    since = timezone.now() - window
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int(key[:15], 16)])
        Attempt.objects.filter(kind=kind, key=key, at__lt=since).delete()
        if Attempt.objects.filter(kind=kind, key=key).count() >= limit:
            return False
        Attempt.objects.create(kind=kind, key=key)
    return True
