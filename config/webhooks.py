"""The push webhook's endpoint, `/hooks/<roadmap id>/`: a repository on GitHub or GitLab tells
a roadmap about its commits. Which one sent a delivery is read from its event header; each is
then held to its own way of proving the roadmap's secret (GitHub's signature, GitLab's token),
and both to the same limits of size, rate and replay.

Here rather than in the roadmap app because it is limited with the site's shared attempt
counter (learners.services.attempt_allowed, as sign-up and password reset are) and the
client address as config.login reads it; roadmap imports neither. What a push does is
roadmap.webhooks.push_record.
"""

import json
from datetime import timedelta

from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from config.login import client_ip
from learners.services import attempt_allowed
from roadmap.models import Roadmap
from roadmap.webhooks import (
    DELIVERY_ID,
    PayloadError,
    Replayed,
    push_record,
    signature_valid,
    token_valid,
)

# GitHub and GitLab send at most 25 MB; a push naming milestones is a few kilobytes per
# commit, so a megabyte holds hundreds of them, and nothing larger is read at all.
MAX_BODY = 1024 * 1024
# Per client address, authenticated or not: GitHub's and GitLab.com's senders share
# addresses across all their users.
CLIENT_LIMIT, CLIENT_WINDOW = 120, timedelta(minutes=1)
# Per roadmap, for deliveries that passed the signature or token check.
ROADMAP_LIMIT, ROADMAP_WINDOW = 30, timedelta(minutes=1)


def _refuse(status: int, reason: str) -> HttpResponse:
    return HttpResponse(reason, status=status, content_type="text/plain; charset=utf-8")


def _refusal_of_shape(request) -> HttpResponse | None:
    """Refuse a body too large, of no declared length or not JSON, before any of it is read."""
    if request.content_type != "application/json":
        return _refuse(415, "Set the webhook's content type to application/json.")
    try:
        length = int(request.META.get("CONTENT_LENGTH") or -1)
    except ValueError:
        return _refuse(400, "Content-Length is not a number.")
    if length < 0:
        return _refuse(411, "Send the body with a Content-Length.")
    if length > MAX_BODY:
        return _refuse(413, f"A delivery may be at most {MAX_BODY:,} bytes.")
    return None


def _github_delivery(request, roadmap: Roadmap, body: bytes) -> str | HttpResponse:
    """The delivery id of a push signed with the roadmap's secret, or the answer to anything
    else: a refusal, or the reply to the ping GitHub sends when the hook is added."""
    signature = request.headers.get("X-Hub-Signature-256", "")
    if not signature:
        return _refuse(401, "The delivery is not signed: set the webhook's secret.")
    if not signature_valid(roadmap.webhook_secret, body, signature):
        return _refuse(403, "The signature does not match this roadmap's webhook secret.")
    event = request.headers.get("X-GitHub-Event", "")
    if event == "ping":
        return JsonResponse({"ok": True, "roadmap": roadmap.slug})
    if event != "push":
        return _refuse(422, "Only push events are read: send just the push event.")
    delivery = request.headers.get("X-GitHub-Delivery", "")
    if not DELIVERY_ID.fullmatch(delivery):
        return _refuse(400, "X-GitHub-Delivery is missing or not a delivery id.")
    return delivery


def _gitlab_delivery(request, roadmap: Roadmap) -> str | HttpResponse:
    """The event id of a push that carries the roadmap's secret as its token, or a refusal.
    GitLab signs nothing: the token is the whole proof, so it is compared in constant time."""
    token = request.headers.get("X-Gitlab-Token", "")
    if not token:
        return _refuse(401, "The delivery has no secret token: set the webhook's secret token.")
    if not token_valid(roadmap.webhook_secret, token):
        return _refuse(403, "The secret token does not match this roadmap's webhook secret.")
    if request.headers.get("X-Gitlab-Event", "") != "Push Hook":
        return _refuse(422, "Only push events are read: choose just the push events trigger.")
    delivery = request.headers.get("X-Gitlab-Event-UUID", "")
    if not DELIVERY_ID.fullmatch(delivery):
        return _refuse(400, "X-Gitlab-Event-UUID is missing or not an event id.")
    return delivery


@csrf_exempt
@require_POST
def push(request, roadmap):
    """A push delivery from GitHub (signed with the roadmap's webhook secret) or from GitLab
    (carrying that secret as its token)."""
    refusal = _refusal_of_shape(request)
    if refusal:
        return refusal
    if not attempt_allowed(
        kind="webhook", value=client_ip(request), limit=CLIENT_LIMIT, window=CLIENT_WINDOW
    ):
        return _refuse(429, "Too many deliveries from this address: try again in a minute.")
    from_github = "X-GitHub-Event" in request.headers
    if not from_github and "X-Gitlab-Event" not in request.headers:
        return _refuse(
            400,
            "Not a push from GitHub (X-GitHub-Event, X-GitHub-Delivery, X-Hub-Signature-256) "
            "or GitLab (X-Gitlab-Event: Push Hook, X-Gitlab-Event-UUID, X-Gitlab-Token).",
        )
    roadmap = get_object_or_404(Roadmap.objects.exclude(webhook_secret=""), pk=roadmap)
    body = request.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        return _refuse(413, f"A delivery may be at most {MAX_BODY:,} bytes.")
    if from_github:
        delivery = _github_delivery(request, roadmap, body)
    else:
        delivery = _gitlab_delivery(request, roadmap)
    if isinstance(delivery, HttpResponse):
        return delivery
    if not attempt_allowed(
        kind="webhook-roadmap", value=str(roadmap.pk), limit=ROADMAP_LIMIT, window=ROADMAP_WINDOW
    ):
        return _refuse(429, "Too many deliveries for this roadmap: try again in a minute.")
    try:
        payload = json.loads(body)
        report = push_record(roadmap=roadmap, delivery=delivery, payload=payload)
    except PayloadError as exc:
        return _refuse(400, str(exc))
    except ValueError:
        return _refuse(400, "The body is not valid JSON.")
    except Replayed:
        return _refuse(409, "This delivery was already received; it changes nothing again.")
    return JsonResponse(report.as_dict())
