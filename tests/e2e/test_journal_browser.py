import re

from playwright.sync_api import Page, expect

from journal.models import Post
from tests.e2e.conftest import choose_status, log_in, serious_violations

BODY = """Today I derived PCA from the SVD: $X = U \\Sigma V^\\top$.

$$\\hat{\\beta} = (X^\\top X)^{-1} X^\\top y$$

```python
import numpy as np
u, s, vt = np.linalg.svd(x, full_matrices=False)
```

<img src=x onerror="window.__xss = 1; alert(1)"> <script>window.__xss = 2</script>
[click](javascript:window.__xss=3)
"""


def test_learner_writes_previews_ties_and_publishes_and_a_visitor_reads_it(
    page: Page, browser, site, console_errors
):
    base, _ = site
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, base, "/journal/new/")
    page.get_by_label("Title").fill("Week 1: PCA from the SVD")
    page.get_by_label("Kind").select_option("weekly")
    page.get_by_label("Text (Markdown)").fill(BODY)
    preview = page.locator(".markdownx-preview")
    expect(preview.locator("math").first).to_be_attached()
    expect(preview.locator("pre code, .highlight").first).to_be_visible()
    expect(preview.locator("script")).to_have_count(0)
    page.get_by_role("combobox", name="Milestones").fill("PCA via SVD")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Publish now").click()
    page.wait_for_url(f"{base}/journal/week-1-pca-from-the-svd/")

    post = Post.objects.get()
    assert post.is_public and [m.key for m in post.milestones.all()] == ["svd-pca"]
    assert page.locator(".prose math").count() == 2
    assert page.locator(".prose math[display='block']").count() == 1
    assert page.evaluate("window.__xss") is None
    assert dialogs == []
    # The payload's own <img src=x> fails to load; nothing else may go wrong.
    assert [e for e in console_errors if "Failed to load resource" not in e] == []

    visitor = browser.new_context().new_page()
    visitor.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    visitor.goto(f"{base}/roadmaps/test-path/milestones/svd-pca/")
    visitor.get_by_role("link", name="Week 1: PCA from the SVD").click()
    visitor.wait_for_url(f"{base}/journal/week-1-pca-from-the-svd/")
    expect(visitor.locator(".prose math").first).to_be_attached()
    # The javascript: link lost its address, so it is text, not a link to click.
    expect(visitor.locator(".prose").get_by_text("click")).to_be_visible()
    expect(visitor.get_by_role("link", name="click")).to_have_count(0)
    assert visitor.evaluate("window.__xss") is None
    assert dialogs == []
    visitor.context.close()


def test_reflection_is_offered_and_saved_from_the_roadmap_page(page: Page, site, console_errors):
    base, roadmap = site
    log_in(page, base, roadmap.get_absolute_url())
    page.evaluate("window.__sameDocument = true")
    choose_status(page.locator("#m-micrograd"), "Done")
    form = page.locator("#m-micrograd form.reflection")
    expect(form).to_be_visible()
    form.get_by_label("What I learnt").fill("Backprop is the chain rule, applied in order.")
    form.get_by_label("What was hard").fill("Topological sort.")
    form.get_by_role("button", name="Publish reflection").click()
    expect(page.locator("#m-micrograd .reflection-saved")).to_contain_text("Reflection published")
    expect(page.locator("#m-micrograd form.reflection")).to_have_count(0)
    assert page.evaluate("window.__sameDocument") is True
    post = Post.objects.get()
    assert post.kind == Post.Kind.REFLECTION and post.is_public
    assert [m.key for m in post.milestones.all()] == ["micrograd"]

    choose_status(page.locator("#m-repro-mlp"), "Done")
    page.locator("#m-repro-mlp").get_by_role("button", name="Skip", exact=True).click()
    expect(page.locator("#m-repro-mlp form.reflection")).to_have_count(0)
    assert Post.objects.count() == 1
    assert console_errors == []


def test_journal_pages_have_no_serious_accessibility_violations(page: Page, site):
    base, roadmap = site
    milestone = roadmap.milestones.get(key="svd-pca")
    post = Post.objects.create(
        author=roadmap.owner,
        roadmap=roadmap,
        title="Notes on SVD",
        slug="notes-on-svd",
        status=Post.Status.PUBLISHED,
        body=BODY,
        published_at="2026-01-01T10:00:00Z",
    )
    post.milestones.add(milestone)
    for url in ["/journal/", post.get_absolute_url()]:
        page.goto(f"{base}{url}")
        assert serious_violations(page) == [], url
    log_in(page, base, "/journal/new/")
    assert serious_violations(page) == [], "the editor"
    page.emulate_media(color_scheme="dark")
    page.goto(f"{base}{post.get_absolute_url()}")
    assert serious_violations(page) == [], "a post in dark mode"


PNG_1PX = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="


def drop_file(page: Page, name: str, b64: str, mime: str) -> None:
    """Drop a file onto the editor, as a learner dragging it from their desktop."""
    page.evaluate(
        """([name, b64, mime]) => {
            const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name, {type: mime}));
            const editor = document.querySelector(".markdownx-editor");
            editor.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true}));
        }""",
        [name, b64, mime],
    )


def test_an_image_dropped_into_the_editor_is_uploaded_and_a_fake_one_refused(
    page: Page, site, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    base, _ = site
    log_in(page, base, "/journal/new/")
    editor = page.get_by_label("Text (Markdown)")
    drop_file(page, "plot.png", PNG_1PX, "image/png")
    expect(editor).to_have_value(
        re.compile(r"!\[\]\(/media/uploads/\d{4}/\d{2}/[0-9a-f]{32}\.png\)")
    )
    assert len(list(tmp_path.rglob("*.png"))) == 1

    fake = "PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+"  # "<svg onload=alert(1)>"
    drop_file(page, "evil.png", fake, "image/png")
    expect(page.locator("#status-announcer")).to_contain_text("not a PNG, JPEG or WebP image")
    assert [p.suffix for p in tmp_path.rglob("*") if p.is_file()] == [".png"]  # nothing more
