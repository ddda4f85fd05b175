import re
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from config.progress import no_progress, shows_progress
from roadmap.models import Milestone, Roadmap, SiteVersion, Topic
from roadmap.services import PROGRESS_CHANGED

from .forms import PostForm, ReflectionForm, quarterly_review_start, weekly_log_start
from .markdown import render_markdown
from .models import Post
from .services import reflection_create, upload_store

PAGE_SIZE = 20


def tied_statuses(request, slug) -> str:
    """The progress a post's page shows: the status of each milestone it is tied to."""
    tied = Milestone.objects.filter(posts__slug=slug).order_by("pk").values_list("pk", "status")
    return " ".join(f"{pk}:{status}" for pk, status in tied)


@shows_progress(of=no_progress)
@require_safe
def post_list(request):
    posts = Post.objects.listed().newest_first().select_related("author__profile", "roadmap")
    kind = request.GET.get("kind", "")
    topic_slug = request.GET.get("topic", "")
    topic = None
    if kind and kind not in Post.Kind.values:
        messages.warning(request, f"There is no kind “{kind[:40]}”; showing every post.")
        kind = ""
    if kind:
        posts = posts.filter(kind=kind)
    if topic_slug:
        topic = (
            Topic.objects.filter(slug=topic_slug, roadmap__visibility=Roadmap.Visibility.PUBLIC)
            .order_by("pk")
            .first()
        )
        if topic is None:
            raise Http404("No such topic")
        posts = posts.filter(topics__slug=topic_slug).distinct()
    page = Paginator(posts, PAGE_SIZE).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "journal/post_list.html",
        {
            "page": page,
            "posts": page.object_list,
            "kind": kind,
            "kinds": Post.Kind.choices,
            "topic": topic,
        },
    )


def _post_queryset():
    return Post.objects.select_related("author__profile", "roadmap").prefetch_related(
        Prefetch("milestones", queryset=Milestone.objects.select_related("roadmap")),
        Prefetch("topics", queryset=Topic.objects.select_related("roadmap")),
    )


