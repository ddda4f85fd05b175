"""Every command the README shows, run as a reader would: in a new shell, in a fresh copy of
the project, after `make run`.

The copy shares this checkout's virtual environment (installing it again would test pip,
not the project); everything else is the copy's own: its `.env`, its database, its files.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tarfile
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
NEW_PASSWORD = "a-new-long-password-77"
BACKUP = ".venv/bin/python manage.py backup"
BACKUP_MEDIA = ".venv/bin/python manage.py backup --media-only"
# PATH stands for the archive, as the README says; the test puts a real one in its place.
RESTORE = ".venv/bin/python manage.py restore PATH"
EXPORT_ROADMAP = (
    ".venv/bin/python manage.py export_roadmap learner ml-fundamentals -o ml-fundamentals.json"
)
IMPORT_ROADMAP = (
    ".venv/bin/python manage.py import_roadmap ml-fundamentals.json --owner learner --as-copy"
)
EXPORT_JOURNAL = ".venv/bin/python manage.py export_journal learner -o journal.zip"
IMPORT_JOURNAL = ".venv/bin/python manage.py import_journal journal.zip --owner learner --as-copy"

pytestmark = pytest.mark.skipif(
    shutil.which("make") is None or shutil.which("git") is None, reason="needs make and git"
)


def readme_commands() -> set[str]:
    """Commands in the README: lines of its sh blocks, and inline code that is a command."""
    text = README.read_text()
    commands = set()
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.DOTALL):
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            if line:
                commands.add(line)
    for span in re.findall(r"`([^`\n]+)`", text):
        if re.match(r"(make |\.venv/bin/)", span):
            commands.add(span.strip())
    return commands


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fresh_shell(command: str, cwd: Path, *, extra_env=None, stdin=None, timeout=120):
    """`command` in bash with a new environment, as pasted into a new terminal."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(cwd.parent)}
    env |= extra_env or {}
    return subprocess.run(
        ["bash", "-c", command],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        # No controlling terminal, so a password prompt reads what the test types.
        start_new_session=True,
    )


def password_works(clone: Path, password: str) -> bool:
    """Whether the learner's password is `password`, asked of the clone's own database."""
    check = fresh_shell(
        ".venv/bin/python manage.py shell -c "
        '"from django.contrib.auth.models import User; '
        f"print(User.objects.get(username='learner').check_password('{password}'))\"",
        clone,
    )
    return check.stdout.strip().splitlines()[-1] == "True"


