"""Journal writes that touch several models at once."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from roadmap.models import Milestone, Roadmap

from .models import Post, Upload
from .uploads import store_image


def reflection_create(
    *, milestone: Milestone, body: str, evidence_url: str = "", publish: bool
) -> Post:
    """A reflection post on a milestone, tied to it and its topic, published or a draft.

    An evidence link given with it becomes the milestone's, unless it has one already.
    All of it is saved, or none of it.
    """
    with transaction.atomic():
        post = Post(
            author=milestone.roadmap.owner,
            roadmap=milestone.roadmap,
            title=f"Reflection: {milestone.title}"[:200],
            kind=Post.Kind.REFLECTION,
            body=body,
        )
        if publish:
            post.publish()
        _save_with_a_free_slug(post, f"reflection-{milestone.slug}")
        post.milestones.add(milestone)
        post.topics.add(milestone.topic)
        if evidence_url and not milestone.evidence_url:
            milestone.evidence_url = evidence_url
            milestone.save(update_fields=["evidence_url"])
            Roadmap.objects.filter(pk=milestone.roadmap_id).mark_changed()
    return post


def _save_with_a_free_slug(post: Post, text: str, *, attempts: int = 5) -> None:
    """Save `post` under the first free address from `text`.

    Two reflections sent at once find the same free address; the database's unique address
    refuses the second, which takes the next one instead of failing.
    """
    for _ in range(attempts - 1):
        post.slug = Post.objects.free_slug(text, max_length=100)
        try:
            with transaction.atomic():
                post.save()
        except IntegrityError:
            continue
        return
    post.slug = Post.objects.free_slug(text, max_length=100)
    post.save()


def upload_store(*, owner, uploaded_file) -> str:
    """Check, re-encode and store an image for `owner`'s posts; return its address.

    At most settings.UPLOADS_PER_HOUR in any hour, counted per learner across every app
    server: the slot is taken (under a lock on the learner's row) before the image is
    decoded, and given back if the image is refused. Raises ValidationError saying what to do.
    """
    since = timezone.now() - timedelta(hours=1)
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=owner.pk).first()
        recent = Upload.objects.filter(owner=owner, created_at__gte=since).count()
        if recent >= settings.UPLOADS_PER_HOUR:
            raise ValidationError(
                f"You have uploaded {recent} images in the last hour, the most there can be. "
                "Wait a while, or reuse an image you have already uploaded.",
                code="too_many_uploads",
            )
        upload = Upload.objects.create(owner=owner)
    try:
        url = store_image(uploaded_file)
    except ValidationError:
        upload.delete()
        raise
    Upload.objects.filter(pk=upload.pk).update(file=url)
    return url
