import textwrap

import pytest
from django.core.management import CommandError, call_command

from roadmap.curriculum import CurriculumError, load_curriculum, parse_curriculum
from roadmap.models import Milestone, ProgressEvent, Roadmap, Stage, Status, Topic
from roadmap.services import milestone_set_status
from tests.conftest import SMALL_CURRICULUM

VALID = """
key: tiny
title: Tiny
version: 1
stages:
  - key: one
    title: One
    topics:
      - key: alpha
        title: Alpha
        resources:
          - {type: docs, title: Docs, url: "https://example.org/docs"}
        milestones:
          - {key: a1, title: Do a1, kind: learn, hours: 1, evidence: a note}
      - key: beta
        title: Beta
        prerequisites: [alpha]
        milestones:
          - {key: b1, title: Do b1, kind: build, hours: 2.5, evidence: a repo}
"""


def errors_of(text: str) -> list[str]:
    with pytest.raises(CurriculumError) as caught:
        parse_curriculum(textwrap.dedent(text), source="bad.yaml")
    return caught.value.errors


def test_valid_file_parses_into_stages_topics_and_milestones():
    spec = parse_curriculum(VALID)
    assert [t.key for t in spec.topics] == ["alpha", "beta"]
    assert [m.key for m in spec.milestones] == ["a1", "b1"]
    assert spec.total_hours == 3.5
    assert spec.topics[1].prerequisites == ["alpha"]


def test_unknown_field_is_named_with_its_place_and_line():
    errors = errors_of(VALID.replace("hours: 2.5,", "hour: 2.5,"))
    assert any("milestone 'b1'" in e and "unknown field 'hour'" in e for e in errors)
    assert any("missing required field 'hours'" in e for e in errors)
    assert all(e.startswith("bad.yaml:") for e in errors)
    line = next(n for n, text in enumerate(VALID.splitlines(), 1) if "key: b1" in text)
    assert any(e.startswith(f"bad.yaml:{line}:") for e in errors)


def test_missing_fields_are_all_reported_at_once():
    errors = errors_of("""
        key: tiny
        stages:
          - key: one
            topics:
              - key: alpha
                milestones:
                  - {key: a1, kind: learn}
    """)
    text = "\n".join(errors)
    assert "curriculum: missing required field 'title'" in text
    assert "curriculum: missing required field 'version'" in text
    assert "stage 'one': missing required field 'title'" in text
    assert "topic 'alpha': missing required field 'title'" in text
    assert "milestone 'a1': missing required field 'hours'" in text
    assert "milestone 'a1': missing required field 'evidence'" in text


def test_duplicate_keys_are_refused():
    errors = errors_of(VALID.replace("key: b1", "key: a1").replace("key: beta", "key: alpha"))
    assert any("duplicate key 'alpha'" in e for e in errors)
    assert any("duplicate key 'a1'" in e for e in errors)


def test_unknown_prerequisite_is_refused():
    errors = errors_of(VALID.replace("prerequisites: [alpha]", "prerequisites: [gamma]"))
    assert any("topic 'beta'" in e and "unknown prerequisite 'gamma'" in e for e in errors)


def test_prerequisite_cycle_is_refused_with_its_path():
    text = VALID.replace(
        "        resources:\n", "        prerequisites: [beta]\n        resources:\n", 1
    )
    errors = errors_of(text)
    assert any("prerequisites form a cycle" in e and "alpha" in e and "beta" in e for e in errors)


def test_negative_hours_and_bad_kind_are_refused():
    errors = errors_of(
        VALID.replace("hours: 1,", "hours: -1,").replace("kind: build", "kind: read")
    )
    assert any("milestone 'a1'" in e and "hours must be 0 or more" in e for e in errors)
    assert any("kind 'read' is not one of" in e for e in errors)


def test_bad_url_and_resource_type_are_refused():
    errors = errors_of(
        VALID.replace('"https://example.org/docs"', '"javascript:alert(1)"').replace(
            "type: docs", "type: podcast"
        )
    )
    assert any(
        "url 'javascript:alert(1)' is not an absolute http or https address" in e for e in errors
    )
    assert any("type 'podcast' is not one of" in e for e in errors)


def test_keys_must_be_slug_like():
    errors = errors_of(VALID.replace("key: a1", "key: A 1"))
    assert any("key 'A 1' must be lowercase letters" in e for e in errors)


def test_broken_yaml_reports_its_line():
    errors = errors_of("key: tiny\nstages: [\n  - oops: : :\n")
    assert len(errors) == 1
    assert errors[0].startswith("bad.yaml:")
    assert "not valid YAML" in errors[0]


def test_a_file_that_is_not_a_mapping_is_refused():
    assert "expected a mapping" in errors_of("- just\n- a list\n")[0]


@pytest.mark.django_db
def test_loading_creates_the_whole_roadmap(learner):
    report = load_curriculum(parse_curriculum(VALID), owner=learner)
    roadmap = report.roadmap
    assert report.created
    assert (roadmap.slug, roadmap.curriculum_key, roadmap.curriculum_version) == ("tiny", "tiny", 1)
    assert list(roadmap.topics.values_list("slug", flat=True)) == ["alpha", "beta"]
    beta = roadmap.topics.get(key="beta")
    assert list(beta.prerequisites.values_list("key", flat=True)) == ["alpha"]
    assert roadmap.milestones.get(key="b1").estimated_hours == 2.5


