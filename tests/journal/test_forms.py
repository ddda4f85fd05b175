"""The post form as the learner meets it: the milestone picker, addresses, weekly logs."""

import re

import pytest
from django.utils import timezone

from journal.forms import PostForm
from journal.models import Post
from roadmap.curriculum import load_curriculum
from roadmap.models import Roadmap
from tests.factories import build_roadmap

pytestmark = pytest.mark.django_db
HTMX_TIES = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "post-ties"}


def form_data(roadmap, **overrides):
    data = {
        "roadmap": roadmap.pk,
        "title": "Week 3: backprop finally clicked",
        "slug": "",
        "kind": "weekly",
        "body": "## Wins\n\nIt clicked.",
        "summary": "",
        "action": "draft",
    }
    return {**data, **overrides}


def select_html(html: str, name: str) -> str:
    return re.search(rf'<select name="{name}".*?</select>', html, re.DOTALL)[0]


def field_html(html: str, name: str) -> str:
    return re.search(rf'<div id="field-{name}".*?\n</div>', html, re.DOTALL)[0]


@pytest.fixture
def second(learner, small_spec):
    """A second roadmap of the learner's, from the same curriculum: the same milestone titles."""
    return load_curriculum(small_spec, owner=learner, slug="second", title="Second").roadmap


# The milestone picker --------------------------------------------------------------------


def test_the_picker_offers_the_chosen_roadmaps_milestones_only_each_with_its_place(
    learner_client, roadmap, second
):
    html = learner_client.get("/journal/new/?roadmap=second").content.decode()
    milestones = select_html(html, "milestones")
    offered = re.findall(r'<option value="(\d+)"', milestones)
    assert sorted(map(int, offered)) == sorted(second.milestones.values_list("pk", flat=True))
    milestone = second.milestones.select_related("topic__stage").get(key="svd-pca")
    place = f"{milestone.topic.stage.title} › {milestone.topic.title}"
    group = re.search(rf'<optgroup label="{place}">(.*?)</optgroup>', milestones, re.DOTALL)
    assert f'<option value="{milestone.pk}">Derive and code PCA via SVD</option>' in group[1]
    topics = re.findall(r'<option value="(\d+)"', select_html(html, "topics"))
    assert sorted(map(int, topics)) == sorted(second.topics.values_list("pk", flat=True))
    assert "What the post is about, on “Second”" in html
    assert "Hold Ctrl" not in html


def test_a_milestone_of_another_of_ones_roadmaps_gets_a_clear_error_and_nothing_is_saved(
    learner_client, roadmap, second
):
    stray = second.milestones.get(key="svd-pca")
    response = learner_client.post("/journal/new/", form_data(roadmap, milestones=[stray.pk]))
    assert response.status_code == 400
    error = field_html(response.content.decode(), "milestones")
    assert (
        "“Derive and code PCA via SVD” is not on the roadmap “A test path”: choose milestones "
        "of “A test path”, or another roadmap above." in error
    )
    assert not Post.objects.exists()


