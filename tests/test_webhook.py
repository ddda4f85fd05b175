"""The push webhook, fed deliveries as GitHub sends them: a JSON body signed with HMAC-SHA256
under the roadmap's secret in X-Hub-Signature-256, with X-GitHub-Event and X-GitHub-Delivery."""

import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from roadmap.models import Evidence, ProgressEvent, Roadmap, Status
from roadmap.webhooks import new_secret

SECRET = "s3cr3t-" + "a" * 57


@pytest.fixture
def hooked(roadmap):
    Roadmap.objects.filter(pk=roadmap.pk).update(webhook_secret=SECRET)
    roadmap.refresh_from_db()
    return roadmap


def commit(message, *, sha=None, at="2026-11-20T09:15:00+01:00"):
    sha = sha or hashlib.sha256(message.encode()).hexdigest()[:40]
    return {
        "id": sha,
        "tree_id": "9c8f" + sha[4:],
        "distinct": True,
        "message": message,
        "timestamp": at,
        "url": f"https://github.com/ada/ml-notes/commit/{sha}",
        "author": {"name": "Ada", "email": "ada@example.org", "username": "ada"},
        "committer": {"name": "Ada", "email": "ada@example.org", "username": "ada"},
        "added": [],
        "removed": [],
        "modified": ["pca/pca.ipynb"],
    }


def push(*commits):
    return {
        "ref": "refs/heads/main",
        "before": "0" * 40,
        "after": commits[-1]["id"] if commits else "0" * 40,
        "repository": {
            "id": 1,
            "name": "ml-notes",
            "full_name": "ada/ml-notes",
            "html_url": "https://github.com/ada/ml-notes",
        },
        "pusher": {"name": "ada", "email": "ada@example.org"},
        "sender": {"login": "ada", "id": 1},
        "created": False,
        "deleted": False,
        "forced": False,
        "compare": "https://github.com/ada/ml-notes/compare/abc...def",
        "commits": list(commits),
        "head_commit": commits[-1] if commits else None,
    }


def sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def deliver(client, roadmap, payload, *, event="push", delivery=None, signature=None, body=None):
    body = body if body is not None else json.dumps(payload).encode()
    headers = {
        "HTTP_X_GITHUB_EVENT": event,
        "HTTP_X_GITHUB_DELIVERY": delivery or str(uuid.uuid4()),
        "HTTP_USER_AGENT": "GitHub-Hookshot/abc123",
    }
    if signature is not False:
        headers["HTTP_X_HUB_SIGNATURE_256"] = signature or sign(body)
    url = reverse("github-webhook", args=[roadmap.pk])
    return client.post(url, body, content_type="application/json", **headers)


@pytest.fixture
def github():
    # Webhooks carry no CSRF token: the signature is what authenticates them.
    return Client(enforce_csrf_checks=True)


def test_a_commit_naming_a_key_becomes_evidence_on_that_milestone(github, hooked):
    response = deliver(github, hooked, push(commit("Fit PCA via SVD [svd-pca]\n\nNotes.")))
    assert response.status_code == 200
    assert response.json()["evidence_added"] == ["svd-pca"]
    evidence = Evidence.objects.get()
    assert evidence.milestone.key == "svd-pca"
    assert evidence.url.startswith("https://github.com/ada/ml-notes/commit/")
    assert evidence.note == "Fit PCA via SVD [svd-pca]"
    assert evidence.source == Evidence.Source.WEBHOOK
    assert evidence.at == datetime(2026, 11, 20, 8, 15, tzinfo=UTC)
    page = Client().get(evidence.milestone.get_absolute_url()).content.decode()
    assert f">ada/ml-notes@{evidence.url.rsplit('/', 1)[1][:7]}</a>" in page


def test_done_in_the_brackets_marks_the_milestone_done_at_the_commits_time(github, hooked):
    response = deliver(github, hooked, push(commit("Finished [svd-pca done]")))
    assert response.json()["marked_done"] == ["svd-pca"]
    milestone = hooked.milestones.get(key="svd-pca")
    assert milestone.status == Status.DONE
    assert milestone.completed_at == datetime(2026, 11, 20, 8, 15, tzinfo=UTC)
    event = ProgressEvent.objects.get(milestone=milestone)
    assert (event.from_status, event.to_status) == (Status.NOT_STARTED, Status.DONE)
    assert event.at == milestone.completed_at


def test_a_commit_dated_in_the_future_is_done_no_later_than_now(github, hooked):
    later = (timezone.now() + timedelta(days=30)).isoformat()
    deliver(github, hooked, push(commit("[svd-pca done]", at=later)))
    assert hooked.milestones.get(key="svd-pca").completed_at <= timezone.now()


def test_a_wrong_signature_is_refused_and_changes_nothing(github, hooked):
    payload = push(commit("[svd-pca done]"))
    body = json.dumps(payload).encode()
    response = deliver(github, hooked, payload, signature=sign(body, "another secret"))
    assert response.status_code == 403
    tampered = deliver(github, hooked, payload, body=body + b" ", signature=sign(body))
    assert tampered.status_code == 403
    assert not Evidence.objects.exists()
    assert hooked.milestones.get(key="svd-pca").status == Status.NOT_STARTED


def test_an_unsigned_delivery_is_refused(github, hooked):
    response = deliver(github, hooked, push(commit("[svd-pca done]")), signature=False)
    assert response.status_code == 401
    assert not Evidence.objects.exists()


