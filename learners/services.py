"""Writes about learners that touch several models."""

from django.contrib.auth.models import Group, Permission

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
