"""An empty roadmap: started without a curriculum, with no stages, and every page of it works."""

import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from roadmap.models import Roadmap

pytestmark = pytest.mark.django_db
NEW = reverse("roadmap:new")


def form_data(**overrides) -> dict:
    return {
        "curriculum": "empty",
        "title": "Papers I want to reproduce",
        "slug": "papers",
        "started_on": "2026-01-05",
        "target_date": "",
        "time_zone": "Europe/Berlin",
        "visibility": "public",
        **overrides,
    }


@pytest.fixture
def empty(learner_client, curricula) -> Roadmap:
    learner_client.post(NEW, form_data())
    return Roadmap.objects.get(slug="papers")


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_new_roadmap_page_offers_an_empty_roadmap_and_the_import(learner_client, curricula):
    html = text_of(learner_client.get(NEW))
    assert re.search(
        r'<input type="radio" name="curriculum" value="empty" id="curriculum-empty"', html
    )
    assert '<label for="curriculum-empty"><strong>An empty roadmap</strong></label>' in html
    assert f'<a href="{reverse("roadmap:import")}">import a roadmap file</a>' in html


def test_empty_choice_asked_for_by_its_link_is_chosen_with_no_title(learner_client, curricula):
    html = text_of(learner_client.get(f"{NEW}?curriculum=empty"))
    assert re.search(r'value="empty" id="curriculum-empty" checked', html)
    assert 'value="test-path.yaml" id="curriculum-1" checked' not in html
    assert re.search(r'<input type="text" name="title"(?![^>]*value=)[^>]*>', html)


def test_empty_roadmap_is_the_choice_where_no_curriculum_can_be_used(
    learner_client, settings, tmp_path
):
    settings.CURRICULA_DIR = tmp_path
    html = text_of(learner_client.get(NEW))
    assert re.search(r'value="empty" id="curriculum-empty" checked', html)


def test_learner_starts_an_empty_roadmap_and_lands_on_it(learner_client, learner, curricula):
    response = learner_client.post(NEW, form_data())
    roadmap = Roadmap.objects.get(slug="papers")
    assert response.status_code == 302
    assert response.url == roadmap.get_absolute_url()
    assert (roadmap.owner, roadmap.title, roadmap.time_zone) == (
        learner,
        "Papers I want to reproduce",
        "Europe/Berlin",
    )
    assert (roadmap.curriculum_key, roadmap.curriculum_version) == ("", None)
    assert roadmap.stages.count() == roadmap.topics.count() == roadmap.milestones.count() == 0


def test_empty_roadmap_page_says_it_has_no_stages_and_tells_its_owner_how_to_add_some(
    empty, learner_client
):
    html = text_of(learner_client.get(empty.get_absolute_url()))
    assert "This roadmap has no stages yet." in html
    edit = reverse("roadmap:edit", args=[empty.slug])
    assert f'<a href="{edit}">add its first stage</a>' in html
    assert "From the curriculum" not in html
    visitor = text_of(Client().get(empty.get_absolute_url()))
    assert "This roadmap has no stages yet." in visitor
    assert reverse("roadmap:import") not in visitor


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "This field is required"),
        ({"slug": ""}, "This field is required"),
        ({"slug": "curricula"}, "is reserved for the site"),
    ],
)
def test_empty_roadmap_with_bad_input_says_why_and_is_not_started(
    learner_client, curricula, overrides, message
):
    response = learner_client.post(NEW, form_data(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert re.search(r'value="empty" id="curriculum-empty" checked', text_of(response))
    assert Roadmap.objects.count() == 0


def quarter() -> str:
    today = timezone.localdate()
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


@pytest.mark.parametrize(
    "page",
    ["", "dashboard/", "reproductions/", "feed/", "badge.svg", "review/{quarter}/"],
)
@pytest.mark.parametrize("who", ["owner", "visitor"])
def test_every_page_of_an_empty_roadmap_answers(empty, learner_client, page, who):
    client = learner_client if who == "owner" else Client()
    response = client.get(empty.get_absolute_url() + page.format(quarter=quarter()))
    assert response.status_code == 200


def test_dashboard_of_an_empty_roadmap_shows_nothing_done(empty, learner_client):
    html = text_of(learner_client.get(reverse("roadmap:dashboard", args=[empty.slug])))
    assert "Papers I want to reproduce" in html
    assert "0%" in html


def test_export_of_an_empty_roadmap_is_its_settings_and_no_structure(empty, learner_client):
    response = learner_client.get(reverse("roadmap:export", args=[empty.slug]))
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["roadmap"]["title"] == "Papers I want to reproduce"
    assert document["stages"] == []
