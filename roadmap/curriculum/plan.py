"""What bringing a roadmap up to a curriculum file would change, decided before any write.

The plan is the one place the update rules live: the review page lists it, apply.py
carries it out step by step, and the message after the update is read from it. Reading a
roadmap's rows takes four queries, whatever its size.
"""

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum

from django.db.models import Count, Exists, OuterRef

from ..models import (
    Evidence,
    Milestone,
    PlanChange,
    Result,
    Roadmap,
    Stage,
    Status,
    StudySession,
    Topic,
)
from .format import CurriculumSpec, MilestoneSpec, StageSpec, TopicSpec


class Action(StrEnum):
    ADD = "add"
    # In the file and on the roadmap: the row follows the file.
    UPDATE = "update"
    REMOVE = "remove"
    # Gone from the file, but deleting it would lose the learner's work: left as it is.
    KEEP = "keep"


class Reason(StrEnum):
    """Why a stage, topic or milestone gone from the file stays."""

    STATUS = "status"
    EVENTS = "events"
    POSTS = "posts"
    EVIDENCE = "evidence"
    RESULTS = "results"
    NOTE = "note"
    TIME = "time"
    MILESTONES = "milestones"
    TOPICS = "topics"
    # Added by the learner in the browser: theirs, never the file's to remove or change.
    LEARNER = "learner"


ADDED_BY_YOU = "added by you"


@dataclass(frozen=True)
class Change:
    """One line of the review: a stage, topic or milestone and what happens to it."""

    kind: str  # stage, topic or milestone
    key: str
    title: str
    detail: str = ""
    reasons: tuple[Reason, ...] = ()


@dataclass
class Step:
    """The decision for one stage, topic or milestone; apply.py acts on nothing else."""

    kind: str  # stage, topic or milestone
    key: str
    # The title it has after the update: the file's, or the row's if it is gone from the file.
    title: str
    action: Action
    row: Stage | Topic | Milestone | None = None
    spec: StageSpec | TopicSpec | MilestoneSpec | None = None
    # For an item of the file: the key of the stage or topic it will be in, and its place there.
    parent: str = ""
    position: int = 0
    # What the review says about each kind of change; empty when it does not happen.
    renamed: str = ""
    moved: str = ""
    reweighed: str = ""
    retargeted: str = ""
    kept_because: str = ""
    reasons: tuple[Reason, ...] = ()
    # For a topic of the file: the keys of the topics it needs after the update, and what the
    # review says about the file's changes to them and about the learner's own that stay.
    prerequisites: tuple[str, ...] = ()
    prerequisites_changed: str = ""
    prerequisites_yours: str = ""


