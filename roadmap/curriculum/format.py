"""Curriculum files: read and check a whole file into specs.

The format is documented in docs/curriculum-format.md. Reading never writes; a file with
errors is refused whole, with every error and where it is.

The catalogue reads every file of the curricula folder for the pages that list them, so a
file must not be able to stall or exhaust the server: its size, nesting and number of
values are bounded before anything is built from it, and every problem a file can cause
comes out as a CurriculumError.
"""

import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from ..models import Milestone, Resource
from ..targets import Direction, Target, stored_number

KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")


class _Note:
    """A key the loader adds to a mapping. Not text, so no field of the file can collide."""

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return f"<{self.name}>"


LINE = _Note("line")
DUPLICATES = _Note("duplicates")
NOTES = {LINE, DUPLICATES}

# Limits, documented in docs/curriculum-format.md. The largest shipped curriculum is about
# 180 KB, 5,600 values, 7 levels deep, 10 stages, 62 topics, 192 milestones and 331
# resources; each limit leaves it a margin of ten times or more.
MAX_FILE_SIZE = 2 * 1024 * 1024
# The format itself is 7 levels deep, so anything past that is an error already; the limit
# only has to stop the nodes being built.
MAX_DEPTH = 20
# Building nodes and objects costs about 10 to 25 microseconds a value, so this bounds a
# file's reading to a second or two whatever its shape.
MAX_VALUES = 100_000
# Reading a long number takes time quadratic in its digits (Python refuses ints of more than
# 4,300 of them for that reason); a curriculum's numbers are hours and versions.
MAX_NUMBER_LENGTH = 100
MAX_ITEMS = {"stage": 100, "topic": 1_000, "milestone": 3_000, "resource": 5_000}
MAX_VERSION = 1_000_000
MAX_HOURS = 10_000
# A cycle's error spells out its whole path; past a few, the rest repeat the same mistake.
MAX_CYCLES_REPORTED = 10

CURRICULUM_FIELDS = {"key", "title", "version", "summary", "stages"}
STAGE_FIELDS = {"key", "title", "summary", "topics"}
TOPIC_FIELDS = {"key", "title", "summary", "prerequisites", "resources", "milestones"}
RESOURCE_FIELDS = {"type", "title", "url"}
MILESTONE_FIELDS = {
    "key",
    "title",
    "kind",
    "hours",
    "evidence",
    "description",
    "optional",
    "target",
}
TARGET_FIELDS = {"metric", "value", "direction", "tolerance"}

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
    target: Target | None = None


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

_NUMBER_TAGS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _LineLoader(_SafeLoader):
    """Remembers the line each mapping starts on, so errors can point at it, and the fields
    a mapping gives twice, which YAML would otherwise settle silently by keeping the last."""

    def construct_object(self, node, deep=False):
        if node.tag in _NUMBER_TAGS and len(node.value) > MAX_NUMBER_LENGTH:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"a number of {len(node.value):,} characters is too long; if it is text, put it "
                "in quotes",
                node.start_mark,
            )
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError) as exc:
            # A date such as 2026-13-45 looks like one to YAML but is not a date.
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"cannot read {_shown(node.value)} ({exc}); if it is text, put it in quotes",
                node.start_mark,
            ) from exc

    def construct_mapping(self, node, deep=False):
        for key_node, _ in node.value:
            if key_node.tag == _MERGE_TAG:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    "merge keys (<<) are not allowed in a curriculum: write the fields out in full",
                    key_node.start_mark,
                )
        mapping = super().construct_mapping(node, deep=deep)
        first_lines: dict = {}
        duplicates = []
        for key_node, _ in node.value:
            key = self.construct_object(key_node)  # already built: this is a look-up
            line = key_node.start_mark.line + 1
            if key in first_lines:
                duplicates.append((key, line, first_lines[key]))
            else:
                first_lines[key] = line
        mapping[LINE] = node.start_mark.line + 1
        if duplicates:
            mapping[DUPLICATES] = duplicates
        return mapping


