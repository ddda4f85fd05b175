"""A learner's journal as a zip of Markdown files with front matter, and back.

The archive (docs/export-format.md) holds one `YYYY-MM-DD-<slug>.md` a post, its front
matter in YAML between `---` lines as dev.to, Hugo and Jekyll read it, the images the posts
show under `images/` with the posts' links rewritten to them, and `switchback-journal.json`
naming the format and its version.

An archive sent back is read as hostile until proven otherwise: every member's name, type
and size is checked before one is read, each is read with a cap whatever its header says,
and the images go through the editor's own checks (journal/uploads.py). Nothing is written
unless all of it passed, and the posts are written in one transaction.
"""

import json
import posixpath
import re
import stat
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import BinaryIO

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import validate_slug
from django.db import IntegrityError, transaction
from django.utils import timezone

from roadmap.models import Roadmap, SiteVersion

from .models import RESERVED_SLUGS, Post, PostAddress, Upload
from .uploads import MAX_UPLOAD_BYTES, store_image

FORMAT = "switchback-journal"
VERSION = 1
MANIFEST = "switchback-journal.json"
IMAGES = "images/"

MAX_ARCHIVE_BYTES = 200 * 1024 * 1024
MAX_MEMBERS = 5_000
MAX_POST_BYTES = 2 * 1024 * 1024
MAX_FRONT_MATTER = 64 * 1024
MAX_TOTAL_BYTES = 500 * 1024 * 1024
# Markdown squeezes a few times smaller, images hardly at all: a member a hundred times
# smaller packed than unpacked is built to be unpacked, not to be read.
MAX_RATIO = 100
MAX_ERRORS = 20
MAX_TIES = 1_000

_POST_NAME = re.compile(r"\d{4}-\d{2}-\d{2}-[-\w]+\.md")
_IMAGE_NAME = re.compile(r"[A-Za-z0-9][-\w.]*\.(png|jpe?g|webp)", re.IGNORECASE)
# A link to an image in the archive, after "(" in Markdown or a quote in HTML.
_ARCHIVE_LINK = re.compile(r"""(?P<before>[("'])images/(?P<name>[^)\s"'<>]+)""")


class ImportRefused(Exception):
    """What is wrong with an archive, as sentences for the learner; nothing was written."""

    def __init__(self, errors: list[str]):
        self.errors = errors[:MAX_ERRORS]
        super().__init__("; ".join(self.errors))


