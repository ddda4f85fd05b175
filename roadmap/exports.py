"""A roadmap as a JSON document, and back: the export and import format of docs/export-format.md.

An export holds everything that is the learner's on one roadmap: its settings, its stages,
topics, resources and milestones in order, each milestone's status, dates, evidence and
private note, the event log with its times, and the plan changes. Reading one back checks
the whole document before anything is written and names each problem by its JSON path
("stages[2].topics[0].milestones[5].status: ..."); an import writes all of it in one
transaction, or nothing.
"""

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_slug
from django.db import transaction
from django.utils import timezone

from .forms import RESERVED_SLUGS
from .models import (
    Evidence,
    Milestone,
    PlanChange,
    ProgressEvent,
    Resource,
    Result,
    Roadmap,
    RoadmapAddress,
    SiteVersion,
    Stage,
    Status,
    StudySession,
    Topic,
    validate_time_zone,
)
from .targets import Direction, Target, stored_number

FORMAT = "switchback-roadmap"
VERSION = 1
CONTENT_TYPE = "application/json"

# An export of the largest roadmap the curriculum format allows, with years of history, is
# a few megabytes; anything far past that is not an export.
MAX_BYTES = 32 * 1024 * 1024
# A roadmap export is nested 7 levels deep (document, stages, a stage, topics, a topic,
# milestones, a milestone); a little room above that, and no more.
MAX_DEPTH = 10
MAX_ITEMS = {
    "stages": 100,
    "topics": 1_000,
    "milestones": 3_000,
    "resources": 5_000,
    "events": 500_000,
    "results": 100_000,
    "evidence": 100_000,
    "study_sessions": 100_000,
    "plan_changes": 100_000,
}
TARGET_FIELDS = {"metric", "value", "direction", "tolerance"}
MAX_TEXT = 100_000
MAX_ERRORS = 20
MAX_HOURS = Decimal("99999.9")

_is_url = URLValidator(schemes=["http", "https"])


