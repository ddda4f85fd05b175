from playwright.sync_api import Page, expect

from roadmap.models import Milestone, Status
from tests.e2e.conftest import choose_status, log_in, serious_violations
from tests.factories import build_history


def test_status_change_on_the_dashboard_updates_every_widget_in_place(
    page: Page, site, console_errors
):
    base, roadmap = site
    log_in(page, base, f"/roadmaps/{roadmap.slug}/dashboard/")
    page.evaluate("window.__sameDocument = true")
    overall = page.locator("#progress-overall")
    expect(overall).to_contain_text("0% complete")
    expect(page.locator(".heatmap rect.heat-2:has(title)")).to_have_count(0)
    next_up = page.locator(".next-up")
    in_progress = page.locator("#widget-now .milestones:not(.next-up)")
    expect(next_up).to_contain_text("Install Python")
    expect(next_up).not_to_contain_text("Derive and code PCA via SVD")

    choose_status(next_up.locator("#m-install-python"), "Done")
    expect(overall).to_contain_text("11% complete")
    # Done offers a reflection; the dashboard waits while it is open, then follows the
    # "progress-changed" event the change fires.
    page.locator("#m-install-python form.reflection").get_by_role("button", name="Skip").click()
    expect(page.locator(".next-up #m-install-python")).to_have_count(0)
    expect(page.locator(".widget-recent")).to_contain_text("Install Python")

    choose_status(next_up.locator("#m-first-notebook"), "In progress")
    expect(in_progress.locator("#m-first-notebook")).to_be_visible()
    expect(page.locator(".next-up #m-first-notebook")).to_have_count(0)
    choose_status(in_progress.locator("#m-first-notebook"), "Done")

    expect(overall).to_contain_text("22% complete")
    expect(page.locator("#status-announcer")).to_contain_text("is now done")
    page.locator("#m-first-notebook form.reflection").get_by_role("button", name="Skip").click()
    # Python setup is done, so the linear algebra it leads to is next.
    expect(page.locator(".next-up")).to_contain_text("Derive and code PCA via SVD")
    expect(page.locator("#widget-now")).to_contain_text("Nothing in progress.")
    expect(page.locator(".widget-recent")).to_contain_text("Run a first notebook")
    # Two completions and a start today: one square at the second level.
    expect(page.locator(".heatmap rect.heat-2:has(title)")).to_have_count(1)
    expect(page.locator(".streak")).to_contain_text("1 learning day this week")
    assert page.evaluate("window.__sameDocument") is True

    page.reload()
    expect(overall).to_contain_text("22% complete")
    expect(page.locator(".next-up")).to_contain_text("Derive and code PCA via SVD")
    expect(page.locator("#widget-now")).to_contain_text("Nothing in progress.")
    expect(page.locator(".widget-recent")).to_contain_text("Run a first notebook")
    expect(page.locator(".heatmap rect.heat-2:has(title)")).to_have_count(1)
    assert console_errors == []


def test_a_reflection_started_on_the_dashboard_survives_its_refreshes(
    page: Page, site, settings, console_errors
):
    settings.DASHBOARD_REFRESH_SECONDS = 1
    base, roadmap = site
    log_in(page, base, f"/roadmaps/{roadmap.slug}/dashboard/")
    choose_status(page.locator(".next-up #m-install-python"), "Done")
    form = page.locator("#m-install-python form.reflection")
    expect(form).to_be_visible()
    form.get_by_label("What I learnt").fill("pyenv, venvs and why pinning matters")
    # Several refresh periods pass; the text being written stays where it is.
    page.wait_for_timeout(2500)
    expect(form.get_by_label("What I learnt")).to_have_value("pyenv, venvs and why pinning matters")

    form.get_by_role("button", name="Publish reflection").click()
    # Once it is saved the dashboard catches up: the post is among the latest.
    expect(page.locator(".widget-recent")).to_contain_text("Reflection: Install Python")
    expect(page.locator("#progress-overall")).to_contain_text("11% complete")
    assert console_errors == []


def test_a_second_tab_catches_up_after_its_refresh(page: Page, site, settings, browser):
    settings.DASHBOARD_REFRESH_SECONDS = 1
    base, roadmap = site
    visitor = browser.new_context().new_page()
    visitor.goto(f"{base}/roadmaps/{roadmap.slug}/dashboard/")
    visitor.evaluate("window.__sameDocument = true")
    expect(visitor.locator("#progress-overall")).to_contain_text("0% complete")
    statuses = []
    visitor.on("response", lambda r: statuses.append(r.status) if "dashboard" in r.url else None)
    visitor.wait_for_timeout(2500)
    assert 304 in statuses  # nothing changed yet: the poll costs a 304

    log_in(page, base, roadmap.get_absolute_url())
    choose_status(page.locator("#m-install-python"), "Done")
    expect(page.locator("#m-install-python .status-text")).to_have_text("Done")

    expect(visitor.locator("#progress-overall")).to_contain_text("11% complete", timeout=10000)
    assert visitor.evaluate("window.__sameDocument") is True
    assert Milestone.objects.get(key="install-python").status == Status.DONE
    visitor.context.close()


def test_dashboard_has_no_serious_accessibility_violations(page: Page, site):
    base, roadmap = site
    build_history(roadmap, events=15, years=1)
    page.goto(f"{base}/roadmaps/{roadmap.slug}/dashboard/")
    assert serious_violations(page) == [], "visitor"
    log_in(page, base, f"/roadmaps/{roadmap.slug}/dashboard/")
    assert serious_violations(page) == [], "owner"
    page.emulate_media(color_scheme="dark")
    page.reload()
    assert serious_violations(page) == [], "owner in dark mode"


def test_other_pages_have_no_serious_accessibility_violations(page: Page, site):
    base, roadmap = site
    page.goto(f"{base}/accounts/login/")
    assert serious_violations(page) == [], "login"
    page.goto(f"{base}/")
    assert serious_violations(page) == [], "home"
    log_in(page, base, "/roadmaps/new/")
    assert serious_violations(page) == [], "start a roadmap"
    page.goto(f"{base}/roadmaps/{roadmap.slug}/")
    choose_status(page.locator("#m-install-python"), "Done")
    expect(page.locator("#m-install-python form.reflection")).to_be_visible()
    assert serious_violations(page) == [], "the reflection offered on the roadmap page"
    page.goto(f"{base}/roadmaps/{roadmap.slug}/review/2026-Q1/")
    assert serious_violations(page) == [], "quarterly review"
