"""The server-drawn charts, read back as XML the way a browser (and a screen reader) would."""

import math
import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from decimal import Decimal

import pytest

from roadmap.charts import (
    DayActivity,
    DayMinutes,
    badge_svg,
    burnup_svg,
    duration_words,
    heat_legend,
    heat_level,
    heatmap_svg,
    heatmap_table_rows,
    minutes_legend,
    minutes_level,
)

SVG = "{http://www.w3.org/2000/svg}"
TODAY = date(2026, 3, 4)  # a Wednesday: the last week is half drawn
START = TODAY - timedelta(days=TODAY.weekday() + 52 * 7)  # 53 Monday-first weeks
HOSTILE = "</title><script>alert('x')</script> \"quoted\" & <b>bold</b>"


def parse(svg: str) -> ET.Element:
    # Our own output, not untrusted input: parsing it is the point of the test.
    return ET.fromstring(svg)


def tag(element: ET.Element) -> str:
    return element.tag.removeprefix(SVG)


def find_all(root: ET.Element, name: str, css: str | None = None) -> list[ET.Element]:
    found = list(root.iter(f"{SVG}{name}"))
    return [e for e in found if css in e.get("class", "").split()] if css else found


def texts(root: ET.Element) -> list[str]:
    return [e.text or "" for e in find_all(root, "text")]


def view_box(root: ET.Element) -> tuple[float, float]:
    _, _, width, height = map(float, root.get("viewBox").split())
    return width, height


def plot(root: ET.Element) -> ET.Element:
    """The burn-up's lines: a nested SVG stretched to the chart's width, 100 units wide."""
    (found,) = find_all(root, "svg", "burnup-plot")
    return found


def year(today: date = TODAY, extra_days: int = 0) -> list[DayActivity]:
    """53 weeks to the end of today's week (plus any days after), quiet but for a few days."""
    busy = {
        date(2025, 6, 2): (1, 0, 0),
        date(2025, 9, 15): (2, 1, 0),
        date(2026, 1, 5): (3, 2, 1),
        date(2026, 3, 3): (2, 1, 1),
        date(2026, 3, 4): (0, 0, 1),
    }
    length = 53 * 7 + extra_days
    days = [START + timedelta(days=n) for n in range(length)]
    return [DayActivity(day, *busy.get(day, (0, 0, 0))) for day in days]


def day_rects(root: ET.Element) -> list[ET.Element]:
    """The grid's squares: each carries its own <title>, the legend's do not."""
    return [r for r in find_all(root, "rect") if r.find(f"{SVG}title") is not None]


def burnup(**kwargs) -> str:
    args = {
        "points": [(date(2026, 1, 5) + timedelta(weeks=n), float(n * 3)) for n in range(9)],
        "plan": ((date(2026, 1, 5), 0), (date(2027, 6, 1), 150)),
        "title": "Milestones done over time",
        "total": 150,
    }
    return burnup_svg(**(args | kwargs))


def all_charts() -> list[str]:
    return [
        heatmap_svg(year(), title="A year", today=TODAY),
        heatmap_svg([], title="Empty", today=TODAY),
        burnup(),
        burnup(points=[], plan=None, total=0),
        badge_svg(title="Learning ML", percent=42),
        badge_svg(title="Learning ML", percent=42, theme="dark"),
    ]


def assert_inside(root: ET.Element, width: float | None = None, height: float | None = None):
    """Every coordinate of every drawn shape lies within the viewBox (or the given size; an x
    given in percent of the width within 0 to 100%)."""
    if width is None:
        width, height = view_box(root)
    for element in root.iter():
        for name in ("x", "x1", "x2", "cx"):
            value = element.get(name)
            if value is not None and value.endswith("%"):
                assert 0 <= float(value.removesuffix("%")) <= 100, (tag(element), name)
            elif value is not None:
                assert 0 <= float(value) <= width, (tag(element), name)
        for name in ("y", "y1", "y2", "cy"):
            if element.get(name) is not None:
                assert 0 <= float(element.get(name)) <= height, (tag(element), name)


# --- Levels and rows -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "level"), [(0, 0), (1, 1), (2, 2), (3, 2), (4, 3), (5, 3), (6, 4), (40, 4)]
)
def test_heat_level_total_maps_to_threshold_level(total, level):
    assert heat_level(total) == level


def test_day_activity_total_adds_all_three_counts():
    assert DayActivity(TODAY, 2, 1, 3).total == 6


