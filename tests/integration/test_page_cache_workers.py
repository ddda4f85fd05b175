"""Two server processes, one cache between them or one each: a change acknowledged through
one process is what the next visitor sees through either, never the page from before."""

import secrets
import urllib.parse
import urllib.request

import pytest

from tests.integration.servers import Site, logged_in_opener

pytestmark = pytest.mark.slow

MILESTONE = "install-python"
PAGES = [
    "/roadmaps/test-path/",
    f"/roadmaps/test-path/milestones/{MILESTONE}/",
    "/roadmaps/test-path/topics/python-setup/",
    "/roadmaps/test-path/dashboard/",
]


@pytest.fixture(params=["memory of each process", "Redis shared by both"])
def server(request, tmp_path):
    site = Site(tmp_path).prepare()
    if request.param.startswith("Redis"):
        site.env["REDIS_URL"] = "redis://127.0.0.1:6379/3"
        site.env["DJANGO_CACHE_PREFIX"] = f"test-{secrets.token_hex(4)}"
    site.start(workers=2)
    yield site
    site.stop()


def visit(base: str, path: str) -> tuple[str, str]:
    with urllib.request.urlopen(f"{base}{path}", timeout=30) as response:
        return response.headers.get("X-Cache", ""), response.read().decode()


def test_a_status_change_through_one_worker_is_seen_through_both(server):
    base = server.base
    # Enough visits that both processes have each page cached.
    for _ in range(6):
        for path in PAGES:
            visit(base, path)
    assert visit(base, PAGES[0])[0] == "hit"

    for status in ["in_progress", "done", "not_started", "done"]:
        opener, token = logged_in_opener(base)
        request = urllib.request.Request(
            f"{base}/roadmaps/test-path/milestones/{MILESTONE}/status/",
            data=urllib.parse.urlencode({"status": status}).encode(),
            headers={"X-CSRFToken": token, "HX-Request": "true", "Referer": base},
        )
        with opener.open(request, timeout=30) as response:
            assert response.status == 200
        # Every following request, whichever process answers it, shows the change.
        row = f'<li id="m-{MILESTONE}" class="milestone status-{status}"'
        for _ in range(4):
            for path in PAGES[:3]:
                assert row in visit(base, path)[1], (status, path)


def post(base: str, path: str, fields: dict) -> None:
    opener, token = logged_in_opener(base)
    request = urllib.request.Request(
        f"{base}{path}",
        data=urllib.parse.urlencode({"csrfmiddlewaretoken": token, **fields}).encode(),
        headers={"Referer": base},
    )
    with opener.open(request, timeout=30) as response:
        assert response.status == 200  # after the redirect back to the page


def test_a_part_kept_through_progress_shows_the_next_other_change_through_both(server):
    """A milestone's reproduction is kept while statuses change; a result recorded through
    one process is on the page the next visitor gets through either."""
    base, page = server.base, f"/roadmaps/test-path/milestones/{MILESTONE}/"
    for _ in range(6):
        visit(base, page)
    post(base, f"{page}status/", {"status": "in_progress"})
    for _ in range(4):
        html = visit(base, page)[1]
        assert "status-in_progress" in html and "0.8125" not in html
    post(
        base,
        f"{page}results/",
        {"result-value": "0.8125", "result-measured_on": "2026-11-30", "result-note": "Seed 1"},
    )
    for _ in range(6):
        html = visit(base, page)[1]
        assert "0.8125" in html and "Seed 1" in html and "status-in_progress" in html
