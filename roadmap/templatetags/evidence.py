from django import template
from django.utils.html import format_html

from roadmap import targets
from roadmap.evidence import evidence_label, is_web_address

register = template.Library()


@register.filter
def evidence_link(url: str):
    """An evidence link labelled by what it points at; an address that is not http(s) is
    shown as text and never linked."""
    if not url:
        return ""
    label = evidence_label(url)
    if not is_web_address(url):
        return label
    return format_html('<a href="{}" rel="nofollow noopener" title="{}">{}</a>', url, url, label)


@register.filter
def number(value) -> str:
    """A measured value without the zeros storage pads it with: 30.4000 -> 30.4."""
    return "" if value is None else targets.number(value)
