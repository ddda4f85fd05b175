"""A curriculum's page: the public roadmaps started from it, side by side."""

import re

import pytest

from roadmap.curriculum import load_curriculum
from roadmap.models import Roadmap, Status
from roadmap.services import milestone_set_status
from tests.factories import SITE_VERSION

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_cohort_shows_each_public_roadmap_per_stage_with_pace_and_last_activity(
    client, curricula, roadmap, other_learner, small_spec
):
    graces = load_curriculum(small_spec, owner=other_learner, slug="graces").roadmap
    milestone_set_status(milestone=graces.milestones.get(key="svd-pca"), status=Status.DONE)
    load_curriculum(
        small_spec, owner=other_learner, slug="hidden", visibility=Roadmap.Visibility.PRIVATE
    )
    html = text_of(client.get("/curricula/test-path/"))
    assert "Who follows it (2)" in html
    assert '<a href="/learners/grace/">grace</a>: <a href="/roadmaps/graces/">' in html
    assert '<a href="/learners/ada/">ada</a>: <a href="/roadmaps/test-path/">' in html
    assert "/roadmaps/hidden/" not in html
    grace_row = html.split('href="/roadmaps/graces/"')[1].split("</tr>")[0]
    assert "33%" in grace_row  # the Basics stage
    assert "0.3 a week" in grace_row  # one milestone in four weeks: 0.25
    assert "not started" in html.split('href="/roadmaps/test-path/"')[1].split("</tr>")[0]
    assert 'href="/roadmaps/new/?curriculum=test-path.yaml"' in html


def test_the_cohort_page_queries_do_not_grow(
    client, curricula, small_spec, django_user_model, django_assert_num_queries
):
    for n in range(6):
        user = django_user_model.objects.create_user(username=f"learner{n}", password="x")
        load_curriculum(small_spec, owner=user, slug=f"path-{n}")
    with django_assert_num_queries(2 + SITE_VERSION):  # roadmaps with numbers, their stages
        response = client.get("/curricula/test-path/")
    assert text_of(response).count("<tr>") == 7


def test_an_unknown_curriculum_is_404(client, curricula):
    assert client.get("/curricula/nothing-here/").status_code == 404


def test_the_cohorts_pace_counts_as_the_dashboards_does(client, curricula, roadmap):
    """A milestone done, reopened and done again counts once; optional work not at all."""
    again = roadmap.milestones.get(key="svd-pca")
    for status in [Status.DONE, Status.IN_PROGRESS, Status.DONE]:
        milestone_set_status(milestone=again, status=status)
    milestone_set_status(
        milestone=roadmap.milestones.filter(optional=True).first(), status=Status.DONE
    )
    row = text_of(client.get("/curricula/test-path/")).split('href="/roadmaps/test-path/"')[1]
    assert "0.3 a week" in row.split("</tr>")[0]  # one milestone in four weeks
