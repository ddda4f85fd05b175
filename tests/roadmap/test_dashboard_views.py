import re

import pytest
from django.urls import reverse
from django.utils import timezone

from journal.models import Post
from roadmap.models import Roadmap, Status
from roadmap.services import milestone_set_status
from tests.factories import build_history, build_roadmap

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


def test_target_in_the_past_renders(client, roadmap):
    Roadmap.objects.filter(pk=roadmap.pk).update(
        started_on=timezone.localdate() - timezone.timedelta(days=400),
        target_date=timezone.localdate() - timezone.timedelta(days=10),
    )
    assert client.get(dashboard_url(roadmap)).status_code == 200


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
    assert client.get(dashboard_url(roadmap), HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_status_change_from_the_dashboard_answers_with_the_whole_dashboard(
    learner_client, roadmap, milestone
):
    url = reverse("roadmap:milestone-status", args=[roadmap.slug, milestone.slug])
    response = learner_client.post(url, {"status": "done"}, HTTP_HX_TARGET="widget-now", **HTMX)
    assert response.template_name == "roadmap/dashboard.html#status-changed"
    html = text_of(response)
    assert html.strip().startswith('<section id="widget-now"')
    for widget in ["progress", "pace", "activity", "recent", "share"]:
        assert f'<section id="widget-{widget}" class="widget widget-{widget}"' in html
        assert html.count('hx-swap-oob="true"') >= 5
    assert '<strong class="percent">11%</strong>' in html
    assert "is now Done" in html


def test_owner_sees_controls_on_now_and_next_visitor_does_not(client, learner_client, roadmap):
    assert 'hx-target="#widget-now"' in learner_client.get(dashboard_url(roadmap)).content.decode()
    assert "status-control" not in client.get(dashboard_url(roadmap)).content.decode()


@pytest.mark.parametrize(("milestones", "events"), [(10, 20), (600, 5000)])
def test_dashboard_queries_do_not_grow(
    milestones, events, learner, client, django_assert_num_queries
):
    roadmap = build_roadmap(learner, milestones=milestones)
    build_history(roadmap, events=events)
    # etag (roadmap, posts), roadmap, milestones, events, post times, prerequisites, stages,
    # posts tied to recent milestones, latest posts
    with django_assert_num_queries(10):
        response = client.get(dashboard_url(roadmap))
    assert response.status_code == 200
    etag = response["ETag"]
    with django_assert_num_queries(2):
        assert client.get(dashboard_url(roadmap), HTTP_IF_NONE_MATCH=etag).status_code == 304


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
