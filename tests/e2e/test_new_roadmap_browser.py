import shutil

from playwright.sync_api import Page, expect

from roadmap.models import Roadmap
from tests.conftest import SMALL_CURRICULUM
from tests.e2e.conftest import log_in


def test_learner_starts_a_roadmap_from_a_curriculum_and_lands_on_it(
    page: Page, site, settings, tmp_path, console_errors
):
    folder = tmp_path / "curricula"
    folder.mkdir()
    shutil.copy(SMALL_CURRICULUM, folder / "test-path.yaml")
    (folder / "broken.yaml").write_text("key: broken\n")
    settings.CURRICULA_DIR = folder
    base, _ = site
    log_in(page, base, "/roadmaps/new/")
    expect(page.get_by_text("broken.yaml", exact=True)).to_be_visible()
    page.get_by_label("A test path").check()
    page.get_by_label("Title").fill("Ada's second path")
    page.get_by_label("Address").fill("adas-second-path")
    page.get_by_label("Start date").fill("2026-01-05")
    page.get_by_label("Target date").fill("2025-01-05")
    page.get_by_label("Time zone").select_option("Europe/London")
    page.get_by_label("Unlisted: anyone with the link").check()
    page.get_by_role("button", name="Start the roadmap").click()

    expect(page.get_by_text("The target date is before the start date")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("Ada's second path")
    page.get_by_label("Target date").fill("2027-01-05")
    page.get_by_role("button", name="Start the roadmap").click()

    page.wait_for_url(f"{base}/roadmaps/adas-second-path/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ada's second path")
    expect(page.locator(".milestone")).to_have_count(10)
    roadmap = Roadmap.objects.get(slug="adas-second-path")
    assert (roadmap.visibility, roadmap.time_zone) == ("unlisted", "Europe/London")
    # The refused form comes back as 400, which the browser notes; nothing else may go wrong.
    assert [e for e in console_errors if "400 (Bad Request)" not in e] == []
