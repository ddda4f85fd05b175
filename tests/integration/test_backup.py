"""`manage.py backup` and `manage.py restore`, run as an operator runs them: in a process of
their own, against a site folder of their own (DJANGO_DATA_DIR)."""

import itertools
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tarfile
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from contextlib import closing
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import pytest

from roadmap import backups
from tests.integration.servers import Site, logged_in_opener

ROOT = Path(__file__).resolve().parents[2]
UPLOAD = "journal/2026/chart.png"
PICTURE = b"\x89PNG\r\n\x1a\n" + b"pixels" * 100
POSTGRES = "postgres://postgres@127.0.0.1:5432/test"

# A process that commits to the database and dies before it checkpoints, as a killed app
# server does: the commit is in the write-ahead log only.
KILLED_WRITER = (
    "import os, sqlite3, sys;"
    "db = sqlite3.connect(sys.argv[1]);"
    "db.execute('PRAGMA journal_mode=WAL');"
    "db.execute('INSERT INTO note VALUES (?)', (sys.argv[2],));"
    "db.commit();"
    "os._exit(0)"
)


def manage(folder: Path, *args: str, stdin: str | None = None, **env: str):
    """manage.py in a new process, on the embedded database in `folder` unless env says not."""
    environment = {
        **os.environ,
        "DJANGO_DEBUG": "1",
        "DJANGO_ENV_FILE": "",
        "DJANGO_DATA_DIR": str(folder),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    environment.pop("DATABASE_URL", None)
    environment.pop("REDIS_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment | env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def make_database(path: Path, notes: list[str]) -> Path:
    """A small database in write-ahead-log mode, as the app keeps its own."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE note (text TEXT)")
    db.executemany("INSERT INTO note VALUES (?)", [(note,) for note in notes])
    db.commit()
    db.close()
    return path


def damage(path: Path) -> Path:
    """Change one key in an index, so the index and its table disagree: a damaged database
    that still opens and answers queries, which only integrity_check notices."""
    db = sqlite3.connect(path)
    db.executemany("INSERT INTO note VALUES (?)", [(f"note {n:03}",) for n in range(50)])
    db.execute("CREATE INDEX note_text ON note(text)")
    db.commit()
    page_size = db.execute("PRAGMA page_size").fetchone()[0]
    root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'note_text'").fetchone()[0]
    db.close()
    with path.open("r+b") as file:
        file.seek((root - 1) * page_size)
        page = bytearray(file.read(page_size))
        at = page.index(b"note 025")
        page[at : at + 8] = b"note 999"
        file.seek((root - 1) * page_size)
        file.write(page)
    return path


def make_site(folder: Path) -> Path:
    """A site folder: a database with one note, and one uploaded picture."""
    (folder / "media" / UPLOAD).parent.mkdir(parents=True)
    (folder / "media" / UPLOAD).write_bytes(PICTURE)
    make_database(folder / "db.sqlite3", ["before the backup"])
    return folder


def notes(database: Path) -> list[str]:
    with closing(sqlite3.connect(database)) as db:
        return [row[0] for row in db.execute("SELECT text FROM note ORDER BY rowid")]


def integrity(database: Path) -> list[str]:
    with closing(sqlite3.connect(database)) as db:
        return [row[0] for row in db.execute("PRAGMA integrity_check")]


def everything_in(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


def pack(path: Path, files: dict[str, bytes], *members: tarfile.TarInfo) -> Path:
    """A .tar.gz written by hand, to hold what manage.py backup never would."""
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, BytesIO(data))
        for info in members:
            tar.addfile(info)
    return path


def member(name: str, kind: bytes, linkname: str = "") -> tarfile.TarInfo:
    """A member with no data of its own: a link, a device, a pipe."""
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = linkname
    return info


def backup_files(database: bytes, media_files: int = 1) -> dict[str, bytes]:
    manifest = {
        "format": 1,
        "app": "switchback",
        "created": "2026-12-02T06:45:00+00:00",
        "database": "db.sqlite3",
        "media_files": media_files,
    }
    return {
        "manifest.json": json.dumps(manifest).encode(),
        "db.sqlite3": database,
        f"media/{UPLOAD}": PICTURE,
    }


@pytest.fixture
def good_database(tmp_path) -> bytes:
    return make_database(tmp_path / "good.sqlite3", ["from the archive"]).read_bytes()


# Round trip.


def test_backup_then_restore_brings_back_the_database_and_the_uploads(tmp_path):
    site = make_site(tmp_path / "site")
    backup = manage(site, "backup", f"{tmp_path / 'archives'}/")
    assert backup.returncode == 0, backup.stderr
    [archive] = (tmp_path / "archives").iterdir()
    assert f"Backup written to {archive} (" in backup.stdout
    assert "integrity_check ok" in backup.stdout
    assert "media: 1 uploaded file," in backup.stdout

    # After the backup: a note left in the write-ahead log by a server killed before it
    # checkpointed, and a changed upload.
    subprocess.run(
        [sys.executable, "-c", KILLED_WRITER, str(site / "db.sqlite3"), "after the backup"],
        check=True,
    )
    assert (site / "db.sqlite3-wal").stat().st_size > 0
    (site / "media" / UPLOAD).write_bytes(b"changed after the backup")

    restore = manage(site, "restore", str(archive), "--yes")
    assert restore.returncode == 0, restore.stderr
    assert "Restored the database and 1 uploaded file (1 replaced)" in restore.stdout
    # The old log is gone with the old database: replayed, it would bring the note back.
    assert notes(site / "db.sqlite3") == ["before the backup"]
    assert integrity(site / "db.sqlite3") == ["ok"]
    assert (site / "media" / UPLOAD).read_bytes() == PICTURE
    assert not [p for p in site.iterdir() if p.name.startswith(".switchback-restore-")]


def test_restore_into_an_empty_folder_creates_the_database_and_the_uploads(tmp_path):
    site = make_site(tmp_path / "site")
    assert manage(site, "backup", str(tmp_path / "site.tar.gz")).returncode == 0
    fresh = tmp_path / "fresh"

    restore = manage(fresh, "restore", str(tmp_path / "site.tar.gz"), "--noinput")

    assert restore.returncode == 0, restore.stderr
    assert f"the database {fresh / 'db.sqlite3'} is created" in restore.stdout
    assert notes(fresh / "db.sqlite3") == ["before the backup"]
    assert (fresh / "media" / UPLOAD).read_bytes() == PICTURE


def test_backup_by_default_writes_one_archive_named_after_the_utc_time(tmp_path):
    site = make_site(tmp_path / "site")
    before = datetime.now(UTC).replace(microsecond=0)

    result = manage(site, "backup")

    assert result.returncode == 0, result.stderr
    [archive] = (site / "backups").iterdir()
    stamp = re.fullmatch(r"switchback-(\d{4}-\d\d-\d\dT\d{6}Z)\.tar\.gz", archive.name).group(1)
    taken = datetime.strptime(stamp, "%Y-%m-%dT%H%M%SZ").replace(tzinfo=UTC)
    assert before <= taken <= datetime.now(UTC)
    with tarfile.open(archive) as tar:
        assert [(m.name, m.isreg()) for m in tar.getmembers()] == [
            ("manifest.json", True),
            ("db.sqlite3", True),
            (f"media/{UPLOAD}", True),
        ]
        manifest = json.load(tar.extractfile("manifest.json"))
        (tmp_path / "copy.sqlite3").write_bytes(tar.extractfile("db.sqlite3").read())
    assert manifest | {"created": None} == {
        "format": 1,
        "app": "switchback",
        "created": None,
        "database": "db.sqlite3",
        "media_files": 1,
    }
    assert notes(tmp_path / "copy.sqlite3") == ["before the backup"]


def test_backup_of_a_damaged_database_is_refused_and_writes_nothing(tmp_path):
    site = make_site(tmp_path / "site")
    damage(site / "db.sqlite3")

    result = manage(site, "backup", f"{tmp_path / 'archives'}/")

    assert result.returncode == 1
    assert "failed PRAGMA integrity_check (row " in result.stderr
    assert "missing from index note_text" in result.stderr
    assert "Nothing was written." in result.stderr
    assert list((tmp_path / "archives").iterdir()) == []


# Restore checks the archive before it writes anything.


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        ("climbs", "'../evil' points outside the folder it would be restored into"),
        ("symlink", "'media/journal/passwd' is a symbolic link (to '/etc/passwd')"),
        ("damaged", "its database fails PRAGMA integrity_check (row "),
    ],
)
def test_restore_refuses_a_tampered_archive_and_changes_nothing(
    tmp_path, good_database, tamper, message
):
    site = make_site(tmp_path / "site")
    files = backup_files(good_database)
    links = []
    if tamper == "climbs":
        files["../evil"] = b"written outside"
    elif tamper == "symlink":
        links.append(member("media/journal/passwd", tarfile.SYMTYPE, "/etc/passwd"))
    else:
        files["db.sqlite3"] = damage(make_database(tmp_path / "bad.sqlite3", [])).read_bytes()
    archive = pack(tmp_path / "tampered.tar.gz", files, *links)
    before = everything_in(tmp_path)

    result = manage(site, "restore", str(archive), "--yes")

    assert result.returncode == 1
    assert f"{archive} was not restored: " in result.stderr
    assert message in result.stderr
    assert "Nothing was changed." in result.stderr
    assert everything_in(tmp_path) == before
    assert not (site / "media" / "journal" / "passwd").exists()


@pytest.mark.parametrize(
    ("files", "members", "message"),
    [
        ({"/etc/cron.d/evil": b"x"}, [], "'/etc/cron.d/evil' points outside"),
        ({"media/../../evil": b"x"}, [], "'media/../../evil' points outside"),
        ({"media/./x.png": b"x"}, [], "'media/./x.png' is not a plain relative name"),
        ({"notes.txt": b"x"}, [], "'notes.txt' is not part of a Switchback backup"),
        ({"db.sqlite3-wal": b"x"}, [], "'db.sqlite3-wal' is not part of a Switchback backup"),
        ({}, [member("media/hard", tarfile.LNKTYPE, "db.sqlite3")], "is a hard link"),
        ({}, [member("media/pipe", tarfile.FIFOTYPE)], "'media/pipe' is not a regular file"),
        ({}, [member("media/tty", tarfile.CHRTYPE)], "'media/tty' is not a regular file"),
        ({}, [member("media", tarfile.DIRTYPE)], "'media' is not part of a Switchback backup"),
        ({}, [member("db.sqlite3", tarfile.SYMTYPE, "/x")], "'db.sqlite3' is a symbolic link"),
        ({}, [member("db.sqlite3", tarfile.REGTYPE)], "'db.sqlite3' appears twice"),
    ],
)
def test_unpacking_refuses_members_a_backup_never_holds_before_writing_any(
    tmp_path, good_database, files, members, message
):
    archive = pack(tmp_path / "odd.tar.gz", backup_files(good_database) | files, *members)
    scratch = tmp_path / "scratch"
    scratch.mkdir()

    with pytest.raises(backups.BackupError, match=re.escape(message)):
        backups.unpack_archive(archive, scratch)
    assert list(scratch.iterdir()) == []


def test_unpacking_refuses_an_archive_its_manifest_does_not_describe(tmp_path, good_database):
    unlisted = pack(tmp_path / "unlisted.tar.gz", backup_files(good_database, media_files=2))
    (tmp_path / "one").mkdir()
    with pytest.raises(backups.BackupError, match="lists 2 uploaded files but the archive holds 1"):
        backups.unpack_archive(unlisted, tmp_path / "one")

    files = backup_files(good_database)
    del files["manifest.json"]
    anonymous = pack(tmp_path / "anonymous.tar.gz", files)
    (tmp_path / "two").mkdir()
    with pytest.raises(backups.BackupError, match=r"it has no manifest\.json"):
        backups.unpack_archive(anonymous, tmp_path / "two")


def test_restore_refuses_a_file_that_is_not_a_whole_archive(tmp_path, good_database):
    site = make_site(tmp_path / "site")
    whole = pack(tmp_path / "whole.tar.gz", backup_files(good_database)).read_bytes()
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    before = everything_in(tmp_path)

    result = manage(site, "restore", str(cut), "--yes")

    assert result.returncode == 1
    assert "cannot be read as a .tar.gz archive" in result.stderr
    assert everything_in(tmp_path) == before


def test_restore_says_what_it_replaces_and_an_answer_but_yes_changes_nothing(
    tmp_path, good_database
):
    site = make_site(tmp_path / "site")
    archive = pack(tmp_path / "backup.tar.gz", backup_files(good_database))
    before = everything_in(tmp_path)

    result = manage(site, "restore", str(archive), stdin="no\n")

    assert result.returncode == 1
    assert f"the database {site / 'db.sqlite3'} (" in result.stdout
    assert "is replaced by the archive's" in result.stdout
    assert f"1 uploaded file written to {site / 'media'}, replacing 1 of the same name" in (
        result.stdout
    )
    assert "Stop the app first" in result.stdout
    assert "Type 'yes' to restore" in result.stdout
    assert "Nothing was restored." in result.stderr
    assert everything_in(tmp_path) == before


# PostgreSQL.


def test_backup_on_postgresql_prints_the_pg_dump_command_without_the_password(tmp_path):
    result = manage(
        tmp_path,
        "backup",
        DATABASE_URL="postgres://postgres:hush-not-printed@127.0.0.1:5432/test",
    )

    assert result.returncode == 1
    assert re.search(
        r"pg_dump --format=custom --file=switchback-\S+Z\.dump --host=127\.0\.0\.1 "
        r"--port=5432 --username=postgres test\n",
        result.stderr,
    ), result.stderr
    assert "pg_restore --clean --if-exists --no-owner" in result.stderr
    assert ".venv/bin/python manage.py backup --media-only" in result.stderr
    assert "hush-not-printed" not in result.stdout + result.stderr
    assert not (tmp_path / "backups").exists()


def postgres_is_running() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
    except OSError:
        return False
    return shutil.which("pg_dump") is not None


@pytest.mark.skipif(not postgres_is_running(), reason="needs PostgreSQL on 127.0.0.1:5432")
def test_the_printed_pg_dump_command_dumps_the_database(tmp_path):
    advice = manage(tmp_path, "backup", DATABASE_URL=POSTGRES).stderr
    command = next(
        line.strip() for line in advice.splitlines() if line.strip().startswith("pg_dump ")
    )

    dump = subprocess.run(
        ["bash", "-c", command], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )

    assert dump.returncode == 0, dump.stderr
    [written] = tmp_path.glob("switchback-*.dump")
    assert written.read_bytes().startswith(b"PGDMP")


def test_media_only_backup_on_postgresql_archives_the_uploads_and_restore_puts_them_back(
    tmp_path,
):
    site = tmp_path / "site"
    (site / "media" / UPLOAD).parent.mkdir(parents=True)
    (site / "media" / UPLOAD).write_bytes(PICTURE)

    backup = manage(site, "backup", "--media-only", DATABASE_URL=POSTGRES)
    assert backup.returncode == 0, backup.stderr
    assert "database: not included (--media-only)" in backup.stdout
    [archive] = (site / "backups").iterdir()
    with tarfile.open(archive) as tar:
        assert tar.getnames() == ["manifest.json", f"media/{UPLOAD}"]

    (site / "media" / UPLOAD).unlink()
    restore = manage(site, "restore", str(archive), "--yes", DATABASE_URL=POSTGRES)

    assert restore.returncode == 0, restore.stderr
    assert "the database: left as it is (the archive holds none)" in restore.stdout
    assert (site / "media" / UPLOAD).read_bytes() == PICTURE


# While the app writes.


@pytest.fixture
def busy_site(tmp_path):
    """The app under gunicorn with three workers, on a SQLite file, with one upload."""
    site = Site(tmp_path / "live").prepare()
    (site.folder / "media" / UPLOAD).parent.mkdir(parents=True)
    (site.folder / "media" / UPLOAD).write_bytes(PICTURE)
    site.start(workers=3)
    yield site
    site.stop()


def wait_until(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def events_by_milestone(database: Path) -> dict[str, list[str]]:
    with closing(sqlite3.connect(database)) as db:
        rows = db.execute(
            "SELECT m.slug, e.to_status FROM roadmap_progressevent e "
            "JOIN roadmap_milestone m ON m.id = e.milestone_id ORDER BY e.id"
        ).fetchall()
    found: dict[str, list[str]] = {}
    for slug, status in rows:
        found.setdefault(slug, []).append(status)
    return found


@pytest.mark.slow
def test_a_backup_taken_during_writes_holds_every_change_acknowledged_before_it(
    busy_site, tmp_path
):
    with closing(sqlite3.connect(busy_site.database)) as db:
        slugs = [row[0] for row in db.execute("SELECT slug FROM roadmap_milestone ORDER BY id")][:3]
    acknowledged: list[tuple[float, str]] = []
    failures: list[str] = []
    stop = threading.Event()

    def learner(slug):
        try:
            opener, token = logged_in_opener(busy_site.base)
        except OSError as exc:
            failures.append(f"{slug}: logging in: {exc!r}")
            return
        url = f"{busy_site.base}/roadmaps/test-path/milestones/{slug}/status/"
        for n in itertools.count():
            if stop.is_set():
                return
            status = "done" if n % 2 == 0 else "in_progress"
            request = urllib.request.Request(
                url,
                data=urllib.parse.urlencode({"status": status}).encode(),
                headers={"X-CSRFToken": token, "HX-Request": "true", "Referer": busy_site.base},
            )
            try:
                with opener.open(request, timeout=30) as response:
                    answer = response.status
            except OSError as exc:
                failures.append(f"{slug}: {exc!r}")
                return
            if answer != 200:
                failures.append(f"{slug}: {answer}")
                return
            acknowledged.append((time.monotonic(), slug))
            # A breath between changes leaves a small machine room to run the backup too.
            stop.wait(0.02)

    def acks(slug, before=float("inf"), after=0.0):
        return sum(1 for at, s in acknowledged if s == slug and after <= at < before)

    threads = [threading.Thread(target=learner, args=(slug,)) for slug in slugs]
    for thread in threads:
        thread.start()
    try:
        wait_until(lambda: failures or all(acks(slug) >= 5 for slug in slugs))
        # The changes live in the write-ahead log, which a copy of the main file would miss.
        assert (busy_site.folder / "db.sqlite3-wal").stat().st_size > 0
        started = time.monotonic()
        backup = manage(busy_site.folder, "backup", f"{tmp_path / 'archives'}/")
        finished = time.monotonic()
        # The app went on writing after the backup, so the backup is a snapshot of a moment.
        wait_until(lambda: failures or all(acks(slug, after=finished) >= 3 for slug in slugs))
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)

    assert failures == []
    live = events_by_milestone(busy_site.database)
    # Each acknowledged change is one event in the live database, so events count changes.
    assert Counter(slug for _, slug in acknowledged) == Counter(
        {slug: len(events) for slug, events in live.items()}
    )
    assert backup.returncode == 0, backup.stderr
    [archive] = (tmp_path / "archives").iterdir()
    fresh = tmp_path / "restored"
    restore = manage(fresh, "restore", str(archive), "--yes")
    assert restore.returncode == 0, restore.stderr

    restored = fresh / "db.sqlite3"
    assert integrity(restored) == ["ok"]
    in_backup = events_by_milestone(restored)
    with closing(sqlite3.connect(restored)) as db:
        statuses = dict(db.execute("SELECT slug, status FROM roadmap_milestone"))
    for slug in slugs:
        events = in_backup.get(slug, [])
        # Every change acknowledged before the backup began; at most one more per learner
        # than were acknowledged when it ended (a change committed, its answer on its way).
        assert acks(slug, before=started) <= len(events) <= acks(slug, before=finished) + 1
        assert events == live[slug][: len(events)]
        # The milestone row and its event log were copied at one and the same moment.
        assert statuses[slug] == events[-1]
    assert sum(map(len, in_backup.values())) < sum(map(len, live.values()))
    assert (fresh / "media" / UPLOAD).read_bytes() == PICTURE
