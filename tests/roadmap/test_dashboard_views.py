import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from journal.models import Post
from roadmap.models import Roadmap, Status
from roadmap.services import milestone_set_status
from roadmap.stats import Quarter
from tests.factories import PROGRESS_SHOWN, SITE_VERSION, build_history, build_roadmap, bulk_posts

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def dashboard_url(roadmap):
    return reverse("roadmap:dashboard", args=[roadmap.slug])


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_dashboard_shows_every_widget(client, roadmap, milestone):
    milestone_set_status(milestone=milestone, status=Status.DONE)
    html = text_of(client.get(dashboard_url(roadmap)))
    for heading in ["Progress", "Pace", "A year of learning", "Now and next", "Recently"]:
        assert f">{heading}</h2>" in html
    assert '<strong class="percent">11%</strong>' in html
    assert "<strong>6 h</strong> of estimated work done" in html
    assert 'class="chart burnup"' in html and 'class="chart heatmap"' in html
    assert "Not enough history to project a finish date yet" in html
    assert "<strong>1</strong> learning week in a row" in html
    assert "Derive and code PCA via SVD</a>, done" in html


def test_recently_done_shows_the_published_posts_about_each_milestone(
    client, roadmap, milestone, make_post
):
    milestone_set_status(milestone=milestone, status=Status.DONE)
    make_post(title="PCA, step by step", milestones=[milestone])
    make_post(title="Half-written", milestones=[milestone], status=Post.Status.DRAFT)
    html = text_of(client.get(dashboard_url(roadmap)))
    recent = html[html.index('id="widget-recent"') : html.index("Latest posts")]
    assert "Derive and code PCA via SVD</a>, done" in recent
    assert "PCA, step by step</a>" in recent
    assert "Half-written" not in recent


def test_next_up_respects_prerequisites(client, roadmap):
    html = text_of(client.get(dashboard_url(roadmap)))
    next_up = html[html.index("Next up") : html.index("Recently")]
    assert "Install Python" in next_up  # no prerequisites
    assert "Code linear regression" not in next_up  # linear algebra is not done
    # Linear algebra's only required milestone done; its optional post does not block.
    milestone_set_status(milestone=roadmap.milestones.get(key="svd-pca"), status=Status.DONE)
    html = text_of(client.get(dashboard_url(roadmap)))
    next_up = html[html.index("Next up") : html.index("Recently")]
    assert "Code linear regression" in next_up
    assert "Build micrograd" not in next_up  # neural nets still wait on linear models


def test_empty_roadmap_without_target_renders_without_error(client, learner):
    roadmap = Roadmap.objects.create(owner=learner, title="Empty", slug="empty")
    response = client.get(dashboard_url(roadmap))
    assert response.status_code == 200
    assert "0% complete" in text_of(response)


def test_target_in_the_past_renders_and_draws_the_plan_line(client, roadmap):
    Roadmap.objects.filter(pk=roadmap.pk).update(
        started_on=timezone.localdate() - timezone.timedelta(days=400),
        target_date=timezone.localdate() - timezone.timedelta(days=10),
    )
    response = client.get(dashboard_url(roadmap))
    assert response.status_code == 200
    html = re.sub(r"\s+", " ", response.content.decode())
    assert "against the straight line from the start to the target date" in html
    assert "Not enough history to project a finish date yet" in html


def test_private_dashboard_and_badge_are_404(client, roadmap):
    Roadmap.objects.filter(pk=roadmap.pk).update(visibility=Roadmap.Visibility.PRIVATE)
    assert client.get(dashboard_url(roadmap)).status_code == 404
    assert client.get(reverse("roadmap:badge", args=[roadmap.slug])).status_code == 404


def test_unchanged_dashboard_answers_304_and_a_change_makes_it_fresh(client, roadmap, milestone):
    first = client.get(dashboard_url(roadmap), **HTMX)
    etag = first["ETag"]
    assert first["Vary"].count("HX-Request") == 1
    assert f'"If-None-Match": "\\"{etag.strip(chr(34))}\\""' in first.content.decode()
    again = client.get(dashboard_url(roadmap), HTTP_IF_NONE_MATCH=etag, **HTMX)
    assert again.status_code == 304 and again.content == b""
    milestone_set_status(milestone=milestone, status=Status.DONE)
    fresh = client.get(dashboard_url(roadmap), HTTP_IF_NONE_MATCH=etag, **HTMX)
    assert fresh.status_code == 200 and fresh["ETag"] != etag
    assert fresh.template_name == "roadmap/dashboard.html#dashboard"


