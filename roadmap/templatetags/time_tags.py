from django import template

from roadmap.charts import duration_words
from roadmap.models import StudySession

register = template.Library()


@register.filter
def minutes(value) -> str:
    """Minutes in words: 90 -> "1 h 30 min"."""
    return duration_words(value)


@register.simple_tag(takes_context=True)
def timer_running(context):
    """The learner's running timer, for a row whose controls are rendered on the server."""
    request = context.get("request")
    return StudySession.objects.running_for(request.user) if request else None


@register.filter
def overdue(session, now) -> bool:
    """A timer running past the cap, which stopping will cap."""
    return bool(session and now and session.is_overdue(now))
