from playwright.sync_api import Page, expect

from roadmap.models import Roadmap, Status
from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in, serious_violations


def test_second_learner_forks_a_public_roadmap_and_lands_on_their_copy(
    page: Page, site, django_user_model, console_errors
):
    base, original = site
    django_user_model.objects.create_user(username="grace", password=PASSWORD)
    original.milestones.filter(key="svd-pca").update(
        status=Status.DONE, private_note="Ada's own note"
    )
    log_in(page, base, original.get_absolute_url(), username="grace")

    page.get_by_role("link", name="Start your own copy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Start your own copy of “A test path”"
    )
    expect(page.get_by_label("Title")).to_have_value("A test path (my copy)")
    expect(page.get_by_label("Address")).to_have_value("grace-test-path")
    assert serious_violations(page) == []
    page.get_by_label("Title").fill("Grace's path")
    page.get_by_role("button", name="Start my copy").click()

    page.wait_for_url(f"{base}/roadmaps/grace-test-path/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Grace's path")
    provenance = page.locator(".provenance", has_text="Copied from")
    expect(provenance).to_have_text("Copied from A test path by ada.")
    expect(page.locator(".milestone")).to_have_count(10)
    expect(page.get_by_text("Ada's own note")).to_have_count(0)
    copy = Roadmap.objects.get(slug="grace-test-path")
    assert set(copy.milestones.values_list("status", flat=True)) == {Status.NOT_STARTED}

    provenance.get_by_role("link", name="A test path").click()
    page.wait_for_url(f"{base}{original.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_have_text("A test path")
    assert console_errors == []