@dataclass
class UpdatePlan:
    """Every stage, topic and milestone of the file and of the roadmap, each with its step.

    Steps are in the file's order, stage before its topics before their milestones, then
    those gone from the file; `added`, `renamed` and the others are views of the same steps.
    """

    roadmap: Roadmap
    spec: CurriculumSpec
    steps: list[Step] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[Step]:
        return [step for step in self.steps if step.kind == kind]

    @property
    def stages(self) -> list[Step]:
        return self.of_kind("stage")

    @property
    def topics(self) -> list[Step]:
        return self.of_kind("topic")

    @property
    def milestones(self) -> list[Step]:
        return self.of_kind("milestone")

    @property
    def added(self) -> list[Change]:
        return [_change(s) for s in self.steps if s.action is Action.ADD]

    @property
    def renamed(self) -> list[Change]:
        return [_change(s, s.renamed) for s in self.steps if s.renamed]

    @property
    def moved(self) -> list[Change]:
        return [_change(s, s.moved) for s in self.steps if s.moved]

    @property
    def reweighed(self) -> list[Change]:
        """Hours or optional flags that change, and with them the percent complete."""
        return [_change(s, s.reweighed) for s in self.steps if s.reweighed]

    @property
    def retargeted(self) -> list[Change]:
        """Reproduction targets that the file sets, changes or takes away."""
        return [_change(s, s.retargeted) for s in self.steps if s.retargeted]

    @property
    def prerequisites_changed(self) -> list[Change]:
        """Topics whose prerequisites the file adds or takes away."""
        return [_change(s, s.prerequisites_changed) for s in self.steps if s.prerequisites_changed]

    @property
    def prerequisites_yours(self) -> list[Change]:
        """Topics of the file keeping prerequisites the learner gave them that the file lacks."""
        return [_change(s, s.prerequisites_yours) for s in self.steps if s.prerequisites_yours]

    @property
    def removed(self) -> list[Change]:
        return [_change(s) for s in self.steps if s.action is Action.REMOVE]

    @property
    def kept(self) -> list[Change]:
        """Items of the file's that it no longer has, kept for the learner's work on them."""
        return [
            _change(s, s.kept_because)
            for s in self.steps
            if s.action is Action.KEEP and Reason.LEARNER not in s.reasons
        ]

    @property
    def yours(self) -> list[Change]:
        """Items the learner added: never in the file, never removed or changed by it."""
        return [
            _change(s, s.kept_because)
            for s in self.steps
            if s.action is Action.KEEP and Reason.LEARNER in s.reasons
        ]

    @property
    def is_empty(self) -> bool:
        return not (
            self.added
            or self.renamed
            or self.moved
            or self.removed
            or self.kept
            or self.reweighed
            or self.retargeted
            or self.prerequisites_changed
        )

    @property
    def fingerprint(self) -> str:
        """Stands for exactly what this plan would do: the review sends it back when applied."""
        text = "\n".join(
            f"{step.kind}|{step.key}|{step.action}|{step.parent}|{step.position}|{step.title}"
            f"|{step.renamed}|{step.moved}|{step.reweighed}|{step.retargeted}"
            f"|{step.kept_because}|{','.join(step.prerequisites)}|{step.prerequisites_changed}"
            f"|{step.prerequisites_yours}"
            for step in self.steps
        )
        digest = hashlib.sha256(f"{self.spec.key}|{self.spec.version}\n{text}".encode())
        return digest.hexdigest()[:32]

    @property
    def summary(self) -> str:
        """One sentence of what the plan does, for the message after it is applied."""
        parts = [
            f"{verb} {_tally(changes)}{after}"
            for verb, changes, after in [
                ("added", self.added, ""),
                ("renamed", self.renamed, ""),
                ("moved", self.moved, ""),
                ("changed the hours or optional flag of", self.reweighed, ""),
                ("changed the target of", self.retargeted, ""),
                ("changed the prerequisites of", self.prerequisites_changed, ""),
                ("removed", self.removed, ""),
                ("kept", self.kept, " that the file no longer has"),
                ("kept", self.yours, " of your own"),
            ]
            if changes
        ]
        if not parts:
            return "only descriptions, resources or order changed"
        return "; ".join(parts)


def _change(step: Step, detail: str = "") -> Change:
    return Change(step.kind, step.key, step.title, detail, step.reasons)


def _count(n: int, noun: str, plural: str = "") -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {plural or noun + 's'}"


def _tally(changes: list[Change]) -> str:
    kinds = Counter(change.kind for change in changes)
    return " and ".join(
        _count(kinds[kind], kind) for kind in ("stage", "topic", "milestone") if kinds[kind]
    )