def test_a_replayed_delivery_is_refused_and_changes_nothing_again(github, hooked):
    payload = push(commit("[svd-pca]"))
    delivery = str(uuid.uuid4())
    assert deliver(github, hooked, payload, delivery=delivery).status_code == 200
    Evidence.objects.all().delete()
    replay = deliver(github, hooked, payload, delivery=delivery)
    assert replay.status_code == 409
    assert not Evidence.objects.exists()


def test_an_unknown_key_adds_nothing_and_is_reported(github, hooked):
    response = deliver(github, hooked, push(commit("Tidy up [no-such-milestone done]")))
    assert response.status_code == 200
    assert response.json() == {
        "evidence_added": [],
        "marked_done": [],
        "unknown_keys": ["no-such-milestone"],
    }
    assert not Evidence.objects.exists()


def test_a_key_of_another_learners_roadmap_is_unknown_here(github, hooked, other_learner):
    other = Roadmap.objects.create(owner=other_learner, title="Other", slug="other")
    response = deliver(github, other, push(commit("[svd-pca]")))
    assert response.status_code == 404  # no webhook on it
    assert not Evidence.objects.exists()


def test_a_push_of_100_commits_is_read_whole(github, hooked, django_assert_max_num_queries):
    keys = list(hooked.milestones.values_list("key", flat=True))
    commits = [
        commit(
            f"Step {i} [{keys[i % len(keys)]}]",
            sha=hashlib.sha256(str(i).encode()).hexdigest()[:40],
        )
        for i in range(99)
    ]
    commits.append(commit("All of it [svd-pca done] [first-notebook done]"))
    with django_assert_max_num_queries(60):
        response = deliver(github, hooked, push(*commits))
    assert response.status_code == 200
    assert Evidence.objects.count() == 99 + 2
    assert sorted(response.json()["marked_done"]) == ["first-notebook", "svd-pca"]
    assert hooked.milestones.filter(status=Status.DONE).count() == 2


def test_the_same_commit_pushed_twice_is_one_piece_of_evidence(github, hooked):
    payload = push(commit("[svd-pca]"))
    deliver(github, hooked, payload)
    deliver(github, hooked, payload)
    assert Evidence.objects.count() == 1


def test_an_oversized_delivery_is_refused_before_it_is_read(github, hooked):
    payload = push(commit("[svd-pca] " + "x" * (1024 * 1024)))
    response = deliver(github, hooked, payload)
    assert response.status_code == 413
    assert not Evidence.objects.exists()


def test_a_body_that_is_not_a_push_is_refused(github, hooked):
    assert deliver(github, hooked, None, body=b"not json").status_code == 400
    assert deliver(github, hooked, None, body=b'{"commits": "many"}').status_code == 400
    assert deliver(github, hooked, None, body=b"[1, 2]").status_code == 400


def test_commits_with_a_url_that_is_not_a_web_address_are_skipped(github, hooked):
    bad = commit("[svd-pca]")
    bad["url"] = "javascript:alert(1)"
    response = deliver(github, hooked, push(bad))
    assert response.status_code == 200
    assert not Evidence.objects.exists()


def test_ping_is_answered_and_other_events_are_refused(github, hooked):
    assert deliver(github, hooked, {"zen": "Keep it simple."}, event="ping").status_code == 200
    assert deliver(github, hooked, {"action": "opened"}, event="issues").status_code == 422


def test_deliveries_are_rate_limited(github, hooked, monkeypatch):
    monkeypatch.setattr("config.webhooks.ROADMAP_LIMIT", 2)
    statuses = [
        deliver(github, hooked, push(commit(f"[svd-pca] {i}"))).status_code for i in range(3)
    ]
    assert statuses == [200, 200, 429]
    assert Evidence.objects.count() == 2


def test_a_roadmap_without_a_secret_has_no_webhook(github, roadmap):
    assert deliver(github, roadmap, push(commit("[svd-pca]"))).status_code == 404


def test_the_owner_sees_a_new_secret_once_and_can_rotate_it(learner_client, roadmap):
    url = reverse("roadmap:webhook-secret", args=[roadmap.slug])
    response = learner_client.post(url)
    roadmap.refresh_from_db()
    first = roadmap.webhook_secret
    assert len(first) == 64
    assert first in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    settings_page = learner_client.get(reverse("roadmap:settings", args=[roadmap.slug]))
    assert first not in settings_page.content.decode()
    assert f"/hooks/github/{roadmap.pk}/" in settings_page.content.decode()
    learner_client.post(url)
    roadmap.refresh_from_db()
    assert roadmap.webhook_secret != first
    learner_client.post(url, {"action": "off"})
    roadmap.refresh_from_db()
    assert roadmap.webhook_secret == ""


def test_a_rotated_secret_refuses_deliveries_signed_with_the_old_one(github, hooked):
    Roadmap.objects.filter(pk=hooked.pk).update(webhook_secret=new_secret())
    assert deliver(github, hooked, push(commit("[svd-pca]"))).status_code == 403


def test_others_cannot_make_a_roadmaps_secret(client, other_learner, roadmap):
    url = reverse("roadmap:webhook-secret", args=[roadmap.slug])
    assert client.post(url).status_code == 302
    client.force_login(other_learner)
    assert client.post(url).status_code == 404
    roadmap.refresh_from_db()
    assert roadmap.webhook_secret == ""
