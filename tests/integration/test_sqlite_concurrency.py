"""SQLite under several writer processes, as `gunicorn --workers 3` runs it: no lost change,
and a history in the order the changes were made."""

import itertools
import os
import random
import sqlite3
import threading
import urllib.parse
import urllib.request

import pytest

from tests.integration.servers import Site, logged_in_opener

THREADS = 8
CHANGES_PER_THREAD = 25

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        bool(os.environ.get("DATABASE_URL")), reason="this is about the embedded SQLite database"
    ),
]


@pytest.fixture
def server(tmp_path):
    site = Site(tmp_path).prepare()
    site.start(workers=3)
    yield site
    site.stop()


def post_statuses(base, plan: list[tuple[str, str]], failures: list[str]) -> None:
    opener, token = logged_in_opener(base)
    for slug, status in plan:
        request = urllib.request.Request(
            f"{base}/roadmaps/test-path/milestones/{slug}/status/",
            data=urllib.parse.urlencode({"status": status}).encode(),
            headers={"X-CSRFToken": token, "HX-Request": "true", "Referer": base},
        )
        try:
            with opener.open(request, timeout=30) as response:
                if response.status != 200:
                    failures.append(f"{slug}: {response.status}")
        except OSError as exc:
            failures.append(f"{slug}: {exc}")


def run_all(threads: list[threading.Thread]) -> None:
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)


def slugs(database, count: int) -> list[str]:
    rows = sqlite3.connect(database).execute("SELECT slug FROM roadmap_milestone ORDER BY id")
    return [row[0] for row in rows][:count]


def test_concurrent_status_changes_from_several_workers_are_all_kept(server):
    keys = slugs(server.database, THREADS)
    failures: list[str] = []
    plans = [
        [(slug, "done" if n % 2 == 0 else "in_progress") for n in range(CHANGES_PER_THREAD)]
        for slug in keys
    ]
    run_all(
        [
            threading.Thread(target=post_statuses, args=(server.base, plan, failures))
            for plan in plans
        ]
    )

    assert failures == []
    db = sqlite3.connect(server.database)
    events = db.execute("SELECT COUNT(*) FROM roadmap_progressevent").fetchone()[0]
    assert events == THREADS * CHANGES_PER_THREAD
    final = dict(db.execute("SELECT slug, status FROM roadmap_milestone").fetchall())
    last = "done" if (CHANGES_PER_THREAD - 1) % 2 == 0 else "in_progress"
    assert {final[slug] for slug in keys} == {last}


def test_racing_changes_on_the_same_milestones_leave_a_history_in_commit_order(server):
    """Every thread changes the same few milestones: the log, sorted by time, must tell one
    story per milestone that ends in the status the milestone has."""
    keys = slugs(server.database, 3)
    statuses = ["not_started", "in_progress", "done", "skipped"]
    rng = random.Random(11)
    failures: list[str] = []
    plans = [
        [(rng.choice(keys), rng.choice(statuses)) for _ in range(CHANGES_PER_THREAD)]
        for _ in range(THREADS)
    ]
    run_all(
        [
            threading.Thread(target=post_statuses, args=(server.base, plan, failures))
            for plan in plans
        ]
    )

    assert failures == []
    db = sqlite3.connect(server.database)
    for slug in keys:
        milestone_id, stored = db.execute(
            "SELECT id, status FROM roadmap_milestone WHERE slug = ?", [slug]
        ).fetchone()
        history = db.execute(
            "SELECT from_status, to_status FROM roadmap_progressevent"
            " WHERE milestone_id = ? ORDER BY at, id",
            [milestone_id],
        ).fetchall()
        for (_, before), (after, _) in itertools.pairwise(history):
            assert before == after, f"{slug}: the history contradicts itself"
        assert not history or history[-1][1] == stored, slug