def _when(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def export_filename(author) -> str:
    return f"{author.get_username()}-journal-{timezone.now():%Y-%m-%d}.zip"


def post_filename(post: Post) -> str:
    day = (post.published_at or post.created_at).astimezone(UTC)
    return f"{day:%Y-%m-%d}-{post.slug}.md"


def _tags(post: Post, topic_slugs: list[str]) -> list[str]:
    """dev.to takes at most four tags of letters and digits; Hugo and Jekyll take these too."""
    tags = []
    for name in [post.kind, *topic_slugs]:
        tag = re.sub(r"[^a-z0-9]", "", name.lower())
        if tag and tag not in tags:
            tags.append(tag)
    return tags[:4]


def front_matter(post: Post, *, base_url: str, milestones: list, topics: list) -> dict:
    draft = post.status == Post.Status.DRAFT
    return {
        "title": post.title,
        "date": _when(post.published_at or post.created_at),
        "lastmod": _when(post.updated_at),
        "draft": draft,
        "published": not draft,
        "slug": post.slug,
        "kind": post.kind,
        "tags": _tags(post, [topic.slug for topic in topics]),
        "summary": post.summary,
        "description": post.excerpt,
        "canonical_url": base_url.rstrip("/") + post.get_absolute_url(),
        "roadmap": post.roadmap.slug,
        "milestones": [milestone.key for milestone in milestones],
        "topics": [topic.key for topic in topics],
        "published_at": _when(post.published_at),
        "created_at": _when(post.created_at),
    }


def _owned_images(author) -> dict[str, str]:
    """The author's uploaded images: their address -> the storage's name for the file."""
    prefix = default_storage.url("")
    images = {}
    for url in Upload.objects.filter(owner=author).exclude(file="").values_list("file", flat=True):
        if url.startswith(prefix):
            images[url] = url.removeprefix(prefix)
    return images


@dataclass
class ExportSummary:
    posts: int = 0
    images: int = 0


def journal_export_zip(*, author, base_url: str, target: BinaryIO) -> ExportSummary:
    """Write every post of `author`'s, drafts too, and the images they show, as a zip."""
    posts = (
        Post.objects.filter(author=author)
        .select_related("roadmap")
        .prefetch_related("milestones", "topics")
        .order_by("created_at", "pk")
    )
    images = _owned_images(author)
    link = re.compile("|".join(re.escape(url) for url in sorted(images, reverse=True)) or "(?!)")
    summary = ExportSummary()
    written: set[str] = set()
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for post in posts:
            shown = set(link.findall(post.body))
            body = link.sub(lambda match: IMAGES + posixpath.basename(match[0]), post.body)
            matter = front_matter(
                post,
                base_url=base_url,
                milestones=sorted(post.milestones.all(), key=lambda m: m.key),
                topics=sorted(post.topics.all(), key=lambda t: t.key),
            )
            text = "---\n" + yaml.safe_dump(matter, sort_keys=False, allow_unicode=True)
            archive.writestr(post_filename(post), f"{text}---\n\n{body}")
            summary.posts += 1
            for url in sorted(shown - written):
                name = IMAGES + posixpath.basename(url)
                try:
                    with default_storage.open(images[url], "rb") as image:
                        archive.writestr(name, image.read(), compress_type=zipfile.ZIP_STORED)
                except FileNotFoundError:
                    continue
                written.add(url)
                summary.images += 1
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "exported_at": _when(timezone.now()),
            "author": author.get_username(),
            "posts": summary.posts,
            "images": summary.images,
        }
        archive.writestr(MANIFEST, json.dumps(manifest, indent=2) + "\n")
    return summary


# Reading an archive back.


def _member_problem(info: zipfile.ZipInfo) -> str | None:
    name = info.filename
    path = posixpath.normpath(name)
    if (
        name.startswith("/")
        or "\\" in name
        or "\0" in name
        or ".." in name.split("/")
        or re.match(r"[A-Za-z]:", name)
    ):
        return f"{name!r} points outside the folder it would be unpacked into"
    if stat.S_ISLNK(info.external_attr >> 16):
        return f"{name!r} is a symbolic link"
    if info.flag_bits & 0x1:
        return f"{name!r} is encrypted"
    if info.is_dir():
        return None if name == IMAGES else f"{name!r} is a folder this format does not have"
    if name == MANIFEST or _POST_NAME.fullmatch(name):
        limit = MAX_POST_BYTES
    elif name.startswith(IMAGES) and _IMAGE_NAME.fullmatch(name.removeprefix(IMAGES)):
        limit = MAX_UPLOAD_BYTES
    else:
        return (
            f"{name!r} is not part of a journal export (YYYY-MM-DD-slug.md files, "
            f"images/ and {MANIFEST})"
        )
    if path != name:
        return f"{name!r} is not a plain relative name"
    if info.file_size > limit:
        return f"{name!r} is {info.file_size:,} bytes unpacked, more than the {limit:,} allowed"
    if info.file_size > MAX_RATIO * max(info.compress_size, 1) and info.file_size > 1024 * 1024:
        return (
            f"{name!r} unpacks to {info.file_size // max(info.compress_size, 1):,} times its "
            "packed size: it looks built to fill the disk"
        )
    return None


