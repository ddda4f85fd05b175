from playwright.sync_api import Page, expect

from tests.e2e.conftest import log_in, serious_violations


def test_record_a_result_and_see_the_verdict_on_the_reproductions_page(
    page: Page, site, browser, console_errors
):
    base, roadmap = site
    milestone = roadmap.milestones.get(key="svd-pca")
    log_in(page, base, milestone.get_absolute_url())

    section = page.locator("#reproduction")
    expect(section).to_contain_text("no result yet")
    target = section.locator("form", has=page.get_by_role("button", name="Save the target"))
    target.get_by_label("Metric").fill("explained variance %")
    target.get_by_label("Direction").select_option(label="at least")
    target.get_by_label("Target").fill("29.5")
    target.get_by_role("button", name="Save the target").click()
    expect(page.get_by_text("Target set: at least 29.5 explained variance %.")).to_be_visible()

    for value, day in [("28.9", "2026-11-01"), ("30.4", "2026-11-08")]:
        form = page.locator("#reproduction form", has=page.get_by_role("button", name="Record"))
        form.get_by_label("Result").fill(value)
        form.get_by_label("Date").fill(day)
        form.get_by_label("Evidence link").fill("https://github.com/ada/pca/commit/3f2c9a1b7d4e")
        form.get_by_role("button", name="Record the result").click()
        expect(page.get_by_text(f"Recorded {value}:")).to_be_visible()
    expect(section.locator(".figures")).to_contain_text("hit: 30.4 against at least 29.5")

    # A visitor reads the lab notebook.
    visitor = browser.new_page()
    visitor.goto(f"{base}/roadmaps/{roadmap.slug}/")
    visitor.get_by_role("link", name="Reproductions").click()
    row = visitor.locator(".reproductions-table tr#m-svd-pca")
    expect(row).to_contain_text("at least 29.5 explained variance %")
    expect(row).to_contain_text("hit: 30.4 against at least 29.5")
    expect(row.get_by_role("link", name="ada/pca@3f2c9a1")).to_be_visible()
    notebook = visitor.locator("#notebook-caption").locator("xpath=..")
    expect(notebook).to_contain_text("missed by 0.6: 28.9 against at least 29.5")
    assert serious_violations(visitor) == []
    visitor.close()
    assert console_errors == []
