import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from django import template
from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString, mark_safe

from roadmap import charts
from roadmap.models import Status

register = template.Library()

# Icon, and the key that sets the status on a focused milestone (as on roadmap.sh). The
# badges draw the same icons from static/css/app.css (.status-* .status-badge::before);
# tests/test_status_icons.py fails when the two disagree.
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


@register.simple_tag(takes_context=True)
def status_open(context, milestone) -> bool:
    """Whether the page was asked for with this milestone's status buttons open (the way
    its status button works without JavaScript: ?status_of=<milestone>)."""
    request = context.get("request")
    return request is not None and request.GET.get("status_of") == milestone.slug


# --- Rows a roadmap page repeats: written here, as a roadmap of 200 milestones and 70 topics
# is thousands of lookups through the template engine, two thirds of the page's time. These
# are the one home of their markup: the single row a status change answers with and the
# summaries it sends back are written by the same functions.


@register.simple_tag
def progress_summary(p, pid: str, label: str) -> SafeString:
    """One progress summary (includes/progress.html): `p` a Progress, `pid` the element's
    id, by which a status change's answer replaces it, `label` what it is of."""
    percent = p.percent
    optional = (
        f' <span class="count count-optional">optional: {p.optional_done} of {p.optional} '
        "done</span>"
        if p.optional
        else ""
    )
    return mark_safe(  # noqa: S308 (numbers, and the text escaped)
        f'<div id="{escape(pid)}" class="progress-summary"><progress class="progress-bar" '
        f'max="{p.counted or 1}" value="{p.done}" aria-label="{escape(label)}: {percent}% '
        f'complete"></progress>\n<p class="progress-numbers"><strong class="percent">'
        f'{percent}%</strong> complete <span class="counts"><span class="count count-done">'
        f'{p.done} done</span> <span class="count count-in-progress">{p.in_progress} in '
        f'progress</span> <span class="count count-skipped">{p.skipped} skipped</span> '
        f'<span class="count count-not-started">{p.not_started} not started</span>'
        f"{optional}</span></p></div>"
    )


@register.simple_tag
def stage_index(stages, page: str = "") -> SafeString:
    """The stages as links into `page` (this one where empty), each with how much of it is
    done. Written here, as the stage rows below: forty stages through the template engine
    were a third of a large roadmap's page."""
    return mark_safe(  # noqa: S308 (a number, and the text escaped)
        "".join(
            f'<li><a href="{escape(page)}#{escape(stage.anchor)}">{escape(stage.title)}</a> '
            f'<span class="muted">{stage.progress.percent}%</span></li>'
            for stage in stages
        )
    )


@register.simple_tag
def stage_head(stage) -> SafeString:
    """A stage of the roadmap page up to its topics and milestones: the list item and its
    section opened, its title, summary and progress, and the fold they sit in."""
    anchor = escape(stage.anchor)
    summary = f'<p class="stage-summary">{escape(stage.summary)}</p>\n' if stage.summary else ""
    p = stage.progress
    return mark_safe(  # noqa: S308 (numbers, and the text escaped)
        f'<li class="stage">\n<section id="{anchor}" aria-labelledby="{anchor}-heading">\n'
        f'<h2 id="{anchor}-heading">{escape(stage.title)}</h2>\n{summary}'
        f"{progress_summary(p, stage.progress_id, stage.title)}\n"
        f'<details class="stage-body"{" open" if stage.is_open else ""}>\n'
        f'<summary>Topics and milestones <span class="muted">({p.required + p.optional} '
        "milestones)</span></summary>\n"
    )


@register.simple_tag
def stage_link(stage) -> SafeString:
    """In place of a closed stage's topics and milestones: the link that loads them (by
    script as the fold opens; without one, the page with that stage open)."""
    anchor, key = escape(stage.anchor), escape(stage.key)
    return mark_safe(  # noqa: S308 (the text escaped)
        f'<p id="{anchor}-topics" hx-get="?stage={key}" hx-trigger="toggle from:closest '
        f'details once" hx-swap="outerHTML"><a href="?stage={key}#{anchor}">Show the topics '
        f"and milestones of “{escape(stage.title)}”</a></p>"
    )


def _milestone_head(milestone, *, is_owner: bool, is_open: bool) -> str:
    """A milestone's row (includes/milestone.html) up to what follows its line: the list
    item opened, its status, its title and what kind of work it is."""
    anchor = escape(milestone.anchor)
    status = escape(milestone.get_status_display())
    if is_owner:
        badge = (
            f'<a class="status-badge" role="button" href="?status_of={escape(milestone.slug)}" '
            f'aria-expanded="{"true" if is_open else "false"}" aria-describedby="{anchor}-link">'
            f'<span class="status-text">{status}</span></a>'
        )
    else:
        badge = f'<span class="status-badge"><span class="status-text">{status}</span></span>'
    optional = ' · <span class="tag">optional</span>' if milestone.optional else ""
    return (
        f'<li id="{anchor}" class="milestone status-{escape(milestone.status)}" data-milestone '
        f'tabindex="-1"><div class="milestone-main">{badge} <a id="{anchor}-link" '
        f'class="milestone-title" href="{escape(milestone.get_absolute_url())}">'
        f'{escape(milestone.title)}</a> <span class="milestone-meta">'
        f"{escape(milestone.get_kind_display())} · {hours(milestone.estimated_hours)} h"
        f"{optional}</span></div>"
    )


@register.simple_tag(takes_context=True)
def milestone_head(context, milestone, is_open) -> SafeString:
    """The opening of one milestone's row, for includes/milestone.html to finish."""
    return mark_safe(  # noqa: S308 (every value escaped)
        _milestone_head(milestone, is_owner=bool(context.get("is_owner")), is_open=is_open)
    )


