"""Version 2 of the applied curriculum: what it adds, and that a roadmap started from
version 1 takes it without losing any of the learner's work.

tests/data/applied-ai-engineering-v1.yaml is the file as it shipped in version 1, kept so the
upgrade can be replayed whatever later versions change.
"""

import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from journal.models import Post
from roadmap.curriculum import CurriculumSpec, load_curriculum, plan_update, read_curriculum
from roadmap.models import Milestone, ProgressEvent, Status
from roadmap.services import milestone_set_status

ROOT = Path(__file__).resolve().parents[2]
V1 = ROOT / "tests" / "data" / "applied-ai-engineering-v1.yaml"
V2 = ROOT / "curricula" / "applied-ai-engineering.yaml"

NEW_TOPICS = {"coding-agent", "agent-evals", "rag-access", "reliability"}
NEW_MILESTONES = {
    "api-fallback",
    "acl-retrieval",
    "pii-redaction",
    "reg-batch-run",
    "mcp-auth",
    "ca-read-harness",
    "ca-build",
    "ca-context",
    "ca-sandbox",
    "ca-eval",
    "ca-compare",
    "ca-post",
    "aev-transcript-grading",
    "aev-pass-k",
    "guard-malicious-mcp",
    "rel-backpressure",
    "rel-idempotency",
    "rel-durable-runs",
    "rel-chaos",
}

# Each subject the review asked for, as it must read in a topic's title or summary or in the
# text of one of its core (not optional) milestones.
SUBJECTS = {
    "coding agent": r"coding agent",
    "sandbox": r"sandbox",
    "egress control": r"\begress\b",
    "permission-aware retrieval": r"permission-aware retrieval",
    "PII": r"\bpii\b",
    "malicious MCP server": r"malicious mcp server",
    "OWASP agentic top 10": r"owasp top 10 for agentic applications",
    "provider fallback": r"provider fallback",
    "backpressure": r"backpressure",
    "idempotency keys": r"idempotency key",
    "durable runs": r"durable",
    "batch API": r"batch api",
    "chaos test": r"chaos test",
    "pass^k": r"pass\^k",
    "transcript grading": r"transcript grading",
}

# The eval milestones and the number each must name next to its measure.
THRESHOLDS = {
    "rag-service": [("recall@5", "0.80"), ("faithfulness", "0.90")],
    "judge-faithfulness": [("agreement", "0.85")],
    "lat-streaming": [("p95 time to first token", "2 seconds")],
    "guard-defences": [("attack success rate", "5%")],
}

OLD_ADDRESSES = [
    "docs.anthropic.com",
    "platform.openai.com/docs",
    "github.com/instructor-ai/",
    "owasp.org/www-project-top-10-for-large-language-model-applications",
    "modelcontextprotocol.io/specification/2025-",
]
NEGATION = re.compile(r"\b(no|not|without|removed|gone|absent|earlier revisions?)\b")


@pytest.fixture(scope="module")
def v1() -> CurriculumSpec:
    return read_curriculum(V1)


@pytest.fixture(scope="module")
def v2() -> CurriculumSpec:
    return read_curriculum(V2)


def core_text(topic) -> str:
    parts = [topic.title, topic.summary]
    for m in topic.milestones:
        if not m.optional:
            parts += [m.title, m.description, m.evidence]
    return " ".join(parts).lower()


def all_texts(spec: CurriculumSpec) -> list[str]:
    texts = [spec.title, spec.summary]
    for stage in spec.stages:
        texts += [stage.title, stage.summary]
    for topic in spec.topics:
        texts += [topic.title, topic.summary, *(r.title for r in topic.resources)]
        for m in topic.milestones:
            texts += [m.title, m.description, m.evidence]
    return [text for text in texts if text]


def weeks(stage_title: str) -> int:
    found = re.match(r"Weeks? (\d+)(?:-(\d+))?:", stage_title)
    assert found, stage_title
    first, last = int(found.group(1)), int(found.group(2) or found.group(1))
    return last - first + 1


def test_version_2_of_the_same_twelve_week_curriculum(v1, v2):
    assert (v1.key, v1.version) == ("applied-ai-engineering", 1)
    assert (v2.key, v2.version) == ("applied-ai-engineering", 2)
    assert "12 weeks" in v2.title
    assert "version 2" in V2.read_text().splitlines()[0]


