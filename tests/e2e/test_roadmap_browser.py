import re

from django.contrib.sessions.models import Session
from playwright.sync_api import Page, expect

from roadmap.models import Milestone, ProgressEvent, Status
from tests.e2e.conftest import choose_status, log_in, serious_violations, wait_for_htmx


def mark_page(page: Page) -> None:
    """Leave a mark in the page that a reload or navigation would wipe out."""
    page.evaluate("window.__sameDocument = true")


def still_same_page(page: Page) -> bool:
    return page.evaluate("window.__sameDocument === true")


def test_click_changes_status_and_every_number_without_reload(page: Page, site, console_errors):
    base, roadmap = site
    log_in(page, base, roadmap.get_absolute_url())
    mark_page(page)
    overall = page.locator("#progress-overall")
    stage = page.locator("#progress-stage-basics")
    topic = page.locator("#progress-topic-linear-algebra")
    expect(overall).to_contain_text("0% complete")

    choose_status(page.locator("#m-svd-pca"), "Done")

    item = page.locator("#m-svd-pca")
    expect(item.locator(".status-text")).to_have_text("Done")
    # The row comes back closed, its status pressed again opens with Done pressed.
    badge = item.locator(".status-badge")
    expect(badge).to_have_attribute("aria-expanded", "false")
    expect(badge).to_be_focused()
    badge.click()
    expect(item.locator('button[value="done"]')).to_have_attribute("aria-pressed", "true")
    expect(item.locator('button[value="done"]')).to_be_focused()
    expect(topic).to_contain_text("100% complete")
    expect(topic).to_contain_text("1 done")
    expect(stage).to_contain_text("33% complete")
    expect(overall).to_contain_text("11% complete")
    expect(overall).to_contain_text("8 not started")
    # The stage index is not in the answer: it fetches itself on the progress-changed event.
    expect(page.locator("#stage-index li").first).to_contain_text("33%")
    expect(page.locator("#status-announcer")).to_contain_text(
        "“Derive and code PCA via SVD” is now done"
    )
    assert still_same_page(page)

    page.reload()
    expect(page.locator("#m-svd-pca .status-text")).to_have_text("Done")
    expect(page.locator("#progress-overall")).to_contain_text("11% complete")
    assert ProgressEvent.objects.filter(milestone__key="svd-pca").count() == 1
    assert console_errors == []


def test_on_the_milestone_and_topic_pages_a_change_updates_what_they_show(
    page: Page, site, console_errors
):
    base, roadmap = site
    milestone = roadmap.milestones.get(key="svd-pca")
    log_in(page, base, milestone.get_absolute_url())
    mark_page(page)
    expect(page.locator("#milestone-history")).to_contain_text("No changes yet")
    choose_status(page.locator("#m-svd-pca"), "In progress")
    expect(page.locator("#m-svd-pca .status-text")).to_have_text("In progress")
    expect(page.locator("#progress-topic-linear-algebra")).to_contain_text("1 in progress")
    expect(page.locator("#milestone-history")).to_contain_text("Not started → In progress")
    expect(page.locator("#milestone-record")).not_to_contain_text("Started not yet")
    choose_status(page.locator("#m-svd-pca"), "Done")
    expect(page.locator("#milestone-history")).to_contain_text("In progress → Done")
    expect(page.locator("#progress-stage-basics")).to_contain_text("33% complete")
    assert still_same_page(page)

    page.goto(f"{base}{milestone.topic.get_absolute_url()}")
    mark_page(page)
    choose_status(page.locator("#m-svd-pca"), "Skipped")
    expect(page.locator("#progress-topic-linear-algebra")).to_contain_text("1 skipped")
    expect(page.locator("#progress-overall")).to_contain_text("1 skipped")
    assert still_same_page(page)
    wait_for_htmx(page)
    assert console_errors == []


