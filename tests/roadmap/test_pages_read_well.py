"""Pages that read well at a glance: titles, quarter links, the badge, addresses, the legend."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.template.defaultfilters import date as django_date
from django.urls import reverse
from django.utils import timezone

from roadmap.models import ProgressEvent, Roadmap, Status
from roadmap.services import milestone_set_status
from roadmap.stats import Quarter
from roadmap.templatetags.roadmap_tags import breakable_url, page_title, short_date, weekday_date

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def title_of(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.DOTALL)[1]


def quarter_links(html: str, roadmap) -> list[str]:
    return re.findall(rf'href="/roadmaps/{roadmap.slug}/review/(\d{{4}}-Q\d)/"', html)


# --- The milestone page's <title> ---------------------------------------------------------------


def test_milestone_title_is_the_milestone_then_the_roadmap(client, milestone):
    response = client.get(milestone.get_absolute_url())
    assert title_of(response) == "Derive and code PCA via SVD · A test path"


def test_long_milestone_title_is_shortened_at_a_word_to_sixty_characters(client, milestone):
    milestone.title = (
        "Set up a locked Python environment with PyTorch and JupyterLab and confirm that the "
        "accelerator works on a timed matrix multiplication"
    )
    milestone.save()
    Roadmap.objects.filter(pk=milestone.roadmap_id).update(
        title="Machine learning fundamentals for career switchers"
    )
    title = title_of(client.get(milestone.get_absolute_url()))
    assert title == "Set up a locked Python environment with… · Machine learning…"
    assert len(title) <= 60


def test_milestone_title_with_markup_is_escaped_once(client, milestone):
    milestone.title = "<script>alert('x')</script> & more"
    milestone.save()
    html = client.get(milestone.get_absolute_url()).content.decode()
    assert "<title>&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; more · " in html
    assert "<script>alert" not in html


@pytest.mark.parametrize("viewer", ["visitor", "owner"])
def test_titles_with_markup_are_shown_as_text_in_the_roadmaps_rows_and_summaries(
    client, learner_client, milestone, viewer
):
    typed = "<script>alert('x')</script> & \"more\""
    shown = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;more&quot;"
    milestone.title = f"M {typed}"
    milestone.save()
    milestone.topic.title = f"T {typed}"
    milestone.topic.save()
    milestone.topic.stage.title = f"S {typed}"
    milestone.topic.stage.save()
    # The owner's page with this row's status buttons open, as without JavaScript.
    viewing = client if viewer == "visitor" else learner_client
    query = "" if viewer == "visitor" else f"?status_of={milestone.slug}"
    html = viewing.get(milestone.roadmap.get_absolute_url() + query).content.decode()
    assert f'class="milestone-title" href="{milestone.get_absolute_url()}">M {shown}</a>' in html
    assert f'aria-label="T {shown}: 0% complete"' in html
    assert f'aria-label="S {shown}: 0% complete"' in html
    if viewer == "owner":
        assert f"Status of “M {shown}”" in html
    assert "<script>alert" not in html


@pytest.mark.parametrize(
    ("name", "within", "expected"),
    [
        ("Install Python", "A test path", "Install Python · A test path"),
        ("x" * 200, "y" * 100, "x" * 32 + "… · " + "y" * 23 + "…"),
        (
            "One two three " * 10,
            "Path",
            "One two three One two three One two three One two… · Path",
        ),
    ],
)
def test_page_title_fits_sixty_characters(name, within, expected):
    title = page_title(name, within)
    assert title == expected
    assert len(title) <= 60


# --- Resource addresses ------------------------------------------------------------------------


def test_resource_addresses_may_break_after_slashes_and_before_dots(client, roadmap):
    topic = roadmap.topics.get(key="linear-algebra")
    html = client.get(topic.get_absolute_url()).content.decode()
    assert (
        "https://<wbr>ocw<wbr>.mit<wbr>.edu/<wbr>courses/<wbr>18-06-linear-algebra-spring-2010/"
        in html
    )


def test_breakable_url_escapes_every_part():
    html = breakable_url('https://example.org/a?q="<b>"&x=1#top')
    assert (
        html
        == "https://<wbr>example<wbr>.org/<wbr>a<wbr>?q=&quot;&lt;b&gt;&quot;<wbr>&amp;x=1<wbr>#top"
    )


# --- Quarter links -----------------------------------------------------------------------------


def test_dashboard_lists_quarters_from_the_roadmaps_start_newest_first(client, roadmap):
    today = timezone.localdate()
    started = Quarter.of(today).previous.previous.start
    Roadmap.objects.filter(pk=roadmap.pk).update(started_on=started)
    html = client.get(reverse("roadmap:dashboard", args=[roadmap.slug])).content.decode()
    now = Quarter.of(today)
    assert quarter_links(html, roadmap) == [str(now), str(now.previous), str(now.previous.previous)]


def test_dashboard_of_a_roadmap_started_this_quarter_links_this_quarter_only(client, roadmap):
    Roadmap.objects.filter(pk=roadmap.pk).update(started_on=timezone.localdate())
    html = client.get(reverse("roadmap:dashboard", args=[roadmap.slug])).content.decode()
    assert quarter_links(html, roadmap) == [str(Quarter.of(timezone.localdate()))]


def test_history_from_before_the_start_moves_the_first_quarter_back(client, roadmap, milestone):
    Roadmap.objects.filter(pk=roadmap.pk).update(started_on=timezone.localdate())
    a_year_ago = timezone.now() - timedelta(days=365)
    milestone_set_status(milestone=milestone, status=Status.IN_PROGRESS, at=a_year_ago)
    html = client.get(reverse("roadmap:dashboard", args=[roadmap.slug])).content.decode()
    links = quarter_links(html, roadmap)
    assert links[0] == str(Quarter.of(timezone.localdate()))
    assert links[-1] == str(Quarter.of(a_year_ago.date()))
    assert len(links) >= 4


def test_review_of_the_first_quarter_links_forward_only(client, roadmap):
    Roadmap.objects.filter(pk=roadmap.pk).update(started_on=date(2025, 2, 10))
    first = client.get(f"/roadmaps/{roadmap.slug}/review/2025-Q1/")
    assert quarter_links(first.content.decode(), roadmap) == ["2025-Q2"]
    second = client.get(f"/roadmaps/{roadmap.slug}/review/2025-Q2/")
    assert quarter_links(second.content.decode(), roadmap) == ["2025-Q1", "2025-Q3"]


def test_review_counts_an_event_logged_before_the_start_as_the_roadmaps_beginning(
    client, roadmap, milestone
):
    Roadmap.objects.filter(pk=roadmap.pk).update(started_on=date(2025, 5, 1))
    ProgressEvent.objects.create(
        roadmap=roadmap,
        milestone=milestone,
        from_status=Status.NOT_STARTED,
        to_status=Status.IN_PROGRESS,
        at=datetime(2024, 12, 30, 12, tzinfo=UTC),
    )
    html = client.get(f"/roadmaps/{roadmap.slug}/review/2025-Q1/").content.decode()
    assert quarter_links(html, roadmap) == ["2024-Q4", "2025-Q2"]


# --- The badge and the heatmap's legend --------------------------------------------------------


def test_dashboard_badge_follows_the_colour_scheme(client, roadmap):
    html = text_of(client.get(reverse("roadmap:dashboard", args=[roadmap.slug])))
    badge = f"/roadmaps/{roadmap.slug}/badge.svg"
    assert (
        f'<picture class="badge"><source srcset="{badge}?theme=dark" '
        f'media="(prefers-color-scheme: dark)"><img src="{badge}" '
        'alt="Progress badge: 0% complete"></picture>'
    ) in html


def test_dark_badge_is_the_dark_variant(client, roadmap):
    light = client.get(f"/roadmaps/{roadmap.slug}/badge.svg").content.decode()
    dark = client.get(f"/roadmaps/{roadmap.slug}/badge.svg?theme=dark").content.decode()
    assert 'fill="#555555"' in light and 'fill="#555555"' not in dark
    assert 'fill="#30363d"' in dark


def test_heatmap_legend_is_text_outside_the_chart(client, roadmap):
    html = text_of(client.get(reverse("roadmap:dashboard", args=[roadmap.slug])))
    legend = html[html.index('<p class="heat-legend">') :]
    legend = legend[: legend.index("</p>")]
    for total in ["0,", "1,", "2 to 3,", "4 to 5,", "6 or more"]:
        assert f'<span class="visually-hidden">{total}</span>' in legend
    assert "Less" in legend and "More" in legend
    chart = html[html.index('class="chart heatmap"') : html.index("</svg>", html.index("heatmap"))]
    assert "Less" not in chart and "More" not in chart


def test_the_quick_date_filters_read_as_djangos_did():
    for day in [date(2026, 3, 3), date(2025, 12, 31), date(2024, 2, 29)]:
        assert short_date(day) == django_date(day, "j M Y")
        assert weekday_date(day) == django_date(day, "D j M Y")
