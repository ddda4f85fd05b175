import shutil

from playwright.sync_api import Page, expect

from roadmap.models import Roadmap
from tests.conftest import SMALL_CURRICULUM
from tests.e2e.conftest import log_in


def test_choosing_an_empty_roadmap_clears_the_suggested_title_and_starts_one(
    page: Page, site, settings, tmp_path, console_errors
):
    folder = tmp_path / "curricula"
    folder.mkdir()
    shutil.copy(SMALL_CURRICULUM, folder / "test-path.yaml")
    settings.CURRICULA_DIR = folder
    base, _ = site
    log_in(page, base, "/roadmaps/new/")
    expect(page.get_by_label("Title")).to_have_value("A test path")

    page.get_by_label("An empty roadmap").check()
    expect(page.get_by_label("Title")).to_have_value("")
    expect(page.get_by_label("Address")).to_have_value("")
    page.get_by_label("Title").fill("Papers to reproduce")
    page.get_by_label("Address").fill("papers")
    # A title of one's own stays when the choice changes.
    page.get_by_label("A test path").check()
    expect(page.get_by_label("Title")).to_have_value("Papers to reproduce")
    page.get_by_label("An empty roadmap").check()
    page.get_by_role("button", name="Start the roadmap").click()

    page.wait_for_url(f"{base}/roadmaps/papers/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Papers to reproduce")
    expect(page.get_by_text("This roadmap has no stages yet.")).to_be_visible()
    assert Roadmap.objects.get(slug="papers").stages.count() == 0
    assert console_errors == []
