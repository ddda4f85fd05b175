"""wrk, and the machine it runs on."""

import json
import os
import platform
import resource
import shutil
import subprocess
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
THREADS = 2
CONNECTIONS = 16
# Far above any target: a slow page is measured as slow rather than dropped as a timeout.
TIMEOUT = "10s"


def ensure_wrk() -> None:
    """wrk from Debian's package, installed when missing if we are root; else say how."""
    if shutil.which("wrk"):
        return
    if os.geteuid() != 0:
        raise SystemExit("The benchmark needs wrk: sudo apt-get install -y wrk")
    install = ["apt-get", "install", "-y", "-qq", "wrk"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(install, env=env, check=False).returncode != 0:  # noqa: S603
        # A fresh machine may not have read the package lists yet.
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=True)  # noqa: S607
        subprocess.run(install, env=env, check=True)  # noqa: S603


def wrk(
    url: str,
    seconds: int,
    *,
    connections: int = CONNECTIONS,
    headers=(),
    script="bench/report.lua",
    args=(),
    env=None,
):
    """One wrk run: requests/s, p50 and p99 in ms, errors, and what the script adds."""
    command = [
        "wrk",
        f"--threads={THREADS}",
        f"--connections={connections}",
        f"--duration={seconds}s",
        f"--timeout={TIMEOUT}",
        f"--script={script}",
    ]
    for header in headers:
        command += ["--header", header]
    command.append(url)
    if args:
        command += ["--", *args]
    result = subprocess.run(  # noqa: S603 (wrk with our own arguments)
        command, cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    report = json.loads([line for line in result.stdout.splitlines() if line.startswith("{")][-1])
    report["rps"] = round(report["requests"] / report["seconds"], 1)
    return report


def busy_ticks() -> int:
    """CPU time the whole machine has spent busy since boot, in clock ticks."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return user + nice + system + irq + softirq + steal


def own_ticks() -> int:
    """CPU time of this process and its finished children (wrk among them), in clock ticks."""
    seconds = sum(
        usage.ru_utime + usage.ru_stime
        for usage in map(resource.getrusage, [resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN])
    )
    return round(seconds * os.sysconf("SC_CLK_TCK"))


def machine() -> dict:
    """What the figures were measured on, and how busy it was."""
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if "model name" in line),
        platform.processor() or "unknown",
    )
    version = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)  # noqa: S607
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": model,
        "python": platform.python_version(),
        "django": django.get_version(),
        "wrk": (version.stdout or version.stderr).split("[")[0].strip(),
        "load_average_before": [round(value, 2) for value in os.getloadavg()],
    }