def plan_update(spec: CurriculumSpec, roadmap: Roadmap) -> UpdatePlan:
    """Decide, for every stage, topic and milestone, what loading `spec` does to `roadmap`.

    Items are matched by key. One gone from the file is removed unless the learner added it
    (its key, "my-...", is never a file's) or the learner's work hangs on it: a milestone
    with progress or a post, a topic with a post or a milestone that stays, a stage with a
    topic that stays. A topic's prerequisites follow the file's changes to them and keep
    the learner's own (see _plan_prerequisites).
    """
    stages = {stage.key: stage for stage in roadmap.stages.all()}
    topics = {
        topic.key: topic
        for topic in roadmap.topics.annotate(
            n_posts=Count("posts"),
            # An edit of the topic's prerequisites, as the edit page records it.
            prerequisites_edited=Exists(
                PlanChange.objects.filter(
                    roadmap=OuterRef("roadmap"),
                    what=PlanChange.What.TOPIC,
                    kind=PlanChange.Kind.EDITED,
                    key=OuterRef("key"),
                    detail__contains=PlanChange.PREREQUISITES,
                )
            ),
        )
    }
    milestones = {
        m.key: m
        for m in roadmap.milestones.annotate(
            n_events=Count("events", distinct=True),
            n_posts=Count("posts", distinct=True),
            # Results and evidence pushed from git: kept with the milestone.
            has_results=Exists(Result.objects.filter(milestone=OuterRef("pk")))
            | Exists(Evidence.objects.filter(milestone=OuterRef("pk"))),
            has_time=Exists(StudySession.objects.filter(milestone=OuterRef("pk"))),
        )
    }
    plan = UpdatePlan(roadmap=roadmap, spec=spec)
    plan.steps += _in_file_steps(spec, stages, topics, milestones)
    # Bottom up: a topic gone from the file stays for the milestones that stay in it, a stage
    # for its topics. Items of the file always land in a stage or topic of the file, so only
    # the kept ones count.
    gone_milestones = _gone_milestones(spec, milestones)
    gone_topics = _gone_topics(spec, topics, _kept_per_parent(gone_milestones, "topic_id"))
    gone_stages = _gone_stages(spec, stages, _kept_per_parent(gone_topics, "stage_id"))
    plan.steps += gone_milestones + gone_topics + gone_stages
    _plan_prerequisites(plan.topics, topics, _prerequisites_now(roadmap))
    return plan


def _prerequisites_now(roadmap: Roadmap) -> dict[str, list[str]]:
    """The keys of the topics each topic of the roadmap needs now, by the topic's key."""
    needs: dict[str, list[str]] = {}
    edges = (
        Topic.prerequisites.through.objects.filter(from_topic__roadmap=roadmap)
        .order_by("pk")
        .values_list("from_topic__key", "to_topic__key")
    )
    for topic, need in edges:
        needs.setdefault(topic, []).append(need)
    return needs


def _plan_prerequisites(
    steps: list[Step], topics: dict[str, Topic], now: dict[str, list[str]]
) -> None:
    """Decide the prerequisites of every topic of the file, and what the review says of them.

    The learner's own stay; the file's new ones are added; one the file no longer has is
    taken away only if it was the file's. The file of the version the roadmap is on is not
    kept (a curriculum's file is replaced by its next version), so "the file's" is what the
    roadmap can tell: a prerequisite that is a topic the learner added is theirs, and so is every
    prerequisite of a topic whose prerequisites they edited, the file's old ones included,
    since nothing says which ones they chose; such a topic gains only prerequisites on topics
    new in this version, as one the file lists and it lacks may be one the learner took away.
    The others were set by the file.

    A prerequisite of the file that would close a cycle with the learner's is left out, and
    the review says so: a cycle would make every topic in it wait for the others.
    """
    staying = {step.key: step for step in steps if step.action is not Action.REMOVE}
    # What each staying topic needs, starting from now; a topic that goes takes its own with it.
    graph = {key: [n for n in now.get(key, []) if n in staying] for key in staying}
    added: dict[str, list[str]] = {}
    dropped: dict[str, list[str]] = {}
    yours: dict[str, list[str]] = {}
    left: dict[str, list[str]] = {}
    candidates = []
    for step in staying.values():
        if step.spec is None:
            continue  # Gone from the file and kept: left as it is.
        wanted = list(dict.fromkeys(step.spec.prerequisites))
        have = graph[step.key]
        edited = step.row is not None and step.row.prerequisites_edited
        from_file = [] if edited else [n for n in have if not topics[n].added_by_learner]
        dropped[step.key] = [n for n in have if n in from_file and n not in wanted]
        graph[step.key] = [n for n in have if n not in dropped[step.key]]
        yours[step.key] = [n for n in graph[step.key] if n not in from_file and n not in wanted]
        added[step.key] = []
        # A topic whose prerequisites the learner chose keeps their choice, removals
        # included: only a topic new in this version joins it.
        missing = [n for n in wanted if n not in have]
        left[step.key] = [n for n in missing if edited and staying[n].row is not None]
        candidates += [(step, n) for n in missing if n not in left[step.key]]
    skipped: dict[str, list[str]] = {}
    for step, need in candidates:
        if _reaches(graph, need, step.key):
            skipped.setdefault(step.key, []).append(need)
        else:
            graph[step.key].append(need)
            added[step.key].append(need)

    _describe_prerequisites(staying, graph, added, dropped, left, skipped, yours)


