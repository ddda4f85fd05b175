"""The learner shapes their roadmap: the edit outline, and each edit as a small POST.

Every edit answers as the outline does: without JavaScript a redirect back to the outline
at the item (the message says what changed); with HTMX the outline itself, in place, with
the message for the live region. Anyone but the owner gets a 404, as for a missing roadmap.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from .. import services
from ..forms import (
    AddForm,
    MilestoneAddForm,
    MilestonePlanForm,
    MoveForm,
    ResourceFormSet,
    StageForm,
    TopicForm,
)
from ..models import UNDO_WINDOW, Milestone, RemovedItem, Roadmap, Stage, Topic
from ..services import EditRefused

UNDO_MINUTES = int(UNDO_WINDOW.total_seconds() // 60)
# The kinds of item by the name their addresses use.
MODELS = {"stages": Stage, "topics": Topic, "milestones": Milestone}


def _own(request, slug: str) -> Roadmap:
    """The learner's own roadmap; anyone else's, or a visitor's request, is a 404."""
    if not request.user.is_authenticated:
        raise Http404("No such roadmap")
    return get_object_or_404(Roadmap, slug=slug, owner=request.user)


def _item(roadmap: Roadmap, kind: str, key: str) -> Stage | Topic | Milestone:
    model = MODELS.get(kind)
    if model is None:
        raise Http404("No such kind of item")
    related = {Stage: (), Topic: ("stage",), Milestone: ("topic__stage",)}[model]
    item = get_object_or_404(model.objects.select_related(*related), roadmap=roadmap, key=key)
    item.roadmap = roadmap
    return item


def edit_anchor(item) -> str:
    return f"edit-{services.what_of(item)}-{item.key}"


def outline_context(roadmap: Roadmap) -> dict:
    """The stages, each with its topics, each with its milestones, and the removals that can
    still be undone: 4 queries, whatever the roadmap's size."""
    stages = list(roadmap.stages.order_by("position", "pk"))
    topics = list(roadmap.topics.order_by("position", "pk"))
    milestones = list(roadmap.milestones.order_by("position", "pk"))
    by_topic: dict[int, list[Milestone]] = {}
    for milestone in milestones:
        by_topic.setdefault(milestone.topic_id, []).append(milestone)
    by_stage: dict[int, list[Topic]] = {}
    for topic in topics:
        topic.milestone_list = by_topic.get(topic.pk, [])
        by_stage.setdefault(topic.stage_id, []).append(topic)
    for stage in stages:
        stage.topic_list = by_stage.get(stage.pk, [])
    return {
        "roadmap": roadmap,
        "stages": stages,
        "removed_items": list(roadmap.removed_items.undoable()),
        "undo_minutes": UNDO_MINUTES,
        "edit_base": reverse("roadmap:edit", args=[roadmap.slug]),
        "kinds": Milestone.Kind.choices,
        "blank_add": AddForm(),
        "blank_milestone": MilestoneAddForm(),
    }


def _outline(request, roadmap, *, status=200, **extra):
    """The outline page, or for HTMX the outline alone with the words for the live region."""
    context = outline_context(roadmap) | {
        "refused": "",
        "announce": "",
        "focus": "",
        "bad_where": "",
        "bad_form": None,
    }
    context |= extra
    template = "roadmap/edit/roadmap_edit.html"
    if request.htmx:
        template = "roadmap/edit/outline_answer.html"
    return TemplateResponse(request, template, context, status=status)


def _done(request, roadmap, message: str, *, anchor: str = "", focus: str = ""):
    """The answer to an edit made: the outline at the item it changed."""
    if request.htmx:
        return _outline(request, roadmap, announce=message, focus=focus)
    messages.success(request, message)
    url = reverse("roadmap:edit", args=[roadmap.slug])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _refused(request, roadmap, message: str, **extra):
    """An edit refused: 400 with the reason, shown above the outline; nothing changed."""
    return _outline(request, roadmap, status=400, refused=message, announce=message, **extra)


@require_safe
@vary_on_headers("HX-Request")
def roadmap_edit(request, roadmap):
    return _outline(request, _own(request, roadmap))


def _add(request, roadmap, form_class, where: str, create):
    form = form_class(request.POST)
    if not form.is_valid():
        errors = "; ".join(f"{e}" for errors in form.errors.values() for e in errors)
        return _refused(request, roadmap, errors, bad_where=where, bad_form=form)
    item = create(**form.cleaned_data)
    anchor = edit_anchor(item)
    return _done(
        request,
        roadmap,
        f"Added the {services.what_of(item)} “{item.title}”.",
        anchor=anchor,
        focus=f"{anchor}-edit",
    )


@require_POST
def stage_add(request, roadmap):
    roadmap = _own(request, roadmap)

    def create(title):
        return services.stage_add(roadmap=roadmap, title=title)

    return _add(request, roadmap, AddForm, "stage", create)


@require_POST
def topic_add(request, roadmap, key):
    roadmap = _own(request, roadmap)
    stage = _item(roadmap, "stages", key)

    def create(title):
        return services.topic_add(stage=stage, title=title)

    return _add(request, roadmap, AddForm, f"stage-{stage.key}", create)


@require_POST
def milestone_add(request, roadmap, key):
    roadmap = _own(request, roadmap)
    topic = _item(roadmap, "topics", key)

    def create(**fields):
        return services.milestone_add(topic=topic, **fields)

    return _add(request, roadmap, MilestoneAddForm, f"topic-{topic.key}", create)


