"""Browser tests: Debian's Chromium, launched by its path, against a live Django server."""

import os

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from roadmap.curriculum import load_curriculum
from tests.conftest import PASSWORD

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the
# fixtures are ordinary synchronous calls all the same.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.path):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM_PATH,
        # This machine reaches no network but its own: keep Chromium from trying.
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def site(transactional_db, live_server, django_user_model, small_spec):
    """A live server with the learner 'ada' and her public roadmap from the test curriculum."""
    learner = django_user_model.objects.create_user(username="ada", password=PASSWORD)
    roadmap = load_curriculum(small_spec, owner=learner).roadmap
    return live_server.url, roadmap


ABORTED_BY_HTMX = ("htmx:afterRequest, ", "htmx:sendAbort, ")


@pytest.fixture
def console_errors(page: Page):
    """Console errors and uncaught exceptions: a CSP violation or a script error shows here.

    HTMX logs a request it gave up for a newer one (hx-sync "replace") as an error, under
    the two events it fires for it; those are the page doing its job, and are left out. A
    request that failed still shows, as "htmx:sendError" or "htmx:responseError"."""
    errors: list[str] = []

    def seen(msg):
        if msg.type == "error" and not msg.text.startswith(ABORTED_BY_HTMX):
            errors.append(msg.text)

    page.on("console", seen)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def log_in(
    page: Page, base_url: str, next_path: str, *, username: str = "ada", password: str = PASSWORD
) -> None:
    """Log in on the login page, as the site's learner unless told otherwise, and land on
    next_path."""
    page.goto(f"{base_url}/accounts/login/?next={next_path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}{next_path}")


def wait_for_htmx(page: Page) -> None:
    """Wait until no HTMX request is in flight."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )


def serious_violations(page: Page) -> list[str]:
    """What axe finds serious or critical on the page as it stands."""
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


STATUS_VALUES = {
    "Not started": "not_started",
    "In progress": "in_progress",
    "Done": "done",
    "Skipped": "skipped",
}


def choose_status(row, label: str) -> None:
    """Set a milestone's status as the owner does: press its status, then the one wanted."""
    button = row.locator(f'form.status-control button[value="{STATUS_VALUES[label]}"]')
    # Before the page's script runs, the status is a plain link (the way without JavaScript).
    row.page.wait_for_load_state()
    if not button.is_visible():
        row.locator(".status-badge").click()
    button.click()
