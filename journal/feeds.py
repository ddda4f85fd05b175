"""Atom feeds: the whole journal, one kind, one topic, and a roadmap's progress and plan.

Every entry's id is a tag URI (RFC 4151) made of what never changes about the thing it names:
the site's host name, the day the thing came to be and its primary key, as in
`tag:example.org,2026-03-14:post/42`. A post has that one id in every feed it appears in, so a
reader subscribed to the journal and to a roadmap shows it once, and editing its title or
address does not make it new.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from urllib.parse import urljoin, urlsplit

from django.contrib.auth import get_user_model
from django.contrib.syndication.views import Feed
from django.db.models import Case, Min, OuterRef, Subquery, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.xmlutils import SimplerXMLGenerator

from roadmap.models import Milestone, PlanChange, Result, Roadmap, Stage, Status, Topic

from .models import Post

FEED_SIZE = 30
# A plan change's summary, like a post's excerpt: a line a reader lists, not the whole record.
SUMMARY_LENGTH = 200
# The `updated` of an empty journal on a site nobody has joined yet: fixed, like every other
# empty feed's, so that a reader polling it never sees a change that did not happen.
NOTHING_YET = datetime(1970, 1, 1, tzinfo=UTC)

# Characters XML 1.0 cannot carry at all; a post may hold one (pasted from a terminal), and a
# feed that fails to serialise it would hide every other post too.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# A host name a tag URI may use as its authority.
_DNS_NAME = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*")
# The pilcrow links the Markdown renderer adds to headings: on the page they give a heading's
# address; in a reader they are clutter. The sanitiser escapes ">" inside attribute values.
_PERMALINK = re.compile(r'<a\s[^>]*\bclass="[^"]*\bheaderlink\b[^"]*"[^>]*>[^<]*</a>')
# An href or src attribute inside a start tag of the sanitiser's output, where every value is
# double-quoted (a quote inside one is escaped) and text never holds a raw "<".
_START_TAG = re.compile(r"<[a-zA-Z][^\s/>]*(?:\s+[^\s\"'=/>]+(?:=\"[^\"]*\")?)*\s*/?>")
_URL_ATTRIBUTE = re.compile(r'(\s(?:href|src)=")([^"]*)"')
_HAS_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:|//")


def without_permalinks(html: str) -> str:
    """A post's stored HTML without the heading permalinks, for readers."""
    return _PERMALINK.sub("", html)


def with_absolute_urls(html: str, base: str) -> str:
    """Every relative link and image in `html` resolved against `base`.

    A reader shows the content away from the site, where `/media/...` or `#md-fn:1` would
    point nowhere; resolved against the entry's own address they lead back to it.
    """

    def resolve(attribute):
        prefix, url = attribute[1], attribute[2]
        return attribute[0] if _HAS_SCHEME.match(url) else f'{prefix}{urljoin(base, url)}"'

    return _START_TAG.sub(lambda tag: _URL_ATTRIBUTE.sub(resolve, tag[0]), html)


class _XMLWriter(SimplerXMLGenerator):
    def characters(self, content):
        super().characters(_NOT_XML.sub("", content))

    def startElement(self, name, attrs):
        super().startElement(name, {key: _NOT_XML.sub("", value) for key, value in attrs.items()})


class AtomFeed(Atom1Feed):
    """Atom as a careful reader expects it.

    Each item is given `tag` (the time its thing came to be, and the rest of its id),
    `summary` (plain text) and `content` (HTML); the feed is given `since`, a function
    returning its `updated` while it has no entries.
    """

    def write(self, outfile, encoding):
        handler = _XMLWriter(outfile, encoding, short_empty_elements=True)
        handler.startDocument()
        handler.startElement("feed", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        handler.endElement("feed")

    @property
    def authority(self) -> str:
        host = urlsplit(self.feed["link"]).hostname or ""
        # An IP literal (a development server on [::1]) is no name a tag URI may carry.
        return host if _DNS_NAME.fullmatch(host) else "localhost"

    def tag_uri(self, created: datetime, rest: str) -> str:
        return f"tag:{self.authority},{created.astimezone(UTC).date().isoformat()}:{rest}"

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, {**item, "unique_id": self.tag_uri(*item["tag"])})
        handler.addQuickElement("summary", item["summary"], {"type": "text"})
        handler.addQuickElement(
            "content", with_absolute_urls(item["content"], item["link"]), {"type": "html"}
        )

    def latest_post_date(self):
        dates = [item[key] for item in self.items for key in ("updateddate", "pubdate")]
        return max(filter(None, dates), default=None) or self.feed["since"]()


