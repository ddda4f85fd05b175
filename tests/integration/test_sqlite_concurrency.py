"""SQLite under several writer processes, as `gunicorn --workers 3` runs it: no lost change."""

import http.cookiejar
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
THREADS = 8
CHANGES_PER_THREAD = 25

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="this is about the embedded SQLite database"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    env = {
        **os.environ,
        "DJANGO_DEBUG": "1",
        "DJANGO_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    python = sys.executable

    def manage(*args):
        subprocess.run(
            [python, "manage.py", *args],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=120,
        )

    manage("migrate", "--noinput")
    manage(
        "shell",
        "-c",
        (
            "from django.contrib.auth import get_user_model;"
            "get_user_model().objects.create_user('ada', password='concurrency-pass-1')"
        ),
    )
    manage("load_curriculum", str(ROOT / "tests/data/small-curriculum.yaml"), "--owner", "ada")
    port = free_port()
    process = subprocess.Popen(
        [
            str(Path(python).parent / "gunicorn"),
            "config.wsgi",
            "--workers",
            "3",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    yield base, tmp_path / "db.sqlite3"
    process.terminate()
    process.wait(timeout=10)


def logged_in_opener(base):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{base}/accounts/login/")
    token = next(c.value for c in jar if c.name == "csrftoken")
    data = urllib.parse.urlencode(
        {"username": "ada", "password": "concurrency-pass-1", "csrfmiddlewaretoken": token}
    ).encode()
    opener.open(
        urllib.request.Request(
            f"{base}/accounts/login/", data=data, headers={"Referer": f"{base}/accounts/login/"}
        )
    )
    return opener, next(c.value for c in jar if c.name == "csrftoken")


def test_concurrent_status_changes_from_several_workers_are_all_kept(server):
    base, database = server
    keys = [
        row[0]
        for row in sqlite3.connect(database).execute(
            "SELECT slug FROM roadmap_milestone ORDER BY id"
        )
    ][:THREADS]
    failures: list[str] = []

    def learner(slug):
        opener, token = logged_in_opener(base)
        url = f"{base}/roadmaps/test-path/milestones/{slug}/status/"
        for n in range(CHANGES_PER_THREAD):
            status = "done" if n % 2 == 0 else "in_progress"
            request = urllib.request.Request(
                url,
                data=urllib.parse.urlencode({"status": status}).encode(),
                headers={"X-CSRFToken": token, "HX-Request": "true", "Referer": base},
            )
            try:
                with opener.open(request, timeout=30) as response:
                    if response.status != 200:
                        failures.append(f"{slug}: {response.status}")
            except OSError as exc:
                failures.append(f"{slug}: {exc}")

    threads = [threading.Thread(target=learner, args=(slug,)) for slug in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert failures == []
    db = sqlite3.connect(database)
    events = db.execute("SELECT COUNT(*) FROM roadmap_progressevent").fetchone()[0]
    assert events == THREADS * CHANGES_PER_THREAD
    final = dict(db.execute("SELECT slug, status FROM roadmap_milestone").fetchall())
    last = "done" if (CHANGES_PER_THREAD - 1) % 2 == 0 else "in_progress"
    assert {final[slug] for slug in keys} == {last}