def test_heatmap_table_rows_only_active_days_newest_first():
    rows = heatmap_table_rows(year())
    assert [row[0] for row in rows] == [
        date(2026, 3, 4),
        date(2026, 3, 3),
        date(2026, 1, 5),
        date(2025, 9, 15),
        date(2025, 6, 2),
    ]
    assert rows[1] == (date(2026, 3, 3), 2, 1, 1)


def test_heatmap_table_rows_no_activity_is_empty():
    assert heatmap_table_rows([DayActivity(TODAY)]) == []
    assert heatmap_table_rows([]) == []


# --- Heatmap ---------------------------------------------------------------------------------


def test_heatmap_svg_full_year_draws_one_rect_per_day_up_to_today():
    days = year()
    root = parse(heatmap_svg(days, title="A year", today=TODAY))
    assert len(day_rects(root)) == sum(1 for d in days if d.day <= TODAY)


def test_heatmap_svg_days_after_today_are_not_drawn():
    root = parse(heatmap_svg(year(extra_days=10), title="A year", today=TODAY))
    titles = [r.find(f"{SVG}title").text for r in day_rects(root)]
    assert titles[-1].startswith("4 March 2026:")
    assert not any(t.startswith(("5 March 2026", "6 March 2026", "9 March 2026")) for t in titles)


def test_heatmap_svg_rect_classes_follow_the_level_thresholds():
    root = parse(heatmap_svg(year(), title="A year", today=TODAY))
    by_date = {r.find(f"{SVG}title").text.split(":")[0]: r.get("class") for r in day_rects(root)}
    assert by_date["2 June 2025"] == "heat-1"
    assert by_date["15 September 2025"] == "heat-2"
    assert by_date["5 January 2026"] == "heat-4"
    assert by_date["3 March 2026"] == "heat-3"
    assert by_date["4 March 2026"] == "heat-1"
    assert by_date["1 March 2026"] == "heat-0"


def test_heatmap_svg_grid_has_a_column_per_week_and_a_row_per_weekday():
    root = parse(heatmap_svg(year(), title="A year", today=TODAY))
    rects = day_rects(root)
    assert len({r.get("x") for r in rects}) == 53
    assert len({r.get("y") for r in rects}) == 7
    monday, wednesday = rects[-3], rects[-1]  # this week's Monday and today
    assert monday.get("x") == wednesday.get("x")
    assert float(monday.get("y")) < float(wednesday.get("y"))


def test_heatmap_svg_day_title_says_its_counts():
    root = parse(heatmap_svg(year(), title="A year", today=TODAY))
    titles = {r.find(f"{SVG}title").text for r in day_rects(root)}
    assert "3 March 2026: 2 milestones completed, 1 started, 1 post" in titles
    assert "2 June 2025: 1 milestone completed" in titles
    assert "4 March 2026: 1 post" in titles
    assert "2 March 2026: no activity" in titles


def test_heatmap_svg_started_only_day_names_the_milestone():
    svg = heatmap_svg([DayActivity(TODAY, 0, 1, 2)], title="t", today=TODAY)
    assert "4 March 2026: 1 milestone started, 2 posts" in svg


def test_heatmap_svg_month_labels_appear_in_order():
    labels = texts(parse(heatmap_svg(year(), title="A year", today=TODAY)))
    months = [
        label for label in labels if label in {f"{date(2000, m, 1):%b}" for m in range(1, 13)}
    ]
    assert len(months) >= 11
    assert months.index("Jan") > months.index("Jun")


def test_heatmap_svg_weekday_labels_are_drawn_and_every_square_is_a_day():
    root = parse(heatmap_svg(year(), title="A year", today=TODAY))
    labels = texts(root)
    assert {"Mon", "Wed", "Fri"} <= set(labels)
    assert "Tue" not in labels
    # The legend is the page's, outside the scrolling chart: every square here is a day.
    assert len(find_all(root, "rect")) == len(day_rects(root)) == 52 * 7 + 3


@pytest.mark.parametrize("today", [date(2026, 4, 1), date(2026, 4, 6), date(2026, 7, 14)])
def test_heatmap_svg_month_labels_never_run_past_the_grid(today):
    """A month whose 1st falls in the last week or two is named once there is room."""
    start = today - timedelta(days=today.weekday() + 52 * 7)
    days = [DayActivity(start + timedelta(days=n)) for n in range((today - start).days + 1)]
    root = parse(heatmap_svg(days, title="A year", today=today))
    width, _ = view_box(root)
    months = [e for e in find_all(root, "text") if e.get("text-anchor") == "start"]
    assert len(months) >= 10
    # A label at 12 units is about 22 wide ("Sep"); it ends inside the grid.
    assert all(float(e.get("x")) + 24 <= width for e in months)