class ImportRefused(Exception):
    """What is wrong with an import, as sentences for the learner; nothing was written."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("; ".join(errors))


def _when(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def export_filename(roadmap: Roadmap) -> str:
    return f"{roadmap.slug}-{timezone.now():%Y-%m-%d}.json"


def roadmap_export(roadmap: Roadmap) -> dict:
    """The whole of `roadmap` as plain JSON values, in 10 queries whatever its size."""
    stages = list(roadmap.stages.order_by("position", "pk"))
    topics = list(roadmap.topics.order_by("position", "pk"))
    milestones = list(roadmap.milestones.order_by("position", "pk"))
    resources = Resource.objects.filter(topic__roadmap=roadmap).order_by("position", "pk")
    prerequisites = Topic.prerequisites.through.objects.filter(from_topic__roadmap=roadmap)
    events = roadmap.events.order_by("at", "pk").values_list(
        "milestone_id", "from_status", "to_status", "at"
    )
    results_of: dict[int, list[dict]] = {}
    for r in Result.objects.filter(milestone__roadmap=roadmap).order_by("measured_on", "pk"):
        results_of.setdefault(r.milestone_id, []).append(
            {
                "value": float(r.value),
                "measured_on": _day(r.measured_on),
                "evidence_url": r.evidence_url,
                "note": r.note,
                "created_at": _when(r.created_at),
            }
        )
    sessions_of: dict[int, list[dict]] = {}
    for session in roadmap.study_sessions.stopped().order_by("started_at", "pk"):
        sessions_of.setdefault(session.milestone_id, []).append(
            {
                "started_at": _when(session.started_at),
                "ended_at": _when(session.ended_at),
                "minutes": session.minutes,
                "note": session.note,
                "by_hand": session.by_hand,
                "capped": session.capped,
            }
        )
    evidence_of: dict[int, list[dict]] = {}
    for e in Evidence.objects.filter(milestone__roadmap=roadmap).order_by("at", "pk"):
        evidence_of.setdefault(e.milestone_id, []).append(
            {"url": e.url, "note": e.note, "source": e.source, "at": _when(e.at)}
        )

    topic_key = {topic.pk: topic.key for topic in topics}
    needs: dict[int, list[str]] = {}
    for from_id, to_id in prerequisites.order_by("pk").values_list("from_topic_id", "to_topic_id"):
        needs.setdefault(from_id, []).append(topic_key[to_id])
    resources_of: dict[int, list[dict]] = {}
    for resource in resources:
        resources_of.setdefault(resource.topic_id, []).append(
            {"type": resource.type, "title": resource.title, "url": resource.url}
        )
    milestones_of: dict[int, list[dict]] = {}
    for m in milestones:
        milestones_of.setdefault(m.topic_id, []).append(
            {
                "key": m.key,
                "slug": m.slug,
                "title": m.title,
                "description": m.description,
                "kind": m.kind,
                "estimated_hours": float(m.estimated_hours),
                "optional": m.optional,
                "proof": m.proof,
                "status": m.status,
                "started_at": _when(m.started_at),
                "completed_at": _when(m.completed_at),
                "evidence_url": m.evidence_url,
                "private_note": m.private_note,
                "added_by_learner": m.added_by_learner,
                "target": _target(m),
                "results": results_of.get(m.pk, []),
                "evidence": evidence_of.get(m.pk, []),
                "study_sessions": sessions_of.get(m.pk, []),
            }
        )
    topics_of: dict[int, list[dict]] = {}
    for t in topics:
        topics_of.setdefault(t.stage_id, []).append(
            {
                "key": t.key,
                "slug": t.slug,
                "title": t.title,
                "summary": t.summary,
                "prerequisites": needs.get(t.pk, []),
                "resources": resources_of.get(t.pk, []),
                "milestones": milestones_of.get(t.pk, []),
                "added_by_learner": t.added_by_learner,
            }
        )
    milestone_key = {m.pk: m.key for m in milestones}
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": _when(timezone.now()),
        "roadmap": {
            "slug": roadmap.slug,
            "title": roadmap.title,
            "summary": roadmap.summary,
            "visibility": roadmap.visibility,
            "started_on": _day(roadmap.started_on),
            "target_date": _day(roadmap.target_date),
            "time_zone": roadmap.time_zone,
            "curriculum_key": roadmap.curriculum_key,
            "curriculum_version": roadmap.curriculum_version,
            "created_at": _when(roadmap.created_at),
            "show_hours": roadmap.show_hours,
        },
        "stages": [
            {
                "key": s.key,
                "title": s.title,
                "summary": s.summary,
                "topics": topics_of.get(s.pk, []),
                "added_by_learner": s.added_by_learner,
            }
            for s in stages
        ],
        "events": [
            {"milestone": milestone_key[milestone_id], "from": old, "to": new, "at": _when(at)}
            for milestone_id, old, new, at in events
        ],
        "plan_changes": [
            {
                "at": _when(change.at),
                "kind": change.kind,
                "what": change.what,
                "key": change.key,
                "title": change.title,
                "before": change.before,
                "after": change.after,
                "detail": change.detail,
            }
            for change in roadmap.plan_changes.order_by("at", "pk")
        ],
    }


def _target(milestone: Milestone) -> dict | None:
    target = milestone.target
    if target is None:
        return None
    return {
        "metric": target.metric,
        "value": float(target.value),
        "direction": target.direction,
        "tolerance": float(target.tolerance),
    }


def roadmap_export_json(roadmap: Roadmap) -> str:
    return json.dumps(roadmap_export(roadmap), ensure_ascii=False, indent=2) + "\n"


# Reading an export back.


def _depth(value) -> int:
    """How deeply `value` nests lists and objects (a plain value is 0), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if level > MAX_DEPTH:
                return level
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


