"""Defects found in review, each pinned by what a user would notice."""

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from journal.models import Post
from roadmap.curriculum import load_curriculum, parse_curriculum, plan_update
from roadmap.models import Roadmap, Status
from roadmap.services import milestone_set_status
from tests.conftest import SMALL_CURRICULUM

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def test_a_learners_time_zone_does_not_leak_into_a_visitors_page(client, learner_client, roadmap):
    Roadmap.objects.filter(pk=roadmap.pk).update(time_zone="Pacific/Kiritimati")
    post = Post.objects.create(
        author=roadmap.owner,
        roadmap=roadmap,
        title="T",
        slug="t",
        status="published",
        published_at=datetime(2025, 1, 1, 12, tzinfo=UTC),
    )
    assert "1 January 2025" in client.get(post.get_absolute_url()).content.decode()
    learner_client.get("/journal/new/")
    assert "1 January 2025" in client.get(post.get_absolute_url()).content.decode()


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


def test_an_unknown_status_is_echoed_escaped(learner_client, milestone):
    url = reverse("roadmap:milestone-status", args=[milestone.roadmap.slug, milestone.slug])
    response = learner_client.post(url, {"status": "<img src=x>"}, **HTMX)
    assert response.status_code == 400
    assert "<img" not in response.content.decode()
    assert "&lt;img src=x&gt;" in response.content.decode()


def test_a_refused_reflection_keeps_the_milestone_row_and_the_form(learner_client, milestone):
    url = reverse("journal:reflect", args=[milestone.roadmap.slug, milestone.slug])
    response = learner_client.post(
        url, {"learnt": "", "hard": "keep me", "action": "publish"}, **HTMX
    )
    assert response.status_code == 400
    html = response.content.decode().strip()
    assert html.startswith('<li id="m-svd-pca"')
    assert 'class="status-control"' in html and "keep me" in html


def test_writing_about_a_milestone_of_a_second_roadmap_picks_that_roadmap(
    learner_client, learner, roadmap
):
    second = load_curriculum(
        parse_curriculum(SMALL_CURRICULUM.read_text()), owner=learner, slug="second"
    ).roadmap
    milestone = second.milestones.get(key="svd-pca")
    html = learner_client.get(
        "/journal/new/?kind=reflection&roadmap=second&milestone=svd-pca"
    ).content.decode()
    assert f'<option value="{second.pk}" selected>' in html
    assert f'<option value="{milestone.pk}" selected>' in html
    first_copy = roadmap.milestones.get(key="svd-pca")
    assert f'<option value="{first_copy.pk}" selected>' not in html


def test_curriculum_update_keeps_a_milestone_a_post_is_tied_to(learner, roadmap, make_post):
    milestone = roadmap.milestones.get(key="review")
    make_post(milestones=[milestone])
    text = SMALL_CURRICULUM.read_text()
    smaller = parse_curriculum(text[: text.index("          - key: review")])
    plan = plan_update(smaller, roadmap)
    assert [c.key for c in plan.kept] == ["review"]
    report = load_curriculum(smaller, owner=learner, roadmap=roadmap)
    assert [m.key for m in report.kept] == ["review"]
    assert roadmap.milestones.filter(key="review").exists()


def test_update_review_lists_changed_hours_and_optional_flags(roadmap):
    text = (
        SMALL_CURRICULUM.read_text()
        .replace("hours: 6", "hours: 9")
        .replace("            optional: true\n", "")
    )
    plan = plan_update(parse_curriculum(text), roadmap)
    details = {c.key: c.detail for c in plan.reweighed}
    assert details["svd-pca"] == "hours 6.0 → 9.0"
    assert details["eigen-post"] == "becomes required"


def test_status_change_on_the_milestone_page_updates_its_dates(learner_client, milestone):
    url = reverse("roadmap:milestone-status", args=[milestone.roadmap.slug, milestone.slug])
    response = learner_client.post(
        url,
        {"status": "done"},
        HTTP_HX_CURRENT_URL=(f"http://testserver{milestone.get_absolute_url()}"),
        **HTMX,
    )
    html = response.content.decode()
    assert '<dl id="milestone-record" class="dates" hx-swap-oob="true">' in html
    assert "Completed</dt><dd><time" in html
    assert '<div id="milestone-history" hx-swap-oob="true">' in html
    assert "Not started → Done" in html
    assert 'id="toc-stage-basics"' not in html


def test_status_change_on_the_roadmap_page_updates_the_stage_index(learner_client, milestone):
    url = reverse("roadmap:milestone-status", args=[milestone.roadmap.slug, milestone.slug])
    response = learner_client.post(
        url,
        {"status": "done"},
        HTTP_HX_CURRENT_URL=(f"http://testserver{milestone.roadmap.get_absolute_url()}"),
        **HTMX,
    )
    html = response.content.decode()
    assert '<span id="toc-stage-basics" class="muted" hx-swap-oob="true">33%</span>' in html
    assert "milestone-record" not in html


def test_a_quarter_far_out_of_range_is_not_an_error(learner_client, roadmap):
    response = learner_client.get("/journal/new/?kind=quarterly&roadmap=test-path&quarter=0000-Q1")
    assert response.status_code == 200


def test_quarter_review_counts_optional_work_apart_from_the_plan(client, roadmap):
    milestone_set_status(milestone=roadmap.milestones.get(key="eigen-post"), status=Status.DONE)
    Roadmap.objects.filter(pk=roadmap.pk).update(
        started_on=datetime(2026, 1, 1).date(), target_date=datetime(2027, 1, 1).date()
    )
    today = datetime.now(UTC).date()
    quarter = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    html = re.sub(
        r"\s+", " ", client.get(f"/roadmaps/test-path/review/{quarter}/").content.decode()
    )
    assert "0 required milestones completed" in html
