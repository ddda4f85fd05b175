"""A deleted post's address stays out of use, as a renamed post's old one does (Post.move_to).

roadmap.signals.keep_deleted_address does the same for roadmaps. These run before the deletion
(pre_delete), while a deleted roadmap's posts are still there to read.
"""

from roadmap.models import Roadmap

from .models import Post, PostAddress


def keep_deleted_address(sender, instance, using, origin=None, **kwargs):
    """A deleted post's address stays out of use."""
    if isinstance(origin, Roadmap) or getattr(origin, "model", None) is Roadmap:
        # Deleted with its roadmap, which keeps all of its posts' addresses at once.
        return
    PostAddress.objects.using(using).get_or_create(
        slug=instance.slug, defaults={"author_id": instance.author_id}
    )


def keep_deleted_roadmaps_post_addresses(sender, instance, using, **kwargs):
    """A deleted roadmap's posts' addresses stay out of use: all of them in one insert."""
    posts = Post.objects.using(using).filter(roadmap=instance).values_list("slug", "author_id")
    PostAddress.objects.using(using).bulk_create(
        [PostAddress(slug=slug, author_id=author_id) for slug, author_id in posts],
        ignore_conflicts=True,
    )