def _kind_of(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _shown(value) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


class _Reader:
    """Walks a parsed document against the format, collecting problems by JSON path."""

    def __init__(self):
        self.errors: list[str] = []
        # Paths already reported: one problem a place, and none inside an object that is not.
        self.reported: set[str] = set()

    def error(self, path: str, message: str) -> None:
        parts = path.split(".")
        if any(".".join(parts[:n]) in self.reported for n in range(1, len(parts) + 1)):
            return
        self.reported.add(path)
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(f"{path}: {message}" if path else message)

    def obj(self, value, path: str, fields: set[str], optional: set[str] = frozenset()) -> dict:
        if not isinstance(value, dict):
            self.error(path, f"expected an object, got {_kind_of(value)}")
            return {}
        for name in sorted(set(value) - fields - optional):
            self.error(_join(path, name), "is not a field of this format")
        for name in sorted(fields - set(value)):
            self.error(_join(path, name), "is missing")
        return value

    def items(self, data: dict, name: str, path: str) -> list:
        where = _join(path, name)
        value = data.get(name, [])
        if not isinstance(value, list):
            self.error(where, f"expected a list, got {_kind_of(value)}")
            return []
        return value

    def text(self, data: dict, name: str, path: str, *, max_length=MAX_TEXT, blank=True) -> str:
        where = _join(path, name)
        value = data.get(name, "")
        if not isinstance(value, str):
            self.error(where, f"expected text, got {_kind_of(value)}")
            return ""
        if len(value) > max_length:
            self.error(where, f"is {len(value):,} characters long, at most {max_length:,} fit")
        elif not blank and not value.strip():
            self.error(where, "must not be empty")
        return value

    def slug(self, data: dict, name: str, path: str, *, max_length: int) -> str:
        value = self.text(data, name, path, max_length=max_length, blank=False)
        if value:
            try:
                validate_slug(value)
            except ValidationError:
                self.error(
                    _join(path, name),
                    f"{_shown(value)} is not a slug (letters, digits, hyphens, underscores)",
                )
        return value

    def choice(self, data: dict, name: str, path: str, choices: list[str]) -> str:
        value = data.get(name)
        if value not in choices:
            self.error(_join(path, name), f"{_shown(value)} is not one of {', '.join(choices)}")
            return choices[0]
        return value

    def boolean(self, data: dict, name: str, path: str) -> bool:
        value = data.get(name)
        if not isinstance(value, bool):
            self.error(_join(path, name), f"expected true or false, got {_kind_of(value)}")
            return False
        return value

    def url(self, data: dict, name: str, path: str, *, blank: bool) -> str:
        value = self.text(data, name, path, max_length=500, blank=blank)
        if value:
            try:
                _is_url(value)
            except ValidationError:
                self.error(_join(path, name), f"{_shown(value)} is not a web address")
        return value

    def moment(self, data: dict, name: str, path: str, *, null: bool) -> datetime | None:
        value = data.get(name)
        if value is None and null:
            return None
        parsed = None
        if isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value)
            except ValueError:
                parsed = None
        if parsed is None or parsed.tzinfo is None:
            self.error(
                _join(path, name),
                f"{_shown(value)} is not a date and time with its offset "
                "(such as 2026-01-31T18:30:00+00:00)",
            )
            return None
        return parsed

    def day(self, data: dict, name: str, path: str, *, null: bool) -> date | None:
        value = data.get(name)
        if value is None and null:
            return None
        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            self.error(_join(path, name), f"{_shown(value)} is not a date such as 2026-01-31")
            return None


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


@dataclass
class RoadmapImport:
    """A document that passed every check: the rows to write, not yet written."""

    roadmap: dict
    stages: list[Stage]
    topics: list[tuple[Topic, str, list[str]]]
    resources: list[tuple[Resource, str]]
    milestones: list[tuple[Milestone, str]]
    events: list[tuple[ProgressEvent, str]]
    results: list[tuple[Result, str]] = field(default_factory=list)
    evidence: list[tuple[Evidence, str]] = field(default_factory=list)
    sessions: list[tuple[StudySession, str]] = field(default_factory=list)
    plan_changes: list[PlanChange] = field(default_factory=list)


def parse_roadmap_export(raw: bytes | str) -> RoadmapImport:
    """Check an export whole; raise ImportRefused naming every problem (up to MAX_ERRORS)."""
    if len(raw) > MAX_BYTES:
        raise ImportRefused(
            [f"The file is larger than {MAX_BYTES // 2**20} MB, which no roadmap export is."]
        )
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as exc:
        raise ImportRefused([f"The file is not UTF-8 text (byte {exc.start})."]) from None
    try:
        document = json.loads(text)
    except RecursionError:
        raise ImportRefused([f"The JSON is nested more than {MAX_DEPTH} levels deep."]) from None
    except ValueError as exc:
        raise ImportRefused(
            [
                f"The file is not valid JSON: {getattr(exc, 'msg', exc)} "
                f"at line {getattr(exc, 'lineno', '?')}, column {getattr(exc, 'colno', '?')}."
            ]
        ) from None
    if _depth(document) > MAX_DEPTH:
        raise ImportRefused([f"The JSON is nested more than {MAX_DEPTH} levels deep."])
    if not isinstance(document, dict):
        raise ImportRefused([f"The file holds {_kind_of(document)}, not a roadmap export."])
    if document.get("format") != FORMAT:
        raise ImportRefused(
            [
                f"format: {_shown(document.get('format'))} is not {FORMAT!r}: "
                "this file is not a Switchback roadmap export."
            ]
        )
    if document.get("version") != VERSION:
        raise ImportRefused(
            [
                f"version: {_shown(document.get('version'))} is not a version this site reads "
                f"(it reads version {VERSION})."
            ]
        )
    reader = _Reader()
    result = _read(reader, document)
    if reader.errors:
        raise ImportRefused(reader.errors)
    return result