def _members(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise ImportRefused(
            [f"The archive holds {len(infos):,} files, more than the {MAX_MEMBERS:,} allowed."]
        )
    problems, seen = [], set()
    for info in infos:
        problem = _member_problem(info)
        if problem is None and info.filename in seen:
            problem = f"{info.filename!r} appears twice"
        if problem:
            problems.append(problem)
        seen.add(info.filename)
    total = sum(info.file_size for info in infos)
    if total > MAX_TOTAL_BYTES:
        problems.append(
            f"the files unpack to {total:,} bytes, more than the {MAX_TOTAL_BYTES:,} allowed"
        )
    if MANIFEST not in seen:
        problems.append(f"it has no {MANIFEST}, so it is not a Switchback journal export")
    if problems:
        raise ImportRefused(problems)
    return [info for info in infos if not info.is_dir()]


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """The member's bytes, never more than its header promised (which was checked)."""
    with archive.open(info) as member:
        data = member.read(info.file_size + 1)
    if len(data) > info.file_size:
        raise ImportRefused([f"{info.filename!r} holds more than its header says"])
    return data


@dataclass
class PostImport:
    """One post read from the archive, checked, not yet written."""

    source: str
    fields: dict
    roadmap: str
    milestones: list[str]
    topics: list[str]
    images: set[str] = field(default_factory=set)
    # The rows the keys name, found in the learner's roadmap before anything is written.
    milestone_rows: list = field(default_factory=list)
    topic_rows: list = field(default_factory=list)


def _moment(value, where: str, errors: list[str], *, null: bool) -> datetime | None:
    if value is None and null:
        return None
    moment = value
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        errors.append(f"{where}: {str(value)[:60]!r} is not a date and time with its offset")
        return None
    return moment


def _keys(value, where: str, errors: list[str]) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_TIES:
        errors.append(f"{where}: expected a list of keys")
        return []
    if not all(isinstance(key, str) for key in value):
        errors.append(f"{where}: every item must be a key (text)")
        return []
    return value


def _text(matter: dict, name: str, where: str, errors, *, max_length: int, blank=True) -> str:
    value = matter.get(name, "")
    if value is None and blank:
        return ""
    if not isinstance(value, str):
        errors.append(f"{where}.{name}: expected text, got {type(value).__name__}")
        return ""
    if len(value) > max_length:
        errors.append(f"{where}.{name}: longer than {max_length} characters")
    elif not blank and not value.strip():
        errors.append(f"{where}.{name}: must not be empty")
    return value


def _split(text: str, where: str) -> tuple[str, str]:
    if not text.startswith("---\n"):
        raise ImportRefused([f"{where}: does not start with front matter between --- lines"])
    end = text.find("\n---\n", 3)
    if end < 0:
        raise ImportRefused([f"{where}: its front matter has no closing --- line"])
    body = text[end + len("\n---\n") :]
    return text[4 : end + 1], body.removeprefix("\n")


def _parse_post(name: str, data: bytes) -> PostImport:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ImportRefused([f"{name}: is not UTF-8 text"]) from None
    if text.startswith("---\r\n"):
        # Saved on Windows: the lines end in CR LF throughout.
        text = text.replace("\r\n", "\n")
    head, body = _split(text, name)
    if len(head) > MAX_FRONT_MATTER:
        raise ImportRefused([f"{name}: its front matter is longer than {MAX_FRONT_MATTER:,}"])
    try:
        matter = yaml.safe_load(head)
    except RecursionError:
        raise ImportRefused([f"{name}: its front matter is nested too deeply"]) from None
    except yaml.YAMLError as exc:
        reason = str(exc).splitlines()[0]
        raise ImportRefused([f"{name}: its front matter is not valid YAML ({reason})"]) from None
    if not isinstance(matter, dict):
        raise ImportRefused([f"{name}: its front matter is not a set of fields"])
    return _check_post(name, matter, body)


def _check_post(name: str, matter: dict, body: str) -> PostImport:
    errors: list[str] = []
    slug = _text(matter, "slug", name, errors, max_length=100, blank=False)
    if slug:
        try:
            validate_slug(slug)
        except ValidationError:
            errors.append(f"{name}.slug: {slug[:60]!r} is not a slug")
        if slug in RESERVED_SLUGS:
            errors.append(f"{name}.slug: {slug!r} is an address the journal keeps for itself")
    kind = matter.get("kind")
    if kind not in Post.Kind.values:
        errors.append(
            f"{name}.kind: {str(kind)[:40]!r} is not one of {', '.join(Post.Kind.values)}"
        )
    draft = matter.get("draft")
    if not isinstance(draft, bool):
        errors.append(f"{name}.draft: expected true or false")
    published_at = _moment(matter.get("published_at"), f"{name}.published_at", errors, null=True)
    if draft is False and matter.get("published_at") is None:
        errors.append(f"{name}.published_at: a published post needs its publication time")
    fields = {
        "title": _text(matter, "title", name, errors, max_length=200, blank=False),
        "slug": slug,
        "kind": kind,
        "summary": _text(matter, "summary", name, errors, max_length=500),
        "status": Post.Status.DRAFT if draft else Post.Status.PUBLISHED,
        "published_at": published_at,
        "created_at": _moment(matter.get("created_at"), f"{name}.created_at", errors, null=False),
        "updated_at": _moment(matter.get("lastmod"), f"{name}.lastmod", errors, null=False),
        "body": body,
    }
    roadmap = _text(matter, "roadmap", name, errors, max_length=80, blank=False)
    milestones = _keys(matter.get("milestones"), f"{name}.milestones", errors)
    topics = _keys(matter.get("topics"), f"{name}.topics", errors)
    if errors:
        raise ImportRefused(errors)
    images = {match["name"] for match in _ARCHIVE_LINK.finditer(body)}
    return PostImport(name, fields, roadmap, milestones, topics, images)


def _check_manifest(data: bytes) -> None:
    try:
        manifest = json.loads(data)
    except (ValueError, RecursionError):
        raise ImportRefused([f"{MANIFEST}: is not valid JSON"]) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ImportRefused([f"{MANIFEST}: format is not {FORMAT!r}"])
    if manifest.get("version") != VERSION:
        raise ImportRefused(
            [
                f"{MANIFEST}: version {str(manifest.get('version'))[:20]!r} is not one this site "
                f"reads (it reads version {VERSION})"
            ]
        )


@dataclass
class JournalImport:
    posts: list[PostImport]
    images: dict[str, bytes]


def read_journal_zip(source: BinaryIO) -> JournalImport:
    """Check an archive whole, reading nothing it does not need; ImportRefused if it fails."""
    source.seek(0, 2)
    size = source.tell()
    source.seek(0)
    if size > MAX_ARCHIVE_BYTES:
        raise ImportRefused(
            [f"The archive is larger than {MAX_ARCHIVE_BYTES // 2**20} MB, the most allowed."]
        )
    try:
        with zipfile.ZipFile(source) as archive:
            members = _members(archive)
            _check_manifest(_read(archive, archive.getinfo(MANIFEST)))
            posts, errors = [], []
            for info in members:
                if info.filename.endswith(".md"):
                    try:
                        posts.append(_parse_post(info.filename, _read(archive, info)))
                    except ImportRefused as refused:
                        errors += refused.errors
            if errors:
                raise ImportRefused(errors)
            wanted = {name for post in posts for name in post.images}
            images = {
                info.filename.removeprefix(IMAGES): _read(archive, info)
                for info in members
                if info.filename.startswith(IMAGES) and info.filename.removeprefix(IMAGES) in wanted
            }
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise ImportRefused([f"The file cannot be read as a zip archive ({exc})."]) from None
    except (ValueError, NotImplementedError) as exc:
        raise ImportRefused([f"The archive cannot be unpacked ({exc})."]) from None
    return JournalImport(posts, images)


def _resolve(document: JournalImport, author, roadmap: Roadmap | None) -> list[str]:
    """Find each post's roadmap, milestones and topics among `author`'s; the problems."""
    errors = []
    slugs = [post.fields["slug"] for post in document.posts]
    doubled = sorted({slug for slug in slugs if slugs.count(slug) > 1})
    errors += [f"two posts in the archive have the address {slug!r}" for slug in doubled]
    own = {r.slug: r for r in Roadmap.objects.filter(owner=author)}
    # A roadmap's milestones or topics by key, each read once however many posts name them.
    loaded: dict[tuple[int, str], dict] = {}
    for post in document.posts:
        target = roadmap or own.get(post.roadmap)
        if target is None:
            errors.append(
                f"{post.source}.roadmap: you have no roadmap at {post.roadmap!r}; import the "
                "roadmap first, or choose one of yours for the posts"
            )
            continue
        post.fields["roadmap"] = target
        for relation, keys in (("milestones", post.milestones), ("topics", post.topics)):
            if keys and (target.pk, relation) not in loaded:
                loaded[target.pk, relation] = {
                    row.key: row for row in getattr(target, relation).all()
                }
            rows = loaded.get((target.pk, relation), {})
            missing = [key for key in keys if key not in rows]
            if missing:
                errors.append(
                    f"{post.source}.{relation}: {', '.join(map(repr, missing[:5]))} "
                    f"{'is' if len(missing) == 1 else 'are'} not in the roadmap {target.slug!r}"
                )
            # A key named twice is one tie.
            found = [rows[key] for key in dict.fromkeys(keys) if key in rows]
            setattr(post, f"{relation[:-1]}_rows", found)
    return errors


def journal_import(
    *, document: JournalImport, author, as_copy: bool = False, roadmap: Roadmap | None = None
) -> list[Post]:
    """Write the archive's posts as `author`'s, with their images, all of them or none.

    A post whose address is taken on this site refuses the whole import, unless `as_copy`:
    then it takes a free address. Posts are tied to `roadmap`, or to the author's roadmap
    each names, and to its milestones and topics by key.
    """
    errors = _resolve(document, author, roadmap)
    # A first look, so that an archive already on the site is refused before its images are
    # re-encoded; the decision is made again where the posts are written.
    taken = _taken_addresses(document, author)
    if taken and not as_copy:
        errors.append(_taken_refusal(taken))
    if errors:
        raise ImportRefused(errors)

    # Stored before the posts' transaction, not inside it: re-encoding them can take longer
    # than SQLite's busy timeout, and every other writer would wait on it. A refusal from
    # here on deletes them again.
    stored: dict[str, str] = {}
    try:
        for name, data in sorted(document.images.items()):
            try:
                stored[name] = store_image(ContentFile(data, name=name))
            except ValidationError as exc:
                raise ImportRefused([f"{IMAGES}{name}: {' '.join(exc.messages)}"]) from None
        return _write_posts(document, author, stored, as_copy=as_copy, roadmap=roadmap)
    except BaseException:
        prefix = default_storage.url("")
        for url in stored.values():
            default_storage.delete(url.removeprefix(prefix))
        raise


def _taken_addresses(document: JournalImport, author) -> set[str]:
    """The archive's addresses that are other posts' on this site, now or once; the
    author's own deleted posts leave theirs to them."""
    return Post.objects.addresses_taken([p.fields["slug"] for p in document.posts], author=author)


def _taken_refusal(taken: set[str]) -> str:
    names = ", ".join(repr(slug) for slug in sorted(taken)[:5])
    return f"posts at {names} exist on this site already: import as a copy, or delete them first"


def _free_addresses(posts: list[PostImport], taken: set[str]) -> dict[str, str]:
    """The address each post whose own is `taken` moves to, chosen before any is written.

    A new address is free on the site and is none the archive's other posts keep or move
    to: `x` moved to `x-2` would otherwise find the archive's own `x-2` there after it.
    """
    held = {post.fields["slug"] for post in posts} | RESERVED_SLUGS
    moved = {}
    for post in posts:
        slug = post.fields["slug"]
        if slug in taken:
            moved[slug] = Post.objects.free_slug(slug, max_length=100, avoid=held)
            held.add(moved[slug])
    return moved


def _write_posts(
    document: JournalImport,
    author,
    stored: dict[str, str],
    *,
    as_copy: bool,
    roadmap: Roadmap | None = None,
) -> list[Post]:
    """The posts, their ties and their images' uploads, in one transaction that also finds
    the posts' roadmaps, milestones and topics again and decides which addresses are taken:
    while the images were stored, one may have been deleted, or an address taken."""
    try:
        return _write_posts_once(document, author, stored, as_copy=as_copy, roadmap=roadmap)
    except IntegrityError:
        # Only a tie can fail at commit, where references are checked: a roadmap, milestone
        # or topic deleted after this transaction found it (a database that lets a second
        # writer in meanwhile, as PostgreSQL does).
        raise ImportRefused(
            [
                "a roadmap, milestone or topic the posts are tied to was deleted during the "
                "import: import again"
            ]
        ) from None


def _write_posts_once(
    document: JournalImport, author, stored: dict[str, str], *, as_copy: bool, roadmap
) -> list[Post]:

    def relink(match: re.Match) -> str:
        url = stored.get(match["name"])
        return match["before"] + url if url else match[0]

    posts = []
    first_use: dict[str, datetime] = {}
    # The posts' ties, written together once every post has its id.
    milestone_ties, topic_ties = [], []
    MilestoneTie, TopicTie = Post.milestones.through, Post.topics.through
    with transaction.atomic(), SiteVersion.objects.counted_once():
        errors = _resolve(document, author, roadmap)
        if errors:
            raise ImportRefused(errors)
        taken = _taken_addresses(document, author)
        if taken and not as_copy:
            raise ImportRefused([_taken_refusal(taken)])
        in_order = sorted(document.posts, key=lambda p: p.fields["created_at"])
        moved = _free_addresses(in_order, taken)
        for item in in_order:
            fields = dict(item.fields)
            created_at, updated_at = fields.pop("created_at"), fields.pop("updated_at")
            if fields["slug"] in moved:
                fields["slug"] = moved[fields["slug"]]
            else:
                PostAddress.objects.filter(slug=fields["slug"], post=None, author=author).delete()
            fields["body"] = _ARCHIVE_LINK.sub(relink, fields["body"])
            post = Post(author=author, **fields)
            try:
                post.save()
            except IntegrityError:
                # Every field was checked, and references are checked only at commit, so the
                # row can only clash on its address: another post took it after it was found
                # free (a database that lets a second writer in meanwhile, as PostgreSQL does).
                raise ImportRefused(
                    [
                        f"{item.source}.slug: {fields['slug']!r} was taken by another post "
                        "during the import: import again as a copy, or change its slug in the "
                        "archive"
                    ]
                ) from None
            Post.objects.filter(pk=post.pk).update(created_at=created_at, updated_at=updated_at)
            milestone_ties += [MilestoneTie(post=post, milestone=m) for m in item.milestone_rows]
            topic_ties += [TopicTie(post=post, topic=t) for t in item.topic_rows]
            for name in item.images:
                if name in stored:
                    first_use.setdefault(name, created_at)
            posts.append(post)
        MilestoneTie.objects.bulk_create(milestone_ties)
        TopicTie.objects.bulk_create(topic_ties)
        # Imported images belong to the learner (a later export finds them) but were not
        # uploaded this hour: they count from when the posts that show them were written.
        Upload.objects.bulk_create(
            Upload(owner=author, file=stored[name], created_at=first_use.get(name, timezone.now()))
            for name in stored
        )
        SiteVersion.objects.bump()
    return posts


def default_base_url() -> str:
    """The site's address for canonical links when no request gives it: its first host."""
    hosts = [host for host in settings.ALLOWED_HOSTS if host and host[0] not in ".*"]
    scheme = "https" if getattr(settings, "SECURE_SSL_REDIRECT", False) else "http"
    return f"{scheme}://{hosts[0] if hosts else 'localhost'}"
