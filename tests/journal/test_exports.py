"""journal.exports, its pages and commands: the journal as Markdown in a zip, and back.

Archives are read back with zipfile and PyYAML, as a static-site generator would; images are
real files under a temporary MEDIA_ROOT. Every hostile archive is refused with what and
where, and leaves the posts, the uploads and the disk as they were.
"""

import json
import stat
import zipfile
from collections.abc import Callable
from io import BytesIO, StringIO
from pathlib import Path
from typing import ClassVar

import pytest
import yaml
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models.signals import pre_save
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from journal.exports import MAX_MEMBERS, JournalImport, journal_import, read_journal_zip
from journal.models import Post, Upload
from journal.services import upload_store
from roadmap.curriculum import load_curriculum
from roadmap.exports import parse_roadmap_export, roadmap_import
from roadmap.models import Roadmap
from tests.factories import bulk_posts

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_URL = "/media/"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return tmp_path / "media"


def png(color=(200, 30, 30), size=(12, 8)) -> bytes:
    out = BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def uploaded(owner, color) -> str:
    return upload_store(
        owner=owner, uploaded_file=SimpleUploadedFile("chart.png", png(color), "image/png")
    )


def stored_files(media: Path) -> list[Path]:
    return sorted(path for path in media.rglob("*") if path.is_file())