def _read(reader: _Reader, document: dict) -> RoadmapImport:
    reader.obj(
        document,
        "",
        {"format", "version", "roadmap", "stages", "events", "plan_changes"},
        optional={"exported_at"},
    )
    roadmap = _read_roadmap(reader, document.get("roadmap"))
    tree = _Tree(reader)
    stage_items = reader.items(document, "stages", "")
    if tree.count("stages", len(stage_items), "stages"):
        for index, raw_stage in enumerate(stage_items):
            tree.stage(raw_stage, f"stages[{index}]", index)
    tree.check_prerequisites()
    events = _read_events(reader, document, tree.keys["milestone"], tree.count)
    plan_changes = _read_plan_changes(reader, document, tree.count)
    return RoadmapImport(
        roadmap,
        tree.stages,
        tree.topics,
        tree.resources,
        tree.milestones,
        events,
        results=tree.results,
        evidence=tree.evidence,
        sessions=tree.sessions,
        plan_changes=plan_changes,
    )


class _Tree:
    """The stages, topics and milestones read so far, with their keys, slugs and counts."""

    def __init__(self, reader: _Reader):
        self.reader = reader
        self.counts = dict.fromkeys(MAX_ITEMS, 0)
        self.keys: dict[str, set[str]] = {"stage": set(), "topic": set(), "milestone": set()}
        self.slugs: dict[str, set[str]] = {"topic": set(), "milestone": set()}
        self.stages: list[Stage] = []
        self.topics: list[tuple[Topic, str, list[str]]] = []
        self.resources: list[tuple[Resource, str]] = []
        self.milestones: list[tuple[Milestone, str]] = []
        self.results: list[tuple[Result, str]] = []
        self.evidence: list[tuple[Evidence, str]] = []
        self.sessions: list[tuple[StudySession, str]] = []

    def count(self, kind: str, n: int, path: str) -> bool:
        """Count `n` more of `kind`; False, with an error, past the most one roadmap holds."""
        self.counts[kind] += n
        if self.counts[kind] > MAX_ITEMS[kind]:
            self.reader.error(path, f"more than {MAX_ITEMS[kind]:,} {kind} in one roadmap")
            return False
        return True

    def unique(self, table: dict, kind: str, value: str, path: str, name: str) -> None:
        if value and value in table[kind]:
            self.reader.error(_join(path, name), f"{_shown(value)} is the {name} of another {kind}")
        table[kind].add(value)

    def stage(self, raw, path: str, position: int) -> None:
        reader = self.reader
        data = reader.obj(
            raw, path, {"key", "title", "summary", "topics"}, optional={"added_by_learner"}
        )
        stage = Stage(
            key=reader.slug(data, "key", path, max_length=60),
            title=reader.text(data, "title", path, max_length=200, blank=False),
            summary=reader.text(data, "summary", path),
            position=position,
            added_by_learner=_added_by_learner(reader, data, path),
        )
        self.unique(self.keys, "stage", stage.key, path, "key")
        self.stages.append(stage)
        items = reader.items(data, "topics", path)
        if self.count("topics", len(items), _join(path, "topics")):
            for index, raw_topic in enumerate(items):
                self.topic(raw_topic, f"{path}.topics[{index}]", index, stage.key)

    def topic(self, raw, path: str, position: int, stage_key: str) -> None:
        reader = self.reader
        fields = {"key", "slug", "title", "summary", "prerequisites", "resources", "milestones"}
        data = reader.obj(raw, path, fields, optional={"added_by_learner"})
        topic = Topic(
            key=reader.slug(data, "key", path, max_length=60),
            slug=reader.slug(data, "slug", path, max_length=80),
            title=reader.text(data, "title", path, max_length=200, blank=False),
            summary=reader.text(data, "summary", path),
            position=position,
            added_by_learner=_added_by_learner(reader, data, path),
        )
        self.unique(self.keys, "topic", topic.key, path, "key")
        self.unique(self.slugs, "topic", topic.slug, path, "slug")
        needs = []
        for index, need in enumerate(reader.items(data, "prerequisites", path)):
            if isinstance(need, str):
                needs.append(need)
            else:
                reader.error(
                    f"{path}.prerequisites[{index}]",
                    f"expected a topic's key, got {_kind_of(need)}",
                )
        self.topics.append((topic, stage_key, needs))
        self.resources += _read_resources(reader, data, path, topic.key, self.count)
        items = reader.items(data, "milestones", path)
        if not self.count("milestones", len(items), _join(path, "milestones")):
            return
        for index, raw_milestone in enumerate(items):
            m_path = f"{path}.milestones[{index}]"
            milestone = _read_milestone(reader, raw_milestone, m_path, index)
            self.unique(self.keys, "milestone", milestone.key, m_path, "key")
            self.unique(self.slugs, "milestone", milestone.slug, m_path, "slug")
            self.milestones.append((milestone, topic.key))
            if isinstance(raw_milestone, dict):
                self.reproduction(raw_milestone, m_path, milestone)

    def reproduction(self, data: dict, path: str, milestone: Milestone) -> None:
        """A milestone's target, results and evidence: each optional, absent in older files."""
        reader = self.reader
        if data.get("target") is not None:
            milestone.set_target(_read_target(reader, data["target"], _join(path, "target")))
        items = reader.items(data, "results", path)
        if self.count("results", len(items), _join(path, "results")):
            for index, raw in enumerate(items):
                r_path = f"{path}.results[{index}]"
                rdata = reader.obj(raw, r_path, {"value", "measured_on"}, optional=RESULT_EXTRA)
                result = Result(
                    value=_measure(reader, rdata, "value", r_path) or Decimal(0),
                    measured_on=reader.day(rdata, "measured_on", r_path, null=False),
                    evidence_url=reader.url(rdata, "evidence_url", r_path, blank=True),
                    note=reader.text(rdata, "note", r_path, max_length=500),
                )
                if rdata.get("created_at") is not None:
                    result.created_at = reader.moment(rdata, "created_at", r_path, null=False)
                self.results.append((result, milestone.key))
        items = reader.items(data, "evidence", path)
        if self.count("evidence", len(items), _join(path, "evidence")):
            urls: set[str] = set()
            for index, raw in enumerate(items):
                e_path = f"{path}.evidence[{index}]"
                edata = reader.obj(raw, e_path, {"url", "source", "at"}, optional={"note"})
                evidence = Evidence(
                    url=reader.url(edata, "url", e_path, blank=False),
                    note=reader.text(edata, "note", e_path, max_length=200),
                    source=reader.choice(edata, "source", e_path, Evidence.Source.values),
                    at=reader.moment(edata, "at", e_path, null=False),
                )
                if evidence.url and evidence.url in urls:
                    reader.error(
                        _join(e_path, "url"),
                        "is this milestone's evidence already: list each address once",
                    )
                urls.add(evidence.url)
                self.evidence.append((evidence, milestone.key))
        self.study_sessions(data, path, milestone)

    def study_sessions(self, data: dict, path: str, milestone: Milestone) -> None:
        """Time logged on the milestone (stopped sessions only): absent in older files."""
        reader = self.reader
        items = reader.items(data, "study_sessions", path) if "study_sessions" in data else []
        if not self.count("study_sessions", len(items), _join(path, "study_sessions")):
            return
        for index, raw in enumerate(items):
            s_path = f"{path}.study_sessions[{index}]"
            sdata = reader.obj(raw, s_path, SESSION_FIELDS)
            session = StudySession(
                started_at=reader.moment(sdata, "started_at", s_path, null=False),
                ended_at=reader.moment(sdata, "ended_at", s_path, null=False),
                minutes=_minutes(reader, sdata, s_path),
                note=reader.text(sdata, "note", s_path, max_length=200),
                by_hand=reader.boolean(sdata, "by_hand", s_path),
                capped=reader.boolean(sdata, "capped", s_path),
            )
            if session.started_at and session.ended_at and session.ended_at < session.started_at:
                reader.error(_join(s_path, "ended_at"), "is before started_at")
            self.sessions.append((session, milestone.key))

    def check_prerequisites(self) -> None:
        for topic, _, needs in self.topics:
            where = f"the topic {topic.key!r}'s prerequisites"
            for need in needs:
                if need == topic.key:
                    self.reader.error(where, "a topic cannot need itself")
                elif need not in self.keys["topic"]:
                    self.reader.error(
                        where, f"{_shown(need)} is not the key of a topic in this roadmap"
                    )


