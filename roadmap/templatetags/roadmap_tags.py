from django import template

from roadmap.models import Status

register = template.Library()

# Icon, and the key that sets the status on a focused milestone (as on roadmap.sh).
STATUS_UI = {
    Status.NOT_STARTED: ("○", "r"),
    Status.IN_PROGRESS: ("◐", "l"),
    Status.DONE: ("✓", "d"),
    Status.SKIPPED: ("⤼", "s"),
}


@register.simple_tag
def status_options():
    return [
        {"value": value, "label": label, "icon": STATUS_UI[value][0], "key": STATUS_UI[value][1]}
        for value, label in Status.choices
    ]


@register.filter
def status_icon(status: str) -> str:
    return STATUS_UI.get(status, ("?", ""))[0]


@register.filter
def hours(value) -> str:
    """1.0 -> "1", 2.5 -> "2.5": hours without a trailing .0."""
    text = f"{value:f}" if value is not None else "0"
    return text.rstrip("0").rstrip(".") if "." in text else text


@register.filter
def get_item(mapping: dict, key):
    """mapping[key] in a template, or None where it has no such key."""
    return mapping.get(key)
