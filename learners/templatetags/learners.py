"""A learner as pages show them: the display name, linked to the profile where it is public;
and the cards of posts, which name their author.

Views that list learners load `profile` with select_related, so a name costs no query.
"""

from django import template
from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString, mark_safe

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
    return link_to_learner(user, viewer=getattr(context.get("request"), "user", None))


def link_to_learner(user, *, viewer) -> str:
    """learner_link's markup, for `viewer` (a user, or None where no one is known)."""
    profile = _profile(user)
    name = display_name(user)
    if profile is not None and not profile.is_visible_to(viewer):
        return conditional_escape(name)
    return format_html(
        '<a href="{}">{}</a>', reverse("learners:profile", args=[user.get_username()]), name
    )


HEADINGS = {"h2", "h3"}


@register.simple_tag(takes_context=True)
def post_cards(context, posts, *, show_author=False, heading="h3") -> SafeString:
    """A `<li class="post-card">` for each post: its title (in `heading`, "h3" unless the
    list sits right under the page's h1, as the journal's does), kind, date, reading time,
    author where `show_author`, and excerpt. Written in one pass here, the one home of a
    card: twenty of them through the template engine were a third of the journal's page."""
    if heading not in HEADINGS:
        raise ValueError(f"post_cards: heading must be one of {sorted(HEADINGS)}")
    viewer = getattr(context.get("request"), "user", None)
    cards = []
    for post in posts:
        day = timezone.template_localtime(post.published_at) if post.published_at else None
        byline = (
            f'<span class="tag">{escape(post.get_kind_display())}</span> · '
            f'<time datetime="{day.isoformat() if day else ""}">'
            f"{f'{day.day} {day:%b %Y}' if day else ''}</time> · "
            f"{post.reading_minutes} min read"
        )
        if show_author:
            byline += f" · by {link_to_learner(post.author, viewer=viewer)}"
        excerpt = f"\n  <p>{escape(post.excerpt)}</p>" if post.excerpt else ""
        cards.append(
            f'<li class="post-card">\n  <{heading}><a href="{escape(post.get_absolute_url())}">'
            f"{escape(post.title)}</a></{heading}>\n"
            f'  <p class="byline">{byline}</p>{excerpt}\n</li>'
        )
    return mark_safe("".join(cards))  # noqa: S308 (every value escaped above)