def test_heatmap_svg_month_begun_in_the_last_week_is_not_named_yet():
    today = date(2026, 4, 1)  # a Wednesday: April's 1st is in the last column
    start = today - timedelta(days=today.weekday() + 52 * 7)
    days = [DayActivity(start + timedelta(days=n)) for n in range((today - start).days + 1)]
    labels = texts(parse(heatmap_svg(days, title="A year", today=today)))
    assert labels.count("Apr") == 1  # last year's April only
    assert labels[labels.index("Apr") + 1] == "May"


def test_heat_legend_names_the_day_totals_of_each_level():
    legend = heat_legend()
    assert legend == [(0, "0"), (1, "1"), (2, "2 to 3"), (3, "4 to 5"), (4, "6 or more")]
    for level, label in legend:
        assert heat_level(int(label.split()[0])) == level


def test_minutes_legend_names_the_minutes_of_each_level():
    assert minutes_legend() == [
        (0, "none"),
        (1, "under 30 min"),
        (2, "30 to 59 min"),
        (3, "1 h to 1 h 59 min"),
        (4, "2 h or more"),
    ]
    # Each level's first and last minute are drawn at that level.
    for level, (low, high) in enumerate([(0, 0), (1, 29), (30, 59), (60, 119), (120, 600)]):
        assert minutes_level(DayMinutes(TODAY, low)) == minutes_level(DayMinutes(TODAY, high))
        assert minutes_level(DayMinutes(TODAY, low)) == level


@pytest.mark.parametrize(
    ("minutes", "words"),
    [(0, "0 min"), (None, "0 min"), (45, "45 min"), (60, "1 h"), (90, "1 h 30 min"), (600, "10 h")],
)
def test_duration_words_say_hours_and_minutes(minutes, words):
    assert duration_words(minutes) == words


def test_heatmap_svg_desc_counts_match_the_days():
    root = parse(heatmap_svg(year(extra_days=3), title="A year", today=TODAY))
    assert root.find(f"{SVG}desc").text == (
        "5 active days in the last year; 8 milestones completed, 4 started, 3 posts"
    )


def test_heatmap_svg_root_is_an_accessible_scalable_image():
    root = parse(heatmap_svg(year(), title="A year of learning", today=TODAY))
    assert root.get("role") == "img"
    assert root.get("focusable") == "false"
    assert root.get("class") == "chart heatmap"
    assert root.get("width") == "100%"
    assert root.get("height") is None
    assert all(value > 0 for value in view_box(root))
    first = root[0]
    assert tag(first) == "title"
    assert first.text == "A year of learning"
    assert root.get("aria-labelledby") == first.get("id")
    assert root.find(f"{SVG}desc").get("id") == root.get("aria-describedby")


def test_heatmap_svg_id_prefix_keeps_ids_unique_per_call():
    one = parse(heatmap_svg(year(), title="a", today=TODAY))
    two = parse(heatmap_svg(year(), title="b", today=TODAY, id_prefix="heatmap-2"))
    assert one[0].get("id") != two[0].get("id")
    assert two.get("aria-labelledby") == two[0].get("id") == "heatmap-2-title"


def test_heatmap_svg_no_days_renders_an_empty_valid_chart():
    root = parse(heatmap_svg([], title="Nothing yet", today=TODAY))
    assert day_rects(root) == []
    assert root.find(f"{SVG}desc").text.startswith("0 active days")
    assert all(value > 0 for value in view_box(root))


def test_heatmap_svg_shapes_stay_inside_the_view_box():
    assert_inside(parse(heatmap_svg(year(), title="A year", today=TODAY)))


# --- Burn-up -----------------------------------------------------------------------------------


def test_burnup_svg_actual_line_has_one_point_per_input_inside_the_view_box():
    root = parse(burnup())
    (line,) = find_all(root, "polyline", "burnup-actual")
    pairs = [tuple(map(float, pair.split(","))) for pair in line.get("points").split()]
    width, height = view_box(plot(root))
    assert len(pairs) == 9
    assert all(0 <= px <= width and 0 <= py <= height for px, py in pairs)
    assert [py for _, py in pairs] == sorted((py for _, py in pairs), reverse=True)  # rising


