"""Editing the plan in Chromium: by keyboard alone, in place, and by dragging."""

from playwright.sync_api import Page, expect

from roadmap.models import Milestone, PlanChange, Status
from tests.e2e.conftest import choose_status, log_in, serious_violations, wait_for_htmx


def mark_page(page: Page) -> None:
    page.evaluate("window.__sameDocument = true")


def still_same_page(page: Page) -> bool:
    return page.evaluate("window.__sameDocument === true")


def milestone_titles(page: Page, topic: str) -> list[str]:
    return page.locator(f"#edit-topic-{topic} .edit-milestones > .edit-item").evaluate_all(
        "items => items.map(item => item.dataset.title)"
    )


def test_a_milestone_added_renamed_moved_removed_and_brought_back_by_keyboard(
    page: Page, site, console_errors
):
    base, roadmap = site
    edit = f"/roadmaps/{roadmap.slug}/edit/"
    log_in(page, base, edit)
    assert serious_violations(page) == []
    mark_page(page)
    announcer = page.locator("#status-announcer")

    page.get_by_label("Add a milestone to “Python setup”").focus()
    page.keyboard.type("Reproduce micrograd")
    page.keyboard.press("Enter")
    expect(announcer).to_contain_text("Added the milestone “Reproduce micrograd”.")
    added = page.locator("#edit-milestone-my-reproduce-micrograd")
    expect(added.get_by_role("link", name="Edit “Reproduce micrograd”")).to_be_focused()
    assert milestone_titles(page, "python-setup")[-1] == "Reproduce micrograd"

    # Its fields open in the outline's place, the title focused; saving brings the outline back.
    page.keyboard.press("Enter")
    title = page.get_by_label("Title")
    expect(title).to_be_focused()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("Reproduce micrograd, with tests")
    page.keyboard.press("Enter")
    expect(announcer).to_contain_text("Saved “Reproduce micrograd, with tests”.")
    expect(added.get_by_role("link", name="Edit “Reproduce micrograd, with tests”")).to_be_focused()

    page.keyboard.press("Tab")
    expect(
        added.get_by_role("button", name="Move up “Reproduce micrograd, with tests”")
    ).to_be_focused()
    page.keyboard.press("Enter")
    expect(announcer).to_contain_text(
        "Moved “Reproduce micrograd, with tests” to place 2 of 3 in “Python setup”."
    )
    expect(
        added.get_by_role("button", name="Move up “Reproduce micrograd, with tests”")
    ).to_be_focused()
    assert milestone_titles(page, "python-setup")[1] == "Reproduce micrograd, with tests"

    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(
        added.get_by_role("button", name="Remove “Reproduce micrograd, with tests”")
    ).to_be_focused()
    page.keyboard.press("Enter")
    expect(announcer).to_contain_text("Removed the milestone “Reproduce micrograd, with tests”")
    expect(added).to_have_count(0)
    undo = page.get_by_role("button", name="Undo: bring back “Reproduce micrograd, with tests”")
    expect(undo).to_be_focused()
    assert serious_violations(page) == []
    page.keyboard.press("Enter")
    expect(announcer).to_contain_text("Brought back the milestone")
    expect(added.get_by_role("link", name="Edit “Reproduce micrograd, with tests”")).to_be_focused()
    assert milestone_titles(page, "python-setup")[1] == "Reproduce micrograd, with tests"
    assert still_same_page(page)

    assert list(roadmap.plan_changes.values_list("kind", flat=True)) == [
        PlanChange.Kind.ADDED,
        PlanChange.Kind.RENAMED,
        PlanChange.Kind.MOVED,
        PlanChange.Kind.REMOVED,
        PlanChange.Kind.RESTORED,
    ]
    # The learner's own milestone is a milestone like any other on the roadmap.
    page.goto(f"{base}{roadmap.get_absolute_url()}")
    choose_status(page.locator("#m-reproduce-micrograd"), "Done")
    expect(page.locator("#m-reproduce-micrograd .status-text")).to_have_text("Done")
    assert Milestone.objects.get(key="my-reproduce-micrograd").status == Status.DONE
    assert console_errors == []


def test_removing_a_milestone_with_progress_asks_in_place_and_can_be_undone(
    page: Page, site, console_errors
):
    base, roadmap = site
    Milestone.objects.filter(key="svd-pca").update(status=Status.DONE)
    log_in(page, base, f"/roadmaps/{roadmap.slug}/edit/")
    mark_page(page)
    page.get_by_role("button", name="Remove “Derive and code PCA via SVD”").click()
    confirm = page.get_by_role("button", name="Remove “Derive and code PCA via SVD”")
    expect(page.get_by_role("heading", level=2).first).to_have_text(
        "Remove the milestone “Derive and code PCA via SVD”?"
    )
    expect(confirm).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#edit-milestone-svd-pca")).to_have_count(0)
    page.get_by_role("button", name="Undo: bring back “Derive and code PCA via SVD”").click()
    expect(page.locator("#edit-milestone-svd-pca")).to_have_count(1)
    assert Milestone.objects.get(key="svd-pca").status == Status.DONE
    assert still_same_page(page)
    assert console_errors == []


def test_a_milestone_dragged_above_another_moves_there(page: Page, site, console_errors):
    base, roadmap = site
    log_in(page, base, f"/roadmaps/{roadmap.slug}/edit/")
    mark_page(page)
    assert milestone_titles(page, "python-setup") == [
        "Install Python and create a virtual environment",
        "Run a first notebook",
    ]
    handle = page.locator("#edit-milestone-first-notebook .drag-handle")
    target = page.locator("#edit-milestone-install-python > .edit-row")
    handle.drag_to(target, target_position={"x": 40, "y": 2})
    expect(page.locator("#status-announcer")).to_contain_text(
        "Moved “Run a first notebook” to place 1 of 2 in “Python setup”."
    )
    wait_for_htmx(page)
    assert milestone_titles(page, "python-setup") == [
        "Run a first notebook",
        "Install Python and create a virtual environment",
    ]
    assert still_same_page(page)
    assert console_errors == []
