import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from roadmap.models import Roadmap

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def the_test_curriculum_only(curricula):
    return curricula


def test_first_run_creates_the_learner_and_their_roadmap_and_prints_the_password(
    capsys, monkeypatch
):
    monkeypatch.delenv("DJANGO_LEARNER_PASSWORD", raising=False)
    call_command("first_run")
    out = capsys.readouterr().out
    password = out.split("password: ")[1].split()[0]
    assert get_user_model().objects.get(username="learner").check_password(password)
    roadmap = Roadmap.objects.get()
    assert roadmap.owner.username == "learner"
    assert roadmap.milestones.count() == 10
    assert "http://127.0.0.1:8000/accounts/login/" in out


def test_first_run_uses_the_password_from_the_environment(capsys, monkeypatch):
    monkeypatch.setenv("DJANGO_LEARNER_PASSWORD", "correct-horse-battery")
    call_command("first_run")
    assert "correct-horse-battery" not in capsys.readouterr().out
    assert get_user_model().objects.get(username="learner").check_password("correct-horse-battery")


def test_running_again_keeps_everything_and_creates_nothing_twice(capsys):
    call_command("first_run")
    call_command("first_run")
    assert get_user_model().objects.count() == 1
    assert Roadmap.objects.count() == 1
    assert "changepassword learner" in capsys.readouterr().out


def test_a_broken_curriculum_is_reported_and_the_account_still_made(curricula, capsys):
    (curricula / "test-path.yaml").write_text("key: broken\n")
    call_command("first_run")
    captured = capsys.readouterr()
    assert "missing required field 'title'" in captured.err
    assert get_user_model().objects.filter(username="learner").exists()
    assert not Roadmap.objects.exists()


def test_the_first_account_runs_the_site_as_staff_not_as_a_superuser(monkeypatch):
    monkeypatch.setenv("DJANGO_LEARNER_PASSWORD", "correct-horse-battery")
    call_command("first_run")
    owner = get_user_model().objects.get(username="learner")
    assert owner.is_staff and not owner.is_superuser
    assert owner.has_perm("learners.add_invitation")
    assert owner.has_perm("roadmap.change_milestone")
    assert owner.has_perm("axes.delete_accessattempt")
    assert not owner.has_perm("auth.change_user")
