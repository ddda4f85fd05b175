from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D

import pytest
from django.conf import settings
from django.urls import reverse

from journal.models import Post
from roadmap.curriculum import load_curriculum, plan_update, read_curriculum
from roadmap.models import Evidence, Milestone, Result, Roadmap
from roadmap.targets import Direction, Target
from tests.conftest import SMALL_CURRICULUM
from tests.factories import PROGRESS_SHOWN, SITE_VERSION, build_roadmap, bulk_posts


def target_url(milestone):
    return reverse("roadmap:milestone-target", args=[milestone.roadmap.slug, milestone.slug])


def result_url(milestone):
    return reverse("roadmap:result-add", args=[milestone.roadmap.slug, milestone.slug])


def page_url(roadmap):
    return reverse("roadmap:reproductions", args=[roadmap.slug])


def set_target(milestone, value="29.5", direction=Direction.AT_LEAST, tolerance="0"):
    milestone.set_target(Target("HellaSwag accuracy %", D(value), direction, D(tolerance)))
    milestone.save()


def record(milestone, value, day=date(2026, 11, 2), **fields):
    return Result.objects.create(milestone=milestone, value=D(value), measured_on=day, **fields)


# The milestone page ---------------------------------------------------------------------


def test_owner_sets_a_target_and_the_page_shows_it(learner_client, milestone):
    response = learner_client.post(
        target_url(milestone),
        {
            "target-target_metric": "HellaSwag accuracy %",
            "target-target_direction": "at_least",
            "target-target_value": "29.5",
            "target-target_tolerance": "",
        },
        follow=True,
    )
    assert "Target set: at least 29.5 HellaSwag accuracy %." in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.target == Target("HellaSwag accuracy %", D("29.5"), "at_least", D(0))
    page = learner_client.get(milestone.get_absolute_url()).content.decode()
    assert "at least 29.5 HellaSwag accuracy %" in page


def test_a_half_filled_target_is_refused_with_what_is_missing_and_changes_nothing(
    learner_client, milestone
):
    response = learner_client.post(
        target_url(milestone),
        {"target-target_metric": "BLEU", "target-target_value": "30"},
    )
    assert response.status_code == 400
    assert "A target needs a metric, a direction and a value" in response.content.decode()
    # What was typed is kept.
    assert 'value="BLEU"' in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.target is None


def test_emptying_every_field_removes_the_target(learner_client, milestone):
    set_target(milestone)
    response = learner_client.post(target_url(milestone), {"target-target_metric": ""}, follow=True)
    assert "Target removed." in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.target is None


def test_a_negative_tolerance_is_refused(learner_client, milestone):
    response = learner_client.post(
        target_url(milestone),
        {
            "target-target_metric": "BLEU",
            "target-target_direction": "within",
            "target-target_value": "30",
            "target-target_tolerance": "-1",
        },
    )
    assert response.status_code == 400
    assert "0 or more" in response.content.decode()
    assert Milestone.objects.get(pk=milestone.pk).target is None


def test_recording_results_keeps_every_attempt_and_shows_the_best_with_its_verdict(
    learner_client, milestone
):
    set_target(milestone)
    for value, day in [("28.9", "2026-11-01"), ("30.4", "2026-11-08")]:
        response = learner_client.post(
            result_url(milestone),
            {
                "result-value": value,
                "result-measured_on": day,
                "result-evidence_url": "https://github.com/ada/gpt2/commit/abc1234def",
                "result-note": "bf16, 10B tokens",
            },
        )
        assert response.status_code == 302
    assert milestone.results.count() == 2
    page = learner_client.get(milestone.get_absolute_url()).content.decode()
    assert "hit: 30.4 against at least 29.5" in page
    assert "missed by 0.6: 28.9 against at least 29.5" in page
    assert ">ada/gpt2@abc1234</a>" in page