def test_counts_and_hours(v1, v2):
    assert (len(v1.stages), len(v1.topics), len(v1.milestones)) == (6, 19, 59)
    assert v1.total_hours == Decimal("111.5")
    assert (len(v2.stages), len(v2.topics), len(v2.milestones)) == (6, 23, 78)
    assert sum(len(topic.resources) for topic in v2.topics) == 103
    core = sum(m.hours for m in v2.milestones if not m.optional)
    assert (core, v2.total_hours) == (Decimal("119.5"), Decimal("145"))
    # Core work fits 12 weeks at 8-10 hours a week (at 8, it takes 15); stretch goals on top.
    assert 12 * 8 <= core <= 12 * 10
    assert v2.total_hours <= 160
    assert "120 hours" in v2.summary and "12 weeks" in v2.summary


def test_the_stage_weeks_add_up_to_twelve_and_no_stretch_is_overloaded(v2):
    assert sum(weeks(stage.title) for stage in v2.stages) == 12
    for stage in v2.stages:
        core = sum(m.hours for t in stage.topics for m in t.milestones if not m.optional)
        assert core / weeks(stage.title) <= 11, stage.key


def test_every_version_1_key_stays(v1, v2):
    for kind in ("stages", "topics", "milestones"):
        old = {item.key for item in getattr(v1, kind)}
        new = {item.key for item in getattr(v2, kind)}
        assert old <= new, (kind, old - new)
    assert {t.key for t in v2.topics} - {t.key for t in v1.topics} == NEW_TOPICS
    assert {m.key for m in v2.milestones} - {m.key for m in v1.milestones} == NEW_MILESTONES


def test_every_topic_and_milestone_is_complete(v2):
    for topic in v2.topics:
        assert topic.summary, topic.key
        assert 2 <= len(topic.resources) <= 8, topic.key
        for m in topic.milestones:
            assert m.kind in {"learn", "build", "reproduce", "write"}, m.key
            assert m.hours > 0 and m.evidence, m.key


def test_prerequisites_exist_and_form_no_cycle(v2):
    order = {topic.key: n for n, topic in enumerate(v2.topics)}
    graph = {topic.key: topic.prerequisites for topic in v2.topics}
    for key, prerequisites in graph.items():
        for prerequisite in prerequisites:
            assert prerequisite in order, (key, prerequisite)
            # The file's order is itself a study order, so no cycle can hide in it.
            assert order[prerequisite] < order[key], (key, prerequisite)
    new_with_prerequisites = [t for t in v2.topics if t.key in NEW_TOPICS and t.prerequisites]
    assert len(new_with_prerequisites) == len(NEW_TOPICS)


@pytest.mark.parametrize("subject", SUBJECTS)
def test_the_review_subjects_are_core_work(v2, subject):
    assert any(re.search(SUBJECTS[subject], core_text(topic)) for topic in v2.topics), subject


def test_the_coding_agent_is_built_behind_permission_prompts_and_measured(v2):
    topic = next(t for t in v2.topics if t.key == "coding-agent")
    build = next(m for m in topic.milestones if m.key == "ca-build")
    for tool in ("read", "edit", "search", "shell", "permission prompt"):
        assert tool in build.title, tool
    measured = next(m for m in topic.milestones if m.key == "ca-eval")
    assert not (build.optional or measured.optional)
    assert re.search(r"\d+ small coding tasks", measured.title)


@pytest.mark.parametrize("key", THRESHOLDS)
def test_eval_milestones_name_the_number_to_hit(v2, key):
    milestone = next(m for m in v2.milestones if m.key == key)
    assert not milestone.optional
    title = milestone.title.lower()
    for measure, number in THRESHOLDS[key]:
        assert measure in title, (key, measure)
        at = title.index(measure)
        near = title[max(0, at - 30) : at + len(measure) + 30]
        assert number in near, (key, measure, number)
    if key == "judge-faithfulness":
        assert "held-out" in title


def test_mcp_is_taught_at_revision_2026_07_28(v2):
    mcp = next(t for t in v2.topics if t.key == "mcp")
    spec_urls = [r.url for t in v2.topics for r in t.resources if "/specification/" in r.url]
    assert spec_urls and all("/specification/2026-07-28" in url for url in spec_urls)
    summary = mcp.summary.lower()
    for idea in ("stateless", "server/discover", "authorisation"):
        assert idea in summary, idea
    assert not next(m for m in mcp.milestones if m.key == "mcp-auth").optional


def test_no_mcp_text_presents_a_handshake_or_sessions_as_current(v2):
    mentions = 0
    for text in all_texts(v2):
        for sentence in re.split(r"(?<=[.;:])\s+", text.lower()):
            if re.search(r"initiali[sz]|session", sentence):
                mentions += 1
                assert NEGATION.search(sentence), sentence
    assert mentions >= 2  # said, and said to be gone


