"""`make bench`: build a large site, serve it as production does, load it with wrk, report.

Every page's throughput is a share of the floor's (bench/floor.py) measured beside it:
floor, page, floor, page, ..., floor, each page against the mean of the two floor runs
around it, so a machine that is busier in one minute than the next moves both.
See docs/performance.md for how to read the output.
"""

import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from bench import load, targets
from bench.serve import ROOT, WORKERS, Server, cookie_header, fetch, login

SECONDS = int(os.environ.get("BENCH_SECONDS", 3))
# The floor answers thousands of requests a second: two seconds measure it well enough.
FLOOR_SECONDS = 2
# Two rounds of one request a worker.
WARMUP_REQUESTS = 2 * WORKERS
MIXED_SECONDS = int(os.environ.get("BENCH_MIXED_SECONDS", 10))
RESULTS = ROOT / "bench" / "results.json"

# (name, path, as the roadmap's owner). A path with {roadmap} is loaded at both sizes; the
# others are the site's own and loaded once, on the site that holds both roadmaps.
PAGES = [
    ("healthz", "/healthz", False),
    ("home", "/", False),
    ("roadmap", "/roadmaps/{roadmap}/", False),
    ("roadmap, owner", "/roadmaps/{roadmap}/", True),
    ("topic", "/roadmaps/{roadmap}/topics/{topic}/", False),
    ("milestone", "/roadmaps/{roadmap}/milestones/{milestone}/", False),
    ("dashboard", "/roadmaps/{roadmap}/dashboard/", False),
    ("dashboard, owner", "/roadmaps/{roadmap}/dashboard/", True),
    ("journal", "/journal/", False),
    ("post", "/journal/{post}/", False),
    ("journal feed", "/journal/feed/", False),
    ("roadmap feed", "/roadmaps/{roadmap}/feed/", False),
    ("sitemap", "/sitemap.xml", False),
    ("badge", "/roadmaps/{roadmap}/badge.svg", False),
    ("reproductions", "/roadmaps/{roadmap}/reproductions/", False),
    # Never cached (each query is its own page): how fast the index itself answers.
    ("search", "/search/?q=attention", False),
]
# What visitors read during the mixed run, while the learner changes statuses.
MIXED_READS = ["roadmap", "topic", "milestone", "dashboard", "home", "journal", "post", "badge"]


