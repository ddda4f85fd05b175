from django import template
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import slugify

from roadmap import targets
from roadmap.evidence import evidence_label, is_web_address

from .roadmap_tags import short_date

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


@register.simple_tag
def reproduction_rows(milestones) -> str:
    """The Reproductions page's table of targets, a row a reproduction: written here, as
    sixty rows of a dozen lookups each through the template engine were half the page."""
    return mark_safe(  # noqa: S308 (every value escaped, or made by format_html)
        "".join(_reproduction_row(m) for m in milestones)
    )


def _reproduction_row(m) -> str:
    best, target = m.best, m.target
    if best is None:
        shown = "none yet"
    else:
        day = best.measured_on
        shown = (
            f'{escape(number(best.value))}<br><span class="muted"><time datetime="{day:%Y-%m-%d}">'
            f"{short_date(day)}</time></span>"
        )
    links = [best.evidence_url if best else "", m.evidence_url]
    links += [evidence.url for evidence in m.evidence.all()]
    # A label the filter leaves as text (an address that is not http(s)) is escaped here, as
    # the template engine would.
    evidence = "".join(f"<li>{conditional_escape(evidence_link(url))}</li>" for url in links if url)
    posts = "".join(
        f'<li><a href="{escape(post.get_absolute_url())}">{escape(post.title)}</a></li>'
        for post in m.tied_posts
    )
    posts = f'<ul class="plain-list">{posts}</ul>' if posts else "none yet"
    return (
        f'<tr id="{escape(m.anchor)}"><th scope="row"><a href="{escape(m.get_absolute_url())}">'
        f'{escape(m.title)}</a><br><span class="muted">{escape(m.topic.title)} · '
        f"{escape(m.get_status_display().lower())}</span></th>"
        f"<td>{escape(target) if target else 'none set'}</td>"
        f"<td>{shown}</td><td>{conditional_escape(verdict(m.verdict))}</td><td>{len(m.attempts)}</td>"
        f'<td><ul class="plain-list">{evidence}</ul>{"" if evidence else "none yet"}</td>'
        f"<td>{posts}</td></tr>"
    )
