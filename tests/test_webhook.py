"""The push webhook, fed deliveries as GitHub sends them (a JSON body signed with HMAC-SHA256
under the roadmap's secret in X-Hub-Signature-256, with X-GitHub-Event and X-GitHub-Delivery)
and as GitLab sends them (the secret itself in X-Gitlab-Token, with X-Gitlab-Event: Push Hook
and X-Gitlab-Event-UUID)."""

import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from roadmap.curriculum import load_curriculum
from roadmap.models import Evidence, ProgressEvent, Roadmap, Status, WebhookDelivery
from roadmap.services import milestone_set_status
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


def deliver(
    client, roadmap, payload, *, event="push", delivery=None, signature=None, body=None, url=None
):
    """A delivery with the headers GitHub sends, to the address the settings page shows
    unless `url` is given."""
    body = body if body is not None else json.dumps(payload).encode()
    headers = {
        "HTTP_X_GITHUB_EVENT": event,
        "HTTP_X_GITHUB_DELIVERY": delivery or str(uuid.uuid4()),
        "HTTP_USER_AGENT": "GitHub-Hookshot/abc123",
    }
    if signature is not False:
        headers["HTTP_X_HUB_SIGNATURE_256"] = signature or sign(body)
    url = url or reverse("push-webhook", args=[roadmap.pk])
    return client.post(url, body, content_type="application/json", **headers)


@pytest.fixture
def github():
    # Webhooks carry no CSRF token: the signature is what authenticates them.
    return Client(enforce_csrf_checks=True)


@pytest.mark.parametrize(
    ("sender", "commit_host"),
    [("github", "https://github.com/ada/ml-notes/commit/"),
     ("gitlab", "https://gitlab.com/ada/ml-notes/-/commit/")],
)  # fmt: skip
def test_a_commit_naming_a_key_becomes_evidence_on_that_milestone(
    sender, commit_host, github, hooked
):
    message = "Fit PCA via SVD [svd-pca]\n\nNotes."
    if sender == "github":
        response = deliver(github, hooked, push(commit(message)))
    else:
        response = deliver_gitlab(github, hooked, gitlab_push(gitlab_commit(message)))
    assert response.status_code == 200
    assert response.json()["evidence_added"] == ["svd-pca"]
    evidence = Evidence.objects.get()
    assert evidence.milestone.key == "svd-pca"
    assert evidence.url.startswith(commit_host)
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


def test_a_captured_push_sent_again_under_a_new_id_is_refused(github, hooked):
    payload = push(commit("Finished [svd-pca done]"))
    assert deliver(github, hooked, payload).status_code == 200
    milestone = hooked.milestones.get(key="svd-pca")
    assert milestone.status == Status.DONE
    milestone_set_status(milestone=milestone, status=Status.IN_PROGRESS)  # reopened since
    # The same body, so the same signature, under an id never seen: the id is not signed.
    again = deliver(github, hooked, payload, delivery=str(uuid.uuid4()))
    assert again.status_code == 409
    assert hooked.milestones.get(key="svd-pca").status == Status.IN_PROGRESS


def test_a_replayed_delivery_is_refused_and_changes_nothing_again(github, hooked):
    payload = push(commit("[svd-pca]"))
    delivery = str(uuid.uuid4())
    assert deliver(github, hooked, payload, delivery=delivery).status_code == 200
    Evidence.objects.all().delete()
    replay = deliver(github, hooked, payload, delivery=delivery)
    assert replay.status_code == 409
    assert not Evidence.objects.exists()


def test_one_delivery_id_sent_to_two_roadmaps_is_taken_by_both(
    github, hooked, other_learner, small_spec
):
    # One repository feeding two roadmaps: GitHub gives both hooks the same delivery id,
    # each signed with its own roadmap's secret.
    other = load_curriculum(small_spec, owner=other_learner).roadmap
    other_secret = new_secret()
    Roadmap.objects.filter(pk=other.pk).update(webhook_secret=other_secret)
    payload = push(commit("Fit PCA via SVD [svd-pca]"))
    body = json.dumps(payload).encode()
    delivery = str(uuid.uuid4())
    first = deliver(github, hooked, payload, delivery=delivery)
    second = deliver(github, other, payload, delivery=delivery, signature=sign(body, other_secret))
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json()["evidence_added"] == ["svd-pca"]
    assert Evidence.objects.filter(milestone__roadmap=hooked).count() == 1
    assert Evidence.objects.filter(milestone__roadmap=other).count() == 1
    # Each roadmap still refuses the id a second time.
    assert deliver(github, hooked, payload, delivery=delivery).status_code == 409
    again = deliver(github, other, payload, delivery=delivery, signature=sign(body, other_secret))
    assert again.status_code == 409