def test_keyboard_alone_reaches_controls_and_sets_status(page: Page, site, console_errors):
    base, roadmap = site
    log_in(page, base, roadmap.get_absolute_url())
    mark_page(page)
    link = page.locator("#m-first-notebook-link")
    # One stop for the status and one for the title per milestone: Tab goes row to row.
    page.locator("#m-install-python-link").focus()
    page.keyboard.press("Tab")
    expect(page.locator("#m-first-notebook .status-badge")).to_be_focused()
    page.keyboard.press("Tab")
    expect(link).to_be_focused()

    page.keyboard.press("l")
    expect(page.locator("#m-first-notebook .status-text")).to_have_text("In progress")
    wait_for_htmx(page)
    # Focus stays on the milestone, so the next key acts on it too.
    assert page.evaluate("document.activeElement.id") == "m-first-notebook-link"
    page.keyboard.press("d")
    expect(page.locator("#m-first-notebook .status-text")).to_have_text("Done")
    wait_for_htmx(page)
    page.keyboard.press("s")
    expect(page.locator("#m-first-notebook .status-text")).to_have_text("Skipped")
    expect(page.locator("#progress-overall")).to_contain_text("1 skipped")
    wait_for_htmx(page)
    page.keyboard.press("r")
    expect(page.locator("#m-first-notebook .status-text")).to_have_text("Not started")

    # The status opens with Enter or Space, its buttons are reached by Tab, Escape closes
    # them and gives the focus back, and a button is pressed with the keyboard too.
    badge = page.locator("#m-install-python .status-badge")
    badge.focus()
    page.keyboard.press("Space")
    expect(badge).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#m-install-python-not_started")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("#m-install-python form.status-control")).to_have_count(0)
    expect(badge).to_be_focused()
    page.keyboard.press("Enter")
    for _ in range(2):
        page.keyboard.press("Tab")
    expect(page.locator("#m-install-python-done")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#m-install-python .status-text")).to_have_text("Done")
    assert still_same_page(page)
    transitions = list(
        ProgressEvent.objects.filter(milestone__key="first-notebook").values_list(
            "to_status", flat=True
        )
    )
    assert transitions == ["in_progress", "done", "skipped", "not_started"]
    assert console_errors == []


def test_without_javascript_the_form_posts_and_returns_to_the_milestone(browser, site):
    base, roadmap = site
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, base, roadmap.get_absolute_url())
    # The status is a link to the page with that milestone's buttons open.
    page.locator("#m-micrograd .status-badge").click()
    page.wait_for_url(re.compile(r".*/roadmaps/test-path/\?status_of=micrograd$"))
    # The buttons open with the focus on the status it has.
    expect(page.locator("#m-micrograd-not_started")).to_be_focused()
    page.locator("#m-micrograd-in_progress").click()
    page.wait_for_url(re.compile(r".*/roadmaps/test-path/#m-micrograd$"))
    expect(page.locator("#m-micrograd .status-text")).to_have_text("In progress")
    assert Milestone.objects.get(key="micrograd").status == Status.IN_PROGRESS
    context.close()


def test_visitor_sees_no_controls_and_keys_change_nothing(page: Page, site, console_errors):
    base, roadmap = site
    page.goto(f"{base}{roadmap.get_absolute_url()}")
    expect(page.locator("#m-svd-pca .status-text")).to_have_text("Not started")
    expect(page.locator(".status-control")).to_have_count(0)
    expect(page.get_by_role("button", name="Done")).to_have_count(0)
    page.locator("#m-svd-pca-link").focus()
    page.keyboard.press("d")
    page.wait_for_timeout(300)
    assert Milestone.objects.get(key="svd-pca").status == Status.NOT_STARTED
    assert console_errors == []


def test_expired_session_sends_the_learner_to_log_in(page: Page, site):
    base, roadmap = site
    log_in(page, base, roadmap.get_absolute_url())
    Session.objects.all().delete()  # the session ends on the server while the page is open
    page.wait_for_load_state()
    # Opening the row's buttons asks the server for its timer: the first request tells.
    page.locator("#m-svd-pca .status-badge").click()
    page.wait_for_url(re.compile(r".*/accounts/login/\?next=/roadmaps/test-path/"))
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert Milestone.objects.get(key="svd-pca").status == Status.NOT_STARTED


def test_pages_have_no_serious_accessibility_violations(page: Page, site):
    base, roadmap = site
    milestone = roadmap.milestones.get(key="svd-pca")
    urls = [
        roadmap.get_absolute_url(),
        milestone.topic.get_absolute_url(),
        milestone.get_absolute_url(),
    ]
    for url in urls:
        page.goto(f"{base}{url}")
        assert serious_violations(page) == [], f"visitor on {url}"
    log_in(page, base, roadmap.get_absolute_url())
    for url in urls:
        page.goto(f"{base}{url}")
        assert serious_violations(page) == [], f"owner on {url}"
    page.emulate_media(color_scheme="dark")
    page.goto(f"{base}{roadmap.get_absolute_url()}")
    assert serious_violations(page) == [], "owner in dark mode"
