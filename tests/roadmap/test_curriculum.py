import textwrap

import pytest
import yaml
from django.core.management import CommandError, call_command

from roadmap.curriculum import CurriculumError, parse_curriculum
from roadmap.curriculum.format import _LineLoader
from roadmap.models import Roadmap, Stage, Status
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


def test_error_in_a_block_mapping_names_the_line_the_mapping_starts_on():
    errors = errors_of(VALID.replace("        title: Beta\n", "        titel: Beta\n"))
    line = next(n for n, text in enumerate(VALID.splitlines(), 1) if "key: beta" in text)
    assert any(
        e.startswith(f"bad.yaml:{line}: stage 'one' > topic 'beta': unknown field 'titel'")
        for e in errors
    )


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="libyaml is not installed")
def test_curricula_are_parsed_with_libyaml_when_it_is_installed():
    # The shipped curricula parse about ten times faster with it; the catalogue reads them all.
    assert issubclass(_LineLoader, yaml.CSafeLoader)


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
    assert errors[0].startswith("bad.yaml:3: not valid YAML")


def test_a_file_that_is_not_a_mapping_is_refused():
    assert "expected a mapping" in errors_of("- just\n- a list\n")[0]


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
    assert (
        "Kept milestone 'review' (Write a quarterly review), gone from the file, because it has "
        "progress: marked “Done”, 1 status change." in capsys.readouterr().out
    )
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