def test_links_left_the_old_addresses(v2):
    urls = [r.url for t in v2.topics for r in t.resources]
    for old in OLD_ADDRESSES:
        assert not [url for url in urls if old in url], old
    for url in urls:
        if "arxiv.org" in url:
            assert "/abs/" in url, url
    assert "https://genai.owasp.org/resource/owasp-genai-llm-top-10-2026/" in urls
    assert (
        "https://genai.owasp.org/resource/owasp-top-10-for-agentic-applications-for-2026/" in urls
    )


def progress(milestone: Milestone) -> tuple:
    milestone.refresh_from_db()
    return (
        milestone.status,
        milestone.started_at,
        milestone.completed_at,
        milestone.evidence_url,
        milestone.private_note,
        list(milestone.events.values_list("from_status", "to_status", "at")),
        sorted(milestone.posts.values_list("slug", flat=True)),
    )


@pytest.mark.django_db
def test_a_version_1_roadmap_takes_version_2_without_losing_work(learner, v1, v2):
    roadmap = load_curriculum(v1, owner=learner).roadmap
    assert roadmap.curriculum_version == 1
    get = roadmap.milestones.get
    day = [datetime(2026, 3, d, 9, tzinfo=UTC) for d in range(2, 9)]

    # Work spread over items the update renames, moves, reweighs or leaves alone.
    rag = get(key="rag-service")  # retitled with its thresholds
    milestone_set_status(milestone=rag, status=Status.IN_PROGRESS, at=day[0])
    milestone_set_status(milestone=rag, status=Status.DONE, at=day[1])
    wire = get(key="mcp-wire-log")  # retitled for the stateless revision
    milestone_set_status(milestone=wire, status=Status.IN_PROGRESS, at=day[2])
    tool = get(key="tool-loop")  # its topic moves to the first stage
    milestone_set_status(milestone=tool, status=Status.DONE, at=day[3])
    cot = get(key="prm-cot")  # becomes optional
    milestone_set_status(milestone=cot, status=Status.SKIPPED, at=day[4])
    mcp_post = get(key="mcp-post")  # becomes optional
    milestone_set_status(milestone=mcp_post, status=Status.DONE, at=day[5])
    Milestone.objects.filter(pk=wire.pk).update(
        evidence_url="https://example.org/mcp-log", private_note="redo after the spec change"
    )
    Milestone.objects.filter(pk=tool.pk).update(evidence_url="https://example.org/tools")
    Milestone.objects.filter(pk=get(key="obs-tracing").pk).update(private_note="Jaeger first")
    post = Post.objects.create(
        author=learner,
        roadmap=roadmap,
        title="RAG over my notes",
        slug="rag-over-my-notes",
        body="What moved recall@5.",
        status=Post.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    post.milestones.set([rag])
    post.topics.set([roadmap.topics.get(key="rag-pipeline")])
    touched = [rag, wire, tool, cot, mcp_post, get(key="obs-tracing")]
    before = {m.key: progress(m) for m in touched}
    events_before = ProgressEvent.objects.filter(roadmap=roadmap).count()

    plan = plan_update(v2, roadmap)
    assert (plan.removed, plan.kept) == ([], [])
    assert {c.key for c in plan.added if c.kind == "milestone"} == NEW_MILESTONES
    assert {c.key for c in plan.added if c.kind == "topic"} == NEW_TOPICS
    assert {c.key for c in plan.moved if c.kind == "topic"} >= {
        "tool-calling",
        "latency-cost",
        "observability",
    }
    assert {"rag-service", "mcp-wire-log"} <= {c.key for c in plan.renamed}
    assert {"prm-cot", "mcp-post"} <= {c.key for c in plan.reweighed}

    report = load_curriculum(v2, owner=learner, roadmap=roadmap)

    assert (report.added, report.removed, report.kept) == (len(NEW_MILESTONES), 0, [])
    assert {m.key: progress(m) for m in touched} == before
    assert before["rag-service"][:3] == (Status.DONE, day[0], day[1])
    assert before["rag-service"][6] == ["rag-over-my-notes"]
    assert ProgressEvent.objects.filter(roadmap=roadmap).count() == events_before == 6
    assert list(post.topics.values_list("key", flat=True)) == ["rag-pipeline"]
    roadmap.refresh_from_db()
    assert roadmap.curriculum_version == 2
    assert roadmap.milestones.count() == len(v2.milestones)
    rag.refresh_from_db()
    assert "0.80" in rag.title and rag.estimated_hours == Decimal("4.5")
    assert roadmap.topics.get(key="tool-calling").stage.key == "llm-apis"
    assert get(key="mcp-post").optional and get(key="prm-cot").optional
