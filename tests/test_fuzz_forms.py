"""Every form and query parameter the app takes, fuzzed: never a server error, and a
refused request changes nothing. On SQLite in `make test`, and again on PostgreSQL in CI's
second pass."""

import hashlib

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journal.models import Post
from roadmap.models import Milestone, ProgressEvent, Result, Roadmap, Stage, Topic

pytestmark = pytest.mark.django_db

# Text as hostile as a client can send: any characters (NUL included), numbers past 64 bits,
# addresses, markup, and long values.
VALUES = st.one_of(
    st.text(max_size=60),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.sampled_from(
        [
            "",
            "\x00",
            "tomorrow",
            "http://[",
            "//evil.example",
            "javascript:alert(1)",
            "<script>alert(1)</script>",
            "2026-02-30T25:61",
            "done",
            "publish",
            "schedule",
            "x" * 5000,
        ]
    ),
)

FORMS = {
    "/roadmaps/test-path/milestones/svd-pca/status/": ["status", "next"],
    "/roadmaps/test-path/milestones/svd-pca/notes/": ["evidence_url", "private_note"],
    "/roadmaps/new/": [
        "curriculum",
        "title",
        "slug",
        "started_on",
        "target_date",
        "time_zone",
        "visibility",
    ],
    "/journal/new/": [
        "roadmap",
        "title",
        "slug",
        "kind",
        "body",
        "summary",
        "milestones",
        "topics",
        "publish_at",
        "action",
    ],
    "/journal/reflect/test-path/svd-pca/": ["learnt", "hard", "evidence_url", "action"],
    "/journal/preview/": ["content"],
    "/roadmaps/test-path/update/": ["plan"],
    "/roadmaps/test-path/milestones/svd-pca/target/": [
        "target-target_metric",
        "target-target_direction",
        "target-target_value",
        "target-target_tolerance",
    ],
    "/roadmaps/test-path/milestones/svd-pca/results/": [
        "result-value",
        "result-measured_on",
        "result-evidence_url",
        "result-note",
    ],
}

PAGES = {
    "/journal/": ["kind", "topic", "page"],
    "/journal/new/": ["kind", "quarter", "roadmap", "milestone", "topic"],
    "/roadmaps/test-path/badge.svg": ["theme"],
    "/sitemap.xml": ["p"],
    "/accounts/login/": ["next"],
}

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def state() -> str:
    """Everything a refused write must leave as it was, as one digest."""
    rows = [
        list(Roadmap.objects.values_list("slug", "title", "visibility", "updated_at")),
        list(Stage.objects.values_list("pk", "title")),
        list(Topic.objects.values_list("pk", "title")),
        list(
            Milestone.objects.order_by("pk").values_list(
                "pk", "status", "started_at", "completed_at", "evidence_url", "private_note"
            )
        ),
        list(
            Milestone.objects.order_by("pk").values_list(
                "target_metric", "target_value", "target_direction", "target_tolerance"
            )
        ),
        list(Result.objects.order_by("pk").values_list("pk", "value", "note")),
        ProgressEvent.objects.count(),
        list(Post.objects.order_by("pk").values_list("pk", "slug", "status", "body")),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


@pytest.fixture(params=["visitor", "owner"])
def someone(request, learner, roadmap) -> Client:
    client = Client()
    if request.param == "owner":
        client.force_login(learner)
    return client


@pytest.mark.parametrize("path", FORMS)
def test_fuzzed_forms_never_fail_and_a_refusal_changes_nothing(someone, path):
    @FUZZ
    @given(data=st.fixed_dictionaries({}, optional=dict.fromkeys(FORMS[path], VALUES)))
    def post(data):
        before = state()
        response = someone.post(path, data)
        assert response.status_code < 500, (path, data)
        if response.status_code >= 400:
            assert state() == before, (path, data, response.status_code)

    post()


@pytest.mark.parametrize("path", PAGES)
def test_fuzzed_query_parameters_never_fail(someone, path):
    @FUZZ
    @given(data=st.fixed_dictionaries({}, optional=dict.fromkeys(PAGES[path], VALUES)))
    def get(data):
        response = someone.get(path, data)
        assert response.status_code < 500, (path, data)

    get()
