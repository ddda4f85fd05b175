"""The people of a site: who may join (invitations) and how each shows themself (profiles)."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from journal.markdown import render_markdown

USED_UP = "This invitation has been used by everyone it was for."


def new_token() -> str:
    return secrets.token_urlsafe(24)


def in_two_weeks():
    return timezone.now() + timedelta(days=14)


class InvitationQuerySet(models.QuerySet):
    def with_uses(self):
        return self.annotate(n_uses=models.Count("profiles"))


class Invitation(models.Model):
    """A link that lets up to `max_uses` people sign up, until it expires or is revoked."""

    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    note = models.CharField(
        max_length=200, blank=True, help_text="Who it is for, for your own records."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations_made"
    )
    max_uses = models.PositiveSmallIntegerField(
        "people it admits",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
        help_text="1 for one person; more for a study group sharing one link.",
    )
    expires_at = models.DateTimeField("expires", default=in_two_weeks)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_uses__gte=1), name="invitation_admits_someone"
            )
        ]

    def __str__(self):
        return self.note or f"Invitation of {self.created_at:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("learners:join", args=[self.token])

    def refusal(self, uses: int) -> str | None:
        """Why this invitation admits no one now, or None while it does."""
        if self.revoked_at is not None:
            return "This invitation was withdrawn by the site's owner."
        if self.expires_at <= timezone.now():
            return f"This invitation expired on {timezone.localtime(self.expires_at):%d %B %Y}."
        if uses >= self.max_uses:
            return USED_UP
        return None


class Profile(models.Model):
    """How a learner shows themself: a name, a few words, links; or nothing, if private."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    display_name = models.CharField(
        max_length=80, blank=True, help_text="Shown on your pages instead of your username."
    )
    bio = models.TextField(
        blank=True, max_length=2000, help_text="A few words about you, in Markdown."
    )
    bio_html = models.TextField(blank=True, editable=False)
    website = models.URLField(blank=True, max_length=300)
    github = models.URLField("GitHub", blank=True, max_length=300)
    mastodon = models.URLField(blank=True, max_length=300)
    linkedin = models.URLField("LinkedIn", blank=True, max_length=300)
    # The address of the uploaded picture, stored through the journal's image checks.
    avatar = models.CharField(max_length=300, blank=True, editable=False)
    is_private = models.BooleanField(
        "private profile",
        default=False,
        help_text="Nobody else can open your profile; your public roadmaps stay public.",
    )
    invitation = models.ForeignKey(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="profiles"
    )
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["user__username"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.bio_html = render_markdown(self.bio)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "bio_html"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("learners:profile", args=[self.user.get_username()])

    def is_visible_to(self, user) -> bool:
        """Anyone may open a profile unless it is private; its learner always may."""
        return not self.is_private or user == self.user

    @property
    def name(self) -> str:
        return self.display_name or self.user.get_username()

    @property
    def links(self) -> list[tuple[str, str]]:
        return [
            (label, url)
            for label, url in [
                ("Website", self.website),
                ("GitHub", self.github),
                ("Mastodon", self.mastodon),
                ("LinkedIn", self.linkedin),
            ]
            if url
        ]


class Attempt(models.Model):
    """One sign-up or password-reset request, counted against its limit in the database,
    so every app server shares one count, as the login limit does."""

    kind = models.CharField(max_length=20)
    # A digest of what is limited (a client address, an email address): never the value.
    key = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["kind", "key", "at"])]

    def __str__(self):
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M}"
