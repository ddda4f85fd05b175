"""Pages that read well on a phone and at a glance, measured in Chromium at real widths."""

import itertools
import re

import pytest
from playwright.sync_api import Page, expect

from roadmap.models import Resource
from tests.e2e.conftest import choose_status, log_in, serious_violations
from tests.factories import build_history

PHONES, DESKTOPS = [320, 360], [1280, 1440]

# Each label's rendered size: its font size times the scale its SVG is drawn at.
LABELS = """svg => [...svg.querySelectorAll("text")]
  .filter(t => getComputedStyle(t).display !== "none")
  .map(t => {
    const box = t.getBoundingClientRect();
    return {text: t.textContent, px: parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a,
            left: box.left, right: box.right, top: box.top, bottom: box.bottom};
  })"""
BOX = "e => { const b = e.getBoundingClientRect(); return {left: b.left, right: b.right, top: b.top, bottom: b.bottom, width: b.width, height: b.height}; }"
PAGE_WIDTH = "() => document.scrollingElement.scrollWidth"


def dashboard(page: Page, base: str, roadmap, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{base}/roadmaps/{roadmap.slug}/dashboard/")


def inside(inner: dict, outer: dict, slack: float = 0.5) -> bool:
    return (
        inner["left"] >= outer["left"] - slack
        and inner["right"] <= outer["right"] + slack
        and inner["top"] >= outer["top"] - slack
        and inner["bottom"] <= outer["bottom"] + slack
    )


def luminance(rgb: str) -> float:
    channels = [int(c) / 255 for c in re.findall(r"\d+", rgb)[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, two: str) -> float:
    high, low = sorted((luminance(one), luminance(two)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# --- The burn-up -------------------------------------------------------------------------------


@pytest.mark.parametrize("width", PHONES + DESKTOPS)
def test_burnup_labels_are_at_least_12px_apart_and_inside_the_chart(page: Page, site, width):
    base, roadmap = site
    build_history(roadmap, events=15, years=1)
    dashboard(page, base, roadmap, width)
    chart = page.locator(".chart.burnup")
    labels, box = chart.evaluate(LABELS), chart.evaluate(BOX)
    assert {"Done", "Plan", "0"} <= {label["text"] for label in labels}
    for label in labels:
        assert label["px"] >= 12, label
        assert label["left"] >= box["left"] - 0.5 and label["right"] <= box["right"] + 0.5, label
    axis = sorted((lb for lb in labels if lb["top"] > box["top"] + 200), key=lambda lb: lb["left"])
    assert len(axis) >= 4  # the first and last dates, the legend's two words
    for before, after in itertools.pairwise(axis):
        if abs(before["top"] - after["top"]) < 1:  # on one line: they must not touch
            assert before["right"] < after["left"], (before, after)
    assert page.evaluate(PAGE_WIDTH) <= width


# --- The heatmap -------------------------------------------------------------------------------


@pytest.mark.parametrize("width", PHONES)
def test_heatmap_on_a_phone_opens_at_today_with_its_legend_in_view(page: Page, site, width):
    base, roadmap = site
    build_history(roadmap, events=15, years=1)
    dashboard(page, base, roadmap, width)
    scroller = page.locator(".heatmap-scroll")
    view = scroller.evaluate(BOX)
    assert scroller.evaluate("e => e.scrollWidth > e.clientWidth")  # it does scroll
    today = page.locator(".chart.heatmap rect:has(title)").last
    assert inside(today.evaluate(BOX), view)
    first_day = page.locator(".chart.heatmap rect:has(title)").first
    assert first_day.evaluate(BOX)["right"] <= view["left"]  # a year ago is out to the left
    legend = page.locator(".heat-legend")
    expect(legend).to_be_visible()
    assert legend.evaluate(BOX)["left"] >= 0
    assert legend.evaluate(BOX)["right"] <= width
    for key in range(5):
        assert inside(page.locator(f".heat-key.heat-{key}").evaluate(BOX), view | {"bottom": 1e9})
    assert all(label["px"] >= 12 for label in page.locator(".chart.heatmap").evaluate(LABELS))
    assert page.evaluate(PAGE_WIDTH) <= width


def test_heatmap_scrolls_by_keyboard_back_to_last_year(page: Page, site):
    base, roadmap = site
    dashboard(page, base, roadmap, 360)
    scroller = page.locator(".heatmap-scroll")
    today = page.locator(".chart.heatmap rect:has(title)").last
    assert inside(today.evaluate(BOX), scroller.evaluate(BOX))
    scroller.focus()
    for _ in range(10):
        page.keyboard.press("ArrowLeft")
    # Scrolled towards last year: today has moved out to the right.
    page.wait_for_function(
        "e => e.querySelector('rect:last-of-type').getBoundingClientRect().left"
        " > e.getBoundingClientRect().right",
        arg=scroller.element_handle(),
    )


@pytest.mark.parametrize("width", [*DESKTOPS, 1024])
def test_heatmap_month_labels_on_a_desktop_lie_inside_the_chart(page: Page, site, width):
    base, roadmap = site
    build_history(roadmap, events=15, years=1)
    dashboard(page, base, roadmap, width)
    chart = page.locator(".chart.heatmap")
    box, labels = chart.evaluate(BOX), chart.evaluate(LABELS)
    months = [label for label in labels if label["text"] not in {"Mon", "Wed", "Fri"}]
    assert len(months) >= 11
    for label in labels:
        assert inside(label, box), label
        assert label["px"] >= 12, label
    assert page.locator(".heatmap-scroll").evaluate("e => e.scrollWidth <= e.clientWidth")


# --- Progress bars and the badge ----------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_an_empty_progress_bar_shows_its_track_at_3_to_1(page: Page, site, scheme):
    base, roadmap = site
    page.emulate_media(color_scheme=scheme)
    page.goto(f"{base}/roadmaps/{roadmap.slug}/")
    bar = page.locator("#progress-overall progress")
    expect(page.locator("#progress-overall")).to_contain_text("0% complete")
    style = bar.evaluate(
        "e => { const s = getComputedStyle(e); return {edge: s.borderTopColor, width: "
        "parseFloat(s.borderTopWidth), page: getComputedStyle(document.body).backgroundColor}; }"
    )
    assert style["width"] >= 1
    assert contrast(style["edge"], style["page"]) >= 3, style
    box = bar.evaluate(BOX)
    assert box["width"] > 100 and box["height"] >= 8


@pytest.mark.parametrize(("scheme", "dark"), [("light", False), ("dark", True)])
def test_dashboard_badge_follows_the_colour_scheme(page: Page, site, scheme, dark):
    base, roadmap = site
    page.emulate_media(color_scheme=scheme)
    dashboard(page, base, roadmap, 1280)
    badge = page.get_by_role("img", name="Progress badge: 0% complete")
    expect(badge).to_be_visible()
    page.wait_for_function("() => document.querySelector('.badge img').complete")
    assert ("theme=dark" in badge.evaluate("e => e.currentSrc")) is dark
    assert badge.evaluate("e => e.naturalWidth") > 0


# --- Milestone rows, the milestone page, resources --------------------------------------------


LONG_TITLE = (
    "Reproduce the scaling curves of a small sweep of decoder-only transformer models trained on a "
    "fixed "
    "token budget, then fit the power law and compare "
    "withthepublishedexponentsandexplaineverydifferencebetweenthem"
)


@pytest.mark.parametrize(("width", "edge"), [(360, "left"), (1280, "right")])
def test_a_long_milestone_title_keeps_the_status_controls_in_line(page: Page, site, width, edge):
    base, roadmap = site
    milestone = roadmap.milestones.get(key="svd-pca")
    milestone.title = LONG_TITLE
    milestone.save()
    assert len(LONG_TITLE) >= 200
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, base, f"/roadmaps/{roadmap.slug}/")
    assert page.evaluate(PAGE_WIDTH) <= width
    rows = page.locator("li.milestone")
    controls = [rows.nth(n).locator(".status-badge").evaluate(BOX) for n in range(rows.count())]
    assert len(controls) == 10
    for side in {"left", edge}:
        assert max(c[side] for c in controls) - min(c[side] for c in controls) <= 1
    row = page.locator(f"#{milestone.anchor}")
    assert inside(row.locator(".milestone-title").evaluate(BOX), row.evaluate(BOX))


def test_the_milestone_page_shows_its_title_once(page: Page, site):
    base, roadmap = site
    milestone = roadmap.milestones.get(key="svd-pca")
    log_in(page, base, milestone.get_absolute_url())
    shown = page.get_by_text("Derive and code PCA via SVD", exact=True)
    assert [shown.nth(n).is_visible() for n in range(shown.count())].count(True) == 1
    expect(page.get_by_role("heading", level=1)).to_have_text("Derive and code PCA via SVD")
    # The row still says where it stands and still changes it.
    expect(page.locator(f"#{milestone.anchor} .status-text")).to_have_text("Not started")
    choose_status(page.locator(f"#{milestone.anchor}"), "In progress")
    expect(page.locator(f"#{milestone.anchor} .status-text")).to_have_text("In progress")


def test_a_long_milestone_title_wraps_on_its_page_on_a_phone(page: Page, site):
    base, roadmap = site
    milestone = roadmap.milestones.get(key="svd-pca")
    milestone.title = LONG_TITLE
    milestone.save()
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{base}{milestone.get_absolute_url()}")
    assert page.evaluate(PAGE_WIDTH) <= 320
    assert page.title().endswith("· A test path") and len(page.title()) <= 60


def test_resource_addresses_wrap_inside_a_phone_screen(page: Page, site):
    base, roadmap = site
    topic = roadmap.topics.get(key="linear-algebra")
    address = "https://example.org/" + "/".join(["a-rather-long-folder-name"] * 6) + "/notes.pdf"
    Resource.objects.create(topic=topic, type="article", title="Long address", url=address)
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{base}{topic.get_absolute_url()}")
    shown = page.locator(".resources .url", has_text="example")
    assert shown.evaluate("e => e.getClientRects().length") >= 3  # it wraps
    assert page.evaluate(PAGE_WIDTH) <= 320
    # Every line but the last ends after a slash or a hyphen, or before a dot: no name is
    # split between two letters.
    breaks = shown.evaluate(
        """e => {
          const chars = [];
          for (const node of e.childNodes) {
            if (node.nodeType !== Node.TEXT_NODE) continue;
            for (let i = 0; i < node.length; i++) {
              const range = document.createRange(); range.setStart(node, i); range.setEnd(node, i + 1);
              chars.push([node.textContent[i], range.getBoundingClientRect().top]);
            }
          }
          return chars.slice(1).map((c, i) => [chars[i][0], c[0], c[1] > chars[i][1] + 2])
            .filter(([, , wrapped]) => wrapped).map(([before, after]) => before + after);
        }"""
    )
    assert len(breaks) >= 2
    assert all(pair[0] in "/-" or pair[1] in ".?#&" for pair in breaks), breaks


def test_dashboard_on_a_phone_has_no_serious_accessibility_violations(page: Page, site):
    base, roadmap = site
    build_history(roadmap, events=15, years=1)
    dashboard(page, base, roadmap, 360)
    assert serious_violations(page) == [], "light"
    page.emulate_media(color_scheme="dark")
    page.reload()
    assert serious_violations(page) == [], "dark"
