"""Visitors' pages come from the cache until anything they show changes, and never after."""

import gzip
import time

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from config.cache import TIME_STEP
from learners.models import Profile
from roadmap.curriculum import load_curriculum
from roadmap.models import Evidence, Result, Roadmap, SiteVersion, Status, StudySession
from roadmap.services import (
    milestone_edit,
    milestone_set_status,
    session_add,
    session_delete,
    session_edit,
    timer_start,
    timer_stop,
    topic_edit,
)
from tests.factories import SITE_VERSION

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def in_one_quarter_hour():
    """Each test starts a minute into a quarter hour, so none crosses into the next between
    two reads it expects to be one (the cache's key moves on there): the next quarter hour,
    as the site's last change (the test database's migrate) may not be dated in the future."""
    now = time.time()
    with time_machine.travel(now - now % TIME_STEP + TIME_STEP + 60):
        yield


def asked_since(client, url, date: str) -> int:
    """The status of `url` asked for with If-Modified-Since `date` alone."""
    return client.get(url, HTTP_IF_MODIFIED_SINCE=date).status_code


def quarter_now() -> tuple[int, int]:
    today = timezone.localdate()
    return today.year, (today.month - 1) // 3 + 1


def page(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, url
    return response


def test_a_visitor_gets_the_second_request_of_a_page_from_the_cache(
    client, roadmap, django_assert_num_queries
):
    url = roadmap.get_absolute_url()
    first = page(client, url)
    assert first["X-Cache"] == "miss"
    with django_assert_num_queries(SITE_VERSION):
        second = page(client, url)
    assert second["X-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]


def test_a_cached_page_carries_no_cookie_no_token_and_no_owner_controls(
    client, learner_client, roadmap
):
    url = roadmap.get_absolute_url()
    owners = page(learner_client, url)
    assert "status-control" in owners.content.decode()
    assert "X-Cache" not in owners  # a learner's page is never cached
    page(client, url)
    cached = page(client, url)
    html = cached.content.decode()
    assert cached["X-Cache"] == "hit"
    assert not cached.cookies
    assert "csrfmiddlewaretoken" not in html and "status-control" not in html
    # And a learner never gets the visitor's copy.
    assert "status-control" in page(learner_client, url).content.decode()


def test_a_page_with_a_form_token_is_never_stored(client, db):
    login = reverse("login")
    page(client, login)
    again = page(client, login)
    assert "X-Cache" not in again
    assert "csrfmiddlewaretoken" in again.content.decode()


def test_a_status_change_shows_at_once_on_every_page_that_shows_it(
    client, learner_client, roadmap, make_post
):
    milestone = roadmap.milestones.first()
    tied = make_post(milestones=[milestone])
    urls = [
        tied.get_absolute_url(),
        roadmap.get_absolute_url(),
        milestone.get_absolute_url(),
        milestone.topic.get_absolute_url(),
        reverse("roadmap:dashboard", args=[roadmap.slug]),
        reverse("roadmap:badge", args=[roadmap.slug]),
        reverse("roadmap-feed", args=[roadmap.slug]),
        "/",
    ]
    before = {url: page(client, url).content for url in urls}
    assert all(page(client, url)["X-Cache"] == "hit" for url in urls)

    learner_client.post(
        reverse("roadmap:milestone-status", args=[roadmap.slug, milestone.slug]),
        {"status": Status.DONE},
        **HTMX,
    )
    for url in urls:
        response = page(client, url)
        assert response["X-Cache"] == "miss", url
        assert response.content != before[url], url
    assert "status-done" in page(client, milestone.topic.get_absolute_url()).content.decode()


def test_pages_that_show_no_progress_outlive_every_kind_of_it(client, roadmap, make_post):
    """The journal's lists and feeds show nothing a status change or study time alters, and
    a post only its own milestones' status: kept through every other, and the same bytes
    when rendered again."""
    milestone, elsewhere = roadmap.milestones.all()[:2]
    topic = milestone.topic
    make_post(title="Tied to its topic", topics=[topic])
    untied = make_post(title="On its own")
    tied_elsewhere = make_post(title="About another", milestones=[elsewhere])
    urls = [
        "/journal/",
        "/journal/?kind=til",
        f"/journal/?topic={topic.slug}",
        "/journal/feed/",
        "/journal/kinds/til/feed/",
        reverse("topic-feed", args=[roadmap.slug, topic.slug]),
        untied.get_absolute_url(),
        tied_elsewhere.get_absolute_url(),
    ]
    rendered = {url: page(client, url).content for url in urls}
    today = timezone.localdate()
    progress = [
        lambda: milestone_set_status(milestone=milestone, status=Status.IN_PROGRESS),
        lambda: timer_start(milestone=milestone),
        lambda: timer_stop(learner=roadmap.owner),
        lambda: session_add(milestone=milestone, day=today, minutes=30),
        lambda: session_edit(
            session=StudySession.objects.latest("pk"),
            day=today,
            minutes=45,
            note="Longer",
            time_zone=roadmap.time_zone,
        ),
        lambda: session_delete(session=StudySession.objects.latest("pk")),
        lambda: milestone_set_status(milestone=milestone, status=Status.DONE),
    ]
    for change in progress:
        number = SiteVersion.objects.current().number
        change()
        assert SiteVersion.objects.current().number == number + 1
        for url in urls:
            kept = page(client, url)
            assert kept["X-Cache"] == "hit", url
            assert kept.content == rendered[url], url
    cache.clear()
    assert all(page(client, url).content == rendered[url] for url in urls)


def test_a_roadmaps_pages_outlive_progress_on_another(
    client, roadmap, other_learner, small_spec, make_post
):
    """In a study group, one learner ticking milestones off leaves every other roadmap's
    pages kept, and the same bytes as rendered afresh; their own are rendered again."""
    theirs = load_curriculum(small_spec, owner=other_learner, slug="their-path").roadmap
    their_milestone = theirs.milestones.first()
    milestone = roadmap.milestones.first()
    make_post(title="Tied here", milestones=[milestone])
    urls = [
        roadmap.get_absolute_url(),
        milestone.topic.get_absolute_url(),
        milestone.get_absolute_url(),
        reverse("roadmap:dashboard", args=[roadmap.slug]),
        reverse("roadmap:badge", args=[roadmap.slug]),
        reverse("roadmap:reproductions", args=[roadmap.slug]),
        reverse("roadmap-feed", args=[roadmap.slug]),
        reverse("roadmap:review", args=[roadmap.slug, *quarter_now()]),
    ]
    rendered = {url: page(client, url).content for url in urls}
    theirs_url = their_milestone.get_absolute_url()
    page(client, theirs_url)
    today = timezone.localdate()
    for change in [
        lambda: milestone_set_status(milestone=their_milestone, status=Status.DONE),
        lambda: timer_start(milestone=their_milestone),
        lambda: timer_stop(learner=other_learner),
        lambda: session_add(milestone=their_milestone, day=today, minutes=20),
    ]:
        change()
        for url in urls:
            kept = page(client, url)
            assert kept["X-Cache"] == "hit", url
            assert kept.content == rendered[url], url
        assert page(client, theirs_url)["X-Cache"] == "miss"
    cache.clear()
    assert all(page(client, url).content == rendered[url] for url in urls)
    # Their own progress is theirs to see at once (the milestone is no reproduction).
    milestone_set_status(milestone=milestone, status=Status.DONE)
    for url in urls:
        response = page(client, url)
        assert response["X-Cache"] == "miss", url
        assert (response.content != rendered[url]) == ("reproductions" not in url), url


def read_with_queries(client, url) -> tuple[bytes, int]:
    with CaptureQueriesContext(connection) as queries:
        response = page(client, url)
    assert response["X-Cache"] == "miss", url
    return response.content, len(queries)


def test_parts_a_roadmaps_progress_leaves_alone_are_kept_through_it(client, roadmap, make_post):
    """A topic's posts, resources and neighbours, a milestone's description, reproduction
    and posts, the latest posts of the dashboard and the home page: rendered once, kept while the roadmap's own progress renders the page around
    them again, and the same bytes as a page rendered with nothing kept."""
    milestone = roadmap.milestones.get(key="svd-pca")
    topic = milestone.topic
    elsewhere = roadmap.milestones.get(key="micrograd")
    make_post(title="Tied to the topic", topics=[topic])
    make_post(title="Tied to the milestone", milestones=[milestone])
    Result.objects.create(milestone=milestone, value="0.9125", note="First run")
    Evidence.objects.create(milestone=milestone, url="https://example.org/ada/notes/commit/1")
    # One done already, so the dashboard lists what was done recently before and after.
    milestone_set_status(milestone=roadmap.milestones.get(key="install-python"), status=Status.DONE)
    # The parts' own reads: the posts, resources, prerequisites and unlocks of the topic;
    # the posts, results and evidence of the milestone; the latest posts of the dashboard
    # and of the home page.
    parts = {
        topic.get_absolute_url(): 4,
        milestone.get_absolute_url(): 3,
        reverse("roadmap:dashboard", args=[roadmap.slug]): 1,
        "/": 1,
    }
    first = {url: read_with_queries(client, url) for url in parts}
    today = timezone.localdate()
    for change in [
        lambda: milestone_set_status(milestone=elsewhere, status=Status.DONE),
        lambda: session_add(milestone=elsewhere, day=today, minutes=25),
        lambda: milestone_set_status(milestone=milestone, status=Status.IN_PROGRESS),
    ]:
        change()
        kept = {url: read_with_queries(client, url) for url in parts}
        for url, reads in parts.items():
            assert kept[url][1] == first[url][1] - reads, url
        cache.clear()
        for url in parts:
            assert page(client, url).content == kept[url][0], url
    html = page(client, milestone.get_absolute_url()).content.decode()
    assert "0.9125" in html and "Tied to the milestone" in html and "status-in_progress" in html
    assert "Tied to the topic" in page(client, topic.get_absolute_url()).content.decode()


def test_every_change_a_kept_part_shows_is_shown_at_once(client, roadmap, make_post):
    milestone = roadmap.milestones.get(key="svd-pca")
    topic = milestone.topic
    needed = roadmap.topics.get(key="python-setup")
    topic_url, milestone_url = topic.get_absolute_url(), milestone.get_absolute_url()
    page(client, topic_url), page(client, milestone_url)

    def edit_topic(topic, **changes):
        fields = {
            "title": topic.title,
            "summary": topic.summary,
            "stage": topic.stage,
            "prerequisites": list(topic.prerequisites.all()),
            "resources": list(topic.resources.values_list("type", "title", "url")),
        }
        topic_edit(topic=topic, **(fields | changes))

    resources = [*topic.resources.values_list("type", "title", "url")]
    for change, url, shown in [
        (
            lambda: edit_topic(
                topic, resources=[*resources, ("article", "A fresh read", "https://example.org/")]
            ),
            topic_url,
            "A fresh read",
        ),
        (lambda: edit_topic(needed, title="Python, set up well"), topic_url, "Python, set up well"),
        (lambda: make_post(title="Written today", topics=[topic]), topic_url, "Written today"),
        (
            lambda: milestone_edit(
                milestone=milestone,
                title=milestone.title,
                description="Rotate, scale, rotate: what the three factors do.",
                kind=milestone.kind,
                estimated_hours=milestone.estimated_hours,
                optional=milestone.optional,
                topic=topic,
            ),
            milestone_url,
            "Rotate, scale, rotate",
        ),
        (
            lambda: Result.objects.create(milestone=milestone, value="0.8765"),
            milestone_url,
            "0.8765",
        ),
        (
            lambda: Evidence.objects.create(milestone=milestone, url="https://example.org/c/2"),
            milestone_url,
            "https://example.org/c/2",
        ),
        (
            lambda: make_post(title="On the SVD", milestones=[milestone]),
            milestone_url,
            "On the SVD",
        ),
    ]:
        assert shown not in page(client, url).content.decode()
        change()
        assert shown in page(client, url).content.decode(), shown


def test_a_page_whose_progress_changed_while_it_rendered_is_not_kept_by_what_was_read(
    client, roadmap, make_post
):
    """What a page shows of progress is read before the page is. Where a change lands
    between the two (here a tied milestone is done just after its status was read), the
    page shows the change but was asked for under the status before it: it is not kept
    there, or once the change is undone a visitor would get the milestone shown done."""
    milestone = roadmap.milestones.get(key="svd-pca")
    url = make_post(title="Tied", milestones=[milestone]).get_absolute_url()
    before = page(client, url).content
    changed = []

    def done_after_its_status_is_read(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not changed and '"roadmap_milestone"."status"' in sql and "journal_post" in sql:
            changed.append(sql)
            milestone_set_status(milestone=milestone, status=Status.DONE)
        return result

    cache.clear()
    with connection.execute_wrapper(done_after_its_status_is_read):
        racing = page(client, url).content
    assert changed and racing != before  # rendered after the change, showing it
    milestone_set_status(milestone=milestone, status=Status.NOT_STARTED)
    assert page(client, url).content == before


def test_progress_counted_with_other_changes_retires_every_page(client, roadmap, make_post):
    milestone = roadmap.milestones.first()
    page(client, "/journal/")
    with SiteVersion.objects.counted_once():
        milestone_set_status(milestone=milestone, status=Status.DONE)
        make_post(title="Written as it was done")
    assert "Written as it was done" in page(client, "/journal/").content.decode()
    assert "status-done" in page(client, milestone.get_absolute_url()).content.decode()


def test_posts_written_edited_and_deleted_show_at_once(client, roadmap, make_post):
    post = make_post(title="First words")
    lists = ["/journal/", "/journal/feed/", "/"]
    for url in [*lists, "/sitemap.xml", post.get_absolute_url()]:
        page(client, url)

    post.title = "Better words"
    post.save()
    assert "Better words" in page(client, post.get_absolute_url()).content.decode()
    assert all("Better words" in page(client, url).content.decode() for url in lists)

    later = make_post(title="A second post", slug="a-second-post")
    assert all("A second post" in page(client, url).content.decode() for url in lists)
    assert "/journal/a-second-post/" in page(client, "/sitemap.xml").content.decode()

    later.delete()
    assert client.get(later.get_absolute_url()).status_code == 404
    assert all("A second post" not in page(client, url).content.decode() for url in lists)
    assert "/journal/a-second-post/" not in page(client, "/sitemap.xml").content.decode()


def test_a_roadmap_made_private_leaves_every_cached_page(client, roadmap, make_post):
    post = make_post(slug="public-post")
    for url in [roadmap.get_absolute_url(), post.get_absolute_url(), "/sitemap.xml"]:
        page(client, url)
    roadmap.visibility = Roadmap.Visibility.PRIVATE
    roadmap.save()
    assert client.get(roadmap.get_absolute_url()).status_code == 404
    assert client.get(post.get_absolute_url()).status_code == 404
    assert "public-post" not in page(client, "/sitemap.xml").content.decode()


def test_a_learners_new_name_shows_on_cached_pages(client, learner, roadmap, make_post):
    post = make_post()
    page(client, post.get_absolute_url())
    Profile.objects.create(user=learner, display_name="Ada the Learner")
    assert "Ada the Learner" in page(client, post.get_absolute_url()).content.decode()


def test_a_scheduled_post_appears_on_cached_pages_when_its_time_comes(client, make_post):
    post = make_post(
        title="Written ahead", published_at=timezone.now() + timezone.timedelta(hours=2)
    )
    assert "Written ahead" not in page(client, "/journal/").content.decode()
    assert page(client, "/journal/")["X-Cache"] == "hit"
    with time_machine.travel(post.published_at + timezone.timedelta(seconds=1)):
        assert "Written ahead" in page(client, "/journal/").content.decode()
        assert page(client, post.get_absolute_url())


def test_changes_inside_one_service_count_once(roadmap, django_assert_num_queries):
    milestone = roadmap.milestones.first()
    number = SiteVersion.objects.current()[0]
    milestone_set_status(milestone=milestone, status=Status.IN_PROGRESS)
    assert SiteVersion.objects.current()[0] == number + 1
    # Setting the status it has changes nothing, and counts nothing.
    milestone_set_status(milestone=milestone, status=Status.IN_PROGRESS)
    assert SiteVersion.objects.current()[0] == number + 1


def test_an_unchanged_page_answers_304_and_a_changed_one_200(client, roadmap):
    url = roadmap.get_absolute_url()
    etag = page(client, url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    milestone_set_status(milestone=roadmap.milestones.first(), status=Status.DONE)
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


@pytest.mark.parametrize("feed", ["/journal/feed/", "/roadmaps/{}/feed/"])
def test_if_modified_since_alone_is_answered_304_until_anything_on_the_feed_changes(
    client, roadmap, make_post, feed
):
    url = feed.format(roadmap.slug)
    make_post(title="First", published_at=timezone.now() - timezone.timedelta(days=2))
    newest = make_post(title="Second")
    # Two changes in a moment count two seconds, the second maybe ahead of the clock: read
    # the feed once its time has come.
    with time_machine.travel(time.time() + 5):
        stamp = page(client, url)["Last-Modified"]
        # Kept or rendered afresh, the answer is the same: nothing newer, nothing sent.
        for _ in range(2):
            unchanged = client.get(url, HTTP_IF_MODIFIED_SINCE=stamp)
            assert unchanged.status_code == 304
            assert unchanged.content == b""
            cache.clear()
        # The newest entry deleted: no date on the feed
        # moves forward, yet a reader asking by date gets the feed without it.
        newest.delete()
        changed = client.get(url, HTTP_IF_MODIFIED_SINCE=stamp)
        assert changed.status_code == 200
        assert b"Second" not in changed.content
        # An ETag sent along decides over the date: a stale one gets the feed whatever the date.
        later = http_date(time.time() + 3600)
        assert client.get(url, HTTP_IF_MODIFIED_SINCE=later).status_code == 304
        stale = client.get(url, HTTP_IF_MODIFIED_SINCE=later, HTTP_IF_NONE_MATCH='"old"')
        assert stale.status_code == 200


def test_a_status_change_leaves_the_journals_feed_dated_as_it_was(client, roadmap, make_post):
    """The journal's feeds show no progress: a reader asking by date alone gets a 304 after
    a status change, and the feed after a post. A roadmap's feed, which shows its progress,
    is dated anew by the change."""
    make_post(title="First")
    roadmap_feed = reverse("roadmap-feed", args=[roadmap.slug])
    with time_machine.travel(time.time() + 5):
        journal_date = page(client, "/journal/feed/")["Last-Modified"]
        roadmap_date = page(client, roadmap_feed)["Last-Modified"]
    milestone_set_status(milestone=roadmap.milestones.first(), status=Status.DONE)
    with time_machine.travel(time.time() + 10):
        for _ in range(2):  # kept through the change, then rendered afresh
            assert page(client, "/journal/feed/")["Last-Modified"] == journal_date
            assert asked_since(client, "/journal/feed/", journal_date) == 304
            cache.clear()
        assert page(client, roadmap_feed)["Last-Modified"] != roadmap_date
        assert asked_since(client, roadmap_feed, roadmap_date) == 200
        make_post(title="Second")
    with time_machine.travel(time.time() + 15):
        assert asked_since(client, "/journal/feed/", journal_date) == 200
        assert b"Second" in page(client, "/journal/feed/").content


def test_every_change_counts_a_later_second_and_no_feed_is_dated_ahead_of_the_clock(client, db):
    # Five changes in a moment: each its own second, the last ahead of the clock.
    seconds = []
    for _ in range(5):
        SiteVersion.objects.bump()
        seconds.append(SiteVersion.objects.current().changed_second)
    assert seconds == list(range(seconds[0], seconds[0] + 5))
    assert "Last-Modified" not in page(client, "/journal/feed/")
    # Its second come, the feed is dated by it, whatever the quarter hour.
    with time_machine.travel(seconds[-1] + 10):
        dated = page(client, "/journal/feed/")
        assert dated["Last-Modified"] == http_date(seconds[-1])
        assert asked_since(client, "/journal/feed/", dated["Last-Modified"]) == 304
    # Quarter hours go by: a feed nothing changed on keeps its date, and its readers their 304.
    with time_machine.travel(seconds[-1] + 3 * 15 * 60):
        assert asked_since(client, "/journal/feed/", dated["Last-Modified"]) == 304
        # Any change since makes it older than the feed.
        SiteVersion.objects.bump()
        assert asked_since(client, "/journal/feed/", dated["Last-Modified"]) == 200


def test_a_release_migrated_dates_the_feeds_anew(client, transactional_db):
    """A new release may write a feed differently: its migrate moves the date, so a reader
    asking by date alone gets the new markup rather than a 304."""
    SiteVersion.objects.bump()
    before = SiteVersion.objects.current()
    with time_machine.travel(before.changed_second + 10):
        dated = page(client, "/journal/feed/")["Last-Modified"]
        assert asked_since(client, "/journal/feed/", dated) == 304
        call_command("migrate", verbosity=0)
        assert SiteVersion.objects.current().number == before.number + 1
        assert asked_since(client, "/journal/feed/", dated) == 200


def test_a_page_of_html_is_asked_for_by_its_etag_not_by_a_date(client, roadmap):
    # Its words move with the clock too ("3 days ago"): no date is given, and none is taken.
    url = roadmap.get_absolute_url()
    assert "Last-Modified" not in page(client, url)
    later = http_date(time.time() + 3600)
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=later).status_code == 200
    assert "Last-Modified" not in page(client, url)  # kept, and still undated


def test_pages_are_compressed_once_and_kept_compressed(client, roadmap):
    url = roadmap.get_absolute_url()
    plain = page(client, url).content
    page(client, url, HTTP_ACCEPT_ENCODING="gzip")
    packed = page(client, url, HTTP_ACCEPT_ENCODING="gzip, br")
    assert packed["X-Cache"] == "hit"
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    assert gzip.decompress(packed.content) == plain
    assert len(packed.content) < len(plain) / 3


@pytest.mark.parametrize("cookie", ["sessionid", "messages"])
def test_a_request_with_a_session_or_a_message_bypasses_the_cache(client, roadmap, cookie):
    url = roadmap.get_absolute_url()
    page(client, url)
    client.cookies[cookie] = "anything"
    assert "X-Cache" not in page(client, url)


def test_a_page_from_the_cache_carries_the_headers_it_was_rendered_with(client, roadmap):
    url = roadmap.get_absolute_url()
    miss, hit = page(client, url), page(client, url)
    assert hit["X-Cache"] == "hit"
    for header in [
        "Content-Security-Policy",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "X-Frame-Options",
        "Vary",
        "ETag",
    ]:
        assert hit[header] == miss[header], header
    # Each answer has its own request id.
    assert hit["X-Request-ID"] != miss["X-Request-ID"]


def test_health_is_answered_without_a_session_or_the_cache(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok\n"
    assert "X-Cache" not in response and not response.cookies
    assert "no-store" in response["Cache-Control"]


def test_health_answers_only_reads(client, db):
    response = client.post("/healthz")
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD"
    assert client.head("/healthz").status_code == 200


def test_deleting_a_roadmap_counts_one_change_however_many_rows_go(learner_client, roadmap):
    number = SiteVersion.objects.current()[0]
    response = learner_client.post(
        reverse("roadmap:delete", args=[roadmap.slug]), {"confirm": roadmap.title}
    )
    assert response.status_code == 302
    assert not Roadmap.objects.filter(pk=roadmap.pk).exists()
    assert SiteVersion.objects.current()[0] == number + 1