def test_burnup_svg_falling_values_are_drawn_as_given():
    points = [(date(2026, 1, 1), 5.0), (date(2026, 2, 1), 3.0), (date(2026, 3, 1), 4.0)]
    (line,) = find_all(parse(burnup(points=points)), "polyline", "burnup-actual")
    heights = [float(pair.split(",")[1]) for pair in line.get("points").split()]
    assert heights[0] < heights[1] > heights[2]


def test_burnup_svg_plan_line_is_dashed_from_start_to_target():
    root = parse(burnup())
    plan = [e for e in find_all(root, "line", "burnup-plan") if "chart-key" not in e.get("class")]
    assert len(plan) == 1
    assert plan[0].get("stroke-dasharray") not in (None, "", "none")
    width, _ = view_box(plot(root))
    assert float(plan[0].get("x1")) < float(plan[0].get("x2")) <= width
    assert float(plan[0].get("y2")) < float(plan[0].get("y1"))  # it climbs to the total


def test_burnup_svg_legend_says_done_and_plan_with_distinct_patterns():
    root = parse(burnup())
    assert {"Done", "Plan"} <= set(texts(root))
    keys = {e.get("class").split()[0]: e.get("stroke-dasharray") for e in root.iter()
            if "chart-key" in e.get("class", "")}  # fmt: skip
    assert keys["burnup-actual"] != keys["burnup-plan"]


def test_burnup_svg_without_plan_has_no_plan_line_or_key():
    root = parse(burnup(plan=None))
    assert find_all(root, "line", "burnup-plan") == []
    assert "Plan" not in texts(root)
    assert "no target date" in root.find(f"{SVG}desc").text


def test_burnup_svg_desc_summarises_done_and_plan():
    points = [(date(2026, 1, 5), 0.0), (date(2026, 3, 3), 42.0)]
    root = parse(burnup(points=points))
    assert root.find(f"{SVG}desc").text == (
        "42 of 150 milestones done by 3 March 2026; the plan line reaches 150 on 1 June 2027."
    )


def test_burnup_svg_root_is_an_accessible_scalable_image():
    root = parse(burnup(title="Hours", id_prefix="hours"))
    assert root.get("role") == "img"
    assert root.get("class") == "chart burnup"
    assert root.get("width") == "100%"
    assert tag(root[0]) == "title"
    assert root.get("aria-labelledby") == root[0].get("id") == "hours-title"


def test_burnup_svg_y_ticks_are_round_numbers_up_to_the_total():
    ticks = [e.text for e in find_all(parse(burnup()), "text", "chart-value")]
    assert ticks[:4] == ["0", "50", "100", "150"]


@pytest.mark.parametrize(
    ("days", "expected", "absent"),
    [
        (7, ["5 Jan 2026", "12 Jan 2026"], ["2026", "Feb"]),
        (180, ["Mar", "Apr", "May", "Jun"], ["2027"]),
        (4 * 365, ["2027", "2028", "2029"], ["Feb"]),
    ],
)
def test_burnup_svg_x_labels_suit_the_span(days, expected, absent):
    start = date(2026, 1, 5)
    end = start + timedelta(days=days)
    labels = texts(parse(burnup(points=[(start, 0.0)], plan=((start, 0), (end, 10)), total=10)))
    assert labels.count(f"{start.day} {start:%b %Y}") == 1
    assert f"{end.day} {end:%b %Y}" in labels
    assert set(expected) <= set(labels)
    assert not set(absent) & set(labels)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"points": [], "plan": None, "total": 0},
        {"points": [], "total": 150},
        {"points": [(date(2026, 1, 5), 0.0)], "plan": None, "total": 0},
        {"points": [(date(2026, 1, 5), 3.0)], "total": 10},
        {"plan": ((date(2026, 1, 5), 0), (date(2026, 1, 5), 150))},
        {"plan": ((date(2026, 1, 5), 0), (date(2026, 1, 20), 10)), "total": 10},
        {"points": [(date(2026, 1, 5), Decimal("2.5"))], "total": Decimal("12.5")},
    ],
    ids=["nothing", "no-points", "single-zero", "single", "start-is-target", "past-target", "dec"],
)
def test_burnup_svg_edge_cases_render_valid_svg_inside_the_view_box(kwargs):
    svg = burnup(**kwargs)
    root = parse(svg)
    assert not re.search(r"nan|inf", svg.split("</desc>")[1], re.IGNORECASE)
    assert root.find(f"{SVG}desc").text
    assert_inside(plot(root))
    # The labels around the plot, in pixels or percent, fit the narrowest chart, a phone's.
    labels = ET.Element("svg")
    labels.extend(e for e in root if tag(e) != "svg")
    assert_inside(labels, width=240, height=float(root.get("height")))
    width, height = view_box(plot(root))
    for line in find_all(root, "polyline"):
        for pair in line.get("points").split():
            px, py = map(float, pair.split(","))
            assert 0 <= px <= width and 0 <= py <= height


