"""Headings in order, as a screen reader's list of headings reads them: none skipped."""

import itertools
import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def heading_levels(response) -> list[int]:
    return [int(level) for level in re.findall(r"<h([1-6])[\s>]", response.content.decode())]


def test_journal_list_titles_its_posts_right_under_the_page_heading(client, make_post):
    make_post(title="Week 1: wins and struggles")
    make_post(title="TIL: broadcasting")
    response = client.get(reverse("journal:list"))
    assert heading_levels(response) == [1, 2, 2]
    assert re.search(r'<h2><a href="/journal/[\w-]+/">TIL: broadcasting</a></h2>', response.text)


def test_journal_list_of_one_kind_keeps_the_same_outline(client, make_post):
    make_post(title="A reflection", kind="reflection")
    assert heading_levels(client.get(reverse("journal:list") + "?kind=reflection")) == [1, 2]


def test_posts_under_a_section_heading_stay_one_level_below_it(client, make_post, roadmap):
    make_post(title="On PCA", topics=[roadmap.topics.get(key="linear-algebra")])
    response = client.get(roadmap.topics.get(key="linear-algebra").get_absolute_url())
    levels = heading_levels(response)
    html = response.content.decode()
    posts_section = html[html.index('id="posts-heading"') :]
    assert re.search(r"<h3><a [^>]*>On PCA</a></h3>", posts_section)
    # No level is skipped anywhere on the page.
    assert all(later - earlier <= 1 for earlier, later in itertools.pairwise(levels))
