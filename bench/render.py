"""Every page rendered in this process with nothing cached: its time, its queries, its weight.

bench.run calls main() through `manage.py shell -c` with the production settings the server
uses, after writing pages.json into the data folder; the figures go to render.json beside it.
"""

import gzip
import json
import re
import statistics
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import close_old_connections, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from roadmap import kept

RENDERS = 30
COLD_RENDERS = 10
# What a browser fetches before it can show the page: the stylesheets and the scripts.
ASSET = re.compile(r'(?:src|href)="(/static/[^"]+\.(?:css|js))"')


def gzipped_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def assets_size(html: str, known: dict[str, int]) -> int:
    """The compressed size of the page's stylesheets and scripts, as collectstatic wrote them."""
    total = 0
    for url in set(ASSET.findall(html)):
        if url not in known:
            known[url] = gzipped_size(
                (settings.STATIC_ROOT / url.removeprefix(settings.STATIC_URL)).read_bytes()
            )
        total += known[url]
    return total


def rendered(client: Client, path: str, *, cold: bool) -> float:
    """Seconds to answer `path` with no page cached, as after a change; `cold`: nor any
    history kept (roadmap.kept), as a worker's first request for the roadmap."""
    cache.clear()
    if cold:
        kept.forget()
    # The test client keeps the database connection between requests; a server closes it
    # at the end of each unless CONN_MAX_AGE says otherwise, and the next one pays to open it.
    close_old_connections()
    began = time.perf_counter()
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")
    return time.perf_counter() - began


def measure(client: Client, path: str, assets: dict[str, int]) -> dict:
    cold = [rendered(client, path, cold=True) for _ in range(COLD_RENDERS)]
    times = [rendered(client, path, cold=False) for _ in range(RENDERS)]
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    body = response.content
    page_gz = gzipped_size(body)
    html = response["Content-Type"].startswith("text/html")
    return {
        "html": html,
        "render_ms": round(statistics.median(times) * 1000, 1),
        "cold_render_ms": round(statistics.median(cold) * 1000, 1),
        "queries": len(queries),
        "bytes": len(body),
        "bytes_gz": page_gz,
        # What a browser downloads to show the page; a feed or a badge is no page to load.
        "first_load_gz": page_gz + assets_size(body.decode(), assets) if html else None,
    }


def main() -> None:
    pages = json.loads((settings.DATA_DIR / "pages.json").read_text())
    # The address and scheme the server sees behind its proxy, so no redirect is measured.
    headers = {"HTTP_HOST": "localhost", "HTTP_X_FORWARDED_PROTO": "https"}
    clients = {None: Client(**headers)}
    assets: dict[str, int] = {}
    results = {}
    for page in pages:
        user = page["user"]
        if user not in clients:
            clients[user] = Client(**headers)
            clients[user].force_login(get_user_model().objects.get(username=user))
        results[page["id"]] = measure(clients[user], page["path"], assets)
    (settings.DATA_DIR / "render.json").write_text(json.dumps(results, indent=1))