def wait_for(url: str, *, seconds: float, headers=None) -> str:
    deadline = time.monotonic() + seconds
    while True:
        try:
            request = urllib.request.Request(url, headers=headers or {})
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def stop(process: subprocess.Popen) -> str:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        out, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, _ = process.communicate()
    return out


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    """A copy of the project's files as a clone has them, after `make run` has run once."""
    target = tmp_path_factory.mktemp("readme") / "switchback"
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    (target / ".venv").symlink_to(ROOT / ".venv")

    port = free_port()
    process = subprocess.Popen(
        # -o: the shared environment counts as installed, whatever the copy's file times.
        ["make", "run", f"PORT={port}", "-o", ".venv/.installed"],
        cwd=target,
        env={"PATH": os.environ["PATH"], "HOME": str(target.parent)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        assert wait_for(f"http://127.0.0.1:{port}/healthz", seconds=120) == "ok\n"
    finally:
        output = stop(process)
    assert "username: learner" in output, output
    target.joinpath("first-run.txt").write_text(output)
    return target


def test_every_readme_command_is_one_this_module_runs():
    assert readme_commands() == {
        "make run",
        "make run PORT=8001",
        "make test",
        "make test-fast",
        "make test-services",
        "make format",
        "make bench",
        "make screenshots",
        ".venv/bin/python manage.py changepassword learner",
        ".venv/bin/python manage.py axes_reset_username learner",
        ".venv/bin/pytest",
        ".venv/bin/python manage.py load_curriculum curricula/applied-ai-engineering.yaml"
        " --owner learner",
        "export DJANGO_DEBUG=0 DJANGO_SECRET_KEY=... DJANGO_ALLOWED_HOSTS=learn.example.org",
        "export DATABASE_URL=postgres://switchback@db:5432/switchback"
        " REDIS_URL=redis://cache:6379/0",
        ".venv/bin/python manage.py migrate",
        ".venv/bin/python manage.py collectstatic --noinput",
        ".venv/bin/gunicorn config.wsgi --workers 4 --bind 127.0.0.1:8000",
        "make backup",
        BACKUP,
        BACKUP_MEDIA,
        RESTORE,
        EXPORT_ROADMAP,
        IMPORT_ROADMAP,
        EXPORT_JOURNAL,
        IMPORT_JOURNAL,
    }


def test_make_run_creates_the_learner_prints_the_login_and_serves(clone):
    output = (clone / "first-run.txt").read_text()
    password = re.search(r"password: (\S+)", output).group(1)
    assert "Log in at http://127.0.0.1:8000/accounts/login/" in output
    assert (clone / ".env").read_text().count("DJANGO_SECRET_KEY=") == 1
    assert password_works(clone, password)


def test_an_account_locked_out_is_unlocked_as_printed_in_a_new_shell(clone):
    lock = (
        ".venv/bin/python manage.py shell -c "
        '"from axes.models import AccessAttempt; '
        "AccessAttempt.objects.create(username='learner', ip_address='203.0.113.9', "
        "user_agent='test', failures_since_start=5, get_data='', post_data='', "
        "http_accept='', path_info='/accounts/login/')\""
    )
    assert fresh_shell(lock, clone).returncode == 0
    result = fresh_shell(".venv/bin/python manage.py axes_reset_username learner", clone)
    assert result.returncode == 0, result.stderr
    assert "1 attempts removed" in result.stdout or "1 attempt" in result.stdout, result.stdout
    count = fresh_shell(
        ".venv/bin/python manage.py shell -c "
        '"from axes.models import AccessAttempt; print(AccessAttempt.objects.count())"',
        clone,
    )
    assert count.stdout.strip().splitlines()[-1] == "0"


def test_changepassword_works_as_printed_in_a_new_shell(clone):
    result = fresh_shell(
        ".venv/bin/python manage.py changepassword learner",
        clone,
        stdin=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n",
    )
    assert result.returncode == 0, result.stderr
    assert "Password changed successfully for user 'learner'" in result.stdout
    assert password_works(clone, NEW_PASSWORD)


def test_load_curriculum_works_as_printed_in_a_new_shell(clone):
    command = (
        ".venv/bin/python manage.py load_curriculum curricula/applied-ai-engineering.yaml"
        " --owner learner"
    )
    result = fresh_shell(command, clone)
    assert result.returncode == 0, result.stderr
    assert "Created roadmap 'applied-ai-engineering'" in result.stdout
    again = fresh_shell(command, clone)
    assert "Updated roadmap 'applied-ai-engineering'" in again.stdout, again.stderr


def test_the_make_targets_the_readme_names_exist(clone):
    # CI runs the tests and the benchmark has a run of its own (docs/performance.md): here,
    # that each target is there and what it would run.
    for target in ["test", "test-fast", "test-services", "format", "bench", "screenshots"]:
        dry = fresh_shell(f"make -n {target}", clone)
        assert dry.returncode == 0, f"make {target}: {dry.stderr}"


def test_a_bare_pytest_runs_in_a_new_shell(clone):
    """No Makefile and no variables: the suite finds its own settings (one module here)."""
    result = fresh_shell(".venv/bin/pytest -q -p no:randomly tests/test_architecture.py", clone)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"\b4 passed\b", result.stdout), result.stdout


def test_the_production_recipe_serves_with_debug_off(clone, tmp_path):
    """The README's production commands, with its placeholders filled in as a reader would.

    PostgreSQL and Redis are the README's example; the same commands run on the embedded
    database here (CI runs the whole suite on PostgreSQL and Redis as well).
    """
    port = free_port()
    production = {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "p" * 30 + "-Zq8!" + "k" * 30,
        "DJANGO_ALLOWED_HOSTS": "learn.example.org,127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path}/production.sqlite3",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
    }
    for command in [
        ".venv/bin/python manage.py migrate",
        ".venv/bin/python manage.py collectstatic --noinput",
    ]:
        result = fresh_shell(command, clone, extra_env=production)
        assert result.returncode == 0, f"{command}: {result.stderr}"
    server = subprocess.Popen(
        [".venv/bin/gunicorn", "config.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}"],
        cwd=clone,
        env={"PATH": os.environ["PATH"], "HOME": str(clone.parent), **production},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        # The TLS proxy in front says the request came over HTTPS.
        body = wait_for(
            f"http://127.0.0.1:{port}/healthz",
            seconds=60,
            headers={"X-Forwarded-Proto": "https"},
        )
    finally:
        stop(server)
    assert body == "ok\n"


def archives(clone: Path) -> set[Path]:
    return set((clone / "data" / "backups").glob("*.tar.gz"))


def backed_up(command: str, clone: Path) -> Path:
    """Run a backup command the README prints; the archive it wrote."""
    before = archives(clone)
    result = fresh_shell(command, clone)
    assert result.returncode == 0, result.stdout + result.stderr
    [archive] = archives(clone) - before
    assert f"Backup written to {archive} (" in result.stdout
    return archive


def usernames(clone: Path) -> str:
    result = fresh_shell(
        ".venv/bin/python manage.py shell -c "
        '"from django.contrib.auth import get_user_model; '
        "print(sorted(get_user_model().objects.values_list('username', flat=True)))\"",
        clone,
    )
    return result.stdout.strip().splitlines()[-1]


def test_make_backup_and_the_backup_command_each_write_an_archive(clone):
    for command in ["make backup", BACKUP]:
        with tarfile.open(backed_up(command, clone)) as tar:
            assert {"manifest.json", "db.sqlite3"} <= set(tar.getnames()), command


def test_a_media_only_backup_works_as_printed(clone):
    with tarfile.open(backed_up(BACKUP_MEDIA, clone)) as tar:
        assert "db.sqlite3" not in tar.getnames()


def test_restore_as_printed_undoes_a_change_made_after_the_backup(clone):
    archive = backed_up(BACKUP, clone)
    before = usernames(clone)
    made = fresh_shell(
        ".venv/bin/python manage.py shell -c "
        '"from django.contrib.auth import get_user_model; '
        "get_user_model().objects.create_user('made-after-the-backup')\"",
        clone,
    )
    assert made.returncode == 0, made.stderr
    assert "made-after-the-backup" in usernames(clone)

    restore = fresh_shell(
        RESTORE.replace("PATH", str(archive.relative_to(clone))), clone, stdin="yes\n"
    )

    assert restore.returncode == 0, restore.stdout + restore.stderr
    assert "Restored the database" in restore.stdout
    assert usernames(clone) == before


def test_export_and_import_as_printed_bring_back_a_copy_of_the_roadmap_and_the_journal(clone):
    write = fresh_shell(
        ".venv/bin/python manage.py shell -c "
        '"from django.contrib.auth import get_user_model; from journal.models import Post; '
        "learner = get_user_model().objects.get(username='learner'); "
        "Post.objects.create(author=learner, roadmap=learner.roadmaps.get(slug='ml-fundamentals'), "
        "title='Week 1', slug='week-1', body='Hello')\"",
        clone,
    )
    assert write.returncode == 0, write.stderr

    for command, said in [
        (EXPORT_ROADMAP, ""),
        (IMPORT_ROADMAP, "(copy)” at /roadmaps/ml-fundamentals-2/ for learner"),
        (EXPORT_JOURNAL, "Exported 1 post and 0 images to journal.zip."),
        (IMPORT_JOURNAL, "Imported 1 post and 0 images for learner."),
    ]:
        result = fresh_shell(command, clone)
        assert result.returncode == 0, f"{command}: {result.stdout}{result.stderr}"
        assert said in result.stdout, result.stdout

    exported = json.loads((clone / "ml-fundamentals.json").read_text())
    assert exported["roadmap"]["slug"] == "ml-fundamentals"
    with zipfile.ZipFile(clone / "journal.zip") as archive:
        assert any(name.endswith("-week-1.md") for name in archive.namelist())