@dataclass(frozen=True)
class Entry:
    """One entry of a feed, whatever it stands for: a post, a milestone completed, a result,
    a change to the plan."""

    title: str
    link: str
    created: datetime
    key: str
    published: datetime
    updated: datetime
    author: str
    summary: str
    html: str
    categories: list[str]


def display_name(user) -> str:
    # The learner's display name where their profile (the learners app's) gives one.
    profile = getattr(user, "profile", None)
    return (profile.display_name if profile else "") or user.get_username()


def post_entry(post: Post, *, categories: list[str]) -> Entry:
    return Entry(
        title=post.title,
        link=post.get_absolute_url(),
        created=post.created_at,
        key=f"post/{post.pk}",
        published=post.published_at,
        updated=max(post.updated_at, post.published_at),
        author=display_name(post.author),
        summary=post.excerpt or post.title,
        html=without_permalinks(post.body_html),
        categories=categories,
    )


def completion_entry(milestone: Milestone, *, roadmap: Roadmap) -> Entry:
    """A milestone's completion: completed again after being reopened, it is a new entry."""
    at = milestone.completed_at
    return Entry(
        title=f"Completed: {milestone.title}",
        link=reverse("roadmap:milestone", args=[roadmap.slug, milestone.slug]),
        created=at,
        key=f"milestone/{milestone.pk}/completed/{at.astimezone(UTC):%Y%m%dT%H%M%S.%fZ}",
        published=at,
        updated=at,
        author=display_name(roadmap.owner),
        summary=f"Completed a milestone of “{milestone.topic.title}” on {roadmap.title}.",
        html=format_html("<p>Completed a milestone of “{}”.</p>", milestone.topic.title),
        categories=[milestone.topic.title],
    )


def result_entry(result: Result, *, roadmap: Roadmap) -> Entry:
    """A reproduction's result as it was recorded, with its verdict against the target."""
    milestone = result.milestone
    judged = result.verdict
    day = f"{result.measured_on:%-d %B %Y}"
    return Entry(
        title=f"Result: {result.value_text} on {milestone.title}",
        link=reverse("roadmap:milestone", args=[roadmap.slug, milestone.slug]),
        created=result.created_at,
        key=f"milestone/{milestone.pk}/result/{result.pk}",
        published=result.created_at,
        updated=result.created_at,
        author=display_name(roadmap.owner),
        summary=f"{judged} (measured on {day}).",
        html=format_html("<p>{} (measured on {}).</p>", judged, day),
        categories=[milestone.topic.title, "Reproductions"],
    )


def plan_change_title(change: PlanChange) -> str:
    """The change as a reader lists it: Plan: added milestone “Backprop by hand”."""
    if change.kind == PlanChange.Kind.RENAMED:
        return f"Plan: renamed {change.what} “{change.before}” to “{change.after}”"
    return f"Plan: {change.get_kind_display().lower()} {change.what} “{change.title}”"


def plan_change_link(change: PlanChange, *, roadmap: Roadmap) -> str:
    """The changed item's page while it is in the plan (a stage's place on the roadmap page),
    the roadmap's page once it is not. `change.page` is the item's slug, or a stage's key."""
    if change.page is None:
        return roadmap.get_absolute_url()
    if change.what == PlanChange.What.STAGE:
        return f"{roadmap.get_absolute_url()}#{Stage(key=change.page).anchor}"
    view = "roadmap:topic" if change.what == PlanChange.What.TOPIC else "roadmap:milestone"
    return reverse(view, args=[roadmap.slug, change.page])


def plan_change_entry(change: PlanChange, *, roadmap: Roadmap) -> Entry:
    """A change the learner made to the plan; each one is an entry of its own."""
    at = change.at
    return Entry(
        title=plan_change_title(change),
        link=plan_change_link(change, roadmap=roadmap),
        created=at,
        key=f"roadmap/{roadmap.pk}/plan-change/{change.pk}",
        published=at,
        updated=at,
        author=display_name(roadmap.owner),
        summary=Truncator(f"{change.sentence}.").chars(SUMMARY_LENGTH),
        html=format_html("<p>{}.</p>", change.sentence),
        categories=["Plan"],
    )


def _current(model, field: str) -> Subquery:
    """`field` of the stage, topic or milestone a plan change names, if it is still there."""
    item = model.objects.filter(roadmap=OuterRef("roadmap"), key=OuterRef("key"))
    return Subquery(item.values(field)[:1])