def say(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def environments(folder: Path) -> tuple[dict, dict]:
    """The settings to build the site with, and the production settings to serve it with."""
    common = {
        **os.environ,
        # Never the checkout's .env, whose database or data folder may be the developer's.
        "DJANGO_ENV_FILE": "",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DATA_DIR": str(folder / "data"),
        "DJANGO_STATIC_ROOT": str(folder / "static"),
        # A Redis named by REDIS_URL may be shared: a prefix of our own keeps its pages apart.
        "DJANGO_CACHE_PREFIX": f"switchback-bench-{secrets.token_hex(4)}",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    common.pop("DATABASE_URL", None)
    build = {**common, "DJANGO_DEBUG": "1"}
    serve = {
        **common,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
    }
    return build, serve


def manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603


def django_shell(env: dict, code: str) -> None:
    manage(env, "shell", "--verbosity=0", "--command", code)


def pages_for(site: dict) -> list[dict]:
    pages = []
    for size in ["large", "shipped"]:
        roadmap = site[size]
        for name, template, as_owner in PAGES:
            per_roadmap = "{roadmap}" in template
            if not per_roadmap and size != "large":
                continue
            pages.append(
                {
                    "id": f"{name} ({size if per_roadmap else 'site'})",
                    "name": name,
                    "size": size if per_roadmap else "site",
                    "path": template.format(post=site["post"], **roadmap),
                    "user": roadmap["owner"] if as_owner else None,
                    "public": not as_owner and name != "healthz",
                }
            )
    # The site's own pages first, then each roadmap's, as the table reads best.
    return sorted(pages, key=lambda page: ["site", "large", "shipped"].index(page["size"]))


def mixed_plan(site: dict, pages: list[dict], cookies: dict, app: Server, path: Path) -> Path:
    large = site["large"]
    reads = [
        page["path"]
        for page in pages
        if page["name"] in MIXED_READS and page["size"] in {"site", "large"} and not page["user"]
    ]
    lines = [f"read {read}" for read in reads]
    lines += [
        f"write /roadmaps/{large['roadmap']}/milestones/{slug}/status/ {status} {back}"
        for slug, status, back in large["writes"]
    ]
    lines += [
        f"cookie {cookie_header(cookies)}",
        f"csrf {cookies['csrftoken']}",
        f"referer https://127.0.0.1:{app.port}/roadmaps/{large['roadmap']}/",
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def cpu_snapshot(*servers: Server) -> tuple[float, int, int]:
    """The time, the machine's busy CPU ticks, and the ticks the bench's own processes used."""
    ours = load.own_ticks() + sum(server.cpu_ticks() for server in servers)
    return time.monotonic(), load.busy_ticks(), ours


def others_cpu(began: tuple, ended: tuple) -> float:
    """The share of the machine's CPU that other work used between two snapshots.

    The machine may be shared: above a few percent, figures taken meanwhile are noisy.
    """
    elapsed, busy, ours = (end - start for end, start in zip(ended, began, strict=True))
    capacity = elapsed * os.sysconf("SC_CLK_TCK") * os.cpu_count()
    return round(max(busy - ours, 0) / capacity, 3)


def run_wrk(server: Server, path: str, seconds: int, **options) -> dict:
    """One wrk run, then what it left queued served, so the next run starts on idle workers."""
    began = cpu_snapshot(server)
    report = load.wrk(server.url + path, seconds, **options)
    report["others_cpu"] = others_cpu(began, cpu_snapshot(server))
    server.settle()
    return report


# What a browser or a feed reader says of itself that changes the answer: it takes gzip. Sent
# to the floor too, which ignores it, so both see the same requests.
CLIENT_HEADERS = {"Accept-Encoding": "gzip"}


def floor_rps(floor: Server) -> float:
    return run_wrk(floor, "/", FLOOR_SECONDS, headers=header_lines(CLIENT_HEADERS))["rps"]


def header_lines(headers: dict) -> list[str]:
    return [f"{name}: {value}" for name, value in headers.items()]


def warm_up(app: Server, page: dict, headers: dict) -> None:
    """A few requests at once, so every worker has served the page; each must answer 200.

    Requests rather than a short wrk run: wrk would leave a queue of slow requests behind.
    """
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        answers = pool.map(
            lambda _: fetch(app.port, "GET", page["path"], headers=headers)[0],
            range(WARMUP_REQUESTS),
        )
        statuses = set(answers)
    if statuses != {200}:
        raise RuntimeError(f"{page['id']} at {page['path']} answered {statuses}, not 200")


def load_pages(app: Server, floor: Server, pages: list[dict], sessions: dict) -> None:
    """Floor, page, floor, page, ..., floor: each page's figures beside the floor's."""
    floor_rps(floor)  # the floor's warm-up
    floors = [floor_rps(floor)]
    for page in pages:
        headers = {"X-Forwarded-Proto": "https", **CLIENT_HEADERS}
        if page["user"]:
            headers["Cookie"] = cookie_header(sessions[page["user"]])
        warm_up(app, page, headers)
        page.update(run_wrk(app, page["path"], SECONDS, headers=header_lines(headers)))
        floors.append(floor_rps(floor))
        page["floor_rps"] = round(statistics.mean(floors[-2:]), 1)
        page["ratio"] = round(page["rps"] / page["floor_rps"], 3)
        say(f"  {page['id']:<28} {page['rps']:>7.0f} req/s  ({page['ratio']:.2f} of the floor)")


def load_mixed(app: Server, floor: Server, plan: Path) -> dict:
    before = floor_rps(floor)
    mixed = run_wrk(
        app,
        "/",
        MIXED_SECONDS,
        script="bench/mixed.lua",
        args=[str(load.THREADS)],
        env={**os.environ, "BENCH_MIXED": str(plan)},
    )
    after = floor_rps(floor)
    mixed["floor_rps"] = round((before + after) / 2, 1)
    mixed["ratio"] = round(mixed["rps"] / mixed["floor_rps"], 3)
    return mixed


def serve_and_load(site: dict, pages: list[dict], serve_env: dict, folder: Path) -> dict:
    app = Server("config.wsgi", serve_env, folder / "app.log")
    floor = Server("bench.floor:application", serve_env, folder / "floor.log")
    try:
        app.start("/healthz")
        floor.start("/")
        sessions = {
            site[size]["owner"]: login(
                app.port, site[size]["owner"], site["passwords"][site[size]["owner"]]
            )
            for size in ["large", "shipped"]
        }
        say(f"Loading {len(pages)} pages, {SECONDS} s each beside the floor")
        load_pages(app, floor, pages, sessions)
        say(f"Mixed run, {MIXED_SECONDS} s: one request in ten a status change")
        plan = mixed_plan(site, pages, sessions[site["large"]["owner"]], app, folder / "mixed")
        mixed = load_mixed(app, floor, plan)
        return {
            "mixed": mixed,
            "memory_mb": {
                "app_workers": app.peak_memory_mb(),
                "floor_workers": floor.peak_memory_mb(),
            },
        }
    finally:
        app.stop()
        floor.stop()


@contextmanager
def phase(phases: dict, name: str, title: str):
    say(title)
    began = cpu_snapshot()
    yield
    ended = cpu_snapshot()
    phases[name] = {"seconds": round(ended[0] - began[0]), "others_cpu": others_cpu(began, ended)}


def main() -> None:
    began = time.monotonic()
    load.ensure_wrk()
    machine = load.machine()
    phases: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="switchback-bench-") as tmp:
        folder = Path(tmp)
        build_env, serve_env = environments(folder)
        with phase(phases, "build", "Building the site and collecting static files"):
            django_shell(build_env, "from bench.build import main; main()")
            manage(serve_env, "collectstatic", "--noinput", "--verbosity=0")
        site = json.loads((folder / "data" / "site.json").read_text())
        pages = pages_for(site)
        (folder / "data" / "pages.json").write_text(json.dumps(pages))
        with phase(phases, "render", "Rendering every page in-process, uncached, 30 times"):
            django_shell(serve_env, "from bench.render import main; main()")
        renders = json.loads((folder / "data" / "render.json").read_text())
        for page in pages:
            page.update(renders[page["id"]])
        with phase(phases, "load", "Serving with gunicorn and loading with wrk"):
            served = serve_and_load(site, pages, serve_env, folder)
    machine["load_average_after"] = [round(value, 2) for value in os.getloadavg()]
    peak = max(served["memory_mb"]["app_workers"])
    checks = targets.check(pages, served["mixed"], peak)
    results = {
        "machine": machine,
        "method": {
            "workers": WORKERS,
            "wrk": f"{load.THREADS} threads, {load.CONNECTIONS} connections",
            "seconds_per_run": SECONDS,
            "mixed_seconds": MIXED_SECONDS,
            "render": "median of 30 in-process test-client requests, cache cleared before each",
        },
        "site": {
            "large_milestones": site["large"]["milestones"],
            "shipped_milestones": site["shipped"]["milestones"],
            "events": site["events"],
            "posts": site["posts"],
        },
        "pages": [{k: v for k, v in page.items() if k != "user"} for page in pages],
        **served,
        "targets": checks,
        "phases": phases,
        "seconds": round(time.monotonic() - began),
    }
    RESULTS.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    report(results)


def report(results: dict) -> None:
    machine, site, mixed = results["machine"], results["site"], results["mixed"]
    say()
    say(
        f"Machine: {machine['nproc']} CPUs ({machine['cpu']}), Python {machine['python']}, "
        f"Django {machine['django']}, {machine['wrk']}; load average "
        f"{machine['load_average_before'][0]} before, {machine['load_average_after'][0]} after"
    )
    say(
        f"Site: large = {site['large_milestones']} milestones, shipped = "
        f"{site['shipped_milestones']}; {site['events']:,} events, {site['posts']:,} posts"
    )
    say()
    say(targets.table(results["pages"]))
    say()
    say(
        f"Mixed: {mixed['rps']:.0f} req/s ({mixed['ratio']:.2f} of the floor), p99 "
        f"{mixed['p99_ms']:.1f} ms; {mixed['writes']} status changes, p50 "
        f"{mixed['write_p50_ms']:.1f} ms, p99 {mixed['write_p99_ms']:.1f} ms; errors: "
        f"{mixed['write_errors']} writes, {mixed['read_errors']} reads, {mixed['errors']} by wrk; "
        f"other work used {mixed['others_cpu']:.0%} of the CPU"
    )
    memory = results["memory_mb"]
    say(f"Worker peak memory: app {memory['app_workers']} MB, floor {memory['floor_workers']} MB")
    say()
    missed = [check for check in results["targets"] if not check["met"]]
    say(f"Targets: {len(results['targets']) - len(missed)} met, {len(missed)} missed")
    for check in results["targets"]:
        say("  " + targets.verdict(check))
    took = ", ".join(
        f"{name} {spent['seconds']} s (other work {spent['others_cpu']:.0%} of the CPU)"
        for name, spent in results["phases"].items()
    )
    say(f"\nTime: {took}; {results['seconds']} s in all. Wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
