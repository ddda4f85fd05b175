"""/sitemap.xml: every public page once, nothing else, at a fixed cost."""

import xml.etree.ElementTree as ET

import pytest

from journal.models import Post
from roadmap.models import Roadmap
from tests.factories import SITE_VERSION, build_roadmap, bulk_posts

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def addresses(client) -> list[str]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    return [url.findtext(f"{NS}loc") for url in root.iter(f"{NS}url")]


def test_the_sitemap_lists_each_public_page_once_with_absolute_addresses(
    client, learner, make_post
):
    roadmap = build_roadmap(learner, milestones=12, slug="open")
    hidden = build_roadmap(learner, milestones=3, slug="hidden")
    hidden.visibility = Roadmap.Visibility.PRIVATE
    hidden.save()
    make_post(roadmap=roadmap, slug="visible-post")
    make_post(roadmap=roadmap, slug="a-draft", status=Post.Status.DRAFT)
    make_post(roadmap=hidden, slug="on-a-private-roadmap")
    found = addresses(client)
    assert len(found) == len(set(found))
    assert all(url.startswith("http://testserver/") for url in found)
    # make_post's own roadmap (the test curriculum's) is public as well.
    public = Roadmap.objects.exclude(pk=hidden.pk)
    expected = {"http://testserver/journal/visible-post/"}
    for each in public:
        expected.add(f"http://testserver{each.get_absolute_url()}")
        expected.add(f"http://testserver{each.get_absolute_url()}reproductions/")
        expected |= {f"http://testserver{t.get_absolute_url()}" for t in each.topics.all()}
        expected |= {f"http://testserver{m.get_absolute_url()}" for m in each.milestones.all()}
    assert set(found) == expected
    assert not any("/roadmaps/hidden/" in url or "a-draft" in url for url in found)


@pytest.mark.parametrize("size", [10, 300])
def test_the_sitemap_queries_do_not_grow(size, client, learner, django_assert_num_queries):
    roadmap = build_roadmap(learner, milestones=size, slug="open")
    bulk_posts(roadmap, size)
    # Roadmaps, topics, milestones, posts.
    with django_assert_num_queries(4 + SITE_VERSION):
        client.get("/sitemap.xml")