@shows_progress(of=tied_statuses)
@require_safe
def post_detail(request, slug):
    post = _post_queryset().visible_to(request.user).filter(slug=slug).first()
    if post is None:
        # An address the post had before: links to it lead to where it is now.
        moved = Post.objects.visible_to(request.user).filter(old_addresses__slug=slug).first()
        if moved is None:
            raise Http404("No such post")
        return redirect(moved, permanent=False)
    previous = following = None
    if post.is_public:
        siblings = Post.objects.listed().filter(roadmap=post.roadmap).only("slug", "title")
        previous = (
            siblings.filter(published_at__lt=post.published_at).order_by("-published_at").first()
        )
        following = (
            siblings.filter(published_at__gt=post.published_at).order_by("published_at").first()
        )
    return TemplateResponse(
        request,
        "journal/post_detail.html",
        {
            "post": post,
            "previous": previous,
            "next": following,
            "is_author": request.user.is_authenticated and post.author_id == request.user.pk,
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
def post_new(request):
    return _edit(request, Post(author=request.user))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
def post_edit(request, slug):
    return _edit(request, get_object_or_404(Post, slug=slug, author=request.user))


def _chosen_roadmap(request, post: Post) -> Roadmap | None:
    """The roadmap the post is for: the one sent with the form, the post's own, the one the
    link came from, or the learner's first."""
    roadmaps = Roadmap.objects.filter(owner=request.user).order_by("pk")
    sent = request.POST.get("roadmap", "")
    if re.fullmatch(r"[0-9]{1,18}", sent) and (roadmap := roadmaps.filter(pk=sent).first()):
        return roadmap
    if post.roadmap_id:
        return post.roadmap
    if linked := request.GET.get("roadmap"):
        return roadmaps.filter(slug=linked).first() or roadmaps.first()
    return roadmaps.first()


def _edit(request, post: Post):
    roadmap = _chosen_roadmap(request, post)
    if roadmap is None:
        messages.info(request, "Start a roadmap first: every post belongs to one.")
        return redirect("roadmap:new")
    # Times are typed and shown in the roadmap's zone, for this request only.
    with timezone.override(ZoneInfo(roadmap.time_zone)):
        response = _edit_in_zone(request, post, roadmap)
        if isinstance(response, TemplateResponse):
            response.render()
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def post_delete(request, slug):
    """Delete one's own post, after a page that asks first; unpublishing is the edit form's."""
    post = get_object_or_404(Post.objects.select_related("roadmap"), slug=slug, author=request.user)
    if request.method == "POST":
        title, roadmap = post.title, post.roadmap
        with transaction.atomic(), SiteVersion.objects.counted_once():
            post.delete()
            # Its roadmap's pages listed it: they change with it.
            Roadmap.objects.filter(pk=roadmap.pk).mark_changed()
        messages.success(request, f"Deleted “{title}”.")
        return redirect("journal:list")
    return TemplateResponse(request, "journal/post_confirm_delete.html", {"post": post})


def _save_or_explain(form: PostForm) -> Post | None:
    """Save the post; None, with the reason on the form, if its address was taken meanwhile.

    The form checks the address first, but the same post sent twice at once passes that
    check twice: the database's unique address decides. An address the learner typed is
    theirs to change, and they are told beside it; one made from the title is made again.
    """
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return form.save()
        except IntegrityError:
            if form.data.get("slug"):
                form.add_error(
                    "slug",
                    f"The address “{form.cleaned_data['slug']}” was just taken, perhaps by this "
                    "same post sent twice: check your posts, or choose another address.",
                )
                return None
            form.instance.slug = form.cleaned_data["slug"] = form.made_slug()
    form.add_error(None, "The post was not saved: please send it again.")
    return None


# What the learner typed, kept when another roadmap is chosen without saving.
TYPED_FIELDS = [*PostForm.WRITTEN, "publish_at"]


def _edit_in_zone(request, post: Post, roadmap: Roadmap):
    if request.method == "POST" and request.POST.get("action") == "roadmap":
        # Another roadmap chosen: the same form, as typed, offering that roadmap's milestones
        # and topics. With JavaScript the page asks for just those.
        initial = {name: request.POST.get(name, "") for name in TYPED_FIELDS}
        initial |= {"roadmap": roadmap, "milestones": [], "topics": []}
        form = PostForm(instance=post, initial=initial, user=request.user, roadmap=roadmap)
        template = "journal/post_form.html"
        if request.htmx.target == "post-ties":
            template += "#post-ties"
        return TemplateResponse(request, template, {"form": form, "post": post, "roadmap": roadmap})
    if request.method == "POST":
        form = PostForm(request.POST, instance=post, user=request.user, roadmap=roadmap)
        if form.is_valid() and (post := _save_or_explain(form)) is not None:
            verb = {"draft": "Saved the draft", "publish": "Published", "schedule": "Scheduled"}[
                form.action
            ]
            messages.success(request, f"{verb}: “{post.title}”.")
            return redirect(post)
        status = 400
    else:
        initial = {}
        if not post.pk:
            initial["roadmap"] = roadmap
            kind = request.GET.get("kind")
            if kind in Post.Kind.values:
                initial["kind"] = kind
            if kind == Post.Kind.WEEKLY:
                initial |= weekly_log_start(roadmap, timezone.localdate())
            quarter = request.GET.get("quarter", "")
            if kind == Post.Kind.QUARTERLY and re.fullmatch(r"2\d{3}-Q[1-4]", quarter):
                initial["title"], initial["body"] = quarterly_review_start(roadmap, quarter)
            if request.GET.get("milestone"):
                initial["milestones"] = roadmap.milestones.filter(slug=request.GET["milestone"])
            if request.GET.get("topic"):
                initial["topics"] = roadmap.topics.filter(slug=request.GET["topic"])
        form = PostForm(instance=post, initial=initial, user=request.user, roadmap=roadmap)
        status = 200
    return TemplateResponse(
        request,
        "journal/post_form.html",
        {"form": form, "post": post, "roadmap": roadmap},
        status=status,
    )


def _login_required_json(request):
    if not request.user.is_authenticated:
        return JsonResponse({"error": "Log in to preview or upload."}, status=403)
    return None


@require_POST
def markdown_preview(request):
    """The editor's live preview: the same renderer as stored posts, for logged-in users."""
    refused = _login_required_json(request)
    if refused:
        return refused
    if "content" not in request.POST:
        return HttpResponseBadRequest("Send the text to preview in the field “content”.")
    return TemplateResponse(
        request, "journal/includes/preview.html", {"html": render_markdown(request.POST["content"])}
    )


@require_POST
def image_upload(request):
    """The editor's image upload: checked, re-encoded and stored under a random name."""
    refused = _login_required_json(request)
    if refused:
        return refused
    image = request.FILES.get("image")
    if image is None:
        return JsonResponse({"error": "Send the image in the field “image”."}, status=400)
    try:
        url = upload_store(owner=request.user, uploaded_file=image)
    except ValidationError as exc:
        status = 429 if exc.code == "too_many_uploads" else 400
        return JsonResponse({"error": " ".join(exc.messages)}, status=status)
    return JsonResponse({"image_code": f"![]({url})"})


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
def reflect(request, roadmap, milestone):
    """A short reflection on a finished milestone, saved as a reflection post tied to it."""
    if not request.user.is_authenticated:
        # From HTMX the whole page goes to log in; a login form must not land in the row.
        response = redirect_to_login(request.get_full_path())
        return HttpResponseClientRedirect(response.url) if request.htmx else response
    milestone = get_object_or_404(
        Milestone.objects.owned_by(request.user).select_related("roadmap", "topic"),
        roadmap__slug=roadmap,
        slug=milestone,
    )
    action = request.POST.get("action", "")
    form = ReflectionForm(request.POST or None)
    if request.method == "POST" and action == "skip":
        return _back_to_milestone(request, milestone, None)
    if request.method == "POST" and action in ("draft", "publish") and form.is_valid():
        post = reflection_create(
            milestone=milestone,
            body=form.body(),
            evidence_url=form.cleaned_data["evidence_url"],
            publish=action == "publish",
        )
        return _back_to_milestone(request, milestone, post)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "milestone": milestone, "roadmap": milestone.roadmap}
    if request.htmx:
        # The form lives inside the milestone's row: answer with the whole row, form kept.
        context |= {
            "is_owner": True,
            "offer_reflection": True,
            "next_url": milestone.roadmap.get_absolute_url(),
        }
        return TemplateResponse(request, "includes/milestone.html", context, status=status)
    return TemplateResponse(request, "journal/reflection_form.html", context, status=status)


def _back_to_milestone(request, milestone, post):
    if not request.htmx:
        if post is not None:
            messages.success(request, f"Saved your reflection: “{post.title}”.")
            return redirect(post)
        return redirect(f"{milestone.roadmap.get_absolute_url()}#{milestone.anchor}")
    response = TemplateResponse(
        request,
        "includes/milestone.html",
        {
            "milestone": milestone,
            "roadmap": milestone.roadmap,
            "is_owner": True,
            "reflection": post,
            "next_url": milestone.roadmap.get_absolute_url(),
        },
    )
    # A new post, or a form closed: widgets that waited for it (the dashboard) catch up.
    return trigger_client_event(response, PROGRESS_CHANGED, after="settle")