RESULT_EXTRA = {"evidence_url", "note", "created_at"}
SESSION_FIELDS = {"started_at", "ended_at", "minutes", "note", "by_hand", "capped"}


def _minutes(reader: _Reader, data: dict, path: str) -> int:
    value = data.get("minutes")
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 24 * 60:
        reader.error(
            _join(path, "minutes"), f"expected a whole number from 0 to 1440, got {_shown(value)}"
        )
        return 0
    return value


def _measure(reader: _Reader, data: dict, name: str, path: str) -> Decimal | None:
    """A target's or a result's number, as exactly as it can be stored."""
    value = data.get(name)
    try:
        return stored_number(value)
    except ValueError as problem:
        reader.error(_join(path, name), f"{problem}, got {_shown(value)}")
        return None


def _read_target(reader: _Reader, value, path: str):
    data = reader.obj(value, path, TARGET_FIELDS)
    metric = reader.text(data, "metric", path, max_length=80, blank=False)
    direction = reader.choice(data, "direction", path, Direction.values)
    number, tolerance = (
        _measure(reader, data, "value", path),
        _measure(reader, data, "tolerance", path),
    )
    if tolerance is not None and tolerance < 0:
        reader.error(_join(path, "tolerance"), "must be 0 or more")
    if not metric or number is None or tolerance is None or tolerance < 0:
        return None
    return Target(metric=metric, value=number, direction=direction, tolerance=tolerance)


