# ruff: noqa: INP001 (docs/ holds documents, not a package; run as `python -m docs.screenshots`)
"""`make screenshots`: the README's pictures of the app as it is now, light and dark.

Builds a demo site in a temporary folder (the shipped curriculum with five months of
progress made through the status service, and a few posts), serves it from this process,
and photographs the roadmap, its dashboard and a post with Chromium, once per colour scheme,
into docs/screenshots/. Nothing outside that folder is touched: the checkout's database and
`.env` are never read.
"""

import os
import random
import shutil
import sys
import tempfile
import threading
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
VIEWPORT = {"width": 1280, "height": 800}
MONTHS = 5
SEED = 2026
USERNAME, PASSWORD = "ada", "screenshots-ada-password-1"
# (file name, path, as the roadmap's owner, the element the picture starts at, if not the top)
SHOTS = [
    ("roadmap", "/roadmaps/{roadmap}/", True, ".topic:has(.status-in_progress)"),
    ("dashboard", "/roadmaps/{roadmap}/dashboard/", False, None),
    ("post", "/journal/{post}/", False, None),
]

SCROLL_TO = "e => window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - 16)"

# Settings are read once, at django.setup(): the demo's own folder, never the checkout's.
DATA = Path(tempfile.mkdtemp(prefix="switchback-screenshots-"))
os.environ.update(
    DJANGO_SETTINGS_MODULE="config.settings",
    DJANGO_ENV_FILE="",
    DJANGO_DEBUG="1",
    DJANGO_DATA_DIR=str(DATA),
    DJANGO_LOG_LEVEL="WARNING",
)
os.environ.pop("DATABASE_URL", None)
os.environ.pop("REDIS_URL", None)

import django  # noqa: E402 (after the environment the settings read)

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.staticfiles.handlers import StaticFilesHandler  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import connections  # noqa: E402
from django.utils import timezone  # noqa: E402
from PIL import Image  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from bench.build import play_history, write_posts  # noqa: E402
from journal.models import Post  # noqa: E402
from learners.models import Profile  # noqa: E402
from roadmap.curriculum import load_curriculum, read_curriculum  # noqa: E402

WEEKLY_LOG = """\
Five months in, and the linear algebra finally feels like a tool rather than a hurdle.

## Wins

- PCA from scratch: centre the data, take the SVD, keep the top $k$ right singular vectors.
- The reconstruction error matched scikit-learn's to four decimal places.

```python
import numpy as np

def pca(x: np.ndarray, k: int) -> np.ndarray:
    centred = x - x.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    return centred @ vt[:k].T
```

## Struggles

Why the singular values relate to the variance: each component explains
$\\sigma_i^2 / (n - 1)$ of it, so

$$
\\text{explained}_k = \\frac{\\sum_{i \\le k} \\sigma_i^2}{\\sum_i \\sigma_i^2}
$$

## Next week

Gradient descent by hand, then the same problem with autograd.
"""


class QuietRequestHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the name the base class gives it)
        """Requests go unlogged: the script's output is the list of pictures it took."""


class Site(threading.Thread):
    """The demo site served from this process, as the browser tests' live server is."""

    def __init__(self):
        super().__init__(daemon=True)
        self.server = ThreadedWSGIServer(("127.0.0.1", 0), QuietRequestHandler)
        self.server.set_app(StaticFilesHandler(get_wsgi_application()))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def run(self) -> None:
        self.server.serve_forever()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def build() -> dict:
    """The demo: what a learner five months into the shipped curriculum would have."""
    rng = random.Random(SEED)  # noqa: S311 (the same site on every run, not a secret)
    call_command("migrate", "--noinput", verbosity=0)
    learner = get_user_model().objects.create_user(USERNAME, password=PASSWORD)
    Profile.objects.create(user=learner, display_name="Ada")
    now = timezone.now()
    start = now - timedelta(days=round(30.5 * MONTHS))
    roadmap = load_curriculum(
        read_curriculum(settings.CURRICULA_DIR / "ml-fundamentals.yaml"),
        owner=learner,
        title="ML fundamentals, learning in public",
        started_on=start.date(),
        target_date=(start + timedelta(days=540)).date(),
    ).roadmap
    log = play_history(roadmap, events=150, start=start, end=now, done_share=0.2, rng=rng)
    write_posts(learner, roadmap, log, count=6, rng=rng)
    tied = log[-1][1]
    post = Post(
        author=learner,
        roadmap=roadmap,
        title="Week 21: PCA from scratch, and why the singular values matter",
        slug="week-21-pca-from-scratch",
        kind=Post.Kind.WEEKLY,
        body=WEEKLY_LOG,
        status=Post.Status.PUBLISHED,
        published_at=now - timedelta(minutes=30),
    )
    post.save()
    post.milestones.add(tied)
    post.topics.add(tied.topic)
    return {"roadmap": roadmap.slug, "post": post.slug}


def optimise(path: Path) -> None:
    """An indexed palette: a page's flat colours survive, and the file is a third the size."""
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def log_in(page, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(USERNAME)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/**")


def photograph(base: str, demo: dict) -> list[Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    taken = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM_PATH, args=["--no-sandbox", "--disable-gpu"]
        )
        for scheme in ("light", "dark"):
            options = {"viewport": VIEWPORT, "color_scheme": scheme, "reduced_motion": "reduce"}
            visitor, owner = browser.new_page(**options), browser.new_page(**options)
            log_in(owner, base)
            for name, path, as_owner, start_at in SHOTS:
                page = owner if as_owner else visitor
                page.goto(base + path.format(**demo))
                if start_at:
                    page.locator(start_at).first.evaluate(SCROLL_TO)
                target = OUT / f"{name}-{scheme}.png"
                page.screenshot(path=target)
                optimise(target)
                taken.append(target)
            visitor.close()
            owner.close()
        browser.close()
    return taken


def main() -> None:
    try:
        demo = build()
        site = Site()
        site.start()
        try:
            for path in photograph(site.url, demo):
                sys.stdout.write(f"{path.relative_to(ROOT)}  {path.stat().st_size // 1024} KB\n")
        finally:
            site.stop()
    finally:
        connections.close_all()
        shutil.rmtree(DATA, ignore_errors=True)


if __name__ == "__main__":
    main()
