"""Evidence from git: a repository's push webhook, from GitHub or GitLab, read into a roadmap.

A commit whose message names a milestone's key in brackets, `[gpt2-fineweb]`, becomes
evidence on that milestone; `[gpt2-fineweb done]` also marks the milestone done, at the
commit's time, through the one status service. Both senders list a push's commits the same
way (`commits`, each with `id`, `message`, `timestamp` and `url`), so one reader serves both.
The roadmap's one secret authenticates either: GitHub signs the body with it (HMAC-SHA256,
X-Hub-Signature-256); GitLab sends it as it is (X-Gitlab-Token) and signs nothing. Each
delivery id (X-GitHub-Delivery, X-Gitlab-Event-UUID) is acted on once per roadmap.
"""

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Evidence, Milestone, Roadmap, SiteVersion, Status, WebhookDelivery
from .services import milestone_set_status

SIGNATURE_PREFIX = "sha256="
# GitHub's delivery ids and GitLab's event ids are UUIDs; anything of this shape is kept,
# nothing longer.
DELIVERY_ID = re.compile(r"[A-Za-z0-9-]{1,64}")
# A commit's id, SHA-1 or SHA-256; kept as "head:<id>" beside the delivery ids, which hold no
# colon, so neither can pass for the other.
HEAD = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
# `[key]` or `[key done]` anywhere in a commit message; keys are a curriculum's keys.
MENTION = re.compile(r"\[\s*([a-z0-9][a-z0-9-]{0,59})(?:\s+(done))?\s*\]")
# A push lists at most 2,048 commits (GitHub's own limit; GitLab lists at most 20): a body
# past it is neither's.
MAX_COMMITS = 2048

validate_url = URLValidator(schemes=["http", "https"])


def new_secret() -> str:
    """A fresh secret to paste into the repository's webhook settings."""
    return secrets.token_hex(32)


def signature_valid(secret: str, body: bytes, header: str) -> bool:
    """Whether `header` (X-Hub-Signature-256) is the HMAC-SHA256 of `body` under `secret`."""
    if not secret or not header.startswith(SIGNATURE_PREFIX):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), header[len(SIGNATURE_PREFIX) :].encode())


def token_valid(secret: str, header: str) -> bool:
    """Whether `header` (X-Gitlab-Token) is `secret` itself, compared in constant time."""
    if not secret or not header:
        return False
    return hmac.compare_digest(secret.encode(), header.encode())


class PayloadError(ValueError):
    """An authenticated body that is not a push as GitHub or GitLab sends it."""


class Replayed(Exception):
    """A delivery already acted on, sent again."""


@dataclass(frozen=True)
class Mention:
    key: str
    done: bool
    url: str
    summary: str
    at: datetime


@dataclass
class PushReport:
    evidence_added: list[str] = field(default_factory=list)
    marked_done: list[str] = field(default_factory=list)
    unknown_keys: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "evidence_added": self.evidence_added,
            "marked_done": self.marked_done,
            "unknown_keys": self.unknown_keys,
        }


def _commit_time(raw, now: datetime) -> datetime:
    """The commit's own time, never later than now: a clock ahead cannot date work ahead."""
    try:
        at = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        return now
    return min(at, now)


def mentions(payload, *, now: datetime) -> list[Mention]:
    """Every milestone key named in the push's commits, in the order they were pushed."""
    if not isinstance(payload, dict):
        raise PayloadError("The body is not a JSON object.")
    commits = payload.get("commits", [])
    if not isinstance(commits, list):
        raise PayloadError("'commits' is not a list.")
    if len(commits) > MAX_COMMITS:
        raise PayloadError(f"A push lists at most {MAX_COMMITS} commits.")
    found = []
    for commit in commits:
        if not isinstance(commit, dict):
            continue
        message, url = commit.get("message"), commit.get("url")
        if not isinstance(message, str) or not isinstance(url, str) or len(url) > 500:
            continue
        try:
            validate_url(url)
        except ValidationError:
            continue
        summary = message.strip().splitlines()[0][:200] if message.strip() else ""
        at = _commit_time(commit.get("timestamp"), now)
        for key, done in MENTION.findall(message):
            found.append(Mention(key=key, done=bool(done), url=url, summary=summary, at=at))
    return found


def _head(payload) -> str | None:
    """The commit a push left its branch at (`after`, in both senders' pushes); None for a
    branch deleted (all zeros) or a body without one."""
    head = payload.get("after") if isinstance(payload, dict) else None
    if isinstance(head, str) and HEAD.fullmatch(head) and head.strip("0"):
        return head
    return None


def push_record(*, roadmap: Roadmap, delivery: str, payload) -> PushReport:
    """Add the pushed commits that name a milestone as its evidence, and mark done those
    named with `done`. A delivery id seen before raises Replayed and changes nothing."""
    now = timezone.now()
    found = mentions(payload, now=now)
    report = PushReport()
    with transaction.atomic(), SiteVersion.objects.counted_once():
        # The delivery's id, and the commit the push left its branch at: the id is not
        # signed, so a captured delivery sent again under a new one is known by its head.
        seen = [delivery] + [f"head:{head[:59]}" for head in [_head(payload)] if head]
        try:
            with transaction.atomic():
                WebhookDelivery.objects.bulk_create(
                    WebhookDelivery(roadmap=roadmap, delivery=key) for key in seen
                )
        except IntegrityError as exc:
            raise Replayed(delivery) from exc
        keys = {mention.key for mention in found}
        milestones = {m.key: m for m in Milestone.objects.filter(roadmap=roadmap, key__in=keys)}
        report.unknown_keys = sorted(keys - set(milestones))
        known = [mention for mention in found if mention.key in milestones]
        existing = set(
            Evidence.objects.filter(milestone__in=milestones.values()).values_list(
                "milestone_id", "url"
            )
        )
        new = {}
        for mention in known:
            milestone = milestones[mention.key]
            if (milestone.pk, mention.url) not in existing:
                new.setdefault(
                    (milestone.pk, mention.url),
                    Evidence(
                        milestone=milestone,
                        url=mention.url,
                        note=mention.summary,
                        source=Evidence.Source.WEBHOOK,
                        at=mention.at,
                    ),
                )
        Evidence.objects.bulk_create(new.values(), ignore_conflicts=True)
        report.evidence_added = sorted({evidence.milestone.key for evidence in new.values()})
        # Done at the first commit that says so: the work was finished then.
        done_at: dict[str, datetime] = {}
        for mention in known:
            if mention.done:
                done_at[mention.key] = min(done_at.get(mention.key, mention.at), mention.at)
        for key, at in sorted(done_at.items()):
            milestone = milestones[key]
            if milestone.status != Status.DONE:
                milestone_set_status(milestone=milestone, status=Status.DONE, at=at)
                report.marked_done.append(key)
        if new:
            Roadmap.objects.filter(pk=roadmap.pk).mark_changed()
    return report
