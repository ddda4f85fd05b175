"""The post editor in a real browser: the milestone picker by keyboard, and messages that
never lie over a control."""

from playwright.sync_api import Page, expect

from journal.models import Post
from roadmap.curriculum import load_curriculum
from tests.e2e.conftest import choose_status, log_in, serious_violations, wait_for_htmx

PCA = "Derive and code PCA via SVD"
# The controls a learner may use, wherever they are on the page.
CONTROLS = "a[href], button, input:not([type=hidden]), select, textarea, [role=combobox]"


def test_milestones_are_found_chosen_and_removed_by_keyboard(page: Page, site, console_errors):
    base, roadmap = site
    log_in(page, base, "/journal/new/")
    page.get_by_label("Title").fill("PCA, twice")
    box = page.get_by_role("combobox", name="Milestones")
    expect(page.locator("#id_milestones-select")).to_be_hidden()
    box.focus()
    page.keyboard.type("pca")
    expect(box).to_have_attribute("aria-expanded", "true")
    listbox = page.get_by_role("listbox", name="Milestones")
    option = listbox.get_by_role("option").first
    expect(option).to_contain_text(PCA)
    # Each one shows its place on the roadmap.
    place = roadmap.milestones.select_related("topic__stage").get(key="svd-pca").topic
    expect(option).to_contain_text(f"{place.stage.title} › {place.title}")
    active = box.get_attribute("aria-activedescendant")
    assert active and page.locator(f"#{active}").get_attribute("role") == "option"
    assert serious_violations(page) == [], "the picker, open"
    page.keyboard.press("Enter")
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("button", name=f"Remove {PCA}")).to_be_visible()

    # Down opens the whole list; a second choice; Escape closes without choosing.
    page.keyboard.press("ArrowDown")
    expect(listbox).to_be_visible()
    expect(listbox.get_by_role("option", name=PCA)).to_have_count(0)  # chosen already
    page.keyboard.press("ArrowDown")
    second = page.locator(f"#{box.get_attribute('aria-activedescendant')} span").first
    second_title = second.inner_text()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name=f"Remove {second_title}")).to_be_visible()
    page.keyboard.type("zzz-no-such")
    expect(listbox).to_be_hidden()
    page.keyboard.press("Escape")
    expect(box).to_have_value("")
    # Enter in an empty box publishes nothing.
    page.keyboard.press("Enter")
    assert not Post.objects.exists()

    # Remove the second by its button, from the keyboard.
    page.get_by_role("button", name=f"Remove {second_title}").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name=f"Remove {second_title}")).to_have_count(0)
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(f"{base}/journal/pca-twice/")
    post = Post.objects.get()
    assert [m.title for m in post.milestones.all()] == [PCA]
    assert console_errors == []


def test_choosing_another_roadmap_offers_its_milestones(
    page: Page, site, small_spec, console_errors
):
    base, roadmap = site
    second = load_curriculum(small_spec, owner=roadmap.owner, slug="second", title="Second").roadmap
    log_in(page, base, "/journal/new/")
    page.get_by_label("Title").fill("On the second")
    page.get_by_label("Roadmap", exact=True).select_option(label="Second")
    wait_for_htmx(page)
    expect(page.get_by_role("group", name="What the post is about, on “Second”")).to_be_visible()
    box = page.get_by_role("combobox", name="Milestones")
    box.fill("pca")
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name=f"Remove {PCA}")).to_be_visible()
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(f"{base}/journal/on-the-second/")
    post = Post.objects.get()
    assert post.roadmap == second
    assert [m.roadmap_id for m in post.milestones.all()] == [second.pk]
    assert console_errors == []


def covered_controls(page: Page) -> list[str]:
    """Controls in view that something else lies over, and any that the messages touch."""
    return page.evaluate(
        """(selector) => {
            const problems = [];
            const messages = ["status-announcer", "status-notice"]
                .map((id) => document.getElementById(id)).filter(Boolean)
                .map((element) => element.getBoundingClientRect())
                .filter((box) => box.width > 1 && box.height > 1);
            for (const control of document.querySelectorAll(selector)) {
                const box = control.getBoundingClientRect();
                if (!box.width || !box.height || control.closest("[hidden]")) continue;
                if (box.bottom <= 0 || box.top >= innerHeight) continue;
                const name = control.getAttribute("aria-label") || control.textContent.trim()
                    || control.name || control.id;
                const x = Math.min(Math.max(box.left + box.width / 2, 0), innerWidth - 1);
                const y = Math.min(Math.max(box.top + box.height / 2, 0), innerHeight - 1);
                const top = document.elementFromPoint(x, y);
                if (top && !control.contains(top) && !top.contains(control)) {
                    problems.push(`${name} is under ${top.outerHTML.slice(0, 80)}`);
                }
                for (const message of messages) {
                    if (box.left < message.right && message.left < box.right &&
                        box.top < message.bottom && message.top < box.bottom) {
                        problems.push(`${name} is under a message`);
                    }
                }
            }
            return problems;
        }""",
        CONTROLS,
    )


def test_after_marking_done_no_message_lies_over_the_reflection_forms_buttons(
    page: Page, site, console_errors
):
    base, roadmap = site
    log_in(page, base, roadmap.get_absolute_url())
    for width, height in [(390, 844), (1280, 800)]:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{base}{roadmap.get_absolute_url()}")
        row = page.locator("#m-micrograd")
        choose_status(row, "Done")
        form = row.locator("form.reflection")
        expect(form).to_be_visible()
        wait_for_htmx(page)
        notice = page.locator("#status-notice")
        expect(notice).to_contain_text("is now done")
        expect(page.locator("#status-announcer")).to_contain_text("is now done")
        # The form's last buttons at the foot of the window, where a toast used to sit.
        for name in ["Save as draft", "Skip"]:
            button = form.get_by_role("button", name=name, exact=True)
            button.evaluate("element => element.scrollIntoView({block: 'end'})")
            assert covered_controls(page) == [], (width, name)
            expect(button).to_be_visible()
        assert covered_controls(page) == [], width
        form.get_by_role("button", name="Skip", exact=True).click()
        expect(row.locator("form.reflection")).to_have_count(0)
        wait_for_htmx(page)
        choose_status(row, "Not started")
        wait_for_htmx(page)
    assert console_errors == []