def test_a_result_that_is_not_a_number_is_refused_and_nothing_is_recorded(
    learner_client, milestone
):
    response = learner_client.post(
        result_url(milestone),
        {"result-value": "thirty", "result-measured_on": "2026-11-01"},
    )
    assert response.status_code == 400
    assert "Enter a number, such as 30.4 or 0.95." in response.content.decode()
    assert not milestone.results.exists()


def test_an_evidence_link_that_is_not_a_web_address_is_refused(learner_client, milestone):
    response = learner_client.post(
        result_url(milestone),
        {
            "result-value": "1",
            "result-measured_on": "2026-11-01",
            "result-evidence_url": "javascript:alert(1)",
        },
    )
    assert response.status_code == 400
    assert not milestone.results.exists()


def test_owner_deletes_a_result(learner_client, milestone):
    result = record(milestone, "3")
    url = reverse("roadmap:result-delete", args=[milestone.roadmap.slug, milestone.slug, result.pk])
    response = learner_client.post(url, follow=True)
    assert "Deleted the result of 2 November 2026." in response.content.decode()
    assert not milestone.results.exists()


def test_visitors_and_other_learners_cannot_record_or_delete(client, other_learner, milestone):
    result = record(milestone, "3")
    delete = reverse(
        "roadmap:result-delete", args=[milestone.roadmap.slug, milestone.slug, result.pk]
    )
    response = client.post(result_url(milestone), {"result-value": "9"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    client.force_login(other_learner)
    assert client.post(result_url(milestone), {"result-value": "9"}).status_code == 404
    assert client.post(delete).status_code == 404
    assert client.post(target_url(milestone), {"target-target_metric": ""}).status_code == 404
    assert list(milestone.results.values_list("value", flat=True)) == [D(3)]


def test_visitor_sees_the_verdict_but_no_forms(client, milestone):
    set_target(milestone, "95.1", Direction.WITHIN, "1")
    record(milestone, "93.5")
    page = client.get(milestone.get_absolute_url()).content.decode()
    assert "missed by 0.6: 93.5 against within 1 of 95.1" in page
    assert "Record a result" not in page
    assert "Set a target" not in page


# The Reproductions page -----------------------------------------------------------------


def test_reproductions_page_reads_as_a_lab_notebook(client, roadmap, milestone, make_post):
    set_target(milestone)
    record(milestone, "28.9", date(2026, 10, 1), note="first run")
    record(
        milestone,
        "30.4",
        date(2026, 11, 1),
        evidence_url="https://github.com/ada/gpt2/blob/main/eval/hellaswag.ipynb",
    )
    Evidence.objects.create(
        milestone=milestone, url="https://github.com/ada/gpt2/pull/7", source="webhook"
    )
    make_post(title="How I got to 30.4", milestones=[milestone])
    make_post(title="A draft about it", status=Post.Status.DRAFT, milestones=[milestone])
    other = roadmap.milestones.get(key="first-notebook")
    record(other, "5")

    page = client.get(page_url(roadmap)).content.decode()
    assert "3 reproductions: 1 hit, 0 missed, 1 without a result yet" in page
    assert "hit: 30.4 against at least 29.5" in page
    assert "missed by 0.6: 28.9 against at least 29.5" in page
    assert "best 5, no target set" in page
    assert ">ada/gpt2: eval/hellaswag.ipynb</a>" in page
    assert ">ada/gpt2#7</a>" in page
    assert "How I got to 30.4" in page
    assert "A draft about it" not in page
    assert "first run" in page
    # Newest first in the notebook: 1 Nov before 1 Oct.
    assert page.index("1 Nov 2026") < page.index("1 Oct 2026")


def test_reproductions_page_lists_reproduce_milestones_without_results(client, roadmap):
    milestone = roadmap.milestones.first()
    Milestone.objects.filter(pk=milestone.pk).update(kind=Milestone.Kind.REPRODUCE)
    page = client.get(page_url(roadmap)).content.decode()
    assert milestone.title in page
    assert "no result yet" in page


def test_reproductions_page_of_a_private_roadmap_is_not_found_for_visitors(
    client, learner_client, roadmap
):
    Roadmap.objects.filter(pk=roadmap.pk).update(visibility=Roadmap.Visibility.PRIVATE)
    assert client.get(page_url(roadmap)).status_code == 404
    assert learner_client.get(page_url(roadmap)).status_code == 200


@pytest.mark.parametrize("size", [10, 200])
def test_reproductions_page_queries_do_not_grow(size, learner, client, django_assert_num_queries):
    roadmap = build_roadmap(learner, milestones=size)
    milestones = list(roadmap.milestones.all())
    Milestone.objects.filter(pk__in=[m.pk for m in milestones]).update(
        kind=Milestone.Kind.REPRODUCE,
        target_metric="BLEU",
        target_value=30,
        target_direction="at_least",
        target_tolerance=0,
    )
    Result.objects.bulk_create(
        Result(milestone=m, value=29 + i % 3, measured_on=date(2026, 1, 1) + timedelta(days=i))
        for i, m in enumerate(milestones * 2)
    )
    Evidence.objects.bulk_create(
        Evidence(milestone=m, url=f"https://github.com/ada/x/commit/{m.pk:07x}") for m in milestones
    )
    for milestone in milestones[:: max(1, size // 5)]:
        for post in bulk_posts(roadmap, 2, milestone=milestone, start=milestone.pk * 10):
            post.milestones.add(milestones[0])
    # roadmap, milestones, results, evidence, the ties to posts and those posts
    with django_assert_num_queries(6 + SITE_VERSION + PROGRESS_SHOWN):
        response = client.get(page_url(roadmap))
    html = response.content.decode()
    assert html.count("against at least 30") == 3 * size
    first_row = html[html.index(f'id="{milestones[0].anchor}"') :]
    first_row = first_row[: first_row.index("</tr>")]
    assert first_row.count("Bulk ") == 2 * len(milestones[:: max(1, size // 5)])


# Feed, quarterly review, sitemap --------------------------------------------------------


def test_the_roadmap_feed_carries_recorded_results(client, roadmap, milestone):
    set_target(milestone)
    result = record(milestone, "30.4")
    feed = client.get(reverse("roadmap-feed", args=[roadmap.slug])).content.decode()
    assert f"milestone/{milestone.pk}/result/{result.pk}</id>" in feed
    assert f"Result: 30.4 on {milestone.title}" in feed
    assert "hit: 30.4 against at least 29.5" in feed


def test_the_quarterly_review_lists_the_quarters_results(client, roadmap, milestone):
    set_target(milestone)
    record(milestone, "30.4", date(2026, 11, 2))
    record(milestone, "20.1", date(2026, 6, 2))
    url = reverse("roadmap:review", args=[roadmap.slug, 2026, 4])
    page = client.get(url).content.decode()
    assert "hit: 30.4 against at least 29.5" in page
    assert "20.1" not in page


def test_the_sitemap_lists_the_reproductions_page_of_public_roadmaps(client, roadmap):
    body = client.get("/sitemap.xml").content.decode()
    assert f"/roadmaps/{roadmap.slug}/reproductions/</loc>" in body
    roadmap.visibility = Roadmap.Visibility.UNLISTED
    roadmap.save()
    Roadmap.objects.filter(pk=roadmap.pk).mark_changed()
    body = client.get("/sitemap.xml").content.decode()
    assert f"/roadmaps/{roadmap.slug}/reproductions/</loc>" not in body


# The curriculum's targets ---------------------------------------------------------------


def with_target(text: str, target: str) -> str:
    return text.replace(
        "            evidence: A notebook comparing with scikit-learn\n",
        "            evidence: A notebook comparing with scikit-learn\n"
        f"            target: {target}\n",
    )


def test_a_curriculum_target_is_loaded_onto_the_milestone(learner, tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(
        with_target(
            SMALL_CURRICULUM.read_text(),
            "{metric: accuracy, value: 95.1, direction: within, tolerance: 1}",
        )
    )
    roadmap = load_curriculum(read_curriculum(path), owner=learner).roadmap
    milestone = roadmap.milestones.get(key="svd-pca")
    assert str(milestone.target) == "within 1 of 95.1 accuracy"


def test_a_changed_target_is_an_update_the_review_shows(learner, roadmap, tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(
        with_target(
            SMALL_CURRICULUM.read_text().replace("version: 1", "version: 2"),
            "{metric: accuracy, value: 95.1, direction: at_least}",
        )
    )
    spec = read_curriculum(path)
    plan = plan_update(spec, roadmap)
    assert [(c.key, c.detail) for c in plan.retargeted] == [
        ("svd-pca", "no target → at least 95.1 accuracy")
    ]
    assert "changed the target of 1 milestone" in plan.summary
    load_curriculum(spec, owner=learner, roadmap=roadmap)
    assert str(roadmap.milestones.get(key="svd-pca").target) == "at least 95.1 accuracy"


def test_shipped_reproductions_that_state_a_number_carry_a_target():
    spec = read_curriculum(settings.CURRICULA_DIR / "ml-fundamentals.yaml")
    targets = {m.key: m.target for m in spec.milestones if m.target}
    assert str(targets["gpt2-fineweb"]) == "at least 29.5 HellaSwag accuracy %"
    assert str(targets["rlog-lora"]) == "within 1 of 95.1 SST-2 validation accuracy %"
    assert all(spec_m.kind == "reproduce" for spec_m in spec.milestones if spec_m.target)
    assert len(targets) >= 12


def test_result_evidence_and_milestone_times_are_shown_in_the_owners_zone(client, milestone):
    Roadmap.objects.filter(pk=milestone.roadmap_id).update(time_zone="Pacific/Auckland")
    Evidence.objects.create(
        milestone=milestone,
        url="https://github.com/ada/x/commit/abcdef1",
        at=datetime(2026, 11, 30, 20, 0, tzinfo=UTC),
    )
    page = client.get(milestone.get_absolute_url()).content.decode()
    assert "1 Dec 2026" in page


def test_a_milestone_gone_from_the_file_stays_for_its_recorded_results(
    learner, roadmap, milestone, tmp_path
):
    record(milestone, "3")
    path = tmp_path / "c.yaml"
    text = SMALL_CURRICULUM.read_text().replace("version: 1", "version: 2")
    start = text.index("          - key: svd-pca")
    end = text.index("          - key: eigen-post")
    path.write_text(text[:start] + text[end:])
    plan = plan_update(read_curriculum(path), roadmap)
    assert [(c.key, c.detail) for c in plan.kept] == [
        ("svd-pca", "has progress: recorded results or evidence")
    ]
    load_curriculum(read_curriculum(path), owner=learner, roadmap=roadmap)
    assert Result.objects.filter(milestone=milestone).exists()


def test_what_a_learner_typed_is_shown_as_text_in_the_reproductions_table(
    client, roadmap, milestone, make_post
):
    Milestone.objects.filter(pk=milestone.pk).update(
        title="SVD <script>alert(1)</script>",
        kind=Milestone.Kind.REPRODUCE,
        evidence_url="javascript:alert('<b>x</b>')",
    )
    Evidence.objects.create(milestone=milestone, url="ftp://host/<i>notes</i>")
    Result.objects.create(milestone=milestone, value=3, measured_on=date(2026, 1, 5))
    make_post(title="Post <img src=x onerror=alert(1)>", milestones=[milestone])

    html = client.get(page_url(roadmap)).content.decode()
    row = html[html.index(f'<tr id="{milestone.anchor}"') :]
    row = row[: row.index("</tr>")]
    assert "SVD &lt;script&gt;alert(1)&lt;/script&gt;" in row
    assert "Post &lt;img src=x onerror=alert(1)&gt;" in row
    assert "&lt;b&gt;x&lt;/b&gt;" in row and "&lt;i&gt;notes&lt;/i&gt;" in row
    assert "<script>" not in row and "<img" not in row and "<b>" not in row and "<i>" not in row
    assert 'href="javascript:' not in row and 'href="ftp:' not in row
    assert "5 Jan 2026" in row and "none set" in row
