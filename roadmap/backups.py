"""Backups of the SQLite database and the uploaded files, in one archive, and their restore.

An archive is a gzipped tar holding exactly:

    manifest.json    when it was taken, whether it holds a database, how many uploads
    db.sqlite3       the database (absent from a --media-only archive)
    media/<name>     each uploaded file, under its name in the storage

The database is copied with SQLite's online backup API, which reads one consistent snapshot
(the main file and the write-ahead log together) while the app goes on writing. Copying the
file instead would miss every commit still in the log, or catch a page halfway through.

A restore checks the whole archive before it writes anything: only regular files, only the
names above, none that climbs out of its folder, and a database that passes
`PRAGMA integrity_check`.
"""

import json
import os
import posixpath
import shlex
import shutil
import sqlite3
import tarfile
import zlib
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from pathlib import Path, PurePosixPath

from django.core.files import File
from django.core.files.storage import Storage
from django.template.defaultfilters import filesizeformat

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE = "db.sqlite3"
MEDIA = "media/"
# Seconds to wait for a writer holding the database's lock before giving up.
BUSY_TIMEOUT = 20


def human_size(number_of_bytes: int) -> str:
    """Django's file size wording, with a plain space a terminal will not garble."""
    return filesizeformat(number_of_bytes).replace("\xa0", " ")


def uploaded_files(number: int) -> str:
    return f"{number} uploaded file{'' if number == 1 else 's'}"


class BackupError(Exception):
    """What went wrong, in a sentence (or a clause, for a refused archive) for the operator."""


def archive_name(created: datetime, number: int = 1) -> str:
    suffix = f"-{number}" if number > 1 else ""
    return f"switchback-{created:%Y-%m-%dT%H%M%SZ}{suffix}.tar.gz"


def archive_path(given: str | None, *, created: datetime, default_folder: Path) -> Path:
    """Where to write: `given` as a file, or a new name in `given` (or the default) as a folder."""
    if given and not given.endswith(("/", os.sep)) and not Path(given).is_dir():
        path = Path(given)
        if not path.name.endswith((".tar.gz", ".tgz")):
            raise BackupError(f"{path}: an archive is a .tar.gz file; give it a name ending so.")
        if path.exists():
            raise BackupError(f"{path} exists already; choose another name.")
        path.parent.mkdir(parents=True, exist_ok=True)
        return path.resolve()
    folder = Path(given) if given else default_folder
    folder.mkdir(parents=True, exist_ok=True)
    number = 1
    # Two backups in one second (a script, a test) each get their own file.
    while (folder / archive_name(created, number)).exists():
        number += 1
    return (folder / archive_name(created, number)).resolve()


def _connect(path: Path, mode: str) -> sqlite3.Connection:
    # A URI with mode=rw or ro never creates an empty database where none was.
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True, timeout=BUSY_TIMEOUT)


def integrity_problems(path: Path) -> list[str]:
    """What `PRAGMA integrity_check` finds wrong with the database at `path` (none: [])."""
    try:
        with closing(_connect(path, "rw")) as db:
            rows = [row[0] for row in db.execute("PRAGMA integrity_check")]
    except sqlite3.Error as exc:
        return [str(exc)]
    return [] if rows == ["ok"] else rows


def copy_database(source: Path, target: Path) -> None:
    """Copy the live database at `source` to the new file `target`, and check the copy."""
    if not source.is_file():
        raise BackupError(f"There is no database at {source} to back up (make run creates it).")
    try:
        with closing(_connect(source, "rw")) as live, closing(sqlite3.connect(target)) as copy:
            # All pages in one step, so the copy is one snapshot even while others write.
            live.backup(copy, pages=-1)
    except sqlite3.Error as exc:
        raise BackupError(f"The database at {source} could not be copied: {exc}.") from exc
    problems = integrity_problems(target)
    if problems:
        raise BackupError(
            "The copy of the database failed PRAGMA integrity_check "
            f"({'; '.join(problems[:5])}). The live database at {source} is likely damaged "
            "too: keep the last good backup."
        )


def media_names(storage: Storage, folder: str = "") -> list[str]:
    """Every file in the storage, as the names the storage knows them by."""
    try:
        directories, files = storage.listdir(folder)
    except FileNotFoundError:
        return []
    names = [posixpath.join(folder, name) for name in files]
    for directory in directories:
        names += media_names(storage, posixpath.join(folder, directory))
    return sorted(names)


def _add(tar: tarfile.TarFile, name: str, data: bytes, mtime: float) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = mtime
    info.mode = 0o644
    tar.addfile(info, BytesIO(data))


def write_archive(
    path: Path,
    *,
    database: Path | None,
    storage: Storage,
    media: list[str],
    created: datetime,
) -> None:
    """Write the archive to a hidden file beside `path`, then rename it into place.

    A backup cut short (a full disk, Ctrl-C) never leaves a file that looks like a whole one.
    """
    manifest = {
        "format": FORMAT,
        "app": "switchback",
        "created": created.isoformat(timespec="seconds"),
        "database": DATABASE if database else None,
        "media_files": len(media),
    }
    partial = path.with_name(f".{path.name}.partial")
    mtime = created.timestamp()
    try:
        with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
            _add(tar, MANIFEST, json.dumps(manifest, indent=2).encode(), mtime)
            if database:
                _add(tar, DATABASE, database.read_bytes(), mtime)
            for name in media:
                with storage.open(name, "rb") as upload:
                    _add(tar, MEDIA + name, upload.read(), mtime)
        partial.replace(path)
    except OSError as exc:
        raise BackupError(f"The archive {path} could not be written: {exc}.") from exc
    finally:
        partial.unlink(missing_ok=True)