def _describe_prerequisites(staying, graph, added, dropped, left, skipped, yours) -> None:
    """Each topic's prerequisites as decided, and what the review says of them."""
    titles = {key: step.title for key, step in staying.items()}

    def named(keys: list[str]) -> str:
        return ", ".join(f"“{titles[key]}”" for key in keys)

    for key, step in staying.items():
        if step.spec is None:
            continue
        step.prerequisites = tuple(sorted(graph[key]))
        changes = []
        # A new topic is listed as added: its prerequisites are part of it.
        if step.row is not None and added[key]:
            changes.append(f"now needs {named(added[key])}")
        if dropped[key]:
            changes.append(f"no longer needs {named(dropped[key])}")
        if left[key]:
            changes.append(f"not {named(left[key])}, which you took away or never had")
        if skipped.get(key):
            changes.append(
                f"not {named(skipped[key])}, which would make a cycle with your prerequisites"
            )
        step.prerequisites_changed = "; ".join(changes)
        if yours[key]:
            step.prerequisites_yours = f"needs {named(yours[key])}"


def _reaches(graph: dict[str, list[str]], start: str, goal: str) -> bool:
    """Whether `start` needs `goal`, directly or through other topics."""
    seen, pending = {start}, [start]
    while pending:
        key = pending.pop()
        if key == goal:
            return True
        for need in graph.get(key, []):
            if need not in seen:
                seen.add(need)
                pending.append(need)
    return False


def _in_file_steps(
    spec: CurriculumSpec,
    stages: dict[str, Stage],
    topics: dict[str, Topic],
    milestones: dict[str, Milestone],
) -> list[Step]:
    stage_by_pk = {stage.pk: stage for stage in stages.values()}
    topic_by_pk = {topic.pk: topic for topic in topics.values()}
    steps = []
    for s_pos, stage_spec in enumerate(spec.stages):
        steps.append(_in_file("stage", stage_spec, stages.get(stage_spec.key), s_pos))
        for t_pos, topic_spec in enumerate(stage_spec.topics):
            topic = topics.get(topic_spec.key)
            was_in = topic and stage_by_pk[topic.stage_id]
            steps.append(_in_file("topic", topic_spec, topic, t_pos, stage_spec, was_in))
            for m_pos, m_spec in enumerate(topic_spec.milestones):
                milestone = milestones.get(m_spec.key)
                was_in = milestone and topic_by_pk[milestone.topic_id]
                step = _in_file("milestone", m_spec, milestone, m_pos, topic_spec, was_in)
                if milestone is not None:
                    step.reweighed = _weight_change(m_spec, milestone)
                    step.retargeted = _target_change(m_spec, milestone)
                steps.append(step)
    return steps


def _gone_milestones(spec: CurriculumSpec, milestones: dict[str, Milestone]) -> list[Step]:
    in_file = {m.key for m in spec.milestones}
    steps = []
    for key, milestone in milestones.items():
        if key in in_file:
            continue
        reasons = _milestone_reasons(milestone)
        because = "has progress"
        if reasons:
            because += ": " + ", ".join(reasons.values())
        if milestone.added_by_learner:
            reasons, because = {Reason.LEARNER: ADDED_BY_YOU}, ADDED_BY_YOU
        # Milestone.has_progress is the rule; the reasons only name its parts.
        steps.append(
            _gone(
                "milestone",
                milestone,
                keep=milestone.added_by_learner or milestone.has_progress,
                reasons=reasons,
                because=because,
            )
        )
    return steps


def _gone_topics(spec: CurriculumSpec, topics: dict[str, Topic], kept: Counter) -> list[Step]:
    in_file = {t.key for t in spec.topics}
    steps = []
    for key, topic in topics.items():
        if key in in_file:
            continue
        reasons = {Reason.LEARNER: ADDED_BY_YOU} if topic.added_by_learner else {}
        if topic.n_posts:
            reasons[Reason.POSTS] = f"has {_count(topic.n_posts, 'post')} tied to it"
        if kept[topic.pk]:
            reasons[Reason.MILESTONES] = _holds(kept[topic.pk], "milestone")
        steps.append(_gone("topic", topic, keep=bool(reasons), reasons=reasons))
    return steps


