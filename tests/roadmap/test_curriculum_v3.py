"""Version 3 of the shipped ML fundamentals curriculum: version 2 with reproduction targets.

tests/data/ml-fundamentals-v2.yaml is an exact copy of the file as it shipped in version 2,
so the update below is the one a learner who started on version 2 reviews and applies.
"""

import re
from dataclasses import asdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from django.utils.html import escape

from roadmap.curriculum import load_curriculum, read_curriculum
from roadmap.models import ProgressEvent, Result, StudySession
from roadmap.services import session_add, timer_start, timer_stop
from roadmap.targets import Direction
from tests.roadmap.test_curriculum_v2 import TARGET, give_progress, progress_of

ROOT = Path(__file__).resolve().parents[2]
V2_FILE = ROOT / "tests" / "data" / "ml-fundamentals-v2.yaml"
V3_FILE = ROOT / "curricula" / "ml-fundamentals.yaml"

# Reproductions whose text states numbers but no one number to hit: each compares runs with
# each other, or with a number that depends on what the learner chooses.
COMPARISONS = {
    "gen-double-descent": "where the error peaks, against where the features equal the points",
    "resnet-degradation": "plain nets against residual ones, at two depths",
    "tfm-ablation": "each variant's difference from the base, against the paper's",
    "llmeval-harness-repro": "the model card of whichever open model the learner picks",
}

# A number as the curriculum writes one: 5,000; 97.5; 1e-2.
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?(?:e-\d+)?", re.IGNORECASE)

# Results the learner records on v2, before any target: (milestone, value).
RESULTS = [
    ("makemore-mlp-bengio", "2.31"),
    ("makemore-mlp-bengio", "2.14"),
    ("rlog-lora", "93.5"),
    ("tfm-multi30k", "31.2"),
    ("llmeval-harness-repro", "61.4"),
]


@pytest.fixture(scope="module")
def v2():
    return read_curriculum(V2_FILE)


@pytest.fixture(scope="module")
def v3():
    return read_curriculum(V3_FILE)


def without_targets(spec) -> dict:
    """The spec as plain data, less its version, its file name and every target."""
    data = asdict(spec)
    del data["version"], data["source"]
    for stage in data["stages"]:
        for topic in stage["topics"]:
            for milestone in topic["milestones"]:
                del milestone["target"]
    return data


def stated_text(milestone) -> str:
    # "3 seeds" is how a number is measured, not the number to hit.
    return re.sub(r"\b\d+ seeds?\b", "", f"{milestone.title} {milestone.evidence}")


def stated_numbers(milestone) -> set[Decimal]:
    return {Decimal(n.replace(",", "")) for n in NUMBER.findall(stated_text(milestone))}


def readings(target) -> set[Decimal]:
    """The ways a text can state a target: its value or the bounds its tolerance gives, and
    for a percentage the error rate of an accuracy (or the other way round)."""
    values = {target.value, target.value - target.tolerance, target.value + target.tolerance}
    if "%" in target.metric:
        values |= {100 - value for value in values}
    return values


# --- the file ---------------------------------------------------------------------------


def test_v3_is_v2_with_targets_and_nothing_else(v2, v3):
    assert (v2.key, v2.version, v3.key, v3.version) == ("ml-fundamentals", 2, "ml-fundamentals", 3)
    assert "(curriculum version 3)" in V3_FILE.read_text(encoding="utf-8").splitlines()[1]
    assert without_targets(v3) == without_targets(v2)
    assert not [m.key for m in v2.milestones if m.target]
    assert len([m for m in v3.milestones if m.target]) == 15


def test_every_reproduction_that_states_its_number_carries_it_as_a_target(v3):
    reproductions = [m for m in v3.milestones if m.kind == "reproduce"]
    assert COMPARISONS.keys() <= {m.key for m in reproductions}
    for milestone in reproductions:
        assert TARGET.search(stated_text(milestone)), milestone.key
        if milestone.key in COMPARISONS:
            assert milestone.target is None, f"{milestone.key} has a target: not a comparison"
        else:
            assert milestone.target is not None, milestone.key


def test_each_target_is_whole_and_is_the_number_its_text_states(v3):
    for milestone in [m for m in v3.milestones if m.target]:
        target = milestone.target
        assert milestone.kind == "reproduce", milestone.key
        assert target.metric.strip(), milestone.key
        assert target.direction in Direction.values, milestone.key
        assert target.tolerance >= 0, milestone.key
        assert readings(target) & stated_numbers(milestone), (milestone.key, str(target))


# --- the update -------------------------------------------------------------------------


