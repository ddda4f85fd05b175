from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from config.links import address
from roadmap.models import Milestone, Roadmap, SiteVersion, SlugQuerySet, Topic

from .markdown import excerpt_from_html, reading_time_minutes, render_markdown

# Post addresses share /journal/ with these pages (journal/urls.py): no post may take them.
RESERVED_SLUGS = {"new", "feed", "kinds", "preview", "upload", "reflect", "export"}


def validate_schedule_time(at: datetime) -> None:
    """A post is scheduled for a time to come; now or earlier is publishing."""
    if at <= timezone.now():
        raise ValidationError("That time has passed: pick a future time, or Publish now.")


class PostQuerySet(SlugQuerySet):
    # A renamed or deleted post's address stays out of use.
    former_addresses = "journal.PostAddress"

    def published(self):
        """The one definition of what a visitor may read.

        Published, with its time come (a future time schedules a post, and it appears by
        itself), on a roadmap that is not private.
        """
        return self.filter(
            status=Post.Status.PUBLISHED,
            published_at__lte=timezone.now(),
        ).exclude(roadmap__visibility=Roadmap.Visibility.PRIVATE)

    def listed(self):
        """Published posts that lists, feeds and the sitemap show: on public roadmaps only."""
        return self.published().filter(roadmap__visibility=Roadmap.Visibility.PUBLIC)

    def visible_to(self, user):
        """What a user may open by address: published posts, and all of their own."""
        if user.is_authenticated:
            return self.filter(Q(pk__in=self.published().values("pk")) | Q(author=user))
        return self.published()

    def next_appearance(self, *, after: datetime):
        """When the next scheduled post appears, or None."""
        return (
            self.filter(status=Post.Status.PUBLISHED, published_at__gt=after)
            .order_by("published_at")
            .values_list("published_at", flat=True)
            .first()
        )

    def newest_first(self):
        return self.order_by("-published_at", "-pk")

    def tied_to(self, milestones) -> dict[int, list["Post"]]:
        """These posts tied to each of `milestones` (milestones or their ids), in this
        queryset's order, by milestone id.

        Read as two lookups by key, the ties and then their posts: asked as one join, SQLite
        walks every published post to find the few tied to these milestones (50 times slower
        at a thousand posts)."""
        ties = Post.milestones.through.objects.filter(milestone__in=milestones)
        milestones_of: dict[int, list[int]] = {}
        for post_id, milestone_id in ties.values_list("post_id", "milestone_id"):
            milestones_of.setdefault(post_id, []).append(milestone_id)
        tied: dict[int, list[Post]] = {}
        for post in self.filter(pk__in=list(milestones_of)):
            for milestone_id in milestones_of[post.pk]:
                tied.setdefault(milestone_id, []).append(post)
        return tied

    def address_taken(self, slug: str, *, post=None) -> bool:
        """Whether `slug` is another post's address, now or once (renamed or deleted): the
        same answer whoever's post it is. `post` may take back an address it had itself."""
        return bool(self.addresses_taken([slug], post=post))

    def addresses_taken(self, slugs, *, post=None, author=None) -> set[str]:
        """Those of `slugs` that are other posts' addresses, now or once (renamed or
        deleted), whoever's posts they are. `post` may take back an address it had itself;
        `author`, those their own deleted posts left."""
        slugs = list(slugs)
        others, held = self.filter(slug__in=slugs), PostAddress.objects.filter(slug__in=slugs)
        if post is not None and post.pk:
            others, held = others.exclude(pk=post.pk), held.exclude(post=post)
        if author is not None:
            held = held.exclude(post=None, author=author)
        return set(others.values_list("slug", flat=True)) | set(held.values_list("slug", flat=True))


