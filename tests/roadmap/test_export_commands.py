"""manage.py export_roadmap and import_roadmap, as an operator runs them."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from roadmap.models import Milestone, ProgressEvent, Roadmap
from roadmap.services import milestone_set_status

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def progressed(roadmap, milestone):
    milestone_set_status(milestone=milestone, status="done")
    Milestone.objects.filter(pk=milestone.pk).update(private_note="mine alone")
    return roadmap


def test_export_roadmap_prints_the_json_and_import_roadmap_brings_it_back(
    progressed, learner, tmp_path
):
    text = run("export_roadmap", "ada", "test-path")
    document = json.loads(text)
    assert document["roadmap"]["slug"] == "test-path" and len(document["events"]) == 1
    path = tmp_path / "roadmap.json"
    path.write_text(text)
    progressed.delete()

    out = run("import_roadmap", str(path), "--owner", "ada")

    assert "Imported “A test path” at /roadmaps/test-path/ for ada (10 milestones, 1 events)" in out
    roadmap = Roadmap.objects.get(slug="test-path")
    assert roadmap.owner == learner
    assert roadmap.milestones.get(key="svd-pca").private_note == "mine alone"


def test_export_roadmap_writes_a_new_file_and_never_overwrites(progressed, tmp_path):
    path = tmp_path / "out.json"
    run("export_roadmap", "ada", "test-path", "-o", str(path))
    assert json.loads(path.read_text())["roadmap"]["title"] == "A test path"
    with pytest.raises(CommandError, match="exists already; choose another name"):
        run("export_roadmap", "ada", "test-path", "-o", str(path))


def test_export_roadmap_of_someone_elses_or_a_missing_roadmap_says_so(progressed, other_learner):
    for owner, slug in [("grace", "test-path"), ("ada", "nope"), ("nobody", "test-path")]:
        with pytest.raises(CommandError, match=f"{owner} has no roadmap at '{slug}'"):
            run("export_roadmap", owner, slug)


def test_import_roadmap_refuses_a_taken_address_unless_as_a_copy(progressed, tmp_path):
    path = tmp_path / "roadmap.json"
    run("export_roadmap", "ada", "test-path", "-o", str(path))
    counts = (Roadmap.objects.count(), ProgressEvent.objects.count())

    with pytest.raises(CommandError) as refused:
        run("import_roadmap", str(path), "--owner", "ada")
    assert "the address /roadmaps/test-path/ is taken on this site" in str(refused.value)
    assert str(refused.value).endswith("Nothing was imported.")
    assert (Roadmap.objects.count(), ProgressEvent.objects.count()) == counts

    out = run("import_roadmap", str(path), "--owner", "ada", "--as-copy")
    assert "Imported “A test path (copy)” at /roadmaps/test-path-2/" in out
    assert ProgressEvent.objects.count() == 2


def test_import_roadmap_names_every_problem_and_writes_nothing(progressed, tmp_path):
    document = json.loads(run("export_roadmap", "ada", "test-path"))
    document["roadmap"]["visibility"] = "everyone"
    document["events"][0]["at"] = "2026-13-01T00:00:00+00:00"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    progressed.delete()

    with pytest.raises(CommandError) as refused:
        run("import_roadmap", str(path), "--owner", "ada", "--as-copy")

    message = str(refused.value)
    assert "roadmap.visibility: 'everyone' is not one of public, unlisted, private" in message
    assert "events[0].at: '2026-13-01T00:00:00+00:00' is not a date and time" in message
    assert Roadmap.objects.count() == 0


def test_import_roadmap_needs_a_learner_and_a_readable_file(tmp_path, learner):
    with pytest.raises(CommandError, match="There is no learner 'nobody'"):
        run("import_roadmap", str(tmp_path / "x.json"), "--owner", "nobody")
    with pytest.raises(CommandError, match="cannot be read"):
        run("import_roadmap", str(tmp_path / "missing.json"), "--owner", "ada")