@register.simple_tag(takes_context=True)
def milestone_rows(context, milestones) -> SafeString:
    """Every row of a list of milestones (includes/milestone_list.html), each as
    includes/milestone.html writes it; the owner's status buttons under the one asked for
    with ?status_of=, as there."""
    is_owner = bool(context.get("is_owner"))
    rows = []
    for milestone in milestones:
        is_open = is_owner and status_open(context, milestone)
        rows.append(_milestone_head(milestone, is_owner=is_owner, is_open=is_open))
        if is_open:
            form = context.template.engine.get_template("includes/status_form.html")
            with context.push(milestone=milestone):
                rows.append(form.render(context))
        rows.append("</li>")
    return mark_safe("".join(rows) or "<li>No milestones yet.</li>")  # noqa: S308 (escaped)


# Tables beside the charts list hundreds of days; Django's date filter costs about ten times
# what these do. The site is in English, as strftime's names are.
@register.filter(expects_localtime=True)
def short_date(day) -> str:
    """3 Mar 2026: as the date filter's "j M Y" writes it, a time on its day where the page is."""
    return f"{day.day} {day:%b %Y}"


@register.filter
def weekday_date(day) -> str:
    """Tue 3 Mar 2026. A date's words are remembered: a dashboard's table of days asks for
    the same year's on every render. (Not a time's: one moment is another day elsewhere.)"""
    return _weekday_date(day) if type(day) is date else _weekday_date.__wrapped__(day)


@lru_cache(maxsize=1024)
def _weekday_date(day) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


@register.simple_tag
def day_rows(rows) -> SafeString:
    """A chart's table of days, row by row: the day, then its figures. Written here, as a
    year's rows through the template engine cost more than the chart itself."""
    return mark_safe(  # noqa: S308 (every value escaped)
        "".join(
            f"<tr><td>{weekday_date(day)}</td>"
            + "".join(f"<td>{_cell(value)}</td>" for value in figures)
            + "</tr>"
            for day, *figures in rows
        )
    )


@register.simple_tag
def stage_rows(stages, roadmap_url: str) -> SafeString:
    """The dashboard's table of stages, a row each: its counts and how much is done.
    Written here: a roadmap of forty stages is five hundred lookups through the engine."""
    rows = []
    for stage in stages:
        p = stage.progress
        rows.append(
            f'<tr><th scope="row"><a href="{escape(roadmap_url)}#{escape(stage.anchor)}">'
            f"{escape(stage.title)}</a></th><td>{p.done}</td><td>{p.in_progress}</td>"
            f"<td>{p.skipped}</td><td>{p.not_started}</td><td>"
            f'<progress class="progress-bar small" max="{p.counted or 1}" value="{p.done}" '
            f'aria-hidden="true"></progress> {p.percent}%</td></tr>'
        )
    return mark_safe("".join(rows))  # noqa: S308 (numbers, and the text escaped)


def _cell(value) -> str:
    """A figure as it goes in a cell: a count as it is, anything else escaped."""
    return str(value) if type(value) is int else escape(value)


@register.simple_tag
def count_rows(points) -> SafeString:
    """The burn-up's table: each day and the milestones done by then, as whole numbers."""
    return mark_safe(  # noqa: S308 (dates and numbers only)
        "".join(
            f"<tr><td>{short_date(day)}</td><td>{_whole(value)}</td></tr>" for day, value in points
        )
    )


def _whole(value) -> int:
    """Rounded half up, as floatformat:0 does."""
    return int(Decimal(str(value)).quantize(Decimal(1), ROUND_HALF_UP))


@register.filter
def hours(value) -> str:
    """1.0 -> "1", 2.5 -> "2.5": hours without a trailing .0."""
    text = f"{value:f}" if value is not None else "0"
    return text.rstrip("0").rstrip(".") if "." in text else text


@register.filter
def get_item(mapping: dict, key):
    """mapping[key] in a template, or None where it has no such key."""
    return mapping.get(key)


@register.simple_tag
def heat_legend():
    """The heatmap's key, (level, the day totals it stands for), for the page to show."""
    return charts.heat_legend()


# Where a long address may wrap, as style guides have it: after a run of slashes, and before
# a dot or the punctuation that starts a query, a parameter or a fragment.
URL_BREAKS = re.compile(r"(?<=/)(?!/)|(?<=[^/])(?=[.?&#])")


@register.filter
def breakable_url(url: str) -> SafeString:
    """An address as text, with <wbr> where a line may break; every part escaped."""
    parts = URL_BREAKS.split(str(url))
    return format_html_join(mark_safe("<wbr>"), "{}", ((part,) for part in parts if part))


def shorten(text: str, length: int) -> str:
    """`text` in at most `length` characters: cut at a word where one is near, then "…"."""
    if len(text) <= length:
        return text
    cut = text[: length - 1]
    if not text[length - 1].isspace() and " " in cut[length // 2 :]:
        cut = cut.rsplit(" ", 1)[0]  # the last word was cut: drop it
    return cut.rstrip(" ,;:·-–") + "…"


@register.simple_tag
def page_title(name: str, within: str, length: int = 60) -> str:
    """A `<title>` of "<name> · <within>" in `length` characters at most, as browser tabs,
    bookmarks and search results show about that many: `within` (a roadmap) gets up to 24,
    and `name`, what the page is about, is shortened to fit the rest."""
    within = shorten(within, 24)
    return f"{shorten(name, length - len(within) - 3)} · {within}"