def test_choosing_another_roadmap_without_javascript_keeps_what_was_typed(
    learner_client, roadmap, second
):
    response = learner_client.post(
        "/journal/new/",
        form_data(second, action="roadmap", body="Keep *this*", milestones=[1, 2]),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Keep *this*" in html and 'value="Week 3: backprop finally clicked"' in html
    assert f'<option value="{second.pk}" selected>' in html
    assert "What the post is about, on “Second”" in html
    assert " selected>" not in select_html(html, "milestones")
    assert "field-error" not in html
    assert not Post.objects.exists()


def test_choosing_another_roadmap_with_htmx_answers_with_its_milestones_alone(
    learner_client, roadmap, second
):
    response = learner_client.post(
        "/journal/new/", form_data(second, action="roadmap"), **HTMX_TIES
    )
    html = response.content.decode().strip()
    assert response.status_code == 200
    assert html.startswith('<fieldset id="post-ties"') and html.endswith("</fieldset>")
    milestone = second.milestones.get(key="svd-pca")
    assert f'<option value="{milestone.pk}">' in html
    assert f'<option value="{roadmap.milestones.get(key="svd-pca").pk}">' not in html
    assert response["Vary"] and "HX-Request" in response["Vary"]
    assert not Post.objects.exists()


def test_the_form_posts_to_its_own_page_without_an_empty_action(learner_client, roadmap):
    html = learner_client.get("/journal/new/").content.decode()
    assert '<form method="post" class="stacked-form post-form"' in html
    assert 'action=""' not in html


@pytest.mark.parametrize("size", [10, 600])
def test_the_post_form_queries_do_not_grow_with_the_roadmap(
    size, learner, learner_client, django_assert_num_queries
):
    build_roadmap(learner, milestones=size)
    # Session and user, the roadmap, its milestones and topics, the roadmaps to choose from.
    with django_assert_num_queries(6):
        response = learner_client.get("/journal/new/")
    assert response.content.decode().count("<option value=") >= size


# Addresses -------------------------------------------------------------------------------


def test_a_weekly_logs_address_names_its_roadmap_and_the_week(learner_client, roadmap):
    Roadmap.objects.filter(pk=roadmap.pk).update(
        started_on=timezone.localdate() - timezone.timedelta(days=15)
    )
    html = learner_client.get("/journal/new/?kind=weekly").content.decode()
    assert 'value="Week 3"' in html
    assert 'name="slug" value="test-path-week-3"' in html


def test_a_weekly_log_never_clashes_with_the_same_week_elsewhere(
    learner_client, roadmap, other_learner, small_spec, make_post
):
    graces = load_curriculum(small_spec, owner=other_learner, slug="graces").roadmap
    Post.objects.create(author=other_learner, roadmap=graces, title="Week 1", slug="week-1")
    Post.objects.create(author=other_learner, roadmap=graces, title="Week 1", slug="graces-week-1")
    make_post(title="Week 1", slug="test-path-week-1")  # a first log of this week
    html = learner_client.get("/journal/new/?kind=weekly").content.decode()
    slug = re.search(r'name="slug" value="([^"]*)"', html)[1]
    assert slug == "test-path-week-1-2"
    response = learner_client.post(
        "/journal/new/", form_data(roadmap, title="Week 1", slug=slug, body="Notes.")
    )
    assert response.status_code == 302
    assert Post.objects.get(slug="test-path-week-1-2").author == roadmap.owner


@pytest.mark.parametrize("title", ["", "¿?"])
def test_no_error_ever_sits_beside_an_address_left_empty(learner_client, roadmap, title):
    response = learner_client.post("/journal/new/", form_data(roadmap, title=title))
    if title:
        # A title with no letters for an address still gives one.
        assert response.status_code == 302
        assert Post.objects.get().slug == "post"
        return
    assert response.status_code == 400
    html = response.content.decode()
    assert "field-error" in field_html(html, "title")
    slug_field = field_html(html, "slug")
    assert "field-error" not in slug_field and "has-error" not in slug_field


def test_an_address_made_from_the_title_and_taken_meanwhile_is_made_again(
    learner_client, roadmap, make_post, monkeypatch
):
    make_post(slug="week-1", title="Week 1")
    # The address was free when the form was checked; another post took it before the save.
    monkeypatch.setattr(PostForm, "clean_slug", lambda form: "week-1")
    monkeypatch.setattr(PostForm, "validate_unique", lambda form: None)
    response = learner_client.post("/journal/new/", form_data(roadmap, title="Week 1"))
    assert response.status_code == 302
    assert Post.objects.filter(title="Week 1").count() == 2
    assert set(Post.objects.values_list("slug", flat=True)) == {"week-1", "week-1-2"}


@pytest.mark.parametrize("key", ["¹", "²³", "٣", "9" * 30])
def test_a_roadmap_key_that_is_no_number_a_row_can_have_is_a_form_error(
    learner_client, roadmap, key
):
    response = learner_client.post(
        "/journal/new/", {"roadmap": key, "title": "Hello", "body": "Hi", "action": "draft"}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Post.objects.exists()
