"""Curriculum files: read and check a whole file into specs.

The format is documented in docs/curriculum-format.md. Reading never writes; a file with
errors is refused whole, with every error and where it is.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from ..models import Milestone, Resource

KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
LINE = "__line__"

CURRICULUM_FIELDS = {"key", "title", "version", "summary", "stages"}
STAGE_FIELDS = {"key", "title", "summary", "topics"}
TOPIC_FIELDS = {"key", "title", "summary", "prerequisites", "resources", "milestones"}
RESOURCE_FIELDS = {"type", "title", "url"}
MILESTONE_FIELDS = {"key", "title", "kind", "hours", "evidence", "description", "optional"}

validate_url = URLValidator(schemes=["http", "https"])


@dataclass
class ResourceSpec:
    type: str
    title: str
    url: str


@dataclass
class MilestoneSpec:
    key: str
    title: str
    kind: str
    hours: Decimal
    evidence: str
    description: str = ""
    optional: bool = False


@dataclass
class TopicSpec:
    key: str
    title: str
    summary: str = ""
    prerequisites: list[str] = field(default_factory=list)
    resources: list[ResourceSpec] = field(default_factory=list)
    milestones: list[MilestoneSpec] = field(default_factory=list)


@dataclass
class StageSpec:
    key: str
    title: str
    summary: str = ""
    topics: list[TopicSpec] = field(default_factory=list)


@dataclass
class CurriculumSpec:
    key: str
    title: str
    version: int
    summary: str = ""
    stages: list[StageSpec] = field(default_factory=list)
    source: str = ""

    @property
    def topics(self) -> list[TopicSpec]:
        return [topic for stage in self.stages for topic in stage.topics]

    @property
    def milestones(self) -> list[MilestoneSpec]:
        return [m for topic in self.topics for m in topic.milestones]

    @property
    def total_hours(self) -> Decimal:
        return sum((m.hours for m in self.milestones), Decimal(0))


class CurriculumError(Exception):
    """A curriculum file that cannot be used; `errors` lists every problem found."""

    def __init__(self, source: str, errors: list[str]):
        self.source = source
        self.errors = errors
        super().__init__(f"{source}: {len(errors)} error(s)\n" + "\n".join(errors))


# libyaml parses the shipped curricula about ten times faster than the pure-Python parser;
# both build the same nodes, with the same marks, so the line numbers do not change.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeLoader):
    """Remembers the line each mapping starts on, so errors can point at it."""

    def construct_mapping(self, node, deep=False):
        mapping = super().construct_mapping(node, deep=deep)
        mapping[LINE] = node.start_mark.line + 1
        return mapping


class _Checker:
    def __init__(self, source: str):
        self.source = source
        self.errors: list[str] = []

    def error(self, where: str, line: int | None, message: str) -> None:
        at = f"{self.source}:{line}" if line else self.source
        self.errors.append(f"{at}: {where}: {message}" if where else f"{at}: {message}")

    def mapping(self, value, where: str, line: int | None, allowed: set[str]) -> dict | None:
        if not isinstance(value, dict):
            self.error(where, line, f"expected a mapping of fields, got {_describe(value)}")
            return None
        line = value.get(LINE, line)
        for name in sorted(set(value) - allowed - {LINE}, key=str):
            self.error(
                where, line, f"unknown field '{name}' (allowed: {', '.join(sorted(allowed))})"
            )
        return value

    def text(self, data: dict, name: str, where: str, *, required: bool, max_length: int) -> str:
        value = data.get(name)
        line = data.get(LINE)
        if value is None or value == "":
            if required:
                self.error(where, line, f"missing required field '{name}'")
            return ""
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            self.error(where, line, f"'{name}' must be text, got {_describe(value)}")
            return ""
        value = str(value).strip()
        if len(value) > max_length:
            self.error(where, line, f"'{name}' is {len(value)} characters; at most {max_length}")
        return value

    def key(self, data: dict, where: str, seen: dict[str, str]) -> str:
        key = self.text(data, "key", where, required=True, max_length=60)
        if not key:
            return ""
        if not KEY_PATTERN.match(key):
            self.error(
                where,
                data.get(LINE),
                f"key '{key}' must be lowercase letters, digits and hyphens, starting with a "
                "letter or digit",
            )
        elif key in seen:
            self.error(where, data.get(LINE), f"duplicate key '{key}' (also used by {seen[key]})")
        else:
            seen[key] = where
        return key

    def items(self, data: dict, name: str, where: str, *, required: bool) -> list:
        value = data.get(name)
        if value is None:
            if required:
                self.error(where, data.get(LINE), f"missing required field '{name}'")
            return []
        if not isinstance(value, list):
            self.error(where, data.get(LINE), f"'{name}' must be a list, got {_describe(value)}")
            return []
        return value


def _label(kind: str, raw, index: int) -> str:
    """How an error names an item: by its key where it has one, else by its position."""
    key = raw.get("key") if isinstance(raw, dict) else None
    return f"{kind} '{key}'" if isinstance(key, str) and key else f"{kind} #{index}"


def _describe(value) -> str:
    if value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false"}.get(
        type(value), type(value).__name__
    )


def parse_curriculum(text: str, source: str = "<curriculum>") -> CurriculumSpec:
    """Read and check a whole curriculum; raise CurriculumError listing every problem."""
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a safe loader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise CurriculumError(source, [f"{source}{line}: not valid YAML: {problem}"]) from exc

    check = _Checker(source)
    data = check.mapping(data, "", 1, CURRICULUM_FIELDS)
    if data is None:
        raise CurriculumError(source, check.errors)

    spec = CurriculumSpec(
        key=check.key(data, "curriculum", {}),
        title=check.text(data, "title", "curriculum", required=True, max_length=200),
        version=_version(check, data),
        summary=check.text(data, "summary", "curriculum", required=False, max_length=5000),
        source=source,
    )

    stage_keys: dict[str, str] = {}
    topic_keys: dict[str, str] = {}
    milestone_keys: dict[str, str] = {}
    topic_lines: dict[str, int | None] = {}
    stages = check.items(data, "stages", "curriculum", required=True)
    if "stages" in data and not stages and isinstance(data.get("stages"), list):
        check.error("curriculum", data.get(LINE), "'stages' is empty: add at least one stage")
    for s_index, raw_stage in enumerate(stages, 1):
        where = _label("stage", raw_stage, s_index)
        stage = check.mapping(raw_stage, where, data.get(LINE), STAGE_FIELDS)
        if stage is None:
            continue
        key = check.key(stage, where, stage_keys)
        stage_spec = StageSpec(
            key=key,
            title=check.text(stage, "title", where, required=True, max_length=200),
            summary=check.text(stage, "summary", where, required=False, max_length=5000),
        )
        spec.stages.append(stage_spec)
        for t_index, raw_topic in enumerate(check.items(stage, "topics", where, required=True), 1):
            t_where = f"{where} > {_label('topic', raw_topic, t_index)}"
            topic = check.mapping(raw_topic, t_where, stage.get(LINE), TOPIC_FIELDS)
            if topic is None:
                continue
            topic_spec = _topic(check, topic, t_where, topic_keys, milestone_keys)
            topic_lines[topic_spec.key] = topic.get(LINE)
            stage_spec.topics.append(topic_spec)

    _check_prerequisites(check, spec, topic_lines)
    if check.errors:
        raise CurriculumError(source, check.errors)
    return spec


def _version(check: _Checker, data: dict) -> int:
    version = data.get("version")
    if version is None:
        check.error("curriculum", data.get(LINE), "missing required field 'version'")
    elif isinstance(version, bool) or not isinstance(version, int) or version < 1:
        check.error(
            "curriculum", data.get(LINE), f"version must be a whole number from 1, got {version!r}"
        )
    else:
        return version
    return 0


def _topic(
    check: _Checker,
    topic: dict,
    where: str,
    topic_keys: dict[str, str],
    milestone_keys: dict[str, str],
) -> TopicSpec:
    line = topic.get(LINE)
    spec = TopicSpec(
        key=check.key(topic, where, topic_keys),
        title=check.text(topic, "title", where, required=True, max_length=200),
        summary=check.text(topic, "summary", where, required=False, max_length=5000),
    )
    for prerequisite in check.items(topic, "prerequisites", where, required=False):
        if not isinstance(prerequisite, str):
            check.error(where, line, f"prerequisite {prerequisite!r} must be a topic key")
        else:
            spec.prerequisites.append(prerequisite)
    for r_index, raw in enumerate(check.items(topic, "resources", where, required=False), 1):
        r_where = f"{where} > resource #{r_index}"
        resource = check.mapping(raw, r_where, line, RESOURCE_FIELDS)
        if resource is not None:
            spec.resources.append(_resource(check, resource, r_where))
    for m_index, raw in enumerate(check.items(topic, "milestones", where, required=True), 1):
        m_where = f"{where} > {_label('milestone', raw, m_index)}"
        milestone = check.mapping(raw, m_where, line, MILESTONE_FIELDS)
        if milestone is not None:
            spec.milestones.append(_milestone(check, milestone, m_where, milestone_keys))
    return spec


def _resource(check: _Checker, data: dict, where: str) -> ResourceSpec:
    line = data.get(LINE)
    kind = check.text(data, "type", where, required=True, max_length=10)
    if kind and kind not in Resource.Type.values:
        check.error(where, line, f"type '{kind}' is not one of {', '.join(Resource.Type.values)}")
    url = check.text(data, "url", where, required=True, max_length=500)
    if url:
        try:
            validate_url(url)
        except ValidationError:
            check.error(where, line, f"url '{url}' is not an absolute http or https address")
    return ResourceSpec(
        type=kind, title=check.text(data, "title", where, required=True, max_length=300), url=url
    )


def _milestone(check: _Checker, data: dict, where: str, seen: dict[str, str]) -> MilestoneSpec:
    line = data.get(LINE)
    key = check.key(data, where, seen)
    kind = check.text(data, "kind", where, required=True, max_length=10)
    if kind and kind not in Milestone.Kind.values:
        check.error(where, line, f"kind '{kind}' is not one of {', '.join(Milestone.Kind.values)}")
    hours = Decimal(0)
    raw_hours = data.get("hours")
    if raw_hours is None:
        check.error(where, line, "missing required field 'hours'")
    elif isinstance(raw_hours, bool) or not isinstance(raw_hours, int | float):
        check.error(where, line, f"hours must be a number, got {raw_hours!r}")
    else:
        try:
            hours = Decimal(str(raw_hours)).quantize(Decimal("0.1"))
        except InvalidOperation:
            check.error(where, line, f"hours must be a number, got {raw_hours!r}")
        if hours < 0:
            check.error(where, line, f"hours must be 0 or more, got {raw_hours}")
        elif hours >= 10000:
            check.error(where, line, f"hours must be under 10000, got {raw_hours}")
    optional = data.get("optional", False)
    if not isinstance(optional, bool):
        check.error(where, line, f"optional must be true or false, got {optional!r}")
        optional = False
    return MilestoneSpec(
        key=key,
        title=check.text(data, "title", where, required=True, max_length=300),
        kind=kind,
        hours=hours,
        evidence=check.text(data, "evidence", where, required=True, max_length=2000),
        description=check.text(data, "description", where, required=False, max_length=5000),
        optional=optional,
    )


def _check_prerequisites(check: _Checker, spec: CurriculumSpec, lines: dict) -> None:
    known = {topic.key for topic in spec.topics}
    graph: dict[str, list[str]] = {}
    for topic in spec.topics:
        where = f"topic '{topic.key}'"
        graph.setdefault(topic.key, [])
        for prerequisite in topic.prerequisites:
            if prerequisite == topic.key:
                check.error(where, lines.get(topic.key), "a topic cannot be its own prerequisite")
            elif prerequisite not in known:
                check.error(where, lines.get(topic.key), f"unknown prerequisite '{prerequisite}'")
            else:
                graph[topic.key].append(prerequisite)

    # Depth-first search; a grey node met again closes a cycle.
    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(graph, white)
    reported: set[frozenset] = set()

    def visit(node: str, path: list[str]) -> None:
        colour[node] = grey
        path.append(node)
        for nxt in graph[node]:
            if colour[nxt] == grey:
                cycle = [*path[path.index(nxt) :], nxt]
                if frozenset(cycle) not in reported:
                    reported.add(frozenset(cycle))
                    check.error(
                        f"topic '{nxt}'",
                        lines.get(nxt),
                        "prerequisites form a cycle: " + " -> ".join(cycle),
                    )
            elif colour[nxt] == white:
                visit(nxt, path)
        path.pop()
        colour[node] = black

    for node in graph:
        if colour[node] == white:
            visit(node, [])


def read_curriculum(path: Path | str, *, source: str | None = None) -> CurriculumSpec:
    """Read and check the file at `path`; errors name it as `source` (default: the path)."""
    path = Path(path)
    source = source or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CurriculumError(
            source, [f"{source}: cannot be read: {exc.__class__.__name__}"]
        ) from exc
    return parse_curriculum(text, source=source)
