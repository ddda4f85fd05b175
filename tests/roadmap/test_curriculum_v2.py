"""Version 2 of the shipped ML fundamentals curriculum, and the update a version 1 learner gets.

tests/data/ml-fundamentals-v1.yaml and ml-fundamentals-v2.yaml are exact copies of the file as
it shipped in versions 1 and 2, so the upgrade below is the one a learner who started on
version 1 reviewed and applied. What version 2 brought to the file is checked on the file as
it ships now: later versions keep it.
"""

import re
from collections import Counter
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from journal.models import Post
from roadmap.curriculum import Action, load_curriculum, plan_update, read_curriculum
from roadmap.models import Milestone, Status
from roadmap.services import milestone_set_status

ROOT = Path(__file__).resolve().parents[2]
V1_FILE = ROOT / "tests" / "data" / "ml-fundamentals-v1.yaml"
V2_FILE = ROOT / "tests" / "data" / "ml-fundamentals-v2.yaml"
SHIPPED_FILE = ROOT / "curricula" / "ml-fundamentals.yaml"

# Milestones version 2 drops: redundancies, and stretch goals covered elsewhere in the path.
REMOVED = {
    "calc-chain-rule-post",  # three backprop posts became one (bp-batchnorm-post)
    "mg-backprop-post",
    "vec-brute-force",  # exact embedding search is built once, in embed-semantic-search
    "lin-softmax-regression",  # the softmax classifier of CS231n assignment 1
    "nbsvm-pegasos",
    "clus-colour-quantisation",
    "tab-kaggle-submission",
    "vec-hybrid",
}

# Milestones that change topic, with the topic they move to.
MOVED = {
    "dist-ddp": "data-gpus-mixed-precision",
    "rlog-dropout": "activations-init-batchnorm",
    "rlog-adam": "optimisers-schedules",
    "mlpipe-dedup": "pretraining-data",
    "pref-grpo": "reasoning-rl",
    "pref-post": "reasoning-rl",
}

# v1 milestones whose evidence was the learner's word that they had done the work.
ONCE_SELF_ATTESTED = [
    "la-1806-problem-sets",
    "lin-cs229-part1",
    "tl-fastai-lessons",
    "hf-course",
    "prompt-tutorial",
]

# Addresses the review flagged: old documentation domains and paths, renamed organisations,
# year-pinned course pages, an old OWASP page and a mirror of a paper linked elsewhere.
FLAGGED_LINKS = [
    "platform.openai.com",
    "docs.anthropic.com",
    "github.com/pytorch-labs/",
    "cs231n.github.io/assignments20",
    "fullstackdeeplearning.com/course/20",
    "genai.owasp.org/llm-top-10",
    "web.stanford.edu/class/ee384m",
]

# Subjects version 2 adds, as patterns over the whole file's text (lower case).
NEW_SUBJECTS = [
    r"\brope\b",
    r"rmsnorm",
    r"pre-norm",
    r"swiglu",
    r"grouped-query",
    r"mixture.of.experts",
    r"long context",
    r"llama-style checkpoint",
    r"induction head",
    r"sparse autoencoder",
    r"transformerlens",
    r"policy.gradient",
    r"advantage",
    r"\bppo\b",
    r"clipped objective",
    r"\bdpo\b",
    r"constitutional ai",
    r"claude's constitution",
    r"deepseek-r1",
    r"verifiable reward",
    r"deduplicat",
    r"quality (filter|classifier)",
    r"data.mixture",
    r"\bbert\b",
    r"\bvit\b",
    r"\bclip\b",
    r"model context protocol",
    r"2026-07-28",
    r"oauth",
    r"malicious server",
]

