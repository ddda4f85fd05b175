"""Server-drawn SVG charts for the dashboard, and the README badge.

The site runs without JavaScript under a strict Content-Security-Policy, so nothing here emits
a `style` attribute or element. Shapes carry CSS classes that the site's stylesheet colours for
light and dark mode, plus presentation-attribute fallbacks (which any CSS rule overrides) so a
chart still reads where the stylesheet does not apply. Every attribute and text is escaped
(_tag): titles are user data.

The heatmap is drawn at a fixed scale and scrolls sideways where the screen is narrower; its
legend (heat_legend) is the page's, outside the scrolling area, so it stays in view. The
burn-up has no viewBox: its labels are in CSS pixels at any width, and only its plot (a
nested SVG with the lines) stretches to fill the width.
"""

import html
import math
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import NamedTuple

from django.utils.safestring import SafeString, mark_safe

SVG_NS = "http://www.w3.org/2000/svg"
# A day's total reaching each threshold raises its level: 0, 1, 2-3, 4-5, 6+.
HEAT_THRESHOLDS = (1, 2, 4, 6)
HEAT_FALLBACK = ("#ebedf0", "#2da44e", "#1a7f37", "#116329", "#044f1e")
CELL, STEP = 11, 13  # a heatmap square and its pitch (a 2px gap)
FONT = 12  # every label's size: CSS pixels on the burn-up, never drawn smaller on the heatmap
MONTH_LABEL = 2 * STEP  # the room a month's name ("Sep") takes at that size
ACTUAL, PLAN, DASHES = "#0b5cad", "#57606a", "6 4"


class DayActivity(NamedTuple):
    """A day of the heatmap. A tuple: a year of them is drawn on every dashboard."""

    day: date
    completed: int = 0
    started: int = 0
    posts: int = 0

    @property
    def total(self) -> int:
        return self.completed + self.started + self.posts


def level_of(value: int, thresholds: Sequence[int]) -> int:
    """A heatmap square's level: how many of the (ascending) thresholds `value` reaches."""
    return bisect_right(thresholds, value)


def heat_level(total: int) -> int:
    return level_of(total, HEAT_THRESHOLDS)


@lru_cache(maxsize=1024)
def long_date(day: date) -> str:
    """3 March 2026. Remembered: a year's heatmap names the same days on every render."""
    return f"{day.day} {day:%B %Y}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _num(value: float) -> str:
    """Coordinates and counts without float noise: 12.0 -> "12", 2.345 -> "2.3"."""
    return f"{value:.1f}".removesuffix(".0")


def _tag(name: str, content: str | Iterable[str] = "", **attrs) -> SafeString:
    """One escaped element. `class_` gives class, other underscores become hyphens.

    Written with f-strings and the standard library's escape rather than format_html: a
    dashboard draws hundreds of elements, and format_html's machinery cost more than they."""
    if not isinstance(content, str):
        # Joined as they are where already safe (a year's squares), escaped where not.
        content = "".join(_safe(part) for part in content)
    else:
        content = _safe(content)
    attributes = "".join(
        f' {key.rstrip("_").replace("_", "-")}="{_attribute(value)}"'
        for key, value in attrs.items()
    )
    if content == "":
        return mark_safe(f"<{name}{attributes}/>")  # noqa: S308 (every part escaped above)
    return mark_safe(f"<{name}{attributes}>{content}</{name}>")  # noqa: S308 (the same)


def _attribute(value) -> str:
    return _num(value) if isinstance(value, float) else _safe(value)


def _safe(value) -> str:
    """`value` as HTML: as it is where already safe, escaped where not."""
    return value if isinstance(value, SafeString) else html.escape(str(value))


def _text(
    x: float | str, y: float, text: str, anchor: str = "start", *, css: str = "", **attrs
) -> SafeString:
    """A label; `x` may be a percentage of the chart's width ("25%"), placed by `dx` pixels."""
    return _tag(
        "text", text, class_=f"chart-label {css}".strip(), x=x if isinstance(x, str) else float(x),
        y=float(y), text_anchor=anchor, font_size=FONT, fill="currentColor", **attrs,
    )  # fmt: skip