@pytest.fixture
def journal(media, roadmap, milestone, make_post, learner, other_learner, small_spec):
    """Ada's journal (published, draft, scheduled; an image) beside Grace's on her roadmap."""
    chart = uploaded(learner, (200, 30, 30))
    graces_roadmap = load_curriculum(small_spec, owner=other_learner, slug="graces").roadmap
    graces_image = uploaded(other_learner, (10, 120, 10))
    published = make_post(
        title="PCA: what the SVD “gives” you",
        slug="pca-svd",
        kind=Post.Kind.REFLECTION,
        summary="SVD, two ways.",
        body=f"Done.\n\n![The explained variance]({chart})\n\nAnd Grace's: ![g]({graces_image})\n",
        milestones=[milestone],
        topics=[milestone.topic],
    )
    draft = make_post(
        title="Half a thought",
        slug="half-a-thought",
        status=Post.Status.DRAFT,
        body=f'<img src="{chart}" alt="again">',
    )
    scheduled = make_post(
        title="Next week",
        slug="next-week",
        kind=Post.Kind.WEEKLY,
        published_at=timezone.now() + timezone.timedelta(days=3),
    )
    Post.objects.create(
        author=other_learner,
        roadmap=graces_roadmap,
        title="Grace's post",
        slug="graces-post",
        body=f"![mine]({graces_image})",
        status=Post.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    return {"published": published, "draft": draft, "scheduled": scheduled, "chart": chart}


def export(client) -> zipfile.ZipFile:
    response = client.get("/journal/export.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="ada-journal-')
    return zipfile.ZipFile(BytesIO(b"".join(response.streaming_content)))


def read_post(archive: zipfile.ZipFile, name: str) -> tuple[dict, str]:
    text = archive.read(name).decode()
    assert text.startswith("---\n")
    head, body = text[4:].split("\n---\n", 1)
    return yaml.safe_load(head), body.removeprefix("\n")


def test_the_export_is_markdown_with_front_matter_and_the_images_it_shows(
    journal, learner_client, media
):
    archive = export(learner_client)
    published = journal["published"]
    day = published.published_at.strftime("%Y-%m-%d")
    image = journal["chart"].rsplit("/", 1)[1]
    assert sorted(archive.namelist()) == sorted(
        [
            f"{day}-pca-svd.md",
            f"{journal['draft'].created_at:%Y-%m-%d}-half-a-thought.md",
            f"{journal['scheduled'].published_at:%Y-%m-%d}-next-week.md",
            f"images/{image}",
            "switchback-journal.json",
        ]
    )
    matter, body = read_post(archive, f"{day}-pca-svd.md")
    assert matter["title"] == "PCA: what the SVD “gives” you"
    assert matter["date"] == published.published_at.isoformat()
    assert (matter["draft"], matter["published"]) == (False, True)
    assert matter["tags"] == ["reflection", "linearalgebra"]
    assert matter["summary"] == matter["description"] == "SVD, two ways."
    assert matter["canonical_url"] == "http://testserver/journal/pca-svd/"
    assert (matter["roadmap"], matter["milestones"], matter["topics"]) == (
        "test-path",
        ["svd-pca"],
        ["linear-algebra"],
    )
    # The author's own image points into the archive, and is there, byte for byte.
    assert f"![The explained variance](images/{image})" in body
    assert archive.read(f"images/{image}") == (media / journal["chart"][7:]).read_bytes()
    draft, draft_body = read_post(
        archive, f"{journal['draft'].created_at:%Y-%m-%d}-half-a-thought.md"
    )
    assert (draft["draft"], draft["published"]) == (True, False)
    assert draft_body == f'<img src="images/{image}" alt="again">'
    manifest = json.loads(archive.read("switchback-journal.json"))
    assert (manifest["format"], manifest["version"], manifest["posts"]) == (
        "switchback-journal",
        1,
        3,
    )


def test_nothing_of_another_learners_is_exported(journal, learner_client):
    archive = export(learner_client)
    assert not [name for name in archive.namelist() if "grace" in name]
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"Grace's post" not in everything and b"graces" not in everything
    # Grace's image is only linked, where Ada's post linked it: her file is not in Ada's export.
    assert len([n for n in archive.namelist() if n.startswith("images/")]) == 1


def test_the_export_is_for_the_logged_in_learner_only(journal, client, other_learner):
    assert client.get("/journal/export.zip").url.startswith("/accounts/login/")
    grace = Client()
    grace.force_login(other_learner)
    archive = zipfile.ZipFile(BytesIO(b"".join(grace.get("/journal/export.zip").streaming_content)))
    names = archive.namelist()
    assert next(n for n in names if n.endswith(".md")).endswith("-graces-post.md")
    assert not any("pca-svd" in n or "half-a-thought" in n for n in names)


def snapshot(posts) -> list[dict]:
    return [
        {
            "title": p.title,
            "slug": p.slug,
            "kind": p.kind,
            "summary": p.summary,
            "status": p.status,
            "published_at": p.published_at,
            "created_at": p.created_at,
            "updated_at": p.updated_at,
            "roadmap": p.roadmap.slug,
            "author": p.author_id,
            "milestones": sorted(m.key for m in p.milestones.all()),
            "topics": sorted(t.key for t in p.topics.all()),
        }
        for p in posts.order_by("slug")
    ]


def test_a_journal_exported_deleted_and_imported_comes_back(journal, learner, learner_client):
    ada = Post.objects.filter(author=learner)
    before = snapshot(ada)
    bodies = {p.slug: p.body for p in ada}
    archive = export(learner_client).fp.getvalue()
    ada.delete()

    posts = journal_import(document=read_journal_zip(BytesIO(archive)), author=learner)

    assert len(posts) == 3
    assert snapshot(Post.objects.filter(author=learner)) == before
    new_chart = Post.objects.get(slug="half-a-thought").body.split('"')[1]
    assert new_chart != journal["chart"] and new_chart.startswith("/media/uploads/")
    for post in Post.objects.filter(author=learner):
        assert post.body == bodies[post.slug].replace(journal["chart"], new_chart)
    # The image was checked and stored again, and counts as the learner's.
    assert Upload.objects.filter(owner=learner, file=new_chart).exists()
    assert Post.objects.get(slug="pca-svd").body_html.count(f'src="{new_chart}"') == 1


def test_roadmap_and_journal_come_back_together_after_the_roadmap_is_deleted(
    journal, learner, learner_client
):
    roadmap_json = learner_client.get("/roadmaps/test-path/export.json").content
    archive = export(learner_client).fp.getvalue()
    Roadmap.objects.get(slug="test-path").delete()
    assert not Post.objects.filter(author=learner).exists()

    roadmap_import(document=parse_roadmap_export(roadmap_json), owner=learner)
    journal_import(document=read_journal_zip(BytesIO(archive)), author=learner)

    post = Post.objects.get(slug="pca-svd")
    assert [m.key for m in post.milestones.all()] == ["svd-pca"]
    assert post.roadmap.slug == "test-path"


def zip_of(members: dict, *, symlinks=(), compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        for name, target in symlinks:
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
    return out.getvalue()


MANIFEST = json.dumps({"format": "switchback-journal", "version": 1})


def post_md(**matter) -> str:
    fields = {
        "title": "A post",
        "slug": "a-post",
        "kind": "til",
        "draft": False,
        "published_at": "2026-02-01T10:00:00+00:00",
        "created_at": "2026-02-01T09:00:00+00:00",
        "lastmod": "2026-02-01T10:00:00+00:00",
        "roadmap": "test-path",
        "milestones": ["svd-pca"],
        "topics": [],
    } | matter
    fields = {name: value for name, value in fields.items() if value is not ...}
    return "---\n" + yaml.safe_dump(fields) + "---\n\nText with ![a](images/a.png).\n"


def good(**members) -> dict:
    return {
        "switchback-journal.json": MANIFEST,
        "2026-02-01-a-post.md": post_md(),
        "images/a.png": png(),
    } | members


BAD_ARCHIVES = {
    "not a zip": (b"PK\x03\x04 not really", "The file cannot be read as a zip archive"),
    "zip slip": (
        zip_of(good(**{"../../etc/cron.d/x.md": "---\n"})),
        "'../../etc/cron.d/x.md' points outside the folder it would be unpacked into",
    ),
    "absolute path": (
        zip_of(good(**{"/srv/evil.md": "x"})),
        "'/srv/evil.md' points outside the folder",
    ),
    "a climbing image": (
        zip_of(good(**{"images/../../x.png": png()})),
        "'images/../../x.png' points outside the folder",
    ),
    "symlink": (
        zip_of(good(), symlinks=[("images/b.png", "/etc/passwd")]),
        "'images/b.png' is a symbolic link",
    ),
    "zip bomb": (
        zip_of(good(**{"2026-02-02-bomb.md": "\0" * (2 * 1024 * 1024 - 10)})),
        "'2026-02-02-bomb.md' unpacks to",
    ),
    "too big a member": (
        zip_of(good(**{"2026-02-02-big.md": "x" * (2 * 1024 * 1024 + 1)})),
        "'2026-02-02-big.md' is 2,097,153 bytes unpacked, more than the 2,097,152 allowed",
    ),
    "too many members": (
        zip_of(good(**{f"images/{n}.png": b"" for n in range(MAX_MEMBERS)})),
        "The archive holds 5,003 files, more than the 5,000 allowed.",
    ),
    "a stranger file": (
        zip_of(good(**{"run.sh": "rm -rf /"})),
        "'run.sh' is not part of a journal export",
    ),
    "no manifest": (
        zip_of({"2026-02-01-a-post.md": post_md()}),
        "it has no switchback-journal.json",
    ),
    "unknown version": (
        zip_of(good(**{"switchback-journal.json": MANIFEST.replace("1", "7")})),
        "switchback-journal.json: version '7' is not one this site reads",
    ),
    "malformed front matter": (
        zip_of(good(**{"2026-02-01-a-post.md": "---\ntitle: [unclosed\n---\nText"})),
        "2026-02-01-a-post.md: its front matter is not valid YAML",
    ),
    "no front matter": (
        zip_of(good(**{"2026-02-01-a-post.md": "Just text"})),
        "2026-02-01-a-post.md: does not start with front matter between --- lines",
    ),
    "deep nesting": (
        zip_of(
            good(
                **{
                    "2026-02-01-a-post.md": post_md(title="x").replace(
                        "title: x", "title: " + "[" * 20_000 + "]" * 20_000
                    )
                }
            )
        ),
        "2026-02-01-a-post.md: its front matter is nested too deeply",
    ),
    "aliases that multiply": (
        zip_of(
            good(
                **{
                    "2026-02-01-a-post.md": post_md(milestones=...).replace(
                        "roadmap:",
                        "a: &a [x, x, x, x]\nb: &b [*a, *a, *a, *a]\nmilestones: *b\nroadmap:",
                    )
                }
            )
        ),
        "2026-02-01-a-post.md.milestones: every item must be a key (text)",
    ),
    "wrong types": (
        zip_of(good(**{"2026-02-01-a-post.md": post_md(draft="no", milestones="svd-pca")})),
        "2026-02-01-a-post.md.draft: expected true or false",
    ),
    "an unknown kind": (
        zip_of(good(**{"2026-02-01-a-post.md": post_md(kind="rant")})),
        "2026-02-01-a-post.md.kind: 'rant' is not one of weekly, til",
    ),
    "a reserved address": (
        zip_of(good(**{"2026-02-01-a-post.md": post_md(slug="feed")})),
        "2026-02-01-a-post.md.slug: 'feed' is an address the journal keeps for itself",
    ),
    "a roadmap that is not yours": (
        zip_of(good(**{"2026-02-01-a-post.md": post_md(roadmap="graces")})),
        "2026-02-01-a-post.md.roadmap: you have no roadmap at 'graces'",
    ),
    "a milestone not on the roadmap": (
        zip_of(good(**{"2026-02-01-a-post.md": post_md(milestones=["svd-pca", "nope"])})),
        "2026-02-01-a-post.md.milestones: 'nope' is not in the roadmap 'test-path'",
    ),
    "an image that is not one": (
        zip_of(good(**{"images/a.png": b"<svg onload=alert(1)>"})),
        "images/a.png: This file is not a PNG, JPEG or WebP image.",
    ),
    "a published post without its time": (
        zip_of(good(**{"2026-02-01-a-post.md": post_md(published_at=...)})),
        "2026-02-01-a-post.md.published_at: a published post needs its publication time",
    ),
}


@pytest.mark.parametrize("case", BAD_ARCHIVES)
def test_a_bad_archive_is_refused_with_what_and_where_and_writes_nothing(
    case, journal, learner_client, media
):
    content, message = BAD_ARCHIVES[case]
    counts = (Post.objects.count(), Upload.objects.count(), stored_files(media))

    response = learner_client.post(
        "/journal/export/",
        {"file": SimpleUploadedFile("journal.zip", content), "as_copy": "on"},
    )

    assert response.status_code == 400
    html = response.content.decode().replace("&#x27;", "'")
    assert message in html, html[html.find("form-errors") :][:800]
    assert (Post.objects.count(), Upload.objects.count(), stored_files(media)) == counts


def test_a_good_archive_imports_in_the_browser_tied_to_the_roadmap(
    journal, learner_client, learner, media
):
    response = learner_client.post(
        "/journal/export/", {"file": SimpleUploadedFile("journal.zip", zip_of(good()))}
    )
    assert response.status_code == 302 and response.url == "/journal/"
    post = Post.objects.get(slug="a-post")
    assert post.author == learner and [m.key for m in post.milestones.all()] == ["svd-pca"]
    assert "images/a.png" not in post.body and "/media/uploads/" in post.body


def test_an_archive_with_a_taken_address_is_refused_unless_imported_as_copies(
    journal, learner_client
):
    archive = export(learner_client).fp.getvalue()
    counts = Post.objects.count()

    refused = learner_client.post(
        "/journal/export/", {"file": SimpleUploadedFile("j.zip", archive)}
    )
    assert refused.status_code == 400
    assert "exist on this site already: import as a copy" in refused.content.decode()
    assert Post.objects.count() == counts

    copied = learner_client.post(
        "/journal/export/", {"file": SimpleUploadedFile("j.zip", archive), "as_copy": "on"}
    )
    assert copied.status_code == 302
    assert (
        Post.objects.filter(slug__in=["pca-svd-2", "half-a-thought-2", "next-week-2"]).count() == 3
    )


@pytest.fixture
def graces_attention(other_learner, small_spec) -> Post:
    """Grace's post at `attention`, renamed there from `attention-3`, which stays hers."""
    graces_roadmap = load_curriculum(small_spec, owner=other_learner, slug="graces").roadmap
    post = Post.objects.create(
        author=other_learner,
        roadmap=graces_roadmap,
        title="Grace on attention",
        slug="attention-3",
        status=Post.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    post.move_to("attention")
    return post


def attention_archive() -> bytes:
    """Ada's `attention` (whose address Grace holds), then her `attention-2` (free)."""
    return zip_of(
        {
            "switchback-journal.json": MANIFEST,
            "2026-02-01-attention.md": post_md(
                slug="attention", title="Attention, first try", created_at="2026-02-01T09:00:00Z"
            ),
            "2026-02-01-attention-2.md": post_md(
                slug="attention-2",
                title="Attention, second try",
                created_at="2026-02-01T10:00:00Z",
            ),
            "images/a.png": png(),
        }
    )


def test_a_copy_gives_a_taken_address_one_no_other_post_of_the_archive_keeps(
    graces_attention, roadmap, learner, learner_client, media
):
    response = learner_client.post(
        "/journal/export/",
        {"file": SimpleUploadedFile("j.zip", attention_archive()), "as_copy": "on"},
        follow=True,
    )

    assert response.status_code == 200
    assert "Imported 2 posts." in response.content.decode()
    second = Post.objects.get(author=learner, title="Attention, second try")
    first = Post.objects.get(author=learner, title="Attention, first try")
    assert second.slug == "attention-2"
    # Neither Grace's address, nor the one she had before, nor the archive's other post's.
    assert first.slug not in {"attention", "attention-2", "attention-3"}
    assert first.slug.startswith("attention-")
    assert "Attention, first try" in learner_client.get(f"/journal/{first.slug}/").content.decode()
    assert "Attention, second try" in learner_client.get("/journal/attention-2/").content.decode()
    assert "Grace on attention" in learner_client.get("/journal/attention/").content.decode()
    assert learner_client.get("/journal/attention-3/").url == "/journal/attention/"


def test_the_same_archive_imported_twice_as_a_copy_lands_every_post_at_its_own_address(
    graces_attention, roadmap, learner, tmp_path, media
):
    path = tmp_path / "journal.zip"
    path.write_bytes(attention_archive())

    for _ in range(2):
        out = StringIO()
        call_command("import_journal", str(path), "--owner", "ada", "--as-copy", stdout=out)
        assert "Imported 2 posts and 1 image for ada." in out.getvalue()

    firsts = Post.objects.filter(author=learner, title="Attention, first try")
    seconds = Post.objects.filter(author=learner, title="Attention, second try")
    addresses = [*firsts.values_list("slug", flat=True), *seconds.values_list("slug", flat=True)]
    assert len(addresses) == len(set(addresses)) == 4
    assert "attention-2" in seconds.values_list("slug", flat=True)
    assert not {"attention", "attention-3"} & set(addresses)
    assert Post.objects.get(slug="attention").author != learner


def test_a_copy_never_moves_a_post_to_an_address_the_journal_keeps_for_itself(
    graces_attention, roadmap, learner_client, media
):
    # Grace's address differs from the feed's only in case; made into a slug, it is the feed's.
    Post.objects.filter(pk=graces_attention.pk).update(slug="Feed")
    archive = zip_of(good(**{"2026-02-01-a-post.md": post_md(slug="Feed", title="Mine")}))

    response = learner_client.post(
        "/journal/export/", {"file": SimpleUploadedFile("j.zip", archive), "as_copy": "on"}
    )

    assert response.status_code == 302
    assert Post.objects.get(title="Mine").slug == "feed-2"
    assert "Mine" in learner_client.get("/journal/feed-2/").content.decode()


def import_while(learner_client, learner, happening) -> HttpResponse:
    """Ada imports the good archive in the browser; `happening(post)` runs as each of her
    posts is about to be written: another request, landing while the import writes."""

    def before_each_post(sender, instance, **kwargs):
        if instance.author_id == learner.pk and instance.pk is None:
            happening(instance)

    pre_save.connect(before_each_post, sender=Post)
    try:
        return learner_client.post(
            "/journal/export/", {"file": SimpleUploadedFile("j.zip", zip_of(good()))}
        )
    finally:
        pre_save.disconnect(before_each_post, sender=Post)


def test_an_address_taken_as_the_import_writes_it_refuses_the_import_and_keeps_nothing(
    graces_attention, roadmap, learner, learner_client, media
):
    """Grace moves her post to the archive's free `a-post` after Ada's import found it free
    and before it writes it there: a clash a database with concurrent writers lets happen."""
    grace_before = (graces_attention.title, graces_attention.body, graces_attention.author_id)

    response = import_while(
        learner_client, learner, lambda post: graces_attention.move_to(post.slug)
    )

    assert response.status_code == 400
    html = response.content.decode().replace("&#x27;", "'")
    assert (
        "2026-02-01-a-post.md.slug: 'a-post' was taken by another post during the import: "
        "import again as a copy, or change its slug in the archive"
    ) in html
    assert not Post.objects.filter(author=learner).exists()
    assert not Upload.objects.exists() and stored_files(media) == []
    # Her move ran on the import's own connection here, so the import's rollback took it back
    # too; on the site it is her own request's. Nothing of hers was changed by the import.
    grace = Post.objects.get(pk=graces_attention.pk)
    assert (grace.title, grace.body, grace.author_id) == grace_before
    assert "Grace on attention" in learner_client.get(f"/journal/{grace.slug}/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_milestone_deleted_before_the_import_commits_refuses_it_and_keeps_nothing(
    roadmap, learner, learner_client, media
):
    """The milestone a post is tied to goes after the import found it and before it
    commits: the tie fails where references are checked, at the commit, and the import says
    to import again. (Deleted here on the import's own connection, so its rollback brings
    the milestone back too; on the site it is another request's, which PostgreSQL lets in.)"""
    response = import_while(
        learner_client, learner, lambda post: roadmap.milestones.filter(key="svd-pca").delete()
    )

    assert response.status_code == 400
    assert (
        "a roadmap, milestone or topic the posts are tied to was deleted during the import: "
        "import again"
    ) in response.content.decode()
    assert not Post.objects.filter(author=learner).exists()
    assert not Upload.objects.exists() and stored_files(media) == []


class StorageWithAMeanwhile(FileSystemStorage):
    """The file system, where what is queued in `meanwhile` happens once a file is written:
    another learner's request, landing while an import stores its images."""

    meanwhile: ClassVar[list[Callable[[], object]]] = []

    def _save(self, name, content):
        name = super()._save(name, content)
        while self.meanwhile:
            self.meanwhile.pop()()
        return name


@pytest.fixture
def meanwhile(settings, media):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.StorageWithAMeanwhile"},
    }
    yield StorageWithAMeanwhile.meanwhile
    StorageWithAMeanwhile.meanwhile.clear()


def test_a_milestone_deleted_while_the_images_are_stored_refuses_the_import(
    roadmap, learner, learner_client, meanwhile, media
):
    meanwhile.append(lambda: roadmap.milestones.get(key="svd-pca").delete())

    response = learner_client.post(
        "/journal/export/", {"file": SimpleUploadedFile("j.zip", zip_of(good()))}
    )

    assert response.status_code == 400
    html = response.content.decode().replace("&#x27;", "'")
    assert "2026-02-01-a-post.md.milestones: 'svd-pca' is not in the roadmap 'test-path'" in html
    assert not Post.objects.filter(author=learner).exists()
    assert not Upload.objects.exists() and stored_files(media) == []


def test_an_address_taken_while_the_images_are_stored_refuses_the_import(
    graces_attention, roadmap, learner, meanwhile, media, tmp_path
):
    path = tmp_path / "journal.zip"
    path.write_bytes(zip_of(good()))
    meanwhile.append(lambda: graces_attention.move_to("a-post"))

    with pytest.raises(CommandError) as refused:
        call_command("import_journal", str(path), "--owner", "ada", stdout=StringIO())

    assert "posts at 'a-post' exist on this site already: import as a copy" in str(refused.value)
    assert "Nothing was imported." in str(refused.value)
    assert not Post.objects.filter(author=learner).exists()
    assert not Upload.objects.exists() and stored_files(media) == []
    assert Post.objects.get(slug="a-post").title == "Grace on attention"


def test_posts_can_be_tied_to_another_roadmap_of_the_learners(
    journal, learner, learner_client, small_spec
):
    other = load_curriculum(small_spec, owner=learner, slug="second-try").roadmap
    response = learner_client.post(
        "/journal/export/",
        {"file": SimpleUploadedFile("j.zip", zip_of(good())), "roadmap": str(other.pk)},
    )
    assert response.status_code == 302
    assert Post.objects.get(slug="a-post").milestones.get().roadmap == other


def test_a_refused_import_keeps_what_was_chosen(journal, learner, learner_client, small_spec):
    other = load_curriculum(small_spec, owner=learner, slug="second-try").roadmap
    response = learner_client.post(
        "/journal/export/",
        {"file": SimpleUploadedFile("j.zip", b"nope"), "roadmap": str(other.pk), "as_copy": "on"},
    )
    html = response.content.decode()
    assert f'<option value="{other.pk}" selected>' in html
    assert 'name="as_copy"' in html and "checked" in html
    assert "Choose the file again" in html


def test_the_account_page_offers_the_journal_export_and_import(learner_client):
    html = learner_client.get("/accounts/").content.decode()
    assert '<a href="/journal/export.zip" download>Download your journal</a>' in html
    assert '<a href="/journal/export/">import one</a>' in html


def test_the_import_page_needs_a_login(client):
    assert client.get("/journal/export/").url.startswith("/accounts/login/")


def test_the_export_of_an_empty_journal_imports_as_nothing(learner, learner_client, media):
    archive = export(learner_client)
    assert archive.namelist() == ["switchback-journal.json"]
    document = read_journal_zip(BytesIO(archive.fp.getvalue()))
    assert journal_import(document=document, author=learner) == []
    assert Post.objects.count() == 0


def test_export_and_import_journal_commands_round_trip(journal, learner, tmp_path, media):
    path = tmp_path / "journal.zip"
    out = StringIO()
    call_command(
        "export_journal",
        "ada",
        "-o",
        str(path),
        "--base-url",
        "https://learn.example.org",
        stdout=out,
    )
    assert f"Exported 3 posts and 1 image to {path}." in out.getvalue()
    with zipfile.ZipFile(path) as archive:
        name = next(n for n in archive.namelist() if n.endswith("-pca-svd.md"))
        matter, _ = read_post(archive, name)
    assert matter["canonical_url"] == "https://learn.example.org/journal/pca-svd/"

    with pytest.raises(CommandError, match="exist on this site already"):
        call_command("import_journal", str(path), "--owner", "ada", stdout=StringIO())
    Post.objects.filter(author=learner).delete()
    out = StringIO()
    call_command("import_journal", str(path), "--owner", "ada", stdout=out)
    assert "Imported 3 posts and 1 image for ada." in out.getvalue()

    with pytest.raises(CommandError, match="exists already"):
        call_command("export_journal", "ada", "-o", str(path), stdout=StringIO())
    with pytest.raises(CommandError, match="ada has no roadmap at 'nope'"):
        call_command(
            "import_journal", str(path), "--owner", "ada", "--roadmap", "nope", stdout=StringIO()
        )


@pytest.mark.parametrize("count", [3, 60])
def test_the_journal_export_costs_the_same_queries_at_any_size(
    count, roadmap, milestone, learner_client, media, django_assert_num_queries
):
    bulk_posts(roadmap, count, milestone=milestone, topic=milestone.topic)
    # The session and its user, the uploads, the posts with their roadmap, and their ties.
    with django_assert_num_queries(6):
        archive = export(learner_client)
    assert len([name for name in archive.namelist() if name.endswith(".md")]) == count


def archive_of_posts(count: int, prefix: str) -> JournalImport:
    """An archive of `count` posts, each tied to two milestones and a topic of test-path."""
    posts = {
        f"2026-02-01-{prefix}-{n}.md": post_md(
            slug=f"{prefix}-{n}",
            title=f"Post {n}",
            milestones=["svd-pca", "eigen-post", "svd-pca"],
            topics=["linear-algebra"],
        )
        for n in range(count)
    }
    members = {"switchback-journal.json": MANIFEST, "images/a.png": png()} | posts
    return read_journal_zip(BytesIO(zip_of(members)))


def import_queries(document: JournalImport, author) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        journal_import(document=document, author=author)
    return [query["sql"] for query in captured.captured_queries]


def test_the_journal_import_reads_a_roadmaps_ties_once_whatever_the_number_of_posts(
    roadmap, learner, media
):
    few = import_queries(archive_of_posts(3, "few"), learner)
    many = import_queries(archive_of_posts(12, "many"), learner)

    assert Post.objects.filter(author=learner, roadmap=roadmap).count() == 15
    for post in Post.objects.all():
        assert sorted(m.key for m in post.milestones.all()) == ["eigen-post", "svd-pca"]
        assert [t.key for t in post.topics.all()] == ["linear-algebra"]

    def roadmap_reads(queries) -> int:
        return len([q for q in queries if q.startswith("SELECT") and 'FROM "roadmap_' in q])

    # The author's roadmaps, then that roadmap's milestones and its topics: once each on
    # the first look, and again in the transaction that writes the posts.
    assert (roadmap_reads(few), roadmap_reads(many)) == (2 * 3, 2 * 3)
    # Nine more posts cost only their own writes: the check that the address is no
    # deleted post's of the author's, the row, and its dates.
    assert len(many) - len(few) == 9 * 3
