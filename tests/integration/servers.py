"""A real app under gunicorn with several workers, on a SQLite file of its own."""

import http.cookiejar
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "concurrency-pass-1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Site:
    """The site's folder, its address, and how to run manage.py against it."""

    def __init__(self, folder: Path, *, settings: str = "config.settings", **env):
        self.folder = folder
        self.database = folder / "db.sqlite3"
        self.env = {
            **os.environ,
            "DJANGO_DEBUG": "1",
            "DJANGO_ENV_FILE": "",
            "DJANGO_DATA_DIR": str(folder),
            "DJANGO_SETTINGS_MODULE": settings,
            **env,
        }
        self.env.pop("DATABASE_URL", None)
        self.env.pop("REDIS_URL", None)
        self.process = None
        self.base = ""

    def manage(self, *args) -> str:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        ).stdout

    def prepare(self) -> "Site":
        """Migrated, with the learner ada and her roadmap from the test curriculum."""
        self.manage("migrate", "--noinput")
        self.manage(
            "shell",
            "-c",
            "from django.contrib.auth import get_user_model;"
            f"get_user_model().objects.create_user('ada', password='{PASSWORD}')",
        )
        self.manage(
            "load_curriculum", str(ROOT / "tests/data/small-curriculum.yaml"), "--owner", "ada"
        )
        return self

    def start(self, workers: int = 3) -> str:
        port = free_port()
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "config.wsgi",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        self.base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{self.base}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        return self.base

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)


def logged_in_opener(base: str, username: str = "ada", password: str = PASSWORD):
    """An opener with ada's session, and the CSRF token to send with writes."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{base}/accounts/login/")
    token = next(c.value for c in jar if c.name == "csrftoken")
    data = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token}
    ).encode()
    opener.open(
        urllib.request.Request(
            f"{base}/accounts/login/", data=data, headers={"Referer": f"{base}/accounts/login/"}
        )
    )
    return opener, next(c.value for c in jar if c.name == "csrftoken")