def _read_roadmap(reader: _Reader, value) -> dict:
    path = "roadmap"
    fields = {
        "slug",
        "title",
        "summary",
        "visibility",
        "started_on",
        "target_date",
        "time_zone",
        "curriculum_key",
        "curriculum_version",
        "created_at",
    }
    data = reader.obj(value, path, fields, optional={"show_hours"})
    result = {
        "slug": reader.slug(data, "slug", path, max_length=80),
        "title": reader.text(data, "title", path, max_length=200, blank=False),
        "summary": reader.text(data, "summary", path),
        "visibility": reader.choice(data, "visibility", path, Roadmap.Visibility.values),
        "started_on": reader.day(data, "started_on", path, null=False),
        "target_date": reader.day(data, "target_date", path, null=True),
        "time_zone": reader.text(data, "time_zone", path, max_length=64, blank=False),
        "curriculum_key": reader.text(data, "curriculum_key", path, max_length=60),
        "curriculum_version": data.get("curriculum_version"),
        "created_at": reader.moment(data, "created_at", path, null=False),
    }
    if "show_hours" in data:
        result["show_hours"] = reader.boolean(data, "show_hours", path)
    if result["time_zone"]:
        try:
            validate_time_zone(result["time_zone"])
        except ValidationError:
            reader.error(f"{path}.time_zone", f"{_shown(result['time_zone'])} is not a time zone")
    version = result["curriculum_version"]
    if version is not None and (
        isinstance(version, bool) or not isinstance(version, int) or not 0 <= version <= 2**31
    ):
        reader.error(
            f"{path}.curriculum_version", f"{_shown(version)} is not a version number or null"
        )
    start, target = result["started_on"], result["target_date"]
    if start and target and target < start:
        reader.error(f"{path}.target_date", "is before started_on")
    return result


def _read_resources(reader: _Reader, data: dict, path: str, topic_key: str, count) -> list:
    items = reader.items(data, "resources", path)
    if not count("resources", len(items), _join(path, "resources")):
        return []
    resources = []
    for index, raw in enumerate(items):
        r_path = f"{path}.resources[{index}]"
        rdata = reader.obj(raw, r_path, {"type", "title", "url"})
        resource = Resource(
            type=reader.choice(rdata, "type", r_path, Resource.Type.values),
            title=reader.text(rdata, "title", r_path, max_length=300, blank=False),
            url=reader.url(rdata, "url", r_path, blank=False),
            position=index,
        )
        resources.append((resource, topic_key))
    return resources


