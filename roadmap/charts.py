"""Server-drawn SVG charts for the dashboard, and the README badge.

The site runs without JavaScript under a strict Content-Security-Policy, so nothing here emits
a `style` attribute or element. Shapes carry CSS classes that the site's stylesheet colours for
light and dark mode, plus presentation-attribute fallbacks (which any CSS rule overrides) so a
chart still reads where the stylesheet does not apply. Every attribute and text goes through
format_html: titles are user data.

The heatmap's legend (Less, heat-0..heat-4, More) is drawn inside its SVG, below the grid.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

SVG_NS = "http://www.w3.org/2000/svg"
# A day's total reaching each threshold raises its level: 0, 1, 2-3, 4-5, 6+.
HEAT_THRESHOLDS = (1, 2, 4, 6)
HEAT_FALLBACK = ("#ebedf0", "#2da44e", "#1a7f37", "#116329", "#044f1e")
CELL, STEP = 11, 13  # a heatmap square and its pitch (a 2px gap)
ACTUAL, PLAN, DASHES = "#0b5cad", "#57606a", "6 4"


@dataclass(frozen=True)
class DayActivity:
    day: date
    completed: int = 0
    started: int = 0
    posts: int = 0

    @property
    def total(self) -> int:
        return self.completed + self.started + self.posts


def heat_level(total: int) -> int:
    return sum(total >= threshold for threshold in HEAT_THRESHOLDS)


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _num(value: float) -> str:
    """Coordinates and counts without float noise: 12.0 -> "12", 2.345 -> "2.3"."""
    return f"{value:.1f}".removesuffix(".0")


def _tag(name: str, content: str | Iterable[str] = "", **attrs) -> SafeString:
    """One escaped element. `class_` gives class, other underscores become hyphens."""
    if not isinstance(content, str):
        content = format_html_join("", "{}", ((part,) for part in content))
    pairs = (
        (key.rstrip("_").replace("_", "-"), _num(value) if isinstance(value, float) else value)
        for key, value in attrs.items()
    )
    attributes = format_html_join("", ' {}="{}"', pairs)
    if content == "":
        return format_html("<{}{}/>", name, attributes)
    return format_html("<{}{}>{}</{}>", name, attributes, content, name)


def _text(x: float, y: float, text: str, anchor: str = "start") -> SafeString:
    return _tag(
        "text", text, class_="chart-label", x=float(x), y=float(y), text_anchor=anchor,
        font_size=10, fill="currentColor",
    )  # fmt: skip


def _chart(kind: str, id_prefix: str, title: str, desc: str, size: tuple, body) -> SafeString:
    """The accessible wrapper both dashboard charts share: named by its title, described."""
    heading = [
        _tag("title", title, id=f"{id_prefix}-title"),
        _tag("desc", desc, id=f"{id_prefix}-desc"),
    ]
    return _tag(
        "svg", heading + body, xmlns=SVG_NS, class_=f"chart {kind}", role="img",
        focusable="false", aria_labelledby=f"{id_prefix}-title",
        aria_describedby=f"{id_prefix}-desc", viewBox=f"0 0 {_num(size[0])} {_num(size[1])}",
        width="100%",
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


def _square(level: int, x: int, y: int, content: str = "") -> SafeString:
    fill = HEAT_FALLBACK[level]
    return _tag("rect", content, class_=f"heat-{level}", x=x, y=y, width=CELL, height=CELL, rx=2,
                fill=fill)  # fmt: skip


def heatmap_svg(
    days: Sequence[DayActivity], *, title: str, today: date, id_prefix: str = "heatmap"
) -> SafeString:
    """One column per Monday-first week, one row per weekday; days after today stay blank."""
    shown = sorted((d for d in days if d.day <= today), key=lambda d: d.day)
    first_monday = shown[0].day - timedelta(days=shown[0].day.weekday()) if shown else today
    left, top = 30, 16
    body, last_month_column = [], -3
    for day in shown:
        column = (day.day - first_monday).days // 7
        x = left + column * STEP
        body.append(_square(heat_level(day.total), x, top + day.day.weekday() * STEP,
                            _tag("title", day_summary(day))))  # fmt: skip
        # Label a month over the week holding its 1st, unless it would run into the last label.
        if day.day.day == 1 and column - last_month_column >= 3:
            body.append(_text(x, top - 5, f"{day.day:%b}"))
            last_month_column = column
    for row, name in ((0, "Mon"), (2, "Wed"), (4, "Fri")):
        body.append(_text(left - 4, top + row * STEP + CELL - 2, name, "end"))

    columns = (shown[-1].day - first_monday).days // 7 + 1 if shown else 0
    right = max(left + columns * STEP, left + 160)  # room for the legend when data is short
    legend_y = top + 7 * STEP + 6
    squares_x = right - 30 - 5 * STEP
    body.append(_text(squares_x - 4, legend_y + CELL - 2, "Less", "end"))
    body += [_square(level, squares_x + level * STEP, legend_y) for level in range(5)]
    body.append(_text(right, legend_y + CELL - 2, "More", "end"))

    desc = (
        f"{_plural(sum(1 for d in shown if d.total), 'active day')} in the last year; "
        f"{_plural(sum(d.completed for d in shown), 'milestone')} completed, "
        f"{sum(d.started for d in shown)} started, {_plural(sum(d.posts for d in shown), 'post')}"
    )
    return _chart("heatmap", id_prefix, title, desc, (right + 4, legend_y + CELL + 4), body)


def heatmap_table_rows(days: Iterable[DayActivity]) -> list[tuple[date, int, int, int]]:
    """The heatmap's text alternative: active days only, newest first."""
    active = sorted((d for d in days if d.total), key=lambda d: d.day, reverse=True)
    return [(d.day, d.completed, d.started, d.posts) for d in active]