def plan_changes(roadmap: Roadmap):
    """The roadmap's plan changes, newest first, each with `page`: where its item is now."""
    return (
        PlanChange.objects.filter(roadmap=roadmap)
        .annotate(
            page=Case(
                When(what=PlanChange.What.STAGE, then=_current(Stage, "key")),
                When(what=PlanChange.What.TOPIC, then=_current(Topic, "slug")),
                When(what=PlanChange.What.MILESTONE, then=_current(Milestone, "slug")),
            )
        )
        .order_by("-at", "-pk")
    )


class EntryFeed(Feed):
    """A feed of `Entry`s; subclasses say what they hold and since when."""

    feed_type = AtomFeed

    def since(self, obj) -> datetime:
        """When this feed began: its `updated` while it has no entries."""
        raise NotImplementedError

    def feed_extra_kwargs(self, obj):
        return {"since": partial(self.since, obj)}

    def item_title(self, item):
        return item.title

    def item_link(self, item):
        return item.link

    def item_description(self, item):
        # Atom's summary and content are written by AtomFeed, from item_extra_kwargs.
        return None

    def item_pubdate(self, item):
        return item.published

    def item_updateddate(self, item):
        return item.updated

    def item_author_name(self, item):
        return item.author

    def item_categories(self, item):
        return item.categories

    def item_extra_kwargs(self, item):
        return {"tag": (item.created, item.key), "summary": item.summary, "content": item.html}


class PostFeed(EntryFeed):
    """Published posts, newest first, each with its full sanitised HTML."""

    def progress_shown(self, request, *args, **kwargs) -> str:
        """Posts alone, no progress: kept through status changes (config/progress.py)."""
        return ""

    title = "Switchback journal"
    subtitle = "Learning ML in public: weekly logs, reflections, reproductions and write-ups."

    def link(self, obj=None):
        return reverse("journal:list")

    def since(self, obj):
        # The site began when its first learner joined.
        first = get_user_model().objects.aggregate(first=Min("date_joined"))["first"]
        return first or NOTHING_YET

    def posts(self, obj):
        return Post.objects.listed()

    def items(self, obj=None):
        posts = (
            self.posts(obj)
            .newest_first()
            .select_related("author__profile")
            .prefetch_related("topics")[:FEED_SIZE]
        )
        return [
            post_entry(
                post,
                categories=[post.get_kind_display(), *(topic.title for topic in post.topics.all())],
            )
            for post in posts
        ]


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

    def since(self, obj):
        return obj.roadmap.created_at

    def posts(self, obj):
        return Post.objects.published().filter(topics=obj)


class RoadmapFeed(EntryFeed):
    """A roadmap's progress: milestones completed, results recorded, posts published and
    changes to the plan, in one stream."""

    def get_object(self, request, roadmap):
        return get_object_or_404(
            Roadmap.objects.visible_to(request.user).select_related("owner__profile"),
            slug=roadmap,
        )

    def progress_shown(self, request, roadmap) -> str:
        """This roadmap's progress alone (config/progress.py)."""
        return Roadmap.objects.progress_of(roadmap)

    def title(self, obj):
        return f"{obj.title}: progress"

    def subtitle(self, obj):
        return (
            "Milestones completed, reproduction results, changes to the plan and posts "
            f"published by {display_name(obj.owner)}."
        )

    def author_name(self, obj):
        return display_name(obj.owner)

    def link(self, obj):
        return obj.get_absolute_url()

    def since(self, obj):
        return obj.created_at

    def items(self, obj):
        milestones = (
            Milestone.objects.filter(roadmap=obj, status=Status.DONE, completed_at__isnull=False)
            .select_related("topic")
            .order_by("-completed_at")[:FEED_SIZE]
        )
        posts = (
            Post.objects.published()
            .filter(roadmap=obj)
            .newest_first()
            .select_related("author__profile")[:FEED_SIZE]
        )
        results = (
            Result.objects.filter(milestone__roadmap=obj)
            .select_related("milestone__topic")
            .order_by("-created_at", "-pk")[:FEED_SIZE]
        )
        entries = [completion_entry(m, roadmap=obj) for m in milestones]
        entries += [result_entry(r, roadmap=obj) for r in results]
        entries += [post_entry(p, categories=[p.get_kind_display()]) for p in posts]
        # Whoever may read the feed may read how the plan changed, as the quarterly review
        # already tells it.
        entries += [plan_change_entry(c, roadmap=obj) for c in plan_changes(obj)[:FEED_SIZE]]
        return sorted(entries, key=lambda e: e.published, reverse=True)[:FEED_SIZE]