def _forms(item, data=None):
    """The form of an item's edit page, and for a topic the formset of its resources."""
    if isinstance(item, Stage):
        return StageForm(data, instance=item), None
    if isinstance(item, Milestone):
        return MilestonePlanForm(data, instance=item), None
    initial = [
        {"type": r.type, "title": r.title, "url": r.url}
        for r in item.resources.order_by("position", "pk")
    ]
    return TopicForm(data, instance=item), ResourceFormSet(
        data, initial=initial, prefix="resources"
    )


def _save(item, form, resources) -> None:
    fields = form.cleaned_data
    if isinstance(item, Stage):
        services.stage_edit(stage=item, title=fields["title"], summary=fields["summary"])
    elif isinstance(item, Milestone):
        services.milestone_edit(milestone=item, **fields)
    else:
        services.topic_edit(
            topic=item,
            title=fields["title"],
            summary=fields["summary"],
            stage=fields["stage"],
            prerequisites=fields["prerequisites"],
            resources=[
                (r["type"], r["title"], r["url"])
                for r in resources.cleaned_data
                if r and not r.get("DELETE")
            ],
        )


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
def item_edit(request, roadmap, kind, key):
    """An item's own page of fields: a stage's words, a topic's words, stage, prerequisites
    and resources, a milestone's words, kind, hours, optional flag and topic."""
    roadmap = _own(request, roadmap)
    item = _item(roadmap, kind, key)
    title = item.title
    status = 200
    if request.method == "POST":
        # A fresh copy: the form writes the typed values onto its instance as it checks them.
        form, resources = _forms(_item(roadmap, kind, key), request.POST)
        if form.is_valid() and (resources is None or resources.is_valid()):
            try:
                _save(item, form, resources)
            except EditRefused as refused:
                form.add_error(None, str(refused))
            else:
                anchor = edit_anchor(item)
                message = f"Saved “{item.title}”."
                return _done(request, roadmap, message, anchor=anchor, focus=f"{anchor}-edit")
        status = 400
    else:
        form, resources = _forms(item)
    context = {
        "roadmap": roadmap,
        "item": item,
        "title": title,
        "what": services.what_of(item),
        "form": form,
        "resources": resources,
        "back": f"{reverse('roadmap:edit', args=[roadmap.slug])}#{edit_anchor(item)}",
        "edit_url": reverse("roadmap:edit", args=[roadmap.slug]),
        "heading": _heading(request),
    }
    return TemplateResponse(request, "roadmap/edit/item_form.html", context, status=status)


def _heading(request) -> str:
    """A page's own heading; in the edit page's outline, one level under the page's."""
    return "h2" if request.htmx else "h1"


def _parent(roadmap, item, key: str):
    """The stage or topic named `key` to move `item` into; None for its own."""
    if not key:
        return None
    if isinstance(item, Stage):
        raise EditRefused("A stage is in no other stage or topic: move it up or down.")
    model, noun = (Stage, "stage") if isinstance(item, Topic) else (Topic, "topic")
    parent = model.objects.filter(roadmap=roadmap, key=key).first()
    if parent is None:
        raise EditRefused(f"There is no {noun} “{key}” on this roadmap to move it into.")
    return parent


@require_POST
def item_move(request, roadmap, kind, key):
    roadmap = _own(request, roadmap)
    item = _item(roadmap, kind, key)
    form = MoveForm(request.POST)
    anchor = edit_anchor(item)
    if not form.is_valid():
        errors = "; ".join(e for errors in form.errors.values() for e in errors)
        return _refused(request, roadmap, f"“{item.title}” was not moved: {errors}")
    direction, place = form.cleaned_data["direction"], form.cleaned_data["place"]
    try:
        change = services.item_move(
            item=item,
            direction=direction,
            position=None if direction or place is None else place - 1,
            parent=_parent(roadmap, item, form.cleaned_data["parent"]),
        )
    except EditRefused as refused:
        return _refused(request, roadmap, str(refused), focus=f"{anchor}-{direction or 'edit'}")
    return _done(
        request,
        roadmap,
        f"Moved “{item.title}” {change.detail}.",
        anchor=anchor,
        focus=f"{anchor}-{direction or 'edit'}",
    )


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
def item_remove(request, roadmap, kind, key):
    """Remove an item; one that has something of the learner's on it asks first."""
    roadmap = _own(request, roadmap)
    item = _item(roadmap, kind, key)
    work = services.removal_preview(item=item)
    if request.method == "POST" and (not work or request.POST.get("confirm") == "yes"):
        removed = services.item_remove(item=item)
        message = f"Removed the {removed.what} “{removed.title}”"
        if removed.summary:
            message += f" with {removed.summary}"
        message += f". Undo it within {UNDO_MINUTES} minutes."
        return _done(request, roadmap, message, anchor="outline", focus=f"undo-{removed.pk}")
    context = {
        "roadmap": roadmap,
        "item": item,
        "what": services.what_of(item),
        "work": work,
        "undo_minutes": UNDO_MINUTES,
        "back": f"{reverse('roadmap:edit', args=[roadmap.slug])}#{edit_anchor(item)}",
        "heading": _heading(request),
    }
    return TemplateResponse(request, "roadmap/edit/item_confirm_remove.html", context)


@require_POST
def removal_undo(request, roadmap, removed):
    roadmap = _own(request, roadmap)
    removed = get_object_or_404(RemovedItem, roadmap=roadmap, pk=removed)
    try:
        item = services.removal_undo(removed=removed)
    except EditRefused as refused:
        return _refused(request, roadmap, str(refused))
    anchor = edit_anchor(item)
    return _done(
        request,
        roadmap,
        f"Brought back the {services.what_of(item)} “{item.title}”.",
        anchor=anchor,
        focus=f"{anchor}-edit",
    )
