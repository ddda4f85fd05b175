"""Atom feeds: the whole journal, one kind, one topic, and a roadmap's progress."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html

from roadmap.models import Milestone, Roadmap, Status, Topic

from .models import Post

FEED_SIZE = 30


class PostFeed(Feed):
    """Published posts, newest first, each with its full sanitised HTML."""

    feed_type = Atom1Feed
    title = "Switchback journal"
    subtitle = "Learning ML in public: weekly logs, reflections, reproductions and write-ups."

    def link(self, obj=None):
        return reverse("journal:list")

    def posts(self, obj):
        return Post.objects.listed()

    def items(self, obj=None):
        return (
            self.posts(obj)
            .newest_first()
            .select_related("author__profile")
            .prefetch_related("topics")[:FEED_SIZE]
        )

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.body_html

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return max(item.updated_at, item.published_at)

    def item_author_name(self, item):
        # The learner's display name where their profile (the learners app's) gives one.
        profile = getattr(item.author, "profile", None)
        return (profile.display_name if profile else "") or item.author.get_username()

    def item_categories(self, item):
        return [item.get_kind_display(), *(topic.title for topic in item.topics.all())]

    def item_link(self, item):
        return item.get_absolute_url()


class KindFeed(PostFeed):
    def get_object(self, request, kind):
        if kind not in Post.Kind.values:
            raise Http404("No such kind of post")
        return kind

    def title(self, obj):
        return f"Switchback journal: {Post.Kind(obj).label}"

    def link(self, obj=None):
        return f"{reverse('journal:list')}?kind={obj}"

    def posts(self, obj):
        return Post.objects.listed().filter(kind=obj)


class TopicFeed(PostFeed):
    def get_object(self, request, roadmap, topic):
        return get_object_or_404(
            Topic.objects.select_related("roadmap"),
            roadmap__in=Roadmap.objects.visible_to(request.user),
            roadmap__slug=roadmap,
            slug=topic,
        )

    def title(self, obj):
        return f"{obj.title} · {obj.roadmap.title}"

    def link(self, obj=None):
        return obj.get_absolute_url()

    def posts(self, obj):
        return Post.objects.published().filter(topics=obj)


@dataclass
class ProgressEntry:
    title: str
    link: str
    at: datetime
    html: str
    category: str


class RoadmapFeed(Feed):
    """A roadmap's progress: milestones completed and posts published, in one stream."""

    feed_type = Atom1Feed

    def get_object(self, request, roadmap):
        return get_object_or_404(
            Roadmap.objects.visible_to(request.user).select_related("owner"), slug=roadmap
        )

    def title(self, obj):
        return f"{obj.title}: progress"

    def subtitle(self, obj):
        return f"Milestones completed and posts published by {obj.owner.get_username()}."

    def author_name(self, obj):
        # Atom wants an author for every entry; here they all share the roadmap's owner.
        return obj.owner.get_username()

    def link(self, obj):
        return obj.get_absolute_url()

    def items(self, obj):
        milestones = (
            Milestone.objects.filter(roadmap=obj, status=Status.DONE, completed_at__isnull=False)
            .select_related("topic")
            .order_by("-completed_at")[:FEED_SIZE]
        )
        posts = Post.objects.published().filter(roadmap=obj).newest_first()[:FEED_SIZE]
        entries = [
            ProgressEntry(
                title=f"Completed: {m.title}",
                link=reverse("roadmap:milestone", args=[obj.slug, m.slug]),
                at=m.completed_at,
                html=format_html("<p>Completed a milestone of “{}”.</p>", m.topic.title),
                category=m.topic.title,
            )
            for m in milestones
        ]
        entries += [
            ProgressEntry(
                title=p.title,
                link=p.get_absolute_url(),
                at=p.published_at,
                html=p.body_html,
                category=p.get_kind_display(),
            )
            for p in posts
        ]
        return sorted(entries, key=lambda e: e.at, reverse=True)[:FEED_SIZE]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.html

    def item_link(self, item):
        return item.link

    def item_guid(self, item):
        return item.link

    def item_pubdate(self, item):
        return item.at

    def item_updateddate(self, item):
        # Atom requires <updated> on every entry.
        return item.at

    def item_categories(self, item):
        return [item.category]