def record_results(client, roadmap) -> list[str]:
    """Record RESULTS through the milestone pages' form; the messages the learner reads."""
    said = []
    for n, (key, value) in enumerate(RESULTS):
        milestone = roadmap.milestones.get(key=key)
        response = client.post(
            f"{milestone.get_absolute_url()}results/",
            {
                "result-value": value,
                "result-measured_on": (date(2026, 9, 1) + timedelta(days=n)).isoformat(),
                "result-evidence_url": f"https://github.com/ada/learning/commit/{n + 1:07x}",
                "result-note": "Seed 0.",
            },
            follow=True,
        )
        assert response.status_code == 200
        said.append(re.search(r"Recorded [^<]*", response.content.decode())[0])
    return said


def log_time(roadmap) -> None:
    now = timezone.now()
    for n, key in enumerate(["makemore-mlp-bengio", "rlog-lora", "tfm-multi30k"]):
        milestone = roadmap.milestones.get(key=key)
        session_add(milestone=milestone, day=now.date() - timedelta(days=n + 1), minutes=45)
    milestone = roadmap.milestones.get(key="rlog-lora")
    timer_start(milestone=milestone, at=now - timedelta(hours=2))
    timer_stop(learner=roadmap.owner, at=now - timedelta(minutes=30))


def lab_notebook(roadmap) -> dict:
    """The roadmap's results and study time, each row as it is stored."""
    return {
        "results": list(
            Result.objects.filter(milestone__roadmap=roadmap)
            .order_by("pk")
            .values_list("pk", "milestone__key", "value", "measured_on", "evidence_url", "note")
        ),
        "sessions": list(
            StudySession.objects.filter(roadmap=roadmap)
            .order_by("pk")
            .values_list("pk", "milestone__key", "started_at", "ended_at", "minutes", "by_hand")
        ),
        "events": ProgressEvent.objects.filter(roadmap=roadmap).count(),
    }


def byline(page: str) -> str:
    return re.search(r"\d+ reproductions?: [^·]*", page)[0].strip()


@pytest.fixture
def v2_roadmap(v2, learner):
    return load_curriculum(v2, owner=learner).roadmap


@pytest.mark.django_db
def test_a_learner_on_v2_updates_to_v3_through_the_review_page_and_loses_nothing(
    v2, v3, v2_roadmap, learner, client, settings
):
    """The shipped curricula folder offers v3 to a v2 roadmap: the review lists the targets
    it adds, and applying it sets them and keeps every status, event, result and session."""
    settings.CURRICULA_DIR = V3_FILE.parent
    targeted = {m.key: m for m in v3.milestones if m.target}
    keys = set(targeted) | {m.key for m in v2.milestones[::11]}
    give_progress(v2_roadmap, keys)
    client.force_login(learner)
    said = record_results(client, v2_roadmap)
    log_time(v2_roadmap)
    assert said[1] == "Recorded 2.14: best 2.14, no target set."
    reproductions_url = f"/roadmaps/{v2_roadmap.slug}/reproductions/"
    assert byline(client.get(reproductions_url).content.decode()) == (
        "19 reproductions: 0 hit, 0 missed, 15 without a result yet"
    )
    before = {m.key: progress_of(m) for m in v2_roadmap.milestones.filter(key__in=keys)}
    notebook = lab_notebook(v2_roadmap)

    roadmap_page = client.get(v2_roadmap.get_absolute_url()).content.decode()
    assert f"Version 3 of “{escape(v3.title)}” is available." in roadmap_page
    url = f"/roadmaps/{v2_roadmap.slug}/update/"
    assert f'href="{url}">Review what would change</a>' in roadmap_page
    review = client.get(url).content.decode()
    assert "Apply version 3" in review
    assert "Target changed (15)" in review
    for milestone in targeted.values():
        change = escape(f"no target → {milestone.target}")
        assert f'{escape(milestone.title)} <span class="muted">({change})</span>' in review
    for heading in ["Added (", "Renamed (", "Moved (", "Hours or optional", "Removed (", "kept ("]:
        assert heading not in review, heading
    fingerprint = re.search(r'name="plan" value="([0-9a-f]+)"', review)[1]
    response = client.post(url, {"plan": fingerprint}, follow=True)

    assert response.redirect_chain == [(v2_roadmap.get_absolute_url(), 302)]
    page = response.content.decode()
    assert "Updated to version 3: changed the target of 15 milestones." in page
    assert "Review what would change" not in page
    v2_roadmap.refresh_from_db()
    assert v2_roadmap.curriculum_version == 3
    after = {m.key: progress_of(m) for m in v2_roadmap.milestones.filter(key__in=keys)}
    assert after == before
    assert lab_notebook(v2_roadmap) == notebook
    rows = {m.key: m for m in v2_roadmap.milestones.all()}
    assert {key: m.target for key, m in rows.items() if m.target} == {
        key: m.target for key, m in targeted.items()
    }
    assert byline(client.get(reproductions_url).content.decode()) == (
        "19 reproductions: 2 hit, 1 missed, 15 without a result yet"
    )