def _read_milestone(reader: _Reader, value, path: str, position: int) -> Milestone:
    fields = {
        "key",
        "slug",
        "title",
        "description",
        "kind",
        "estimated_hours",
        "optional",
        "proof",
        "status",
        "started_at",
        "completed_at",
        "evidence_url",
        "private_note",
    }
    data = reader.obj(
        value,
        path,
        fields,
        optional={"target", "results", "evidence", "study_sessions", "added_by_learner"},
    )
    return Milestone(
        key=reader.slug(data, "key", path, max_length=60),
        slug=reader.slug(data, "slug", path, max_length=80),
        title=reader.text(data, "title", path, max_length=300, blank=False),
        description=reader.text(data, "description", path),
        kind=reader.choice(data, "kind", path, Milestone.Kind.values),
        estimated_hours=_hours(reader, data, path),
        optional=reader.boolean(data, "optional", path),
        proof=reader.text(data, "proof", path),
        status=reader.choice(data, "status", path, Status.values),
        started_at=reader.moment(data, "started_at", path, null=True),
        completed_at=reader.moment(data, "completed_at", path, null=True),
        evidence_url=reader.url(data, "evidence_url", path, blank=True),
        private_note=reader.text(data, "private_note", path),
        position=position,
        added_by_learner=_added_by_learner(reader, data, path),
    )


def _hours(reader: _Reader, data: dict, path: str) -> Decimal:
    value = data.get("estimated_hours")
    where = _join(path, "estimated_hours")
    if isinstance(value, bool) or not isinstance(value, int | float):
        reader.error(where, f"expected a number of hours, got {_kind_of(value)}")
        return Decimal(0)
    try:
        hours = Decimal(str(value))
    except InvalidOperation:
        hours = Decimal(-1)
    if (
        not hours.is_finite()
        or not 0 <= hours <= MAX_HOURS
        or hours != hours.quantize(Decimal("0.1"))
    ):
        reader.error(
            where,
            f"{_shown(value)} is not a number of hours from 0 to {MAX_HOURS}, to one decimal place",
        )
        return Decimal(0)
    return hours.quantize(Decimal("0.1"))


def _read_events(reader: _Reader, document: dict, milestone_keys: set[str], count) -> list:
    items = reader.items(document, "events", "")
    if not count("events", len(items), "events"):
        return []
    events = []
    for index, raw in enumerate(items):
        path = f"events[{index}]"
        data = reader.obj(raw, path, {"milestone", "from", "to", "at"})
        key = data.get("milestone")
        if not isinstance(key, str) or key not in milestone_keys:
            reader.error(
                _join(path, "milestone"),
                f"{_shown(key)} is not the key of a milestone in this roadmap",
            )
        event = ProgressEvent(
            from_status=reader.choice(data, "from", path, Status.values),
            to_status=reader.choice(data, "to", path, Status.values),
            at=reader.moment(data, "at", path, null=False),
        )
        events.append((event, key))
        if len(reader.errors) >= MAX_ERRORS:
            break
    return events


def _added_by_learner(reader: _Reader, data: dict, path: str) -> bool:
    """Whether the learner added the item: optional, false in files written before it."""
    return "added_by_learner" in data and reader.boolean(data, "added_by_learner", path)


def _read_plan_changes(reader: _Reader, document: dict, count) -> list[PlanChange]:
    items = reader.items(document, "plan_changes", "")
    if not count("plan_changes", len(items), "plan_changes"):
        return []
    changes = []
    for index, raw in enumerate(items):
        path = f"plan_changes[{index}]"
        fields = {"at", "kind", "what", "key", "title", "before", "after", "detail"}
        data = reader.obj(raw, path, fields)
        changes.append(
            PlanChange(
                at=reader.moment(data, "at", path, null=False),
                kind=reader.choice(data, "kind", path, PlanChange.Kind.values),
                what=reader.choice(data, "what", path, PlanChange.What.values),
                key=reader.slug(data, "key", path, max_length=60),
                title=reader.text(data, "title", path, max_length=300, blank=False),
                before=reader.text(data, "before", path, max_length=300),
                after=reader.text(data, "after", path, max_length=300),
                detail=reader.text(data, "detail", path, max_length=500),
            )
        )
        if len(reader.errors) >= MAX_ERRORS:
            break
    return changes


