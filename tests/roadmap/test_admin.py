"""The admin's own path to a milestone's status: the same rules and log as everywhere else."""

import pytest
from django.urls import reverse

from roadmap.models import ProgressEvent, Roadmap, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, learner):
    learner.is_staff = learner.is_superuser = True
    learner.save()
    client.force_login(learner)
    return client


def change_form(milestone, **changes) -> dict:
    """What the milestone's admin form posts, with `changes` typed over it."""
    data = {
        "roadmap": milestone.roadmap_id,
        "topic": milestone.topic_id,
        "key": milestone.key,
        "slug": milestone.slug,
        "title": milestone.title,
        "description": milestone.description,
        "kind": milestone.kind,
        "estimated_hours": str(milestone.estimated_hours),
        "proof": milestone.proof,
        "position": milestone.position,
        "status": milestone.status,
        "evidence_url": milestone.evidence_url,
        "private_note": milestone.private_note,
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
        "events-MIN_NUM_FORMS": "0",
        "events-MAX_NUM_FORMS": "0",
    }
    if milestone.optional:
        data["optional"] = "on"
    return data | changes


def test_a_status_changed_in_the_admin_is_logged_with_its_dates(admin_client, milestone):
    before = Roadmap.objects.get(pk=milestone.roadmap_id).updated_at
    url = reverse("admin:roadmap_milestone_change", args=[milestone.pk])
    response = admin_client.post(url, change_form(milestone, status=Status.DONE))
    assert response.status_code == 302, response.content.decode()[:2000]
    milestone.refresh_from_db()
    assert milestone.status == Status.DONE
    assert milestone.completed_at is not None and milestone.started_at is not None
    event = ProgressEvent.objects.get(milestone=milestone)
    assert (event.from_status, event.to_status) == (Status.NOT_STARTED, Status.DONE)
    assert Roadmap.objects.get(pk=milestone.roadmap_id).updated_at > before


def test_an_admin_save_that_keeps_the_status_logs_nothing(admin_client, milestone):
    url = reverse("admin:roadmap_milestone_change", args=[milestone.pk])
    response = admin_client.post(url, change_form(milestone, title="Renamed in the admin"))
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.title == "Renamed in the admin"
    assert not ProgressEvent.objects.filter(milestone=milestone).exists()


def test_the_event_log_cannot_be_edited_or_deleted_in_the_admin(admin_client, milestone):
    change_url = reverse("admin:roadmap_milestone_change", args=[milestone.pk])
    admin_client.post(change_url, change_form(milestone, status=Status.DONE))
    event = ProgressEvent.objects.get(milestone=milestone)
    assert admin_client.get(reverse("admin:roadmap_progressevent_add")).status_code == 403
    delete = reverse("admin:roadmap_progressevent_delete", args=[event.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert ProgressEvent.objects.filter(pk=event.pk).exists()