def _refuse_unsafe_structure(text: str, source: str) -> None:
    """Walk the parser's events before any node is built, refusing anchors and aliases (an
    alias bomb of a few lines expands to gigabytes), deep nesting (libyaml builds nodes
    recursively, in C) and more values than a curriculum needs."""
    depth = values = 0
    for event in yaml.parse(text, Loader=_SafeLoader):
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent):
            raise _refused(source, line, _no_anchors(f"alias '*{event.anchor}'"))
        if getattr(event, "anchor", None):
            raise _refused(source, line, _no_anchors(f"anchor '&{event.anchor}'"))
        if isinstance(event, yaml.NodeEvent):
            values += 1
            if values > MAX_VALUES:
                raise _refused(
                    source,
                    line,
                    f"more than {MAX_VALUES:,} values (every key, text, number, list and mapping "
                    "counts one): split the file into several curricula",
                )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise _refused(
                    source,
                    line,
                    f"nested more than {MAX_DEPTH} levels deep, where a curriculum needs 7: "
                    "check the indentation and brackets up to this line",
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _no_anchors(what: str) -> str:
    return (
        f"{what} is not allowed: a curriculum cannot use YAML anchors (&) or aliases (*); "
        "write the value out in full"
    )


def _refused(source: str, line: int | None, message: str) -> CurriculumError:
    at = f"{source}:{line}" if line else source
    return CurriculumError(source, [f"{at}: {message}"])


def _too_large(source: str, line: int, what: str) -> CurriculumError:
    return _refused(
        source,
        line,
        f"{what} is larger than {MAX_FILE_SIZE:,} bytes ({MAX_FILE_SIZE // 2**20} MB), the most a "
        "curriculum may be; it passes that size on this line: split it into several curricula",
    )


def _load(text: str, source: str):
    """The YAML document in `text`, with LINE and DUPLICATES notes on its mappings."""
    try:
        _refuse_unsafe_structure(text, source)
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a safe loader subclass
    except yaml.YAMLError as exc:
        raise _not_valid_yaml(exc, text, source) from exc
    except UnicodeEncodeError as exc:
        raise _refused(
            source,
            text.count("\n", 0, exc.start) + 1,
            f"character {text[exc.start]!r} is not text (a lone surrogate): remove it",
        ) from exc
    except ValueError as exc:
        raise _refused(source, None, f"not valid YAML: {exc}") from exc
    except (RecursionError, MemoryError) as exc:
        # The limits should make these impossible; a page must still not fail on them.
        raise _refused(
            source, None, f"too large or too deeply nested to read ({exc.__class__.__name__})"
        ) from exc


def _not_valid_yaml(exc: yaml.YAMLError, text: str, source: str) -> CurriculumError:
    if isinstance(exc, yaml.reader.ReaderError):
        # libyaml counts the position in bytes of UTF-8, not in characters.
        line = text.encode("utf-8")[: exc.position].count(b"\n") + 1
        return _refused(
            source,
            line,
            f"not valid YAML: character #x{exc.character:02x}: {exc.reason}: remove it",
        )
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    return _refused(source, mark.line + 1 if mark else None, f"not valid YAML: {problem}")


class _Checker:
    def __init__(self, source: str):
        self.source = source
        self.errors: list[str] = []
        self.counts = dict.fromkeys(MAX_ITEMS, 0)

    def error(self, where: str, line: int | None, message: str) -> None:
        at = f"{self.source}:{line}" if line else self.source
        self.errors.append(f"{at}: {where}: {message}" if where else f"{at}: {message}")

    def count(self, kind: str, where: str, line: int | None) -> None:
        """Count one more item of `kind`; the first one past the limit is reported."""
        self.counts[kind] += 1
        if self.counts[kind] == MAX_ITEMS[kind] + 1:
            self.error(
                where,
                line,
                f"more than {MAX_ITEMS[kind]:,} {kind}s in one file: split it into several "
                "curricula",
            )

    def mapping(self, value, where: str, line: int | None, allowed: set[str]) -> dict | None:
        if not isinstance(value, dict):
            self.error(where, line, f"expected a mapping of fields, got {_describe(value)}")
            return None
        line = value.get(LINE, line)
        for name in sorted(set(value) - allowed - NOTES, key=str):
            self.error(
                where,
                line,
                f"unknown field '{_clip(name)}' (allowed: {', '.join(sorted(allowed))})",
            )
        for name, again, first in value.get(DUPLICATES, ()):
            self.error(
                where,
                again,
                f"field '{_clip(name)}' is given twice (first on line {first}); keep one",
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
                f"key '{_clip(key)}' must be lowercase letters, digits and hyphens, starting "
                "with a letter or digit",
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
    return f"{kind} '{_clip(key)}'" if isinstance(key, str) and key else f"{kind} #{index}"


def _clip(value, length: int = 60) -> str:
    """Text from the file, short enough to quote in an error: every error names its place,
    and a place named by a megabyte-long key would repeat it in each one."""
    text = str(value)
    return text if len(text) <= length else text[: length - 1] + "…"


def _describe(value) -> str:
    if value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false"}.get(
        type(value), type(value).__name__
    )


def _shown(value) -> str:
    """A value as an error quotes it: short scalars as written, anything else by its kind."""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return _clip(repr(value))
    return _describe(value)


def parse_curriculum(text: str, source: str = "<curriculum>") -> CurriculumSpec:
    """Read and check a whole curriculum; raise CurriculumError listing every problem."""
    if len(text) > MAX_FILE_SIZE:
        raise _too_large(source, text.count("\n", 0, MAX_FILE_SIZE) + 1, "the text")
    data = _load(text, source)

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
        check.count("stage", where, stage.get(LINE))
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
            check.count("topic", t_where, topic.get(LINE))
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
            "curriculum",
            data.get(LINE),
            f"version must be a whole number from 1, got {_shown(version)}",
        )
    elif version > MAX_VERSION:
        check.error(
            "curriculum",
            data.get(LINE),
            f"version must be at most {MAX_VERSION:,}, got {version}: number versions 1, 2, 3…",
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
            check.error(where, line, f"prerequisite {_shown(prerequisite)} must be a topic key")
        else:
            spec.prerequisites.append(prerequisite)
    for r_index, raw in enumerate(check.items(topic, "resources", where, required=False), 1):
        r_where = f"{where} > resource #{r_index}"
        resource = check.mapping(raw, r_where, line, RESOURCE_FIELDS)
        if resource is not None:
            check.count("resource", r_where, resource.get(LINE))
            spec.resources.append(_resource(check, resource, r_where))
    for m_index, raw in enumerate(check.items(topic, "milestones", where, required=True), 1):
        m_where = f"{where} > {_label('milestone', raw, m_index)}"
        milestone = check.mapping(raw, m_where, line, MILESTONE_FIELDS)
        if milestone is not None:
            check.count("milestone", m_where, milestone.get(LINE))
            spec.milestones.append(_milestone(check, milestone, m_where, milestone_keys))
    return spec


def _resource(check: _Checker, data: dict, where: str) -> ResourceSpec:
    line = data.get(LINE)
    kind = check.text(data, "type", where, required=True, max_length=10)
    if kind and kind not in Resource.Type.values:
        check.error(
            where,
            line,
            f"type '{_clip(kind)}' is not one of {', '.join(Resource.Type.values)}",
        )
    url = check.text(data, "url", where, required=True, max_length=500)
    if url:
        try:
            validate_url(url)
        except ValidationError:
            check.error(
                where, line, f"url '{_clip(url, 200)}' is not an absolute http or https address"
            )
    return ResourceSpec(
        type=kind, title=check.text(data, "title", where, required=True, max_length=300), url=url
    )


def _milestone(check: _Checker, data: dict, where: str, seen: dict[str, str]) -> MilestoneSpec:
    line = data.get(LINE)
    key = check.key(data, where, seen)
    kind = check.text(data, "kind", where, required=True, max_length=10)
    if kind and kind not in Milestone.Kind.values:
        check.error(
            where, line, f"kind '{_clip(kind)}' is not one of {', '.join(Milestone.Kind.values)}"
        )
    optional = data.get("optional", False)
    if not isinstance(optional, bool):
        check.error(where, line, f"optional must be true or false, got {_shown(optional)}")
        optional = False
    return MilestoneSpec(
        key=key,
        title=check.text(data, "title", where, required=True, max_length=300),
        kind=kind,
        hours=_hours(check, data, where),
        evidence=check.text(data, "evidence", where, required=True, max_length=2000),
        description=check.text(data, "description", where, required=False, max_length=5000),
        optional=optional,
        target=_target(check, data, where) if "target" in data else None,
    )


def _target(check: _Checker, data: dict, where: str) -> Target | None:
    """A milestone's target: metric, value, direction and an optional tolerance (0)."""
    where = f"{where}: target"
    target = check.mapping(data["target"], where, data.get(LINE), TARGET_FIELDS)
    if target is None:
        return None
    line = target.get(LINE, data.get(LINE))
    metric = check.text(target, "metric", where, required=True, max_length=80)
    direction = check.text(target, "direction", where, required=True, max_length=10)
    if direction and direction not in Direction.values:
        check.error(
            where,
            line,
            f"direction '{_clip(direction)}' is not one of {', '.join(Direction.values)}",
        )
        direction = ""
    value = _target_number(check, target, "value", where, required=True)
    tolerance = _target_number(check, target, "tolerance", where, required=False)
    if tolerance is not None and tolerance < 0:
        check.error(where, line, f"tolerance must be 0 or more, got {_shown(target['tolerance'])}")
        return None
    if not (metric and direction) or value is None:
        return None
    return Target(
        metric=metric,
        value=value,
        direction=direction,
        tolerance=Decimal(0) if tolerance is None else tolerance,
    )


def _target_number(
    check: _Checker, data: dict, name: str, where: str, *, required: bool
) -> Decimal | None:
    line = data.get(LINE)
    raw = data.get(name)
    if raw is None:
        if required:
            check.error(where, line, f"missing required field '{name}'")
        return None
    try:
        return stored_number(raw)
    except ValueError as problem:
        check.error(where, line, f"{name} {problem}, got {_shown(raw)}")
        return None


def _hours(check: _Checker, data: dict, where: str) -> Decimal:
    line = data.get(LINE)
    raw = data.get("hours")
    if raw is None:
        check.error(where, line, "missing required field 'hours'")
        return Decimal(0)
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        check.error(where, line, f"hours must be a number, got {_shown(raw)}")
        return Decimal(0)
    if isinstance(raw, float) and not math.isfinite(raw):
        # YAML reads .nan, .inf and -.inf as floats, which no estimate can be.
        check.error(where, line, f"hours must be a number such as 2 or 1.5, got {raw}")
        return Decimal(0)
    exact = Decimal(str(raw))
    # Rounding needs as many digits as the number has: only round what can be stored.
    hours = exact.quantize(Decimal("0.1")) if abs(exact) < MAX_HOURS else exact
    if hours < 0:
        check.error(where, line, f"hours must be 0 or more, got {raw}")
    elif hours >= MAX_HOURS:
        check.error(where, line, f"hours must be under {MAX_HOURS}, got {raw}")
    else:
        return hours
    return Decimal(0)


def _check_prerequisites(check: _Checker, spec: CurriculumSpec, lines: dict) -> None:
    known = {topic.key for topic in spec.topics}
    graph: dict[str, dict[str, None]] = {}
    for topic in spec.topics:
        where = f"topic '{_clip(topic.key)}'"
        graph.setdefault(topic.key, {})
        for prerequisite in topic.prerequisites:
            if prerequisite == topic.key:
                check.error(where, lines.get(topic.key), "a topic cannot be its own prerequisite")
            elif prerequisite not in known:
                check.error(
                    where, lines.get(topic.key), f"unknown prerequisite '{_clip(prerequisite)}'"
                )
            else:
                # A dict, not a list: a prerequisite named twice is one edge, met once.
                graph[topic.key][prerequisite] = None
    _report_cycles(check, graph, lines)


def _report_cycles(check: _Checker, graph: dict[str, dict[str, None]], lines: dict) -> None:
    """Depth-first search; a node met again while it is on the path closes a cycle.

    The path is kept in a list rather than on Python's stack, so a chain of a thousand
    prerequisites cannot exhaust the recursion limit.
    """
    done: set[str] = set()
    reported: set[frozenset] = set()
    for start in graph:
        if start in done:
            continue
        path, on_path, pending = [start], {start}, [iter(graph[start])]
        while pending:
            nxt = next(pending[-1], None)
            if nxt is None:
                pending.pop()
                on_path.discard(path[-1])
                done.add(path.pop())
            elif nxt in on_path:
                if len(reported) < MAX_CYCLES_REPORTED:
                    cycle = [*path[path.index(nxt) :], nxt]
                    if frozenset(cycle) not in reported:
                        reported.add(frozenset(cycle))
                        check.error(
                            f"topic '{_clip(nxt)}'",
                            lines.get(nxt),
                            "prerequisites form a cycle: " + " -> ".join(cycle),
                        )
            elif nxt not in done:
                path.append(nxt)
                on_path.add(nxt)
                pending.append(iter(graph[nxt]))


def read_curriculum(path: Path | str, *, source: str | None = None) -> CurriculumSpec:
    """Read and check the file at `path`; errors name it as `source` (default: the path)."""
    path = Path(path)
    source = source or str(path)
    try:
        with path.open("rb") as file:
            # One byte past the limit tells a file that is too large from one that fits,
            # without reading more of it (it may be /dev/zero, or growing).
            data = file.read(MAX_FILE_SIZE + 1)
    except OSError as exc:
        raise _refused(source, None, f"cannot be read: {exc.__class__.__name__}") from exc
    if len(data) > MAX_FILE_SIZE:
        raise _too_large(source, data.count(b"\n", 0, MAX_FILE_SIZE) + 1, "the file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _refused(
            source,
            data.count(b"\n", 0, exc.start) + 1,
            f"not UTF-8 text (byte {exc.start + 1:,} cannot be read): save the file as UTF-8",
        ) from exc
    return parse_curriculum(text, source=source)