def test_one_gitlab_event_uuid_sent_to_two_roadmaps_is_taken_by_both(
    github, hooked, other_learner, small_spec
):
    other = load_curriculum(small_spec, owner=other_learner).roadmap
    Roadmap.objects.filter(pk=other.pk).update(webhook_secret=SECRET)
    payload = gitlab_push(gitlab_commit("Finished [svd-pca done]"))
    event_uuid = str(uuid.uuid4())
    for roadmap in (hooked, other):
        response = deliver_gitlab(github, roadmap, payload, event_uuid=event_uuid)
        assert response.status_code == 200
        assert response.json()["marked_done"] == ["svd-pca"]
        assert roadmap.milestones.get(key="svd-pca").status == Status.DONE
    assert deliver_gitlab(github, other, payload, event_uuid=event_uuid).status_code == 409


def test_a_delivery_to_the_address_shown_or_the_older_github_one_is_accepted(github, hooked):
    addresses = [f"/hooks/{hooked.pk}/", f"/hooks/github/{hooked.pk}/"]
    for i, url in enumerate(addresses):
        from_github = deliver(github, hooked, push(commit(f"[svd-pca] github {i}")), url=url)
        assert from_github.status_code == 200
        assert from_github.json()["evidence_added"] == ["svd-pca"]
        payload = gitlab_push(gitlab_commit(f"[svd-pca] gitlab {i}"))
        from_gitlab = deliver_gitlab(github, hooked, payload, url=url)
        assert from_gitlab.status_code == 200
        assert from_gitlab.json()["evidence_added"] == ["svd-pca"]
    assert Evidence.objects.count() == 4


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
    assert f"://testserver/hooks/{roadmap.pk}/</code>" in settings_page.content.decode()
    assert "/hooks/github/" not in settings_page.content.decode()
    assert "On GitLab: the project's Settings › Webhooks" in settings_page.content.decode()
    learner_client.post(url)
    roadmap.refresh_from_db()
    assert roadmap.webhook_secret != first
    learner_client.post(url, {"action": "off"})
    roadmap.refresh_from_db()
    assert roadmap.webhook_secret == ""


def test_a_rotated_secret_refuses_deliveries_signed_with_the_old_one(github, hooked):
    Roadmap.objects.filter(pk=hooked.pk).update(webhook_secret=new_secret())
    assert deliver(github, hooked, push(commit("[svd-pca]"))).status_code == 403
    assert (
        deliver_gitlab(github, hooked, gitlab_push(gitlab_commit("[svd-pca]"))).status_code == 403
    )
    assert not Evidence.objects.exists()


def test_others_cannot_make_a_roadmaps_secret(client, other_learner, roadmap):
    url = reverse("roadmap:webhook-secret", args=[roadmap.slug])
    assert client.post(url).status_code == 302
    client.force_login(other_learner)
    assert client.post(url).status_code == 404
    roadmap.refresh_from_db()
    assert roadmap.webhook_secret == ""


# GitLab: the same endpoint and secret, the secret sent as a token, the body unsigned.


def gitlab_commit(message, *, sha=None, at="2026-11-20T09:15:00+01:00"):
    sha = sha or hashlib.sha256(message.encode()).hexdigest()[:40]
    return {
        "id": sha,
        "message": message,
        "title": message.splitlines()[0],
        "timestamp": at,
        "url": f"https://gitlab.com/ada/ml-notes/-/commit/{sha}",
        "author": {"name": "Ada", "email": "[REDACTED]"},
        "added": [],
        "modified": ["pca/pca.ipynb"],
        "removed": [],
    }


