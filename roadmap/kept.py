"""A roadmap's history kept in the process between requests, checked against its table on
every use, so an uncached dashboard reads only what changed since it last looked.

Three years of status changes are thousands of rows, and reading them was a third of an
uncached dashboard; the usual change between two reads is one row more. Each use asks the
table first, in one aggregate query, for the count, the sum and the largest of the rows'
ids and the latest time. The kept rows are used as they are when all four agree; when the
table has only gained rows after the kept ones (a status change), those are read and added;
anything else (an undo, a deletion, an import into the past, another database) reads the
whole again. Events are never edited in place, so rows that have lost or changed one do not
give the same four numbers back. Only rows read outside a transaction are kept: a row a
transaction wrote and then took back may have its id given again, to another row. Posts
read again are kept only where the four numbers, asked once more, are still those they were
read for (the dashboard asks for its ETag long before it reads them).

Nothing here is shared between processes: each worker keeps its own, which costs it a few
hundred kilobytes a roadmap, for the last KEEP roadmaps it was asked for.
"""

import threading
from collections import OrderedDict
from typing import NamedTuple

from django.db import connections
from django.db.models import Count, Max, Sum

from .stats import Event, PostRow

KEEP = 64  # a roadmap's events and its posts are two


class _Event(NamedTuple):
    """An Event as read, with the id that orders it and tells what was read already."""

    milestone_id: int
    from_status: str
    to_status: str
    at: object
    pk: int


class _Kept(NamedTuple):
    digest: tuple
    rows: list
    last: tuple  # events: (at, pk) of the newest row, where a row added after it goes


_kept: OrderedDict[tuple, _Kept] = OrderedDict()
_lock = threading.Lock()


def events_of(roadmap, read) -> list[Event]:
    """`roadmap`'s events, oldest first, from what this process kept where the table says it
    still holds. `read(queryset, make)` reads a queryset's rows as `make`s, a named tuple
    whose fields are the columns.

    The list is shared by every request that gets it: read it, never change it."""
    table = roadmap.events.order_by("at", "pk")
    if connections[table.db].in_atomic_block:
        return read(table, Event)
    digest = _events_digest(table.db, roadmap)
    key = ("events", table.db, roadmap.pk)
    kept = _recall(key)
    if kept is not None and kept.digest == digest:
        return _remember(key, kept).rows
    if kept is not None and kept.digest[0] and digest[0] > kept.digest[0]:
        added = read(table.filter(pk__gt=kept.digest[2]), _Event)
        grown = kept.digest[0] + len(added), kept.digest[1] + sum(row.pk for row in added)
        if added and grown == digest[:2] and (added[0].at, added[0].pk) >= kept.last:
            events = kept.rows + [Event(*row[:4]) for row in added]
            return _remember(key, _Kept(digest, events, (added[-1].at, added[-1].pk))).rows
    rows = read(table, _Event)
    events = [Event(*row[:4]) for row in rows]
    return _remember(key, _Kept(digest, events, (rows[-1].at, rows[-1].pk) if rows else ())).rows


def posts_of(roadmap, read, digest: tuple | None = None) -> list[PostRow]:
    """`roadmap`'s published posts, oldest first, as events_of reads events, but whole again
    after any change: publishing, editing (which moves the latest time a post was saved),
    unpublishing, deleting, or a scheduled post's time coming. `digest`: posts_digest(),
    where the caller has just read it for its own use."""
    posts = roadmap.posts.published().order_by("published_at", "pk")
    if connections[posts.db].in_atomic_block:
        return read(posts, PostRow)
    digest = digest or posts_digest(roadmap)
    key = ("posts", posts.db, roadmap.pk)
    kept = _recall(key)
    if kept is not None and kept.digest == digest:
        return _remember(key, kept).rows
    rows = read(posts, PostRow)
    # Kept only where nothing changed since the digest was read: rows newer than it would
    # be taken for it should the posts come back to it (one published, then deleted).
    if posts_digest(roadmap) == digest:
        _remember(key, _Kept(digest, rows, ()))
    return rows


def posts_digest(roadmap) -> tuple:
    """How many published posts `roadmap` has, the sum and the largest of their ids, and
    the latest time one was saved: what tells whether the kept ones still hold."""
    return _digest(roadmap.posts.published(), Max("updated_at"))


def _events_digest(using: str, roadmap) -> tuple:
    """_digest of the roadmap's events, the latest time read from the end of the index of
    (roadmap, time) rather than compared across every row; in SQL, as the ORM's building of
    this one query cost three times its running."""
    connection = connections[using]
    quote = connection.ops.quote_name
    model = roadmap.events.model
    table, of_roadmap = quote(model._meta.db_table), quote(model._meta.get_field("roadmap").column)
    pk, at = quote(model._meta.pk.column), quote(model._meta.get_field("at").column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*), SUM({pk}), MAX({pk}), (SELECT {at} FROM {table} "  # noqa: S608
            f"WHERE {of_roadmap} = %s ORDER BY {at} DESC LIMIT 1) FROM {table} "
            f"WHERE {of_roadmap} = %s",
            [roadmap.pk, roadmap.pk],
        )
        return tuple(cursor.fetchone())


def _digest(rows, latest) -> tuple:
    """How many rows, the sum and the largest of their ids, and `latest` of them."""
    return tuple(
        rows.order_by()
        .aggregate(count=Count("pk"), ids=Sum("pk"), newest=Max("pk"), latest=latest)
        .values()
    )


def _recall(key) -> "_Kept | None":
    with _lock:
        return _kept.get(key)


def _remember(key, kept: _Kept) -> _Kept:
    with _lock:
        _kept[key] = kept
        _kept.move_to_end(key)
        while len(_kept) > KEEP:
            _kept.popitem(last=False)
    return kept


def forget() -> None:
    """Drop everything kept (for the benchmark's renders from nothing, and tests)."""
    with _lock:
        _kept.clear()