@dataclass(frozen=True)
class Archive:
    """An archive that passed every check, unpacked into a scratch folder."""

    folder: Path
    created: str
    database: Path | None
    media: list[str]


def _name_problem(name: str) -> str | None:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or "\\" in name or "\0" in name:
        return f"{name!r} points outside the folder it would be restored into"
    if name != path.as_posix() or name == ".":
        return f"{name!r} is not a plain relative name"
    if name not in (MANIFEST, DATABASE) and not (name.startswith(MEDIA) and len(name) > len(MEDIA)):
        return f"{name!r} is not part of a Switchback backup"
    return None


def _type_problem(member: tarfile.TarInfo) -> str | None:
    if member.issym():
        return f"{member.name!r} is a symbolic link (to {member.linkname!r})"
    if member.islnk():
        return f"{member.name!r} is a hard link (to {member.linkname!r})"
    if not member.isreg():
        return f"{member.name!r} is not a regular file"
    return None


def member_problems(members: list[tarfile.TarInfo]) -> list[str]:
    """Everything wrong with the archive's list of members, judged before anything is read."""
    problems = []
    seen = set()
    for member in members:
        problem = _name_problem(member.name) or _type_problem(member)
        if problem is None and member.name in seen:
            problem = f"{member.name!r} appears twice"
        if problem:
            problems.append(problem)
        seen.add(member.name)
    if MANIFEST not in seen:
        problems.append(f"it has no {MANIFEST}, so it was not written by manage.py backup")
    return problems


def _read_manifest(folder: Path) -> dict:
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"its {MANIFEST} cannot be read ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(
            f"its {MANIFEST} is not one this version reads (format {FORMAT} expected)"
        )
    return manifest


def _check_contents(folder: Path, manifest: dict, media: list[str]) -> Path | None:
    database = folder / DATABASE
    has_database = database.exists()
    if has_database != (manifest.get("database") == DATABASE):
        raise BackupError(f"{MANIFEST} and the files in the archive disagree about the database")
    if manifest.get("media_files") != len(media):
        raise BackupError(
            f"{MANIFEST} lists {manifest.get('media_files')} uploaded files "
            f"but the archive holds {len(media)}"
        )
    if not has_database:
        return None
    problems = integrity_problems(database)
    if problems:
        raise BackupError(f"its database fails PRAGMA integrity_check ({'; '.join(problems[:5])})")
    return database


def unpack_archive(path: Path, folder: Path) -> Archive:
    """Check the archive at `path` and unpack it into the empty scratch `folder`.

    Raises BackupError naming what is wrong. The members' names and types are checked before
    any is unpacked, and each is written by name under `folder`, never by tarfile's extract.
    """
    try:
        with tarfile.open(path, "r:gz") as tar:
            members = tar.getmembers()
            problems = member_problems(members)
            if problems:
                raise BackupError("; ".join(problems))
            for member in members:
                target = folder / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                with tar.extractfile(member) as source, target.open("xb") as unpacked:
                    shutil.copyfileobj(source, unpacked)
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise BackupError(f"it cannot be read as a .tar.gz archive ({exc})") from exc
    media = sorted(m.name.removeprefix(MEDIA) for m in members if m.name.startswith(MEDIA))
    manifest = _read_manifest(folder)
    database = _check_contents(folder, manifest, media)
    return Archive(
        folder=folder, created=str(manifest.get("created", "")), database=database, media=media
    )


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def replace_database(source: Path, target: Path) -> None:
    """Put the database file `source` in place of `target` in one rename.

    `source` must be on the same file system as `target` (a file beside it). At every moment
    `target` is either the old database or the whole new one.
    """
    if target.exists():
        shutil.copymode(target, source)
    _fsync(source)
    # The old database's write-ahead log would be replayed into the new file on its first
    # open, mixing pages of the two; its shared-memory index describes that log.
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    source.replace(target)
    _fsync(target.parent)


def restore_media(archive: Archive, storage: Storage) -> int:
    """Write the archive's uploads into the storage; return how many replaced a file there."""
    replaced = 0
    for name in archive.media:
        if storage.exists(name):
            storage.delete(name)
            replaced += 1
        with (archive.folder / MEDIA / name).open("rb") as upload:
            saved = storage.save(name, File(upload, name=name))
        if saved != name:
            raise BackupError(f"The upload {name!r} was saved as {saved!r}.")
    return replaced


def _pg_options(database: dict) -> list[str]:
    options = (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER"))
    return [f"{option}={database[key]}" for option, key in options if database.get(key)]


def pg_dump_command(database: dict, file: str) -> str:
    """The pg_dump line for Django's DATABASES entry, without its password."""
    name = str(database.get("NAME") or "")
    return shlex.join(
        ["pg_dump", "--format=custom", f"--file={file}", *_pg_options(database), name]
    )


def pg_restore_command(database: dict, file: str) -> str:
    """The pg_restore line that loads a pg_dump_command file back, without the password."""
    name = str(database.get("NAME") or "")
    options = _pg_options(database)
    return shlex.join(
        ["pg_restore", "--clean", "--if-exists", "--no-owner", *options, f"--dbname={name}", file]
    )