def _chart(kind: str, id_prefix: str, title: str, desc: str, body, **size) -> SafeString:
    """The accessible wrapper both dashboard charts share: named by its title, described."""
    heading = [
        _tag("title", title, id=f"{id_prefix}-title"),
        _tag("desc", desc, id=f"{id_prefix}-desc"),
    ]
    return _tag(
        "svg", heading + body, xmlns=SVG_NS, class_=f"chart {kind}", role="img",
        focusable="false", aria_labelledby=f"{id_prefix}-title",
        aria_describedby=f"{id_prefix}-desc", width="100%", **size,
    )  # fmt: skip


# --- Heatmap ----------------------------------------------------------------------------------


def day_summary(day: DayActivity) -> str:
    """ "3 March 2026: 2 milestones completed, 1 started, 1 post": only what happened."""
    parts = []
    if day.completed:
        parts.append(f"{_plural(day.completed, 'milestone')} completed")
    if day.started:  # "milestone" is said once, by whichever count comes first
        parts.append(f"{day.started if parts else _plural(day.started, 'milestone')} started")
    if day.posts:
        parts.append(_plural(day.posts, "post"))
    return f"{long_date(day.day)}: {', '.join(parts) or 'no activity'}"


def _square(level: int, x: int, y: int, title: str) -> SafeString:
    """One day's square with its title. Written directly rather than through _tag: a year
    is 371 of them, and each through format_html cost more than the rest of the chart."""
    return mark_safe(  # noqa: S308 (numbers, a constant, and the title escaped)
        f'<rect class="heat-{level}" x="{x}" y="{y}" width="{CELL}" height="{CELL}" rx="2" '
        f'fill="{HEAT_FALLBACK[level]}"><title>{html.escape(title)}</title></rect>'
    )


def heatmap_svg(
    days: Sequence[DayActivity],
    *,
    title: str,
    today: date,
    id_prefix: str = "heatmap",
    level=None,
    summary=None,
    desc: str = "",
) -> SafeString:
    """One column per Monday-first week, one row per weekday; days after today stay blank.

    `level`, `summary` and `desc` draw other days than DayActivity (minutes studied)."""
    level = level or (lambda d: heat_level(d.total))
    summary = summary or day_summary
    shown = sorted((d for d in days if d.day <= today), key=lambda d: d.day)
    first_monday = shown[0].day - timedelta(days=shown[0].day.weekday()) if shown else today
    columns = (shown[-1].day - first_monday).days // 7 + 1 if shown else 0
    left, top = 32, 18
    right = left + max(columns, 12) * STEP
    body, last_month_column = [], -3
    for day in shown:
        column = (day.day - first_monday).days // 7
        x = left + column * STEP
        body.append(_square(level(day), x, top + day.day.weekday() * STEP, summary(day)))
        # Label a month over the week holding its 1st, unless it would run into the last
        # label or past the grid's right edge (a month begun this week is named next week).
        fits = x + MONTH_LABEL <= right
        if day.day.day == 1 and column - last_month_column >= 3 and fits:
            body.append(_text(x, top - 5, f"{day.day:%b}"))
            last_month_column = column
    for row, name in ((0, "Mon"), (2, "Wed"), (4, "Fri")):
        body.append(_text(left - 4, top + row * STEP + CELL - 1, name, "end"))

    desc = desc or (
        f"{_plural(sum(1 for d in shown if d.total), 'active day')} in the last year; "
        f"{_plural(sum(d.completed for d in shown), 'milestone')} completed, "
        f"{sum(d.started for d in shown)} started, {_plural(sum(d.posts for d in shown), 'post')}"
    )
    width, height = right + 2, top + 7 * STEP + 2
    return _chart("heatmap", id_prefix, title, desc, body, viewBox=f"0 0 {width} {height}")


def _legend(
    thresholds: Sequence[int], words: Callable[[int, int | None], str]
) -> list[tuple[int, str]]:
    """A heatmap's key, built from the thresholds its levels are drawn by: each level with
    `words(low, high)` for the day totals it stands for, `high` None for the top level."""
    lows = (0, *thresholds)
    highs = (*(threshold - 1 for threshold in thresholds), None)
    return [
        (level, words(low, high)) for level, (low, high) in enumerate(zip(lows, highs, strict=True))
    ]


def _count_words(low: int, high: int | None) -> str:
    if high is None:
        return f"{low} or more"
    return str(low) if low == high else f"{low} to {high}"