def _gone_stages(spec: CurriculumSpec, stages: dict[str, Stage], kept: Counter) -> list[Step]:
    in_file = {s.key for s in spec.stages}
    steps = []
    for key, stage in stages.items():
        if key in in_file:
            continue
        reasons = {Reason.TOPICS: _holds(kept[stage.pk], "topic")} if kept[stage.pk] else {}
        if stage.added_by_learner:
            reasons = {Reason.LEARNER: ADDED_BY_YOU, **reasons}
        steps.append(_gone("stage", stage, keep=bool(reasons), reasons=reasons))
    return steps


def _kept_per_parent(steps: list[Step], parent_id: str) -> Counter:
    """How many kept rows each parent (by primary key) holds."""
    return Counter(getattr(s.row, parent_id) for s in steps if s.action is Action.KEEP)


def _in_file(
    kind: str,
    spec: StageSpec | TopicSpec | MilestoneSpec,
    row: Stage | Topic | Milestone | None,
    position: int,
    parent: StageSpec | TopicSpec | None = None,
    was_in: Stage | Topic | None = None,
) -> Step:
    """The step for an item of the file; `was_in` is the stage or topic its row is in now."""
    step = Step(
        kind=kind,
        key=spec.key,
        title=spec.title,
        action=Action.ADD if row is None else Action.UPDATE,
        row=row,
        spec=spec,
        parent=parent.key if parent else "",
        position=position,
    )
    if row is None:
        return step
    if row.title != spec.title:
        step.renamed = f"was “{row.title}”"
    if parent is not None and was_in.key != parent.key:
        step.moved = f"from “{was_in.title}” to “{parent.title}”"
    return step


def _gone(
    kind: str,
    row: Stage | Topic | Milestone,
    *,
    keep: bool,
    reasons: dict[Reason, str],
    because: str = "",
) -> Step:
    if not keep:
        return Step(kind=kind, key=row.key, title=row.title, action=Action.REMOVE, row=row)
    return Step(
        kind=kind,
        key=row.key,
        title=row.title,
        action=Action.KEEP,
        row=row,
        reasons=tuple(reasons),
        kept_because=because or " and ".join(reasons.values()),
    )


def _holds(n: int, noun: str) -> str:
    return f"holds a {noun} that stays" if n == 1 else f"holds {n} {noun}s that stay"


def _weight_change(spec: MilestoneSpec, milestone: Milestone) -> str:
    changes = []
    if spec.hours != milestone.estimated_hours:
        changes.append(f"hours {milestone.estimated_hours:f} → {spec.hours:f}")
    if spec.optional != milestone.optional:
        changes.append("becomes optional" if spec.optional else "becomes required")
    return "; ".join(changes)


def _target_change(spec: MilestoneSpec, milestone: Milestone) -> str:
    if spec.target == milestone.target:
        return ""
    was = str(milestone.target) if milestone.target else "no target"
    becomes = str(spec.target) if spec.target else "no target"
    return f"{was} → {becomes}"


def _milestone_reasons(milestone: Milestone) -> dict[Reason, str]:
    """What of the learner's would be lost with the milestone, each part named."""
    reasons = {}
    if milestone.status != Status.NOT_STARTED:
        reasons[Reason.STATUS] = f"marked “{Status(milestone.status).label}”"
    if milestone.n_events:
        reasons[Reason.EVENTS] = _count(milestone.n_events, "status change")
    if milestone.n_posts:
        reasons[Reason.POSTS] = f"{_count(milestone.n_posts, 'post')} tied to it"
    if milestone.evidence_url:
        reasons[Reason.EVIDENCE] = "an evidence link"
    if milestone.has_results:
        reasons[Reason.RESULTS] = "recorded results or evidence"
    if milestone.private_note:
        reasons[Reason.NOTE] = "a private note"
    if milestone.has_time:
        reasons[Reason.TIME] = "time logged on it"
    return reasons