def gitlab_push(*commits):
    after = commits[-1]["id"] if commits else "0" * 40
    project = {
        "id": 15,
        "name": "ml-notes",
        "description": "",
        "web_url": "https://gitlab.com/ada/ml-notes",
        "avatar_url": None,
        "git_ssh_url": "git@gitlab.com:ada/ml-notes.git",
        "git_http_url": "https://gitlab.com/ada/ml-notes.git",
        "namespace": "ada",
        "visibility_level": 20,
        "path_with_namespace": "ada/ml-notes",
        "default_branch": "main",
        "homepage": "https://gitlab.com/ada/ml-notes",
        "url": "git@gitlab.com:ada/ml-notes.git",
        "ssh_url": "git@gitlab.com:ada/ml-notes.git",
        "http_url": "https://gitlab.com/ada/ml-notes.git",
    }
    return {
        "object_kind": "push",
        "event_name": "push",
        "before": "95790bf891e76fee5e1747ab589903a6a1f80f22",
        "after": after,
        "ref": "refs/heads/main",
        "ref_protected": True,
        "checkout_sha": after,
        "message": None,
        "user_id": 4,
        "user_name": "Ada",
        "user_username": "ada",
        "user_email": "",
        "user_avatar": "https://gitlab.com/uploads/-/system/user/avatar/4/avatar.png",
        "project_id": 15,
        "project": project,
        "commits": list(commits),
        "total_commits_count": len(commits),
        "push_options": {},
        "repository": {
            "name": "ml-notes",
            "url": "git@gitlab.com:ada/ml-notes.git",
            "description": "",
            "homepage": "https://gitlab.com/ada/ml-notes",
            "git_http_url": "https://gitlab.com/ada/ml-notes.git",
            "git_ssh_url": "git@gitlab.com:ada/ml-notes.git",
            "visibility_level": 20,
        },
    }


def deliver_gitlab(
    client, roadmap, payload, *, event="Push Hook", event_uuid=None, token=SECRET, url=None
):
    """A delivery with the headers GitLab sends, to the address the settings page shows
    unless `url` is given; `token=None` sends none."""
    headers = {
        "HTTP_X_GITLAB_EVENT": event,
        "HTTP_X_GITLAB_EVENT_UUID": event_uuid or str(uuid.uuid4()),
        "HTTP_X_GITLAB_WEBHOOK_UUID": str(uuid.uuid4()),
        "HTTP_X_GITLAB_INSTANCE": "https://gitlab.com",
        "HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4()),
        "HTTP_USER_AGENT": "GitLab/18.6.0",
    }
    if token is not None:
        headers["HTTP_X_GITLAB_TOKEN"] = token
    url = url or reverse("push-webhook", args=[roadmap.pk])
    return client.post(url, json.dumps(payload), content_type="application/json", **headers)


def test_done_in_a_gitlab_commit_marks_the_milestone_done_at_the_commits_time(github, hooked):
    payload = gitlab_push(
        gitlab_commit("Started [svd-pca]", at="2026-11-19T18:00:00-05:00"),
        gitlab_commit("Finished [svd-pca done]", at="2026-11-20T09:15:00+01:00"),
    )
    response = deliver_gitlab(github, hooked, payload)
    assert response.json()["marked_done"] == ["svd-pca"]
    milestone = hooked.milestones.get(key="svd-pca")
    assert milestone.status == Status.DONE
    assert milestone.completed_at == datetime(2026, 11, 20, 8, 15, tzinfo=UTC)
    event = ProgressEvent.objects.get(milestone=milestone)
    assert (event.from_status, event.to_status) == (Status.NOT_STARTED, Status.DONE)
    assert Evidence.objects.filter(milestone=milestone).count() == 2


@pytest.mark.parametrize(
    ("token", "status"),
    [
        (None, 401),
        ("", 401),
        ("another secret", 403),
        (SECRET[:-1], 403),
        (SECRET + "0", 403),
        (SECRET.upper(), 403),
    ],
)
def test_a_gitlab_delivery_without_the_secret_token_is_refused_and_changes_nothing(
    github, hooked, token, status
):
    event_uuid = str(uuid.uuid4())
    payload = gitlab_push(gitlab_commit("[svd-pca done]"))
    response = deliver_gitlab(github, hooked, payload, token=token, event_uuid=event_uuid)
    assert response.status_code == status
    assert not Evidence.objects.exists()
    assert hooked.milestones.get(key="svd-pca").status == Status.NOT_STARTED
    assert not ProgressEvent.objects.exists()
    # A refusal does not use up the event id: GitLab's own delivery of it still counts.
    assert deliver_gitlab(github, hooked, payload, event_uuid=event_uuid).status_code == 200


