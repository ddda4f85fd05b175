"""A status's icon is written twice: in STATUS_UI, for the four status buttons, and in
static/css/app.css, for the badge every row shows. The learner sees both side by side when a
row's buttons are open, so they must be the same."""

import re
from pathlib import Path

from roadmap.models import Status
from roadmap.templatetags.roadmap_tags import STATUS_UI

STYLESHEET = Path(__file__).resolve().parents[1] / "static" / "css" / "app.css"

BADGE_ICON = re.compile(
    r'\.status-(?P<status>[a-z_]+)\s+\.status-badge::before\s*\{\s*content:\s*"(?P<icon>(?:[^"\\]|\\.)*)"'
)
CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})\s?|\\(.)")


def unescaped(css_string: str) -> str:
    """The text of a CSS string, so "\\2713" and "✓" read the same."""
    return CSS_ESCAPE.sub(
        lambda match: chr(int(match[1], 16)) if match[1] else match[2], css_string
    )


def badge_icons(css: str) -> dict[str, list[str]]:
    """Each status the stylesheet draws a badge icon for, with every icon it gives it."""
    icons: dict[str, list[str]] = {}
    for match in BADGE_ICON.finditer(css):
        icons.setdefault(match["status"], []).append(unescaped(match["icon"]))
    return icons


def test_badge_icons_are_read_from_the_stylesheet():
    css = '.status-done .status-badge::before { content: "\\2713" / ""; }'
    assert badge_icons(css) == {"done": ["✓"]}


def test_every_status_badge_shows_the_icon_of_its_status_button():
    icons = badge_icons(STYLESHEET.read_text(encoding="utf-8"))

    assert set(icons) == set(Status.values), "a status without a badge icon shows “?”"
    for status in Status.values:
        assert icons[status] == [STATUS_UI[status][0]], status


def test_every_status_has_an_icon_of_its_own():
    assert set(STATUS_UI) == set(Status.values)
    icons = [icon for icon, _key in STATUS_UI.values()]
    assert all(icons)
    assert len(set(icons)) == len(icons)