def test_a_post_becoming_public_makes_the_dashboard_fresh(client, roadmap):
    etag = client.get(dashboard_url(roadmap))["ETag"]
    Post.objects.create(
        author=roadmap.owner,
        roadmap=roadmap,
        title="New",
        slug="new-post",
        status=Post.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    fresh = client.get(dashboard_url(roadmap), HTTP_IF_NONE_MATCH=etag)
    assert fresh.status_code == 200
    assert fresh["ETag"] != etag
    assert "New" in widget(fresh.content.decode(), "recent")


def widget(html: str, name: str) -> str:
    """The text of one dashboard widget."""
    start = html.index(f'<section id="widget-{name}"')
    return html[start : html.index("</section>", start)]


def test_a_status_control_on_the_dashboard_swaps_its_row_and_the_overall_summary_only(
    learner_client, roadmap, settings
):
    settings.DASHBOARD_REFRESH_SECONDS = 45
    html = text_of(learner_client.get(dashboard_url(roadmap)))
    now = widget(html, "now")
    assert (
        '<ul class="milestones next-up" hx-target="closest [data-milestone]" hx-swap="outerHTML"'
        ' hx-select="[data-milestone]" hx-select-oob="#progress-overall">'
    ) in now
    assert 'id="m-install-python"' in now and 'class="status-badge" role="button"' in now
    assert '<template id="status-menu">' in html
    # The other widgets follow the status view's event: no part of the page swaps out of band.
    assert 'hx-trigger="every 45s, progress-changed from:body, time-changed from:body"' in html
    assert "hx-swap-oob" not in html


def test_a_status_change_from_the_dashboard_fires_the_event_that_refreshes_it(
    learner_client, roadmap
):
    page = learner_client.get(dashboard_url(roadmap), **HTMX)
    etag = page["ETag"]
    assert 'id="m-install-python"' in widget(text_of(page), "now")
    url = reverse("roadmap:milestone-status", args=[roadmap.slug, "install-python"])
    changed = learner_client.post(
        url,
        {"status": "done"},
        HTTP_HX_CURRENT_URL=f"http://testserver{dashboard_url(roadmap)}",
        **HTMX,
    )
    assert changed.template_name == "roadmap/milestone_status.html"
    assert "progress-changed" in changed["HX-Trigger-After-Settle"]
    assert 'id="progress-overall"' in changed.content.decode()

    # What the dashboard's poller asks when the event reaches it, with the page's old ETag.
    refreshed = learner_client.get(dashboard_url(roadmap), HTTP_IF_NONE_MATCH=etag, **HTMX)
    assert refreshed.status_code == 200
    assert refreshed.template_name == "roadmap/dashboard.html#dashboard"
    html = text_of(refreshed)
    assert '<strong class="percent">11%</strong>' in widget(html, "progress")
    assert "a virtual environment</a>, done" in widget(html, "recent")
    assert 'id="m-install-python"' not in widget(html, "now")
    assert "<strong>1</strong> learning day this week" in widget(html, "activity")


def test_owner_sees_controls_on_now_and_next_visitor_does_not(client, learner_client, roadmap):
    owner = widget(text_of(learner_client.get(dashboard_url(roadmap))), "now")
    assert 'href="?status_of=install-python"' in owner
    visitor_page = text_of(client.get(dashboard_url(roadmap)))
    visitor = widget(visitor_page, "now")
    assert 'id="m-install-python"' in visitor
    assert 'role="button"' not in visitor and "hx-target" not in visitor
    assert "status-menu" not in visitor_page and "status-control" not in visitor_page


@pytest.mark.parametrize(("milestones", "events"), [(10, 20), (600, 5000)])
def test_dashboard_queries_do_not_grow(
    milestones, events, learner, client, django_assert_num_queries
):
    roadmap = build_roadmap(learner, milestones=milestones)
    build_history(roadmap, events=events)
    done = roadmap.milestones.filter(status=Status.DONE)
    for post in bulk_posts(roadmap, 3):
        post.milestones.set(done)
    # Two for the ETag (the roadmap, kept for the page, and its posts' count), the five of
    # its history, its stages, the milestones the page lists, the ties of recently done
    # ones to posts and those posts, and the latest posts.
    with django_assert_num_queries(12 + SITE_VERSION + PROGRESS_SHOWN):
        response = client.get(dashboard_url(roadmap))
    assert response.status_code == 200
    # Under each of the five milestones done last, and once among the latest posts.
    assert widget(response.content.decode(), "recent").count("Bulk 2") == 5 + 1
    etag = response["ETag"]
    # The visitor's page is cached: the version says it is still current, the ETag matches.
    with django_assert_num_queries(SITE_VERSION):
        assert client.get(dashboard_url(roadmap), HTTP_IF_NONE_MATCH=etag).status_code == 304


@pytest.mark.parametrize(("milestones", "events"), [(10, 20), (600, 5000)])
def test_roadmap_history_loads_in_five_queries_at_any_size(
    milestones, events, learner, django_assert_num_queries
):
    roadmap = build_roadmap(learner, milestones=milestones)
    build_history(roadmap, events=events)
    roadmap.refresh_from_db()
    # Its milestones, its events, its published posts, its topics with their prerequisites,
    # its study sessions.
    with django_assert_num_queries(5):
        history = roadmap.history()
    assert len(history.rows) == milestones
    assert len(history.events) == events
    # Plain rows: nothing in them reads the database again.
    assert all(isinstance(row.title, str) for row in history.rows.values())


def test_roadmap_history_reads_topics_prerequisites_and_published_posts(roadmap, make_post):
    make_post(kind=Post.Kind.TIL)
    make_post(status=Post.Status.DRAFT)
    history = roadmap.history()
    topics = {topic.key: topic.pk for topic in roadmap.topics.all()}
    assert history.prerequisites[topics["linear-models"]] == {topics["linear-algebra"]}
    assert history.stage_of_topic[topics["python-setup"]] == "Basics"
    assert [post.kind for post in history.posts] == ["til"]
    assert history.post_kinds["til"] == "TIL"


def test_quarter_review_gathers_the_quarter(client, learner_client, roadmap, milestone):
    milestone_set_status(milestone=milestone, status=Status.DONE)
    today = timezone.localdate()
    quarter = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    url = f"/roadmaps/{roadmap.slug}/review/{quarter}/"
    html = text_of(client.get(url))
    assert f"{quarter}: the quarter in numbers" in html
    assert "1 (6 h of estimated work)" in html
    assert "Basics: 1 completed" in html
    assert "Start the" not in html
    assert "Start the" in text_of(learner_client.get(url))


@pytest.mark.parametrize(("milestones", "events"), [(10, 20), (600, 5000)])
def test_quarter_review_queries_do_not_grow(
    milestones, events, learner, client, django_assert_num_queries
):
    roadmap = build_roadmap(learner, milestones=milestones)
    build_history(roadmap, events=events)
    quarter = Quarter.of(timezone.localdate()).previous
    # The roadmap, the five of its history, the quarter's reproduction results and plan changes.
    with django_assert_num_queries(8 + SITE_VERSION + PROGRESS_SHOWN):
        response = client.get(f"/roadmaps/{roadmap.slug}/review/{quarter}/")
    assert response.status_code == 200


@pytest.mark.parametrize("quarter", ["2026-Q5", "2026-Q0", "26-Q1", "2026-q1", "2026Q1"])
def test_bad_quarter_is_404(client, roadmap, quarter):
    assert client.get(f"/roadmaps/{roadmap.slug}/review/{quarter}/").status_code == 404


def test_review_post_starts_with_the_quarters_numbers(learner_client, roadmap, milestone):
    milestone_set_status(milestone=milestone, status=Status.DONE)
    today = timezone.localdate()
    quarter = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    html = learner_client.get(
        f"/journal/new/?kind=quarterly&roadmap={roadmap.slug}&quarter={quarter}"
    ).content.decode()
    assert f'value="{quarter} review"' in html
    assert "- Milestones completed: 1 (6 h of estimated work)" in html
    assert "## Is the plan working?" in html


def test_badge_is_a_cacheable_svg_with_the_percent(client, roadmap, milestone):
    milestone_set_status(milestone=milestone, status=Status.DONE)
    response = client.get(reverse("roadmap:badge", args=[roadmap.slug]))
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert "max-age=300" in response["Cache-Control"]
    assert "11%" in response.content.decode()
    dark = client.get(reverse("roadmap:badge", args=[roadmap.slug]) + "?theme=dark")
    assert dark.content != response.content


def test_quarter_review_counts_optional_work_apart_from_the_plan(client, roadmap):
    milestone_set_status(milestone=roadmap.milestones.get(key="eigen-post"), status=Status.DONE)
    Roadmap.objects.filter(pk=roadmap.pk).update(
        started_on=date(2026, 1, 1), target_date=date(2027, 1, 1)
    )
    today = datetime.now(UTC).date()
    quarter = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    html = re.sub(
        r"\s+", " ", client.get(f"/roadmaps/test-path/review/{quarter}/").content.decode()
    )
    assert "0 required milestones completed" in html


def test_quarter_review_lists_what_was_stalled_at_the_quarters_end_as_the_dashboard_would(
    client, roadmap
):
    quarter = Quarter.of(timezone.localdate()).previous.previous
    end = datetime.combine(quarter.end, time.min, tzinfo=UTC)
    for key, weeks in [("install-python", 5), ("first-notebook", 3)]:
        milestone_set_status(
            milestone=roadmap.milestones.get(key=key),
            status=Status.IN_PROGRESS,
            at=end - timedelta(weeks=weeks),
        )
    review = text_of(client.get(f"/roadmaps/{roadmap.slug}/review/{quarter}/"))
    stalled = review[review.index("Stalled</h2>") :]
    assert "Install Python" in stalled
    assert "Run a first notebook" not in stalled  # three weeks in when the quarter ended
    # Both have been in progress for months by now: the dashboard, today, lists both.
    now = widget(text_of(client.get(dashboard_url(roadmap))), "now")
    stalled_now = now[now.index("Stalled") :]
    assert "a virtual environment</a>, started" in stalled_now
    assert "Run a first notebook</a>, started" in stalled_now


def test_unpublishing_an_older_post_refreshes_the_dashboard(client, roadmap):
    older = Post.objects.create(
        author=roadmap.owner,
        roadmap=roadmap,
        title="Old",
        slug="old",
        status="published",
        published_at=datetime(2025, 1, 1, tzinfo=UTC),
    )
    Post.objects.create(
        author=roadmap.owner,
        roadmap=roadmap,
        title="New",
        slug="new-one",
        status="published",
        published_at=datetime(2025, 2, 1, tzinfo=UTC),
    )
    url = reverse("roadmap:dashboard", args=[roadmap.slug])
    etag = client.get(url)["ETag"]
    older.status = Post.Status.DRAFT
    older.save()
    response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert "Old" not in re.sub(r"\s+", " ", response.content.decode()).split("Latest posts")[1]


def test_a_draft_saved_by_the_owner_does_not_change_what_a_visitor_revalidates(
    client, roadmap, make_post
):
    etag = client.get(dashboard_url(roadmap))["ETag"]
    make_post(status=Post.Status.DRAFT, title="Half-written")
    assert client.get(dashboard_url(roadmap), HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_a_private_roadmaps_badge_is_never_kept_by_a_shared_cache(client, learner_client, roadmap):
    url = reverse("roadmap:badge", args=[roadmap.slug])
    assert client.get(url)["Cache-Control"] == "public, max-age=300"
    Roadmap.objects.filter(pk=roadmap.pk).update(visibility=Roadmap.Visibility.PRIVATE)
    response = learner_client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, max-age=300"
    assert "Cookie" in response["Vary"]


def test_the_stage_table_counts_each_stage_and_escapes_its_title(client, roadmap, milestone):
    milestone_set_status(milestone=milestone, status=Status.DONE)
    stage = milestone.topic.stage
    stage.title = "Maths <b>first</b>"
    stage.save()
    html = text_of(client.get(dashboard_url(roadmap)))
    table = html[html.index('<table class="stage-table">') : html.index("</table>")]
    row = table[table.index(f"#{stage.anchor}") :].split("</tr>")[0]
    assert "Maths &lt;b&gt;first&lt;/b&gt;</a>" in row
    progress = stage.progress
    assert progress.done == 1
    cells = re.findall(r"<td>(\d+)</td>", row)
    assert cells == [str(n) for n in (1, 0, progress.skipped, progress.not_started)]
    assert f'max="{progress.counted}" value="1"' in row and f"{progress.percent}%" in row
    assert table.count("<tr>") == 1 + roadmap.stages.count()  # the heading row and one a stage


def test_a_stalled_milestone_shows_the_day_it_was_started_where_the_learner_is(client, roadmap):
    roadmap.time_zone = "Asia/Tokyo"
    roadmap.save()
    # 20:00 UTC is 05:00 the next morning in Tokyo.
    began = datetime.combine(timezone.localdate() - timedelta(weeks=6), time(20), tzinfo=UTC)
    milestone_set_status(
        milestone=roadmap.milestones.get(key="install-python"),
        status=Status.IN_PROGRESS,
        at=began,
    )
    now = widget(text_of(client.get(dashboard_url(roadmap))), "now")
    stalled = now[now.index("Stalled") :]
    tokyo_day = began.astimezone(ZoneInfo("Asia/Tokyo")).date()
    assert f"a virtual environment</a>, started {tokyo_day.day} {tokyo_day:%b %Y}" in stalled