def test_burnup_svg_single_point_is_marked_with_a_dot():
    root = parse(burnup(points=[(date(2026, 1, 5), 3.0)], plan=None, total=10))
    assert len(find_all(root, "circle", "burnup-now")) == 1


# --- Badge -------------------------------------------------------------------------------------


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, two: str) -> float:
    high, low = sorted((luminance(one), luminance(two)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_badge_svg_shows_the_percent_and_names_itself():
    root = parse(badge_svg(title="Learning ML", percent=42))
    assert "42%" in texts(root)
    assert "Learning ML" in texts(root)
    assert root.find(f"{SVG}title").text == "Learning ML: 42% complete"
    assert root.get("role") == "img"


def test_badge_svg_is_a_standalone_image_with_fixed_size_and_font():
    svg = badge_svg(title="Learning ML", percent=42.6)
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    root = parse(svg)
    assert int(root.get("height")) == 20
    assert view_box(root) == (float(root.get("width")), 20)
    assert any(e.get("font-family") for e in root.iter())
    assert "43%" in texts(root)


def test_badge_svg_long_title_is_truncated_and_widens_the_badge():
    short = parse(badge_svg(title="ML", percent=10))
    long = parse(badge_svg(title="A very long roadmap title that goes on and on", percent=10))
    label = texts(long)[0]
    assert len(label) <= 30 and label.endswith("…")
    assert float(long.get("width")) > float(short.get("width"))
    assert long.find(f"{SVG}title").text.startswith("A very long roadmap title that goes on and on")


def test_badge_svg_light_and_dark_themes_differ_in_fill():
    def fills(svg):
        return [e.get("fill") for e in parse(svg).iter() if e.get("fill")]

    light = fills(badge_svg(title="ML", percent=50, theme="light"))
    dark = fills(badge_svg(title="ML", percent=50, theme="dark"))
    assert light != dark


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_badge_svg_text_meets_wcag_aa_contrast(theme):
    root = parse(badge_svg(title="ML", percent=50, theme=theme))
    label_bg, value_bg = (r.get("fill") for r in find_all(root, "rect")[:2])
    for text, background in zip(find_all(root, "text"), (label_bg, value_bg), strict=True):
        assert contrast(text.get("fill"), background) >= 4.5


@pytest.mark.parametrize("percent", [-5, 0, 100, 140])
def test_badge_svg_out_of_range_percent_is_clamped(percent):
    root = parse(badge_svg(title="ML", percent=percent))
    bar = find_all(root, "rect")[-1]
    assert 0 <= float(bar.get("width")) <= 30
    assert f"{max(0, min(100, percent))}%" in texts(root)


# --- Every chart ------------------------------------------------------------------------------


@pytest.mark.parametrize("index", range(6))
def test_every_chart_has_no_style_attribute_style_or_script_element(index):
    svg = all_charts()[index]
    root = parse(svg)
    assert not any(e.get("style") is not None for e in root.iter())
    assert not any(tag(e) in {"style", "script", "foreignObject"} for e in root.iter())
    assert not any(name.startswith("on") for e in root.iter() for name in e.attrib)


@pytest.mark.parametrize(
    "render",
    [
        lambda title: heatmap_svg(year(), title=title, today=TODAY),
        lambda title: burnup(title=title),
        lambda title: badge_svg(title=title, percent=42),
    ],
    ids=["heatmap", "burnup", "badge"],
)
def test_every_chart_user_title_with_script_and_quotes_is_escaped(render):
    svg = render(HOSTILE)
    root = parse(svg)  # still well-formed
    assert not any(tag(e) in {"script", "b"} for e in root.iter())
    assert "<script>" not in svg
    title = root.find(f"{SVG}title").text
    assert title.startswith("</title><script>alert('x')</script> \"quoted\" & <b>")
    assert math.isfinite(float(view_box(root if root.get("viewBox") else plot(root))[0]))