class Post(models.Model):
    class Kind(models.TextChoices):
        WEEKLY = "weekly", "Weekly log"
        TIL = "til", "TIL"
        REFLECTION = "reflection", "Reflection"
        REPRODUCTION = "reproduction", "Paper reproduction"
        PROJECT = "project", "Project write-up"
        ESSAY = "essay", "Essay"
        QUARTERLY = "quarterly", "Quarterly review"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts"
    )
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="posts")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.TIL)
    body = models.TextField(blank=True)
    summary = models.TextField(
        blank=True, max_length=500, help_text="Optional: one or two sentences for lists and feeds."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    milestones = models.ManyToManyField(Milestone, related_name="posts", blank=True)
    topics = models.ManyToManyField(Topic, related_name="posts", blank=True)

    # Derived from body and summary on save; pages never render Markdown on a read.
    body_html = models.TextField(blank=True, editable=False)
    excerpt = models.TextField(blank=True, editable=False)
    reading_minutes = models.PositiveIntegerField(default=1, editable=False)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["status", "published_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published"]), name="post_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="post_published_has_time",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.body_html = render_markdown(self.body)
        self.excerpt = self.summary.strip() or excerpt_from_html(self.body_html)
        self.reading_minutes = reading_time_minutes(self.body)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "body_html",
                "excerpt",
                "reading_minutes",
            }
        super().save(*args, **kwargs)
        appears = self._meta.get_field("published_at").to_python(self.published_at)
        if self.status == self.Status.PUBLISHED and appears and appears > timezone.now():
            # Cached pages must not outlive the moment it appears (the save itself is counted
            # by the site-wide signal).
            SiteVersion.objects.changes_at(appears)

    def get_absolute_url(self):
        return address("journal:detail", self.slug)

    def move_to(self, slug: str) -> None:
        """Take a new address, the one way a post's address changes: the old one is kept, so
        links to it redirect here and nobody else takes it; an address this post had before
        is taken back, and no longer kept."""
        if slug == self.slug:
            return
        with transaction.atomic():
            PostAddress.objects.filter(post=self, slug=slug).delete()
            # A deleted post may have left the address this one holds (the admin does not
            # check): the record becomes this post's.
            PostAddress.objects.update_or_create(
                slug=self.slug, defaults={"post": self, "author_id": self.author_id}
            )
            self.slug = slug
            self.save(update_fields=["slug", "updated_at"])

    # Publishing: the rules live here; the form and the reflection call them, then save.

    def publish(self) -> None:
        """Publish now; publishing a public post again keeps its first publication time."""
        if not self.is_public:
            self.published_at = timezone.now()
        self.status = self.Status.PUBLISHED

    def schedule(self, at: datetime) -> None:
        """Publish at `at`: the post appears by itself then, with no job to run.

        The form checks the time with validate_schedule_time; a time that passed in the
        moment since then only means the post appears at once.
        """
        self.status = self.Status.PUBLISHED
        self.published_at = at

    def unpublish(self) -> None:
        """Back to a draft; the publication time is kept until it is published again."""
        self.status = self.Status.DRAFT

    @property
    def is_public(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def is_scheduled(self) -> bool:
        return self.status == self.Status.PUBLISHED and not self.is_public

    @property
    def was_updated(self) -> bool:
        """Edited noticeably after it was published (a typo fixed within the hour is not)."""
        return bool(
            self.published_at and self.updated_at - self.published_at > timezone.timedelta(hours=1)
        )


class PostAddress(models.Model):
    """An address a post had: before its address changed (it redirects there), or before it
    was deleted (no one else takes it). So "that address is in use" says nothing of whether
    a post is published, unpublished, renamed or gone."""

    slug = models.SlugField(max_length=100, unique=True)
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="old_addresses"
    )
    # Whose it was: they may bring a deleted post back to it (an import of their journal).
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.slug


class Upload(models.Model):
    """An image a learner uploaded into the editor: counted against the hourly limit."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="uploads"
    )
    # The storage's name for the file; empty while the upload is being checked.
    file = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "created_at"])]

    def __str__(self):
        return self.file or "(being checked)"