def test_a_github_signature_does_not_stand_in_for_gitlabs_token(github, hooked):
    payload = gitlab_push(gitlab_commit("[svd-pca done]"))
    body = json.dumps(payload).encode()
    response = github.post(
        reverse("push-webhook", args=[hooked.pk]),
        body,
        content_type="application/json",
        HTTP_X_GITLAB_EVENT="Push Hook",
        HTTP_X_GITLAB_EVENT_UUID=str(uuid.uuid4()),
        HTTP_X_HUB_SIGNATURE_256=sign(body),
    )
    assert response.status_code == 401
    assert not Evidence.objects.exists()


def test_a_replayed_gitlab_event_uuid_is_refused_and_changes_nothing_again(github, hooked):
    payload = gitlab_push(gitlab_commit("[svd-pca]"))
    event_uuid = str(uuid.uuid4())
    assert deliver_gitlab(github, hooked, payload, event_uuid=event_uuid).status_code == 200
    Evidence.objects.all().delete()
    again = gitlab_push(gitlab_commit("[svd-pca done]"))
    replay = deliver_gitlab(github, hooked, again, event_uuid=event_uuid)
    assert replay.status_code == 409
    assert not Evidence.objects.exists()
    assert hooked.milestones.get(key="svd-pca").status == Status.NOT_STARTED


def test_a_gitlab_delivery_without_an_event_uuid_is_refused(github, hooked):
    payload = gitlab_push(gitlab_commit("[svd-pca]"))
    response = deliver_gitlab(github, hooked, payload, event_uuid="not a uuid!")
    assert response.status_code == 400
    assert "X-Gitlab-Event-UUID" in response.content.decode()
    assert not Evidence.objects.exists()


def test_gitlab_events_other_than_push_are_refused(github, hooked):
    tag = gitlab_push()
    tag.update(object_kind="tag_push", event_name="tag_push", ref="refs/tags/v1.0.0")
    assert deliver_gitlab(github, hooked, tag, event="Tag Push Hook").status_code == 422
    issue = {"object_kind": "issue", "object_attributes": {"title": "[svd-pca done]"}}
    assert deliver_gitlab(github, hooked, issue, event="Issue Hook").status_code == 422
    assert not WebhookDelivery.objects.exists()


def test_a_request_from_neither_github_nor_gitlab_is_told_which_headers_to_send(github, hooked):
    response = github.post(
        reverse("push-webhook", args=[hooked.pk]),
        json.dumps(gitlab_push(gitlab_commit("[svd-pca done]"))),
        content_type="application/json",
        HTTP_X_GITLAB_TOKEN=SECRET,
    )
    assert response.status_code == 400
    reason = response.content.decode()
    for header in ("X-GitHub-Event", "X-Hub-Signature-256", "X-Gitlab-Event", "X-Gitlab-Token"):
        assert header in reason
    assert not Evidence.objects.exists()


def test_gitlab_deliveries_are_rate_limited(github, hooked, monkeypatch):
    monkeypatch.setattr("config.webhooks.ROADMAP_LIMIT", 2)
    statuses = [
        deliver_gitlab(github, hooked, gitlab_push(gitlab_commit(f"[svd-pca] {i}"))).status_code
        for i in range(3)
    ]
    assert statuses == [200, 200, 429]
    assert Evidence.objects.count() == 2


def test_an_oversized_gitlab_delivery_is_refused(github, hooked):
    payload = gitlab_push(gitlab_commit("[svd-pca] " + "x" * (1024 * 1024)))
    assert deliver_gitlab(github, hooked, payload).status_code == 413
    assert not Evidence.objects.exists()


def test_a_roadmap_without_a_secret_takes_no_gitlab_deliveries(github, roadmap):
    payload = gitlab_push(gitlab_commit("[svd-pca]"))
    assert deliver_gitlab(github, roadmap, payload, token="").status_code == 404
    assert not Evidence.objects.exists()