# Resources version 2 adds that the review asked for by name, by address.
NEW_LINKS = [
    "https://www.youtube.com/watch?v=t3YJ5hKiMQ0",  # makemore part 5
    "https://www.youtube.com/watch?v=7xTGNNLPyMI",  # Deep Dive into LLMs like ChatGPT
    "https://web.stanford.edu/class/cs224n/",
    "https://github.com/mlabonne/llm-course",
    "https://www.oreilly.com/library/view/ai-engineering/9781098166298/",
    "https://arxiv.org/abs/2204.05862",  # Anthropic's RLHF paper
    "https://www.anthropic.com/constitution",
    "https://arxiv.org/abs/2501.12948",  # DeepSeek-R1
    "https://transformer-circuits.pub/2022/in-context-learning-and-induction-heads/index.html",
    "https://github.com/TransformerLensOrg/TransformerLens",
]

# A sentence of MCP text that names the handshake or sessions must say they are gone.
LEGACY_MCP = re.compile(r"initiali[sz]e|session", re.IGNORECASE)
GONE = re.compile(
    r"\b(no|removed|older|legacy|replaced|without)\b|before 2026-07-28", re.IGNORECASE
)

# A number to hit: a percentage, a bound on a number, or a tolerance such as 1e-4.
TARGET = re.compile(
    r"\d[\d.,]*\s?%"
    r"|\b(within|below|above|under|at least|about|beat|than|between|against|target)\b"
    r"[^.;]{0,25}?\d"
    r"|\d[\d.,]*\s(or more|or lower|or better)\b"
    r"|\b1e-\d",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def v1():
    return read_curriculum(V1_FILE)


@pytest.fixture(scope="module")
def v2():
    return read_curriculum(V2_FILE)


@pytest.fixture(scope="module")
def shipped():
    return read_curriculum(SHIPPED_FILE)


def topic_of(spec):
    return {m.key: t.key for t in spec.topics for m in t.milestones}


def stage_of(spec):
    return {t.key: n for n, stage in enumerate(spec.stages) for t in stage.topics}


def milestone_text(milestone) -> str:
    return f"{milestone.title} {milestone.evidence} {milestone.description}"


def all_text(spec) -> str:
    parts = [spec.summary]
    for stage in spec.stages:
        parts += [stage.title, stage.summary]
        for topic in stage.topics:
            parts += [topic.title, topic.summary]
            parts += [f"{r.title} {r.url}" for r in topic.resources]
            parts += [milestone_text(m) for m in topic.milestones]
    return " ".join(parts).lower()


# --- the file ---------------------------------------------------------------------------


def test_the_v1_copy_is_the_file_as_it_shipped(v1):
    assert (v1.key, v1.version) == ("ml-fundamentals", 1)
    assert (len(v1.stages), len(v1.topics), len(v1.milestones)) == (10, 54, 176)


def test_the_v2_copy_is_the_file_as_it_shipped(v2):
    assert (v2.key, v2.version) == ("ml-fundamentals", 2)
    assert (len(v2.stages), len(v2.topics), len(v2.milestones)) == (10, 62, 192)
    assert "(curriculum version 2)" in V2_FILE.read_text(encoding="utf-8").splitlines()[1]
    assert not [m.key for m in v2.milestones if m.target]


def test_the_shipped_file_parses_with_the_size_and_shape_the_brief_asks_for(shipped):
    assert shipped.key == "ml-fundamentals"
    assert shipped.version >= 2
    assert len(shipped.stages) >= 9
    assert len(shipped.topics) >= 40
    assert len(shipped.milestones) >= 150
    assert 450 <= shipped.total_hours <= 700
    assert sum(m.hours for m in shipped.milestones if not m.optional) <= 650
    for topic in shipped.topics:
        assert 2 <= len(topic.resources) <= 8, topic.key
        assert topic.milestones, topic.key
        for milestone in topic.milestones:
            assert milestone.kind in {"learn", "build", "reproduce", "write"}, milestone.key
            assert milestone.hours > 0, milestone.key
            assert milestone.evidence.strip(), milestone.key


def test_the_header_states_the_version_and_the_hours(shipped):
    text = SHIPPED_FILE.read_text(encoding="utf-8")
    assert f"(curriculum version {shipped.version})" in text.splitlines()[1]
    required = sum(m.hours for m in shipped.milestones if not m.optional)
    assert f"about {round(required / 5) * 5} estimated hours" in text


def test_the_prerequisite_graph_has_no_cycle(shipped):
    """Kahn's algorithm, apart from the loader's own check: every topic can be ordered."""
    needs = {t.key: set(t.prerequisites) for t in shipped.topics}
    assert all(p in needs for deps in needs.values() for p in deps)
    done: set[str] = set()
    while len(done) < len(needs):
        ready = {key for key, deps in needs.items() if key not in done and deps <= done}
        assert ready, f"a cycle among {sorted(set(needs) - done)}"
        done |= ready


def test_items_that_stay_keep_their_keys(v1, shipped):
    assert {s.key for s in v1.stages} <= {s.key for s in shipped.stages}
    assert {t.key for t in v1.topics} <= {t.key for t in shipped.topics}
    shipped_keys = {m.key for m in shipped.milestones}
    assert {m.key for m in v1.milestones} - shipped_keys == REMOVED
    counts = Counter(m.key for m in shipped.milestones)
    assert not [key for key, n in counts.items() if n > 1]


def test_moved_milestones_sit_beside_their_lessons(shipped):
    where = topic_of(shipped)
    for key, topic in MOVED.items():
        assert where[key] == topic, key


def test_the_order_a_learner_meets_things_in(shipped):
    stage, order = stage_of(shipped), {t.key: n for n, t in enumerate(shipped.topics)}
    topics = {t.key: t for t in shipped.topics}
    # DDP is taught in practical deep learning, before the GPT-2 run that uses it.
    assert order["data-gpus-mixed-precision"] < order["repro-gpt2"]
    assert "data-gpus-mixed-precision" in topics["repro-gpt2"].prerequisites
    # RL basics before preference optimisation; guardrails before the coding agent.
    assert "rl-basics" in topics["preference-optimisation"].prerequisites
    assert order["rl-basics"] < order["preference-optimisation"]
    assert order["guardrails"] < order["coding-agents"]
    assert "guardrails" in topics["coding-agents"].prerequisites
    # Research practice runs alongside everything from stage 3: it needs nothing later.
    for topic in shipped.stages[-1].topics:
        for prerequisite in topic.prerequisites:
            assert stage[prerequisite] in {0, len(shipped.stages) - 1}, (topic.key, prerequisite)


@pytest.mark.parametrize("subject", NEW_SUBJECTS)
def test_the_new_subjects_are_taught(shipped, subject):
    assert re.search(subject, all_text(shipped)), subject


def test_the_resources_the_review_named_are_linked(shipped):
    urls = {r.url for t in shipped.topics for r in t.resources}
    assert set(NEW_LINKS) <= urls, set(NEW_LINKS) - urls


def test_every_reproduction_names_a_number_to_hit(shipped):
    for milestone in shipped.milestones:
        if milestone.kind != "reproduce":
            continue
        target = f"{milestone.evidence} {milestone.description}"
        # "3 seeds" is how a number is measured, not the number to hit.
        target = re.sub(r"\b\d+ seeds?\b", "", target)
        assert TARGET.search(target), milestone.key


def test_milestones_once_taken_on_trust_now_have_a_check(shipped):
    milestones = {m.key: m for m in shipped.milestones}
    for key in ONCE_SELF_ATTESTED:
        assert TARGET.search(milestones[key].evidence), key


def test_the_new_topics_have_checkable_results(shipped):
    milestones = {m.key: m for m in shipped.milestones}
    assert "1e-4" in milestones["modarch-llama-logits"].title
    assert "475" in milestones["rl-ppo-clip"].evidence
    assert "1e-5" in milestones["pref-dpo"].evidence
    for key in ["interp-induction-heads", "interp-sae", "cai-loop", "ptdata-mixture-ablation"]:
        assert TARGET.search(milestones[key].evidence), key


def test_mcp_is_taught_at_its_current_revision(shipped):
    mcp = next(t for t in shipped.topics if t.key == "mcp")
    assert "2026-07-28" in mcp.summary
    for resource in mcp.resources:
        if "modelcontextprotocol.io" in resource.url:
            assert "/specification/2026-07-28" in resource.url, resource.url
    keys = {m.key for m in mcp.milestones}
    assert {"mcp-auth", "mcp-malicious-server"} <= keys
    assert re.search(r"authori[sz]ation", mcp.summary, re.I)


def test_no_mcp_text_presents_the_handshake_or_sessions_as_current(shipped):
    texts = []
    for topic in shipped.topics:
        milestones = [m for m in topic.milestones if "MCP" in m.title or topic.key == "mcp"]
        if topic.key == "mcp":
            texts += [topic.summary, *[r.title for r in topic.resources]]
        texts += [field for m in milestones for field in (m.title, m.evidence, m.description)]
    sentences = [s for text in texts for s in re.split(r"(?<=[.;])\s+", text)]
    for sentence in sentences:
        if LEGACY_MCP.search(sentence):
            assert GONE.search(sentence), sentence


def test_flagged_links_are_replaced(shipped):
    urls = [r.url for t in shipped.topics for r in t.resources]
    for url in urls:
        for flagged in FLAGGED_LINKS:
            assert flagged not in url, url
        parts = urlsplit(url)
        # PyTorch tutorials live on docs.pytorch.org now.
        assert not (parts.netloc == "pytorch.org" and parts.path.startswith("/tutorials")), url
    titles = " ".join(r.title for t in shipped.topics for r in t.resources)
    assert "visually explained" not in titles  # the 3Blue1Brown video's old title


def test_no_topic_links_the_same_address_twice(shipped):
    for topic in shipped.topics:
        urls = [r.url for r in topic.resources]
        assert len(urls) == len(set(urls)), topic.key


# --- the upgrade ------------------------------------------------------------------------

# A spread of statuses, each reached through the event log as a learner would.
PATHS = [
    [Status.IN_PROGRESS],
    [Status.IN_PROGRESS, Status.DONE],
    [Status.SKIPPED],
    [Status.IN_PROGRESS, Status.DONE, Status.IN_PROGRESS],
]


def give_progress(roadmap, keys) -> list:
    """Set statuses, evidence links, notes and posts on the milestones with `keys`."""
    milestones = {m.key: m for m in roadmap.milestones.filter(key__in=keys)}
    now = timezone.now()
    for n, key in enumerate(sorted(keys)):
        milestone = milestones[key]
        for step, status in enumerate(PATHS[n % len(PATHS)]):
            at = now - timedelta(days=200 - n, hours=step)
            milestone_set_status(milestone=milestone, status=status, at=at)
        if n % 2 == 0:
            milestone.evidence_url = f"https://github.com/ada/learning/tree/main/{key}"
        if n % 3 == 0:
            milestone.private_note = f"Where I left {key}: re-run with a second seed."
        milestone.save(update_fields=["evidence_url", "private_note"])
    posts = []
    for n, chunk in enumerate([sorted(keys)[i::5] for i in range(3)]):
        post = Post.objects.create(
            author=roadmap.owner,
            roadmap=roadmap,
            title=f"Week {n + 1} of the path",
            slug=f"week-{n + 1}-of-the-path",
            body="What I did, and the numbers.",
            status=Post.Status.PUBLISHED,
            published_at=now - timedelta(days=10 - n),
        )
        post.milestones.set([milestones[key] for key in chunk])
        post.topics.set(roadmap.topics.filter(key__in=["preference-optimisation", "mcp"]))
        posts.append(post)
    return posts


def progress_of(milestone: Milestone) -> dict:
    return {
        "pk": milestone.pk,
        "status": milestone.status,
        "started_at": milestone.started_at,
        "completed_at": milestone.completed_at,
        "evidence_url": milestone.evidence_url,
        "private_note": milestone.private_note,
        "events": [(e.from_status, e.to_status, e.at) for e in milestone.events.order_by("pk")],
        "posts": sorted(milestone.posts.values_list("pk", flat=True)),
    }


@pytest.fixture
def v1_roadmap(v1, learner):
    return load_curriculum(v1, owner=learner).roadmap


@pytest.mark.django_db
def test_upgrading_a_v1_roadmap_loses_nothing(v1, v2, v1_roadmap):
    keys = {m.key for m in v1.milestones[::3]} | REMOVED | set(MOVED)
    posts = give_progress(v1_roadmap, keys)
    before = {m.key: progress_of(m) for m in v1_roadmap.milestones.filter(key__in=keys)}
    topic_posts = {p.pk: sorted(p.topics.values_list("key", flat=True)) for p in posts}

    plan = plan_update(v2, v1_roadmap)
    kept = {step.key for step in plan.milestones if step.action is Action.KEEP}
    assert kept == REMOVED, "a milestone with progress is kept, never removed"
    assert not [step.key for step in plan.milestones if step.action is Action.REMOVE]
    assert set(MOVED) <= {change.key for change in plan.moved if change.kind == "milestone"}

    load_curriculum(v2, owner=v1_roadmap.owner, roadmap=v1_roadmap)

    v1_roadmap.refresh_from_db()
    assert (v1_roadmap.curriculum_key, v1_roadmap.curriculum_version) == ("ml-fundamentals", 2)
    after = {m.key: progress_of(m) for m in v1_roadmap.milestones.filter(key__in=keys)}
    assert after == before
    for post in posts:
        assert sorted(post.topics.values_list("key", flat=True)) == topic_posts[post.pk]
    rows = {m.key: m for m in v1_roadmap.milestones.select_related("topic")}
    assert set(rows) == {m.key for m in v2.milestones} | REMOVED
    for key, topic in MOVED.items():
        assert rows[key].topic.key == topic, key
    for milestone in v2.milestones:
        assert rows[milestone.key].title == milestone.title


@pytest.mark.django_db
def test_upgrading_an_untouched_v1_roadmap_drops_what_v2_removed(v2, v1_roadmap):
    load_curriculum(v2, owner=v1_roadmap.owner, roadmap=v1_roadmap)
    keys = set(v1_roadmap.milestones.values_list("key", flat=True))
    assert keys == {m.key for m in v2.milestones}
    assert set(v1_roadmap.topics.values_list("key", flat=True)) == {t.key for t in v2.topics}
    assert v1_roadmap.milestones.exclude(status=Status.NOT_STARTED).count() == 0


@pytest.mark.django_db
def test_a_learner_updates_to_v2_through_the_review_page_with_progress_kept(
    v1, v1_roadmap, learner, client, settings, tmp_path
):
    """A curricula folder holding v2 offers it to a v1 roadmap; the review is applied as shown."""
    (tmp_path / "ml-fundamentals.yaml").write_bytes(V2_FILE.read_bytes())
    settings.CURRICULA_DIR = tmp_path
    keys = {m.key for m in v1.milestones[::7]}
    give_progress(v1_roadmap, keys)
    before = {m.key: progress_of(m) for m in v1_roadmap.milestones.filter(key__in=keys)}
    client.force_login(learner)

    roadmap_page = client.get(v1_roadmap.get_absolute_url()).content.decode()
    assert "Version 2 of" in roadmap_page
    url = f"/roadmaps/{v1_roadmap.slug}/update/"
    review = client.get(url).content.decode()
    assert "Apply version 2" in review
    fingerprint = re.search(r'name="plan" value="([0-9a-f]+)"', review)[1]
    response = client.post(url, {"plan": fingerprint})

    assert response.status_code == 302
    v1_roadmap.refresh_from_db()
    assert v1_roadmap.curriculum_version == 2
    after = {m.key: progress_of(m) for m in v1_roadmap.milestones.filter(key__in=keys)}
    assert after == before
