import contextlib
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from roadmap.models import StudySession
from tests.e2e.conftest import log_in, serious_violations


def test_a_timer_survives_a_reload_and_stopping_it_moves_the_dashboard_in_place(
    page: Page, site, console_errors
):
    base, roadmap = site
    milestone = roadmap.milestones.get(key="svd-pca")
    log_in(page, base, milestone.get_absolute_url())
    section = page.locator("#milestone-time")
    section.get_by_role("button", name="Start timer").click()
    expect(section).to_contain_text("Timer running since")
    expect(page.locator("#status-announcer")).to_contain_text("Timer started on")

    page.reload()
    expect(section).to_contain_text("Timer running since")
    expect(section.get_by_role("button", name="Stop timer")).to_be_visible()
    assert serious_violations(page) == []

    # An hour and a half later, by the server's clock.
    StudySession.objects.update(
        started_at=StudySession.objects.get().started_at - timedelta(minutes=90)
    )
    page.goto(f"{base}/roadmaps/{roadmap.slug}/dashboard/")
    page.evaluate("window.__sameDocument = true")
    hours = page.locator("#widget-time dd").filter(has_text="spent of")
    expect(hours).to_contain_text("0 h spent of")
    expect(page.locator("#widget-time")).to_contain_text("Timer running on")
    expect(page.locator("#widget-time [data-timer-elapsed]")).to_contain_text("1 h 30 min so far")

    page.locator("#widget-time").get_by_role("button", name="Stop timer").click()
    expect(hours).to_contain_text("1.5 h spent of")
    expect(page.locator("#widget-time")).not_to_contain_text("Timer running on")
    expect(page.locator("#status-announcer")).to_contain_text("Timer stopped: 1 h 30 min")
    assert page.evaluate("window.__sameDocument") is True
    assert console_errors == []


def test_the_timer_opens_with_a_rows_status_buttons(page: Page, site, console_errors):
    base, roadmap = site
    log_in(page, base, roadmap.get_absolute_url())
    page.evaluate("window.__sameDocument = true")
    row = page.locator("#m-svd-pca")
    row.locator(".status-badge").click()
    timer = row.locator("form.row-timer")
    timer.get_by_role("button", name="Start timer").click()
    expect(timer.get_by_role("button", name="Stop timer")).to_be_visible()
    expect(page.locator("#roadmap-hours")).to_contain_text("0 h spent of")
    assert StudySession.objects.running().get().milestone.key == "svd-pca"

    StudySession.objects.update(
        started_at=StudySession.objects.get().started_at - timedelta(minutes=45)
    )
    row.locator("form.row-timer").get_by_role("button", name="Stop timer").click()
    expect(page.locator("#roadmap-hours")).to_contain_text("0.8 h spent of")
    # Closing the status buttons takes the timer with them.
    row.locator(".status-badge").click()
    expect(row.locator("form.status-control")).to_have_count(0)
    expect(row.locator("form.row-timer")).to_have_count(0)
    assert page.evaluate("window.__sameDocument") is True
    assert console_errors == []


def test_a_control_pressed_the_moment_it_arrives_is_answered_in_place(
    page: Page, site, console_errors
):
    # The row's timer asks the server how it stands and is replaced by the answer. A press on
    # the answer's button as soon as it is on the page, before anything else runs, stays on
    # the page: it does not fall through to a plain form post and a reload.
    base, roadmap = site
    log_in(page, base, roadmap.get_absolute_url())
    page.evaluate("window.__sameDocument = true")
    page.evaluate(
        """() => {
          const row = document.getElementById("m-svd-pca");
          let seen = 0;
          new MutationObserver((records, observer) => {
            for (const record of records) {
              for (const node of record.addedNodes) {
                if (!(node instanceof Element) || !node.matches("form.row-timer")) continue;
                // The first is the copy opened with the buttons; the second, the answer.
                if (++seen < 2) continue;
                observer.disconnect();
                node.querySelector("button").click();
              }
            }
          }).observe(row, {childList: true});
        }"""
    )
    row = page.locator("#m-svd-pca")
    row.locator(".status-badge").click()
    expect(row.locator("form.row-timer").get_by_role("button", name="Stop timer")).to_be_visible()
    assert StudySession.objects.running().get().milestone.key == "svd-pca"
    assert page.evaluate("window.__sameDocument") is True
    assert console_errors == []


def test_a_refresh_asked_for_while_one_is_on_its_way_shows_the_latest(
    page: Page, site, console_errors
):
    # Start and stop in quick succession: the line of hours is asked again while the first
    # answer is still coming, and must end on the second, not keep the first.
    base, roadmap = site
    log_in(page, base, roadmap.get_absolute_url())
    held = []

    def hold_the_first(route):
        # The first answer is read from the server now, before the change, and delivered late.
        # Marked as held before it is read: the second request may arrive while it is.
        if held:
            route.continue_()
            return
        held.append(route)
        held.append(route.fetch())

    page.route(
        lambda url: url.endswith(roadmap.get_absolute_url()),
        lambda route: (
            hold_the_first(route)
            if route.request.headers.get("hx-target") == "roadmap-hours"
            else route.continue_()
        ),
    )
    page.evaluate("htmx.trigger(document.body, 'time-changed')")
    page.wait_for_function("document.querySelector('#roadmap-hours').matches('.htmx-request')")
    while len(held) < 2:  # the first answer read, as the hours stood before the change
        page.wait_for_timeout(20)
    milestone = roadmap.milestones.get(key="svd-pca")
    now = timezone.now()
    StudySession.objects.create(
        learner=roadmap.owner,
        roadmap=roadmap,
        milestone=milestone,
        started_at=now - timedelta(minutes=45),
        ended_at=now,
        minutes=45,
    )
    page.evaluate("htmx.trigger(document.body, 'time-changed')")
    expect(page.locator("#roadmap-hours")).to_contain_text("0.8 h spent of")
    route, stale = held
    with contextlib.suppress(PlaywrightError):
        route.fulfill(response=stale)
    page.wait_for_timeout(300)
    expect(page.locator("#roadmap-hours")).to_contain_text("0.8 h spent of")
    assert console_errors == []
