"""Joining the site, the owner's invitations, and each learner's public profile."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from config.login import client_ip
from journal.feeds import PostFeed
from journal.models import Post
from journal.services import upload_store
from roadmap import charts, stats
from roadmap.models import ProgressEvent, Roadmap

from .forms import InvitationForm, ProfileForm, SignUpForm
from .models import USED_UP, Invitation, Profile
from .services import attempt_allowed

# Accounts one client address may make in an hour: a study group joins from many places.
JOINS_PER_HOUR = 10
NOT_VALID = (
    "This invitation link is not valid. Check that it was copied whole, or ask the person "
    "who sent it for a new one."
)


def _join_allowed(request) -> bool:
    return attempt_allowed(
        kind="join", value=client_ip(request), limit=JOINS_PER_HOUR, window=timedelta(hours=1)
    )


def _refused(request, reason: str, status: int):
    return TemplateResponse(
        request, "learners/join_refused.html", {"reason": reason}, status=status
    )


@require_http_methods(["GET", "HEAD", "POST"])
def join(request, token: str | None = None):
    """Sign up with an invitation link, or without one where the site allows open sign-up."""
    if request.user.is_authenticated:
        messages.info(request, "You have an account already, and you are logged in.")
        return redirect("roadmap:new")
    invitation = None
    if token is None:
        if not settings.OPEN_SIGNUP:
            raise Http404("Sign-up is by invitation")
    else:
        invitation = Invitation.objects.with_uses().filter(token=token).first()
        if invitation is None:
            return _refused(request, NOT_VALID, 404)
        if reason := invitation.refusal(invitation.n_uses):
            return _refused(request, reason, 410)

    form = SignUpForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid() and not _join_allowed(request):
            # Counted as accounts are made: typos and retries do not use the allowance up.
            form.add_error(None, "Too many accounts were made from here in the last hour: wait.")
            status = 429
        elif form.is_valid():
            try:
                user = _create_learner(form, invitation)
            except IntegrityError:
                # The same username sent twice at once: the database's unique name decides.
                form.add_error("username", "That username was just taken: choose another.")
                return TemplateResponse(
                    request,
                    "learners/join.html",
                    {"form": form, "invitation": invitation},
                    status=400,
                )
            if user is None:
                return _refused(request, USED_UP, 410)
            login(request, user, backend="learners.backends.ModelBackendWithProfile")
            messages.success(request, f"Welcome, {user.get_username()}! Start your roadmap.")
            return redirect("roadmap:new")
        else:
            status = 400
    context = {"form": form, "invitation": invitation}
    return TemplateResponse(request, "learners/join.html", context, status=status)


def _create_learner(form: SignUpForm, invitation: Invitation | None):
    """The new account and its profile; None if the invitation filled up meanwhile."""
    with transaction.atomic():
        if invitation is not None:
            # One at a time per invitation, so its last place is given once.
            locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
            if locked.refusal(locked.profiles.count()):
                return None
        user = form.save()
        Profile.objects.create(user=user, invitation=invitation)
    return user


def _staff_only(request) -> None:
    """The invitations are for staff who may make them (the site owners' group may)."""
    if not (request.user.is_staff and request.user.has_perm("learners.add_invitation")):
        raise Http404("Not a page of yours")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def invitations(request):
    """The site owner's invitations: make one, see who used each, withdraw one."""
    _staff_only(request)
    form = InvitationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            invitation = form.save(commit=False)
            invitation.created_by = request.user
            invitation.save()
            link = request.build_absolute_uri(invitation.get_absolute_url())
            messages.success(request, f"Made an invitation. Send this link: {link}")
            return redirect("learners:invitations")
        status = 400
    rows = Invitation.objects.with_uses().prefetch_related("profiles__user")
    for invitation in rows:
        invitation.status = invitation.refusal(invitation.n_uses) or "Open"
    context = {"form": form, "invitations": rows}
    return TemplateResponse(request, "learners/invitation_list.html", context, status=status)


@login_required
@require_POST
def invitation_revoke(request, pk: int):
    _staff_only(request)
    invitation = get_object_or_404(Invitation, pk=pk)
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    messages.success(request, f"Withdrew “{invitation}”: its link admits no one now.")
    return redirect("learners:invitations")


def visible_profile(request, username: str) -> Profile:
    """The learner's profile, or a 404 when it is private and the viewer is not them."""
    user = get_object_or_404(get_user_model(), username=username, is_active=True)
    profile = Profile.objects.filter(user=user).first() or Profile(user=user)
    if not profile.is_visible_to(request.user):
        raise Http404("No such learner")
    return profile


@require_safe
def profile(request, username: str):
    profile = visible_profile(request, username)
    user = profile.user
    roadmaps = (
        Roadmap.objects.listed().filter(owner=user).select_related("owner__profile").counted()
    )
    posts = Post.objects.listed().filter(author=user).newest_first().select_related("roadmap")[:10]
    tz = ZoneInfo(roadmaps[0].time_zone) if roadmaps else ZoneInfo("UTC")
    today = timezone.localdate(timezone=tz)
    events = [
        stats.Event(*values)
        for values in ProgressEvent.objects.filter(roadmap__in=roadmaps).values_list(
            "milestone_id", "from_status", "to_status", "at"
        )
    ]
    post_times = list(
        Post.objects.listed().filter(author=user).values_list("published_at", flat=True)
    )
    days = stats.heatmap(events, post_times, today=today, tz=tz)
    context = {
        "profile": profile,
        "learner": user,
        "roadmaps": roadmaps,
        "posts": posts,
        "heatmap": charts.heatmap_svg(days, title="A year of learning", today=today),
        "heatmap_rows": charts.heatmap_table_rows(days),
        "is_self": request.user == user,
    }
    return TemplateResponse(request, "learners/profile_detail.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile_edit(request):
    own = Profile.objects.filter(user=request.user).first() or Profile(user=request.user)
    form = ProfileForm(request.POST or None, request.FILES or None, instance=own)
    status = 200
    if request.method == "POST":
        if form.is_valid() and _store_picture(form, own):
            form.save()
            messages.success(request, "Saved your profile.")
            return redirect(own)
        status = 400
    context = {"form": form, "profile": own}
    return TemplateResponse(request, "learners/profile_form.html", context, status=status)


def _store_picture(form: ProfileForm, profile: Profile) -> bool:
    """Store an uploaded picture through the image checks; False, said on the form, if refused."""
    picture = form.cleaned_data.get("picture")
    if not picture:
        return True
    try:
        profile.avatar = upload_store(owner=profile.user, uploaded_file=picture)
    except ValidationError as error:
        form.add_error("picture", error)
        return False
    return True


class LearnerFeed(PostFeed):
    """One learner's published posts."""

    def get_object(self, request, username):
        return visible_profile(request, username)

    def title(self, obj):
        return f"{obj.name}: learning in public"

    def link(self, obj):
        return obj.get_absolute_url()

    def since(self, obj):
        return obj.user.date_joined

    def posts(self, obj):
        return Post.objects.listed().filter(author=obj.user)