# --- Burn-up ----------------------------------------------------------------------------------

WIDTH, HEIGHT = 640, 280
LEFT, TOP, RIGHT, BOTTOM = 48, 16, 624, 236  # the plot area inside the viewBox


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


def burnup_svg(
    points: Sequence[tuple[date, float]],
    *,
    plan: tuple[tuple[date, float], tuple[date, float]] | None,
    title: str,
    total: float,
    unit: str = "milestones",
    id_prefix: str = "burnup",
) -> SafeString:
    # Floats throughout: hours may arrive as Decimal, which does not mix with float maths.
    points = sorted(((day, float(value)) for day, value in points), key=lambda p: p[0])
    dates = [day for day, _ in points] + ([plan[0][0], plan[1][0]] if plan else [])
    values = [value for _, value in points] + ([plan[0][1], plan[1][1]] if plan else [])
    ticks = _ticks(float(max([total, *values])))  # the top tick is never below the largest value
    start = min(dates, default=None)
    span = max((max(dates) - start).days, 1) if dates else 1  # never divide by zero

    def x(day: date) -> float:
        return LEFT + (day - start).days / span * (RIGHT - LEFT)

    def y(value: float) -> float:
        return BOTTOM - max(0, float(value)) / ticks[-1] * (BOTTOM - TOP)

    body = []
    for tick in ticks:
        body.append(_tag("line", class_="chart-grid", x1=LEFT, x2=RIGHT, y1=y(tick), y2=y(tick),
                         stroke="#d0d7de"))  # fmt: skip
        body.append(_text(LEFT - 6, y(tick) + 3, _num(tick), "end"))
    axis = f"M{LEFT} {TOP}V{BOTTOM}H{RIGHT}"
    body.append(_tag("path", class_="chart-axis", d=axis, fill="none", stroke="currentColor"))
    if dates:
        end = max(dates)
        body.append(_text(LEFT, BOTTOM + 16, f"{start.day} {start:%b %Y}"))
        if end != start:
            body.append(_text(RIGHT, BOTTOM + 16, f"{end.day} {end:%b %Y}", "end"))
        last = LEFT
        for day, label in _marks(start, end):
            # Skip marks that would run into the end labels or the previous mark.
            if x(day) - LEFT >= 80 and RIGHT - x(day) >= 80 and x(day) - last >= 44:
                body.append(_text(x(day), BOTTOM + 16, label, "middle"))
                last = x(day)
    if plan:
        (plan_start, plan_from), (target, plan_to) = plan
        body.append(_tag("line", class_="burnup-plan", x1=x(plan_start), y1=y(plan_from),
                         x2=x(target), y2=y(plan_to), stroke=PLAN, stroke_width=2,
                         stroke_dasharray=DASHES))  # fmt: skip
    if points:
        line = " ".join(f"{_num(x(day))},{_num(y(value))}" for day, value in points)
        body.append(_tag("polyline", class_="burnup-actual", points=line, fill="none",
                         stroke=ACTUAL, stroke_width=2.5, stroke_linejoin="round"))  # fmt: skip
        # A dot on the latest point: "where we are now", and visible when it is the only one.
        body.append(_tag("circle", class_="burnup-now", cx=x(points[-1][0]),
                         cy=y(points[-1][1]), r=3.5, fill=ACTUAL))  # fmt: skip

    # The legend tells the lines apart by pattern as well as colour; Plan only when drawn.
    legend = [("burnup-actual", ACTUAL, "none", "Done")]
    legend += [("burnup-plan", PLAN, DASHES, "Plan")] if plan else []
    for n, (css, colour, dashes, label) in enumerate(legend):
        lx, ly = LEFT + n * 90, HEIGHT - 14
        body.append(_tag("line", class_=f"{css} chart-key", x1=lx, x2=lx + 24, y1=ly, y2=ly,
                         stroke=colour, stroke_width=2.5, stroke_dasharray=dashes))  # fmt: skip
        body.append(_text(lx + 30, HEIGHT - 10, label))

    done, by = (points[-1][1], f" by {long_date(points[-1][0])}") if points else (0, "")
    desc = f"{_num(done)} of {_num(total)} {unit} done{by}; " + (
        f"the plan line reaches {_num(plan[1][1])} on {long_date(plan[1][0])}."
        if plan
        else "no target date is set, so there is no plan line."
    )
    return _chart("burnup", id_prefix, title, desc, (WIDTH, HEIGHT), body)


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
