"""The push webhook's endpoint: a repository tells a roadmap about its commits.

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
)

# GitHub sends at most 25 MB; a push naming milestones is a few kilobytes per commit, so a
# megabyte holds hundreds of them, and nothing larger is read at all.
MAX_BODY = 1024 * 1024
# Per client address, signed or not: GitHub's senders share addresses across all its users.
CLIENT_LIMIT, CLIENT_WINDOW = 120, timedelta(minutes=1)
# Per roadmap, for deliveries that passed the signature check.
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


def _refusal_of_signature(request, roadmap: Roadmap, body: bytes) -> HttpResponse | None:
    signature = request.headers.get("X-Hub-Signature-256", "")
    if not signature:
        return _refuse(401, "The delivery is not signed: set the webhook's secret.")
    if not signature_valid(roadmap.webhook_secret, body, signature):
        return _refuse(403, "The signature does not match this roadmap's webhook secret.")
    return None


@csrf_exempt
@require_POST
def github_push(request, roadmap):
    """A delivery of GitHub's push event, signed with the roadmap's webhook secret."""
    refusal = _refusal_of_shape(request)
    if refusal:
        return refusal
    if not attempt_allowed(
        kind="webhook", value=client_ip(request), limit=CLIENT_LIMIT, window=CLIENT_WINDOW
    ):
        return _refuse(429, "Too many deliveries from this address: try again in a minute.")
    roadmap = get_object_or_404(Roadmap.objects.exclude(webhook_secret=""), pk=roadmap)
    body = request.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        return _refuse(413, f"A delivery may be at most {MAX_BODY:,} bytes.")
    refusal = _refusal_of_signature(request, roadmap, body)
    if refusal:
        return refusal

    event = request.headers.get("X-GitHub-Event", "")
    if event == "ping":
        return JsonResponse({"ok": True, "roadmap": roadmap.slug})
    if event != "push":
        return _refuse(422, "Only push events are read: send just the push event.")
    delivery = request.headers.get("X-GitHub-Delivery", "")
    if not DELIVERY_ID.fullmatch(delivery):
        return _refuse(400, "X-GitHub-Delivery is missing or not a delivery id.")
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