@pytest.mark.django_db
def test_reload_keeps_progress_and_follows_the_file(learner):
    roadmap = load_curriculum(parse_curriculum(VALID), owner=learner).roadmap
    a1 = roadmap.milestones.get(key="a1")
    milestone_set_status(milestone=a1, status=Status.DONE)
    Milestone.objects.filter(pk=a1.pk).update(
        evidence_url="https://example.org/nb", private_note="next: plots"
    )
    v2 = (
        VALID.replace("version: 1", "version: 2")
        .replace("title: Do a1", "title: Do a1 again")
        .replace(
            "          - {key: b1",
            "          - {key: b2, title: New, kind: write, hours: 1, "
            "evidence: post}\n          - {key: b1",
        )
    )
    report = load_curriculum(parse_curriculum(v2), owner=learner, roadmap=roadmap)
    a1.refresh_from_db()
    assert a1.title == "Do a1 again"
    assert (a1.status, a1.evidence_url, a1.private_note) == (
        "done",
        "https://example.org/nb",
        "next: plots",
    )
    assert a1.completed_at is not None
    assert ProgressEvent.objects.filter(milestone=a1).count() == 1
    assert report.added == 1
    assert list(Milestone.objects.filter(topic__key="beta").values_list("key", flat=True)) == [
        "b2",
        "b1",
    ]
    roadmap.refresh_from_db()
    assert roadmap.curriculum_version == 2


@pytest.mark.django_db
def test_reload_deletes_untouched_items_but_keeps_those_with_progress(learner):
    roadmap = load_curriculum(parse_curriculum(VALID), owner=learner).roadmap
    milestone_set_status(milestone=roadmap.milestones.get(key="a1"), status=Status.IN_PROGRESS)
    only_beta = VALID.replace(
        """      - key: alpha
        title: Alpha
        resources:
          - {type: docs, title: Docs, url: "https://example.org/docs"}
        milestones:
          - {key: a1, title: Do a1, kind: learn, hours: 1, evidence: a note}
""",
        "",
    ).replace("prerequisites: [alpha]", "prerequisites: []")
    v2 = only_beta.replace(
        "{key: b1, title: Do b1, kind: build, hours: 2.5, evidence: a repo}",
        "{key: b9, title: Do b9, kind: build, hours: 2, evidence: a repo}",
    )
    report = load_curriculum(parse_curriculum(v2), owner=learner, roadmap=roadmap)
    assert [m.key for m in report.kept] == ["a1"]
    assert report.removed == 1
    assert set(roadmap.milestones.values_list("key", flat=True)) == {"a1", "b9"}
    assert Topic.objects.filter(roadmap=roadmap, key="alpha").exists()


@pytest.mark.django_db
def test_command_loads_then_updates_the_same_roadmap(learner, capsys):
    call_command("load_curriculum", str(SMALL_CURRICULUM), owner="ada")
    roadmap = Roadmap.objects.get()
    assert roadmap.milestones.count() == 10
    milestone_set_status(milestone=roadmap.milestones.get(key="micrograd"), status=Status.DONE)
    call_command("load_curriculum", str(SMALL_CURRICULUM), owner="ada")
    assert Roadmap.objects.count() == 1
    assert roadmap.milestones.get(key="micrograd").status == Status.DONE
    assert "Updated roadmap 'test-path'" in capsys.readouterr().out


@pytest.mark.django_db
def test_command_refuses_a_bad_file_and_changes_nothing(learner, tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(VALID.replace("hours: 1,", "hours: -1,").replace("[alpha]", "[nope]"))
    with pytest.raises(CommandError, match="2 error"):
        call_command("load_curriculum", str(bad), owner="ada")
    err = capsys.readouterr().err
    assert "hours must be 0 or more" in err
    assert "unknown prerequisite 'nope'" in err
    assert not Roadmap.objects.exists()
    assert not Stage.objects.exists()


@pytest.mark.django_db
def test_command_reports_a_milestone_kept_for_its_progress(learner, tmp_path, capsys):
    call_command("load_curriculum", str(SMALL_CURRICULUM), owner="ada")
    roadmap = Roadmap.objects.get()
    milestone_set_status(milestone=roadmap.milestones.get(key="review"), status=Status.DONE)
    smaller = tmp_path / "v2.yaml"
    text = SMALL_CURRICULUM.read_text()
    smaller.write_text(text[: text.index("          - key: review")])
    call_command("load_curriculum", str(smaller), owner="ada")
    assert "Kept milestone 'review'" in capsys.readouterr().out
    assert roadmap.milestones.filter(key="review").exists()


@pytest.mark.django_db
def test_command_with_unknown_owner_says_how_to_fix(tmp_path):
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        call_command("load_curriculum", str(SMALL_CURRICULUM), owner="nobody")


@pytest.mark.django_db
def test_command_will_not_touch_another_users_roadmap(learner, other_learner):
    call_command("load_curriculum", str(SMALL_CURRICULUM), owner="ada", roadmap="shared")
    with pytest.raises(CommandError, match="belongs to another user"):
        call_command("load_curriculum", str(SMALL_CURRICULUM), owner="grace", roadmap="shared")
