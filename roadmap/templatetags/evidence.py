from django import template
from django.utils.html import format_html
from django.utils.text import slugify

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


# The sign each verdict shows before its words, repeating them: never colour alone.
VERDICT_SIGNS = {"hit": "✓ ", "missed": "✗ "}


@register.filter
def verdict(v: targets.Verdict) -> str:
    """A verdict in words, in a span its class colours, with a sign that repeats them. A
    filter rather than an included template: a Reproductions page shows one a row."""
    sign = VERDICT_SIGNS.get(v.word)
    return format_html(
        '<span class="verdict verdict-{}">{}{}</span>',
        slugify(v.word),
        format_html('<span aria-hidden="true">{}</span>', sign) if sign else "",
        v,
    )
