"""No header or parameter a client sends gets a server error, and a refused write changes nothing.

Every page is asked with hostile values in each query parameter it reads and in each header
the app looks at, as a visitor and as the owner. The test client re-raises any exception a
view lets escape, so a 500 fails here with its traceback.
"""

import pytest
from django.test import Client

from roadmap.models import ProgressEvent

pytestmark = pytest.mark.django_db

HOSTILE = [
    "",
    "tomorrow",
    "http://[",
    "javascript:alert(1)",
    "nul\x00byte",
    "99999999999999999999999",
    "<script>alert(1)</script>",
    "\u202eü漢" + "x" * 3000,
]

PAGES = {
    "/": [],
    "/roadmaps/test-path/": [],
    "/roadmaps/test-path/topics/linear-algebra/": [],
    "/roadmaps/test-path/milestones/svd-pca/": [],
    "/roadmaps/test-path/dashboard/": [],
    "/roadmaps/test-path/review/2026-Q1/": [],
    "/roadmaps/test-path/badge.svg": ["theme"],
    "/roadmaps/test-path/feed/": [],
    "/roadmaps/test-path/topics/linear-algebra/feed/": [],
    "/roadmaps/new/": [],
    "/roadmaps/test-path/update/": [],
    "/journal/": ["kind", "topic", "page"],
    "/journal/feed/": [],
    "/journal/kinds/til/feed/": [],
    "/journal/new/": ["kind", "quarter", "roadmap", "milestone", "topic"],
    "/sitemap.xml": ["p", "section"],
    "/robots.txt": [],
    "/healthz": [],
    "/accounts/login/": ["next"],
    "/accounts/password/reset/": ["next"],
    "/learners/ada/": [],
    "/learners/ada/feed/": [],
    "/curricula/ml-fundamentals/": [],
    "/join/": [],
}

HEADERS = [
    "HTTP_HX_REQUEST",
    "HTTP_HX_CURRENT_URL",
    "HTTP_HX_TARGET",
    "HTTP_HX_TRIGGER",
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_ACCEPT_LANGUAGE",
]


@pytest.fixture(params=["visitor", "owner"])
def someone(request, learner) -> Client:
    client = Client()
    if request.param == "owner":
        client.force_login(learner)
    return client


@pytest.mark.parametrize("path", PAGES)
def test_hostile_parameters_and_headers_never_get_a_server_error(someone, roadmap, path):
    for value in HOSTILE:
        names = PAGES[path] or ["next"]
        response = someone.get(path, dict.fromkeys(names, value))
        assert response.status_code < 500, (path, "parameters", value)
        headers = dict.fromkeys(HEADERS, value)
        response = someone.get(path, **headers | {"HTTP_HX_REQUEST": "true"})
        assert response.status_code < 500, (path, "headers", value)


@pytest.mark.parametrize("field", ["status", "next"])
def test_hostile_status_posts_are_answered_and_change_nothing_they_should_not(
    learner_client, milestone, field
):
    url = f"/roadmaps/test-path/milestones/{milestone.slug}/status/"
    for value in HOSTILE:
        data = {"status": "not_started", "next": "/"} | {field: value}
        for extra in ({}, {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": value}):
            response = learner_client.post(url, data, **extra)
            assert response.status_code < 500, (field, value)
    # Only valid statuses were ever set, and "not_started" on a not-started milestone is no
    # change: the history is as empty as it was.
    assert not ProgressEvent.objects.filter(milestone=milestone).exists()


def test_hostile_post_form_values_are_refused_with_the_form(learner_client, roadmap):
    for value in HOSTILE:
        for field in ("milestones", "topics", "roadmap", "kind", "publish_at", "action"):
            data = {
                "roadmap": roadmap.pk,
                "title": "A title",
                "kind": "til",
                "body": "text",
                "action": "draft",
            } | {field: value}
            response = learner_client.post("/journal/new/", data)
            assert response.status_code in (200, 302, 400), (field, value)


def test_a_nul_character_is_refused_with_a_message_before_any_view(learner_client, milestone):
    url = f"/roadmaps/test-path/milestones/{milestone.slug}/notes/"
    response = learner_client.post(url, {"private_note": "where I \x00 left off"})
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.private_note == ""
    assert learner_client.get("/journal/", {"topic": "\x00"}).status_code == 400


@pytest.mark.parametrize("path", ["/learners/a%00b/", "/learners/a%00b/feed/", "/join/a%00b/"])
def test_a_nul_character_in_an_address_is_refused_not_looked_up(client, path):
    assert client.get(path).status_code in (400, 404)