# Writing an import.


def address_taken(slug: str, owner=None) -> bool:
    """Whether a roadmap has `slug` as its address, had it, or the site keeps it; a deleted
    roadmap of `owner`'s leaves its address to them (an export brought back)."""
    return (
        slug in RESERVED_SLUGS
        or Roadmap.objects.filter(slug=slug).exists()
        or RoadmapAddress.objects.keeps(slug, owner=owner)
    )


def roadmap_import(*, document: RoadmapImport, owner, as_copy: bool = False) -> Roadmap:
    """Write a checked export as a new roadmap of `owner`'s, all of it or nothing.

    Where its address is taken on this site the import is refused (ImportRefused), unless
    `as_copy`: then it takes a free address and its title says it is a copy. It never
    writes into a roadmap that exists.
    """
    fields = dict(document.roadmap)
    created_at = fields.pop("created_at")
    with transaction.atomic(), SiteVersion.objects.counted_once():
        if address_taken(fields["slug"], owner):
            if not as_copy:
                raise ImportRefused(
                    [
                        f"roadmap.slug: the address /roadmaps/{fields['slug']}/ is taken on this "
                        "site. Import it as a copy, or delete the roadmap there first."
                    ]
                )
            fields["slug"] = Roadmap.objects.free_slug(fields["slug"])
            fields["title"] = f"{fields['title'][:193]} (copy)"
        # Its own address back: the reservation a deletion left is no longer needed.
        RoadmapAddress.objects.filter(slug=fields["slug"]).left_to(owner).delete()
        roadmap = Roadmap.objects.create(owner=owner, **fields)
        Roadmap.objects.filter(pk=roadmap.pk).update(created_at=created_at)

        for stage in document.stages:
            stage.pk, stage.roadmap = None, roadmap
        stages = {s.key: s for s in Stage.objects.bulk_create(document.stages)}
        topic_rows = []
        for topic, stage_key, _ in document.topics:
            topic.pk, topic.roadmap, topic.stage = None, roadmap, stages[stage_key]
            topic_rows.append(topic)
        topics = {t.key: t for t in Topic.objects.bulk_create(topic_rows)}
        Topic.prerequisites.through.objects.bulk_create(
            Topic.prerequisites.through(from_topic=topics[key], to_topic=topics[need])
            for key, _, needs in ((t.key, s, n) for t, s, n in document.topics)
            for need in needs
        )
        resources = []
        for resource, topic_key in document.resources:
            resource.pk, resource.topic = None, topics[topic_key]
            resources.append(resource)
        Resource.objects.bulk_create(resources)
        milestone_rows = []
        for milestone, topic_key in document.milestones:
            milestone.pk, milestone.roadmap = None, roadmap
            milestone.topic = topics[topic_key]
            milestone_rows.append(milestone)
        milestones = {
            m.key: m for m in Milestone.objects.bulk_create(milestone_rows, batch_size=500)
        }
        events = []
        for event, milestone_key in document.events:
            event.pk, event.roadmap = None, roadmap
            event.milestone = milestones[milestone_key]
            events.append(event)
        ProgressEvent.objects.bulk_create(events, batch_size=1000)
        for row, milestone_key in [*document.results, *document.evidence]:
            row.pk, row.milestone = None, milestones[milestone_key]
        Result.objects.bulk_create([r for r, _ in document.results], batch_size=1000)
        Evidence.objects.bulk_create([e for e, _ in document.evidence], batch_size=1000)
        for session, milestone_key in document.sessions:
            session.pk, session.roadmap, session.learner = None, roadmap, owner
            session.milestone = milestones[milestone_key]
        StudySession.objects.bulk_create([s for s, _ in document.sessions], batch_size=1000)
        for change in document.plan_changes:
            change.pk, change.roadmap = None, roadmap
        PlanChange.objects.bulk_create(document.plan_changes, batch_size=1000)
        Roadmap.objects.filter(pk=roadmap.pk).mark_changed()
    roadmap.refresh_from_db()
    return roadmap