def heat_legend() -> list[tuple[int, str]]:
    """The heatmap's key: each level with the day totals it stands for ("0", "2 to 3", ...)."""
    return _legend(HEAT_THRESHOLDS, _count_words)


def heatmap_table_rows(days: Iterable[DayActivity]) -> list[tuple[date, int, int, int]]:
    """The heatmap's text alternative: active days only, newest first."""
    active = sorted((d for d in days if d.total), key=lambda d: d.day, reverse=True)
    return [(d.day, d.completed, d.started, d.posts) for d in active]


# --- Heatmap of minutes studied ------------------------------------------------------------------

# A day's minutes reaching each threshold raise its level: none, under half an hour, under an
# hour, under two, two hours or more.
MINUTE_THRESHOLDS = (1, 30, 60, 120)


@dataclass(frozen=True)
class DayMinutes:
    day: date
    minutes: int = 0


def minutes_level(day: DayMinutes) -> int:
    return level_of(day.minutes, MINUTE_THRESHOLDS)


def duration_words(minutes: int | None) -> str:
    """90 -> "1 h 30 min", 45 -> "45 min", 120 -> "2 h"; nothing logged is "0 min"."""
    hours, rest = divmod(int(minutes or 0), 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def minutes_summary(day: DayMinutes) -> str:
    """ "3 March 2026: 1 h 30 min studied"."""
    studied = f"{duration_words(day.minutes)} studied" if day.minutes else "no time logged"
    return f"{long_date(day.day)}: {studied}"


def minutes_heatmap_svg(days: Sequence[DayMinutes], *, title: str, today: date) -> SafeString:
    """The heatmap of minutes studied a day, drawn as the heatmap of changes is."""
    shown = [d for d in days if d.day <= today]
    total = sum(d.minutes for d in shown)
    desc = (
        f"{_plural(sum(1 for d in shown if d.minutes), 'day')} with time logged in the last "
        f"year, {duration_words(total)} in all"
    )
    return heatmap_svg(
        shown, title=title, today=today, id_prefix="heatmap", level=minutes_level,
        summary=minutes_summary, desc=desc,
    )  # fmt: skip


def _minutes_words(low: int, high: int | None) -> str:
    if high is None:
        return f"{duration_words(low)} or more"
    if not low:
        return "none"
    if low == MINUTE_THRESHOLDS[0]:  # any time at all, short of the next level
        return f"under {duration_words(high + 1)}"
    # The unit said once where both ends are in minutes: "30 to 59 min", "1 h to 1 h 59 min".
    return f"{low if low < 60 else duration_words(low)} to {duration_words(high)}"


def minutes_legend() -> list[tuple[int, str]]:
    """The minutes heatmap's key: each level with the minutes a day it stands for."""
    return _legend(MINUTE_THRESHOLDS, _minutes_words)


def minutes_table_rows(days: Iterable[DayMinutes]) -> list[tuple[date, str]]:
    """The minutes heatmap's text alternative: days with time logged, newest first."""
    active = sorted((d for d in days if d.minutes), key=lambda d: d.day, reverse=True)
    return [(d.day, duration_words(d.minutes)) for d in active]


# --- Burn-up ----------------------------------------------------------------------------------

HEIGHT = 272
TOP, BOTTOM = 24, 214  # the plot's top and bottom, in pixels from the chart's top
X0, X1 = 1, 99  # the plot's left and right edges, in percent of the chart's width
# Widths, in pixels, at which the x axis's marks are chosen: every mark fits a chart this wide
# (a desktop column), and those marked "narrow" fit a phone's too; the others are hidden there.
WIDE, NARROW = 500, 240
CHAR_WIDTH = 7  # a label's character at FONT, a little wider than most


def _ticks(high: float) -> list[float]:
    """0 up to at least `high` in steps of 1, 2 or 5 times a power of ten: about four steps."""
    high = max(high, 1)
    power = 10 ** math.floor(math.log10(high / 4))
    step = max(1, next(m * power for m in (1, 2, 5, 10) if m * power >= high / 4))
    return [n * step for n in range(math.ceil(high / step) + 1)]


def _marks(start: date, end: date) -> list[tuple[date, str]]:
    """Year starts over spans past about a year, month starts under it."""
    if (end - start).days > 400:
        return [(date(year, 1, 1), str(year)) for year in range(start.year + 1, end.year + 1)]
    marks, month = [], date(start.year, start.month, 1)
    while (month := (month + timedelta(days=32)).replace(day=1)) < end:
        marks.append((month, f"{month:%b}"))
    return marks


def _fitting(marks, *, width: float, start_label: str, end_label: str) -> list:
    """The (share of the axis, label) marks that keep clear of the end labels and of each
    other on an axis `width` pixels long, from the left."""
    left_end = (len(start_label) * CHAR_WIDTH + 8) / width
    right_end = 1 - (len(end_label) * CHAR_WIDTH + 8) / width
    kept, last = [], -1.0
    for share, label in marks:
        half = len(label) * CHAR_WIDTH / 2 / width
        gap = (len(label) * CHAR_WIDTH + 12) / width
        if share - half >= left_end and share + half <= right_end and share - last >= gap:
            kept.append((share, label))
            last = share
    return kept


def burnup_svg(
    points: Sequence[tuple[date, float]],
    *,
    plan: tuple[tuple[date, float], tuple[date, float]] | None,
    title: str,
    total: float,
    unit: str = "milestones",
    id_prefix: str = "burnup",
) -> SafeString:
    """Lines in a plot that stretches to the chart's width; labels around it in CSS pixels.

    The plot is a nested SVG whose viewBox is 100 wide and as tall as the chart, stretched
    sideways only, so an x of 25 in it is 25% of the chart's width and a y is a y in pixels.
    """
    # Floats throughout: hours may arrive as Decimal, which does not mix with float maths.
    points = sorted(((day, float(value)) for day, value in points), key=lambda p: p[0])
    dates = [day for day, _ in points] + ([plan[0][0], plan[1][0]] if plan else [])
    values = [value for _, value in points] + ([plan[0][1], plan[1][1]] if plan else [])
    ticks = _ticks(float(max([total, *values])))  # the top tick is never below the largest value
    start = min(dates, default=None)
    span = max((max(dates) - start).days, 1) if dates else 1  # never divide by zero

    def share(day: date) -> float:
        return (day - start).days / span

    def x(day: date) -> float:
        return X0 + share(day) * (X1 - X0)

    def y(value: float) -> float:
        return BOTTOM - max(0, float(value)) / ticks[-1] * (BOTTOM - TOP)

    stroke = {"vector_effect": "non-scaling-stroke"}  # the stretch widens no line
    plot, labels = [], []
    for tick in ticks:
        plot.append(_tag("line", class_="chart-grid", x1=X0, x2=X1, y1=y(tick), y2=y(tick),
                         stroke="#d0d7de", **stroke))  # fmt: skip
        # Each value sits just above its grid line, inside the plot, as the line rises away.
        labels.append(_text(f"{X0}%", y(tick) - 4, _num(tick), dx=4, css="chart-value"))
    axis = f"M{X0} {TOP}V{BOTTOM}H{X1}"
    plot.append(_tag("path", class_="chart-axis", d=axis, fill="none", stroke="currentColor",
                     **stroke))  # fmt: skip
    if dates:
        end = max(dates)
        start_label, end_label = f"{start.day} {start:%b %Y}", f"{end.day} {end:%b %Y}"
        labels.append(_text(f"{X0}%", BOTTOM + 18, start_label))
        if end != start:
            labels.append(_text(f"{X1}%", BOTTOM + 18, end_label, "end"))
        marks = [(share(day), label) for day, label in _marks(start, end)]
        fit = {"start_label": start_label, "end_label": end_label}
        wide = _fitting(marks, width=WIDE, **fit)
        narrow = _fitting(wide, width=NARROW, **fit)
        for mark, label in wide:
            css = "" if (mark, label) in narrow else "chart-label-wide"
            labels.append(_text(f"{_num(X0 + mark * (X1 - X0))}%", BOTTOM + 18, label, "middle",
                                css=css))  # fmt: skip
    if plan:
        (plan_start, plan_from), (target, plan_to) = plan
        plot.append(_tag("line", class_="burnup-plan", x1=x(plan_start), y1=y(plan_from),
                         x2=x(target), y2=y(plan_to), stroke=PLAN, stroke_width=2,
                         stroke_dasharray=DASHES, **stroke))  # fmt: skip
    if points:
        line = " ".join(f"{_num(x(day))},{_num(y(value))}" for day, value in points)
        plot.append(_tag("polyline", class_="burnup-actual", points=line, fill="none",
                         stroke=ACTUAL, stroke_width=2.5, stroke_linejoin="round",
                         **stroke))  # fmt: skip
        # A dot on the latest point: "where we are now", and visible when it is the only one.
        # Outside the stretched plot, so it stays round.
        labels.append(_tag("circle", class_="burnup-now", cx=f"{_num(x(points[-1][0]))}%",
                           cy=y(points[-1][1]), r=3.5, fill=ACTUAL))  # fmt: skip

    # The legend tells the lines apart by pattern as well as colour; Plan only when drawn.
    legend = [("burnup-actual", ACTUAL, "none", "Done")]
    legend += [("burnup-plan", PLAN, DASHES, "Plan")] if plan else []
    for n, (css, colour, dashes, label) in enumerate(legend):
        lx, ly = 4 + n * 80, HEIGHT - 12
        labels.append(_tag("line", class_=f"{css} chart-key", x1=lx, x2=lx + 24, y1=ly, y2=ly,
                           stroke=colour, stroke_width=2.5, stroke_dasharray=dashes))  # fmt: skip
        labels.append(_text(lx + 30, ly + 4, label))

    done, by = (points[-1][1], f" by {long_date(points[-1][0])}") if points else (0, "")
    desc = f"{_num(done)} of {_num(total)} {unit} done{by}; " + (
        f"the plan line reaches {_num(plan[1][1])} on {long_date(plan[1][0])}."
        if plan
        else "no target date is set, so there is no plan line."
    )
    plot_svg = _tag("svg", plot, class_="burnup-plot", width="100%", height=HEIGHT,
                    viewBox=f"0 0 100 {HEIGHT}", preserveAspectRatio="none",
                    overflow="visible")  # fmt: skip
    return _chart("burnup", id_prefix, title, desc, [plot_svg, *labels], height=HEIGHT)


# --- Badge ------------------------------------------------------------------------------------

# Text against its background is at least 5:1 in both themes (WCAG AA asks 4.5:1).
BADGE_THEMES = {
    "light": {"label": "#555555", "value": "#1a7f37", "text": "#ffffff"},
    "dark": {"label": "#30363d", "value": "#033a16", "text": "#e6edf3"},
}
CHAR, BAR = 6.5, 30  # approximate glyph width at font-size 11; the progress bar's length


def badge_svg(*, title: str, percent: float, theme: str = "light") -> SafeString:
    """A shields.io-like badge, served on its own as image/svg+xml: hence xmlns and sizes."""
    colours = BADGE_THEMES.get(theme, BADGE_THEMES["light"])
    percent = max(0, min(100, round(percent)))
    label = title if len(title) <= 30 else title[:29].rstrip() + "…"
    value = f"{percent}%"
    label_text, value_text = math.ceil(len(label) * CHAR), math.ceil(len(value) * CHAR)
    label_width = label_text + 12
    bar_x = label_width + 6 + value_text + 6
    width = bar_x + BAR + 6
    fg = colours["text"]
    # textLength pins each text to its estimated width, so a wider font cannot overflow.
    fit = {"fill": fg, "y": 14, "lengthAdjust": "spacingAndGlyphs"}
    parts = [
        _tag("rect", width=label_width, height=20, fill=colours["label"]),
        _tag("rect", x=label_width, width=width - label_width, height=20, fill=colours["value"]),
        _tag("text", label, x=6, textLength=label_text, **fit),
        _tag("text", value, x=label_width + 6, textLength=value_text, **fit),
        _tag("rect", x=bar_x, y=7, width=BAR, height=6, rx=1, fill=fg, fill_opacity="0.35"),
        _tag("rect", x=bar_x, y=7, width=BAR * percent / 100, height=6, rx=1, fill=fg),
    ]
    name = f"{title}: {percent}% complete"
    font = _tag("g", parts, font_family="Verdana,DejaVu Sans,Geneva,sans-serif", font_size=11)
    return _tag("svg", [_tag("title", name), font], xmlns=SVG_NS, width=width, height=20,
                viewBox=f"0 0 {width} 20", role="img", aria_label=name)  # fmt: skip
