"""The targets of the issue "Fast at any size", each checked against a run's figures."""

KB = 1024

HEALTHZ_RATIO = 0.80
PUBLIC_RATIO = 0.50
PUBLIC_P99_MS = 100
RENDER_MS = 50
OWNER_GZ = 100 * KB
OWNER_RAW = 400 * KB
FIRST_LOAD_GZ = 100 * KB
WRITE_P99_MS = 100
WORKER_MB = 150


_MET = {
    "≥": lambda value, limit: value >= limit,
    "<": lambda value, limit: value < limit,
    "≤": lambda value, limit: value <= limit,
}


def _check(what: str, value: float, op: str, limit: float, unit: str = "") -> dict:
    met = _MET[op](value, limit)
    return {
        "target": what,
        "value": value,
        "op": op,
        "limit": limit,
        "unit": unit,
        "met": met,
        # How far past the limit, in the target's unit, and as a multiple of an upper limit.
        "missed_by": None if met else round(abs(value - limit), 2),
        "times_limit": None if met or op == "≥" or not limit else round(value / limit, 2),
    }


def check(pages: list[dict], mixed: dict, peak_mb: float) -> list[dict]:
    checks = []
    for page in pages:
        label = f"{page['name']} ({page['size']})"
        if page["name"] == "healthz":
            checks.append(_check(f"{label} throughput", page["ratio"], "≥", HEALTHZ_RATIO))
        if page["public"]:
            checks.append(_check(f"{label} throughput", page["ratio"], "≥", PUBLIC_RATIO))
            checks.append(_check(f"{label} p99", page["p99_ms"], "<", PUBLIC_P99_MS, "ms"))
        if page["size"] in {"large", "site"} and page["name"] != "healthz":
            checks.append(
                _check(f"{label} uncached render", page["render_ms"], "<", RENDER_MS, "ms")
            )
        if page["name"] == "roadmap, owner" and page["size"] == "large":
            checks.append(_check(f"{label} compressed", page["bytes_gz"], "<", OWNER_GZ, "B"))
            checks.append(_check(f"{label} raw", page["bytes"], "<", OWNER_RAW, "B"))
        if page["html"]:
            checks.append(
                _check(f"{label} first load", page["first_load_gz"], "<", FIRST_LOAD_GZ, "B")
            )
    errors = mixed["errors"] + mixed["read_errors"] + mixed["write_errors"]
    checks.append(_check("mixed run errors", errors, "≤", 0))
    checks.append(
        _check("mixed run status change p99", mixed["write_p99_ms"], "<", WRITE_P99_MS, "ms")
    )
    checks.append(_check("worker peak memory", peak_mb, "<", WORKER_MB, "MB"))
    return checks


def _amount(value: float, unit: str) -> str:
    if unit == "B":
        return f"{value / KB:.0f} KB"
    if unit:
        return f"{value:g} {unit}"
    return f"{value:g}"


def verdict(check: dict) -> str:
    unit = check["unit"]
    line = (
        f"{'met   ' if check['met'] else 'MISSED'} {check['target']}: "
        f"{_amount(check['value'], unit)} (target {check['op']} {_amount(check['limit'], unit)})"
    )
    if not check["met"]:
        line += f", by {_amount(check['missed_by'], unit)}"
        if check["times_limit"]:
            line += f" ({check['times_limit']:g}× the limit)"
    return line


COLUMNS = [
    ("page", "name", "{}"),
    ("size", "size", "{}"),
    ("req/s", "rps", "{:.0f}"),
    ("floor", "floor_rps", "{:.0f}"),
    ("ratio", "ratio", "{:.3f}"),
    ("p50 ms", "p50_ms", "{:.1f}"),
    ("p99 ms", "p99_ms", "{:.1f}"),
    ("err", "errors", "{}"),
    ("render ms", "render_ms", "{:.1f}"),
    ("cold ms", "cold_render_ms", "{:.1f}"),
    ("queries", "queries", "{}"),
    ("KB", "bytes", "{:.1f}"),
    ("KB gz", "bytes_gz", "{:.1f}"),
    ("1st load gz", "first_load_gz", "{:.1f}"),
    ("others", "others_cpu", "{:.0%}"),
]


def _cell(page: dict, key: str, form: str) -> str:
    value = page[key]
    if value is None:
        return "–"
    if key.startswith(("bytes", "first_load")):
        value /= KB
    return form.format(value)


def _line(cells: list[str], widths: list[int]) -> str:
    # Names to the left, numbers to the right.
    padded = (
        cell.ljust(width) if column < 2 else cell.rjust(width)
        for column, (cell, width) in enumerate(zip(cells, widths, strict=True))
    )
    return "| " + " | ".join(padded) + " |"


def table(pages: list[dict]) -> str:
    """A Markdown table: readable in a terminal, and pasted as it is into the docs."""
    heads = [head for head, _, _ in COLUMNS]
    rows = [[_cell(page, key, form) for _, key, form in COLUMNS] for page in pages]
    widths = [max(map(len, column)) for column in zip(heads, *rows, strict=True)]
    rule = "|" + "|".join("-" * (width + 2) for width in widths) + "|"
    return "\n".join([_line(heads, widths), rule, *(_line(row, widths) for row in rows)])
