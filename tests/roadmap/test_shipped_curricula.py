"""The curricula that ship in curricula/: what a learner gets on day one."""

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from roadmap.curriculum import load_curriculum, read_curriculum

CURRICULA = Path(__file__).resolve().parents[2] / "curricula"
SHORTENERS = {
    "bit.ly",
    "t.co",
    "goo.gl",
    "tinyurl.com",
    "ow.ly",
    "buff.ly",
    "is.gd",
    "youtu.be",
    "lnkd.in",
    "rebrand.ly",
    "cutt.ly",
    "shorturl.at",
    "tiny.cc",
    "rb.gy",
}
SEARCH_PAGES = [
    ("google.", "/search"),
    ("bing.com", "/search"),
    ("duckduckgo.com", "/"),
    ("youtube.com", "/results"),
    ("scholar.google.", "/"),
]


@pytest.fixture(scope="module")
def ml():
    return read_curriculum(CURRICULA / "ml-fundamentals.yaml")


@pytest.fixture(scope="module")
def applied():
    return read_curriculum(CURRICULA / "applied-ai-engineering.yaml")


def test_ml_fundamentals_has_the_size_the_brief_asks_for(ml):
    assert len(ml.stages) >= 9
    assert len(ml.topics) >= 40
    assert len(ml.milestones) >= 150
    # The required path is the brief's realistic whole; optional stretch goals come on top.
    required = sum(m.hours for m in ml.milestones if not m.optional)
    assert 450 <= required <= 650
    assert 450 <= ml.total_hours <= 700


def test_ml_fundamentals_covers_the_stages_in_order(ml):
    titles = " | ".join(stage.title.lower() for stage in ml.stages)
    for words in [
        "setup",
        "math",
        "classical",
        "first principles",
        "deep learning",
        "transformer",
        "llm",
        "ai systems",
        "production",
        "research",
    ]:
        assert words in titles, words
    assert (ml.stages[0].key, ml.stages[-1].key) == ("setup", "research")


def test_the_brief_topics_are_all_there(ml):
    text = " ".join(
        f"{t.title} {t.summary} {' '.join(m.title for m in t.milestones)}" for t in ml.topics
    ).lower()
    for subject in [
        "svd",
        "pca",
        "gradient",
        "bootstrap",
        "adam",
        "logistic regression",
        "cross-validation",
        "gradient boosting",
        "k-means",
        "roc",
        "micrograd",
        "batchnorm",
        "resnet-20",
        "cifar-10",
        "nanogpt",
        "bpe",
        "gpt-2",
        "lora",
        "dpo",
        "rlhf",
        "kv cache",
        "rag",
        "react",
        "model context protocol",
        "coding agent",
        "prompt injection",
        "triton",
        "ddp",
        "zero",
        "scaling",
        "reproduc",
    ]:
        assert subject in text, subject


@pytest.mark.parametrize("name", ["ml", "applied"])
def test_every_topic_and_milestone_is_complete(name, request):
    spec = request.getfixturevalue(name)
    for stage in spec.stages:
        assert stage.summary, stage.key
    for topic in spec.topics:
        assert topic.summary, topic.key
        assert 2 <= len(topic.resources) <= 8, topic.key
        for milestone in topic.milestones:
            assert milestone.hours > 0, milestone.key
            assert milestone.evidence, milestone.key
            assert len(milestone.title.split()) >= 3, f"say what is done: {milestone.title}"


@pytest.mark.parametrize("name", ["ml", "applied"])
def test_every_resource_url_is_a_canonical_https_address(name, request):
    spec = request.getfixturevalue(name)
    for topic in spec.topics:
        for resource in topic.resources:
            parts = urlsplit(resource.url)
            assert parts.scheme == "https", resource.url
            assert "." in parts.netloc and " " not in resource.url, resource.url
            host = parts.netloc.lower().removeprefix("www.")
            assert host not in SHORTENERS, resource.url
            for search_host, search_path in SEARCH_PAGES:
                assert not (search_host in host and parts.path.startswith(search_path)), (
                    resource.url
                )
            assert "search?q=" not in resource.url, resource.url


def test_papers_point_at_their_abstract_pages(ml):
    for topic in ml.topics:
        for resource in topic.resources:
            if "arxiv.org" in resource.url:
                assert "/abs/" in resource.url, resource.url


def test_keys_are_unique_and_prerequisites_form_a_graph_without_cycles(ml):
    keys = [m.key for m in ml.milestones]
    assert len(keys) == len(set(keys))
    order = {topic.key: n for n, topic in enumerate(ml.topics)}
    # The loader refuses cycles; here the shipped order is also a valid study order.
    for topic in ml.topics:
        for prerequisite in topic.prerequisites:
            assert order[prerequisite] < order[topic.key], (topic.key, prerequisite)


def test_reproductions_name_their_target(ml):
    for milestone in ml.milestones:
        if milestone.kind == "reproduce":
            text = f"{milestone.title} {milestone.description} {milestone.evidence}"
            assert any(ch.isdigit() for ch in text) or " within " in text, milestone.key


def test_applied_curriculum_is_a_twelve_week_path(applied):
    assert "12 weeks" in applied.title
    assert 5 <= len(applied.stages) <= 6
    # Core milestones fit 12 weeks at 8-10 hours a week; optional stretch goals come on top.
    core = sum(m.hours for m in applied.milestones if not m.optional)
    assert 12 * 8 <= core <= 12 * 10
    assert applied.total_hours <= 160


@pytest.mark.django_db
@pytest.mark.parametrize("file", ["ml-fundamentals.yaml", "applied-ai-engineering.yaml"])
def test_shipped_curricula_load_into_roadmaps(file, learner):
    spec = read_curriculum(CURRICULA / file)
    roadmap = load_curriculum(spec, owner=learner).roadmap
    assert roadmap.milestones.count() == len(spec.milestones)
    assert roadmap.topics.filter(prerequisites__isnull=False).distinct().count() > 0
