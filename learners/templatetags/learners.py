"""A learner as pages show them: the display name, linked to the profile where it is public.

Views that list learners load `profile` with select_related, so a name costs no query.
"""

from django import template
from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from django.utils.html import format_html

register = template.Library()


def _profile(user):
    try:
        return user.profile
    except ObjectDoesNotExist:
        return None


@register.filter
def display_name(user) -> str:
    profile = _profile(user)
    return (profile.display_name if profile else "") or user.get_username()


@register.simple_tag(takes_context=True)
def learner_link(context, user):
    """The name, linked to the learner's profile where the viewer may open it."""
    profile = _profile(user)
    name = display_name(user)
    request = context.get("request")
    viewer = getattr(request, "user", None)
    if profile is not None and not profile.is_visible_to(viewer):
        return name
    return format_html(
        '<a href="{}">{}</a>', reverse("learners:profile", args=[user.get_username()]), name
    )
