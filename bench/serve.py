"""The app and the floor under gunicorn as in production, and a client that logs in to them."""

import http.client
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
WORKERS = 2
# Production sits behind a TLS-terminating proxy; this is what it tells the app.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(port: int, method: str, path: str, *, headers=None, body: str | None = None):
    """(status, headers, body) of one request, sent as the proxy would forward it."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=body, headers={**PROXY_HEADERS, **(headers or {})})
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


class Server:
    """One gunicorn with sync workers on 127.0.0.1, its output in a log file."""

    def __init__(self, app: str, env: dict, log: Path):
        self.app, self.env, self.log = app, env, log
        self.port = free_port()
        self.process = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, ready_path: str) -> "Server":
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 (our own gunicorn, fixed arguments)
                [
                    str(GUNICORN),
                    self.app,
                    f"--workers={WORKERS}",
                    "--worker-class=sync",
                    f"--bind=127.0.0.1:{self.port}",
                    "--log-level=warning",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.app} did not start:\n{self.log.read_text()[-3000:]}")
            try:
                if fetch(self.port, "GET", ready_path)[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.app} did not answer {ready_path} within a minute")

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def settle(self, quiet: float = 0.3, limit: float = 120) -> None:
        """Wait until the workers have been idle for `quiet` seconds (at most `limit`).

        When wrk stops, the requests it left queued are still served, one after another: on a
        slow page that is seconds of work, which would be counted against the next run.
        """
        last, quiet_since = self.cpu_ticks(), time.monotonic()
        deadline = quiet_since + limit
        while time.monotonic() - quiet_since < quiet and time.monotonic() < deadline:
            time.sleep(0.05)
            ticks = self.cpu_ticks()
            if ticks != last:
                last, quiet_since = ticks, time.monotonic()

    def cpu_ticks(self) -> int:
        total = 0
        for pid in self.worker_pids():
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            total += int(fields[11]) + int(fields[12])  # utime and stime
        return total

    def peak_memory_mb(self) -> list[float]:
        """Each worker's peak resident memory so far (VmHWM), in MB."""
        return [_peak_memory_mb(pid) for pid in self.worker_pids()]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def _peak_memory_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    kilobytes = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
    return round(int(kilobytes) / 1024, 1)


def _cookies(headers) -> dict[str, str]:
    pairs = (value.split(";", 1)[0] for name, value in headers if name.lower() == "set-cookie")
    return dict(pair.split("=", 1) for pair in pairs)


def login(port: int, username: str, password: str) -> dict[str, str]:
    """The cookies of a logged-in session: `sessionid` and the `csrftoken` to send with writes.

    By hand rather than with a cookie jar: the cookies are marked Secure, and the bench talks
    plain HTTP to the app as the proxy in front of it would.
    """
    status, headers, _ = fetch(port, "GET", "/accounts/login/")
    cookies = _cookies(headers)
    form = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": cookies["csrftoken"]}
    )
    status, headers, _ = fetch(
        port,
        "POST",
        "/accounts/login/",
        headers={
            "Cookie": cookie_header(cookies),
            "Referer": f"https://127.0.0.1:{port}/accounts/login/",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        body=form,
    )
    if status != 302:
        raise RuntimeError(f"Logging in as {username} answered {status}, not a redirect")
    return {**cookies, **_cookies(headers)}


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())
