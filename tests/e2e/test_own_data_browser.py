"""The learner's own: a renamed roadmap's old links still lead to it, and the journal leaves
the site as Markdown files a static site generator reads."""

import io
import re
import zipfile

import yaml
from playwright.sync_api import Page, expect

from journal.models import Post
from tests.e2e.conftest import log_in


def test_a_renamed_roadmap_is_reached_from_its_old_address(page: Page, site, console_errors):
    base, roadmap = site
    log_in(page, base, f"/roadmaps/{roadmap.slug}/settings/")
    page.get_by_label("Address").fill("my-own-path")
    page.get_by_role("button", name=re.compile("Save")).click()
    page.wait_for_url(re.compile(r".*/roadmaps/my-own-path/"))
    # A link someone kept from before the rename.
    page.goto(f"{base}/roadmaps/{roadmap.slug}/topics/linear-algebra/")
    expect(page).to_have_url(f"{base}/roadmaps/my-own-path/topics/linear-algebra/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Linear algebra")
    assert console_errors == []


def test_the_journal_downloads_as_markdown_with_front_matter(page: Page, site):
    base, roadmap = site
    milestone = roadmap.milestones.get(key="svd-pca")
    post = Post(
        author=roadmap.owner,
        roadmap=roadmap,
        title="PCA, by hand",
        slug="pca-by-hand",
        kind=Post.Kind.TIL,
        body="## What I did\n\nThe **SVD**, then $x^2$.",
    )
    post.publish()
    post.save()
    post.milestones.set([milestone])
    log_in(page, base, "/accounts/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download your journal").click()
    archive = zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes()))
    markdown = [name for name in archive.namelist() if name.endswith(".md")]
    assert len(markdown) == 1 and markdown[0].endswith("-pca-by-hand.md")
    text = archive.read(markdown[0]).decode()
    front, body = re.fullmatch(r"---\n(.*?)\n---\n(.*)", text, re.S).groups()
    matter = yaml.safe_load(front)
    assert matter["title"] == "PCA, by hand"
    assert matter["draft"] is False
    assert matter["canonical_url"].endswith("/journal/pca-by-hand/")
    assert "svd-pca" in str(matter)
    assert "The **SVD**" in body
