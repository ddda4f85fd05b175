import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import serious_violations, wait_for_htmx


def test_results_follow_the_typing_without_a_reload(page: Page, site, console_errors):
    base, roadmap = site
    page.goto(f"{base}{roadmap.get_absolute_url()}")
    box = page.get_by_role("searchbox", name="Search posts and roadmaps")
    box.fill("pca")
    box.press("Enter")
    page.wait_for_url(f"{base}/search/?q=pca")
    results = page.locator("#search-results")
    expect(results.get_by_role("link", name="Derive and code PCA via SVD")).to_be_visible()
    expect(results.locator("mark").first).to_have_text("PCA")
    expect(page.get_by_role("status").first).to_have_text("1 result for “pca”.")

    page.evaluate("window.__sameDocument = true")
    box = page.get_by_role("searchbox", name="Search posts and roadmaps")
    box.fill("")
    box.press_sequentially("linear", delay=40)
    expect(page.locator("#search-count")).to_have_text("3 results for “linear”.")
    expect(results.get_by_role("heading", name="Linear models")).to_be_visible()
    expect(results.get_by_role("link", name="Derive and code PCA via SVD")).to_have_count(0)
    wait_for_htmx(page)
    expect(page).to_have_url(f"{base}/search/?q=linear")
    assert page.evaluate("window.__sameDocument") is True
    assert box.evaluate("element => element === document.activeElement")

    milestone = results.locator(".search-result").filter(has_text="Code linear regression")
    expect(milestone.locator(".place")).to_have_text(re.compile(r"A test path\s*›?\s*Models"))
    assert serious_violations(page) == []
    assert console_errors == []
