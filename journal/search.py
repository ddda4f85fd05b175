# ruff: noqa: S608 (the SQL here is put together from this module's own names and constants;
# every value a visitor sends is passed as a parameter)
"""Site search: posts, and the roadmaps' stages, topics and milestones, in one ranked list.

`search()` is the one entry point, on SQLite (FTS5, ranked by bm25) and on PostgreSQL
(tsvector, ranked by ts_rank) alike. It reads the index that journal/search_index.py keeps.
A post is found by its own words, by its kind, and through the topics it is tied to.
"""

import re
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Prefetch, Q
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from roadmap.models import Milestone, Roadmap, Stage, Topic

from .models import Post
from .search_index import sqlite_rowid

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
# A post found through a tied topic ranks below one whose own words match equally well.
TIED_TOPIC_WEIGHT = 0.5
# Around matched words in the text the database hands back; turned into <mark> after escaping.
START, STOP = "\x02", "\x03"
KIND_LABELS = {"stage": "Stage", "topic": "Topic", "milestone": "Milestone"}


@dataclass(frozen=True)
class Crumb:
    title: str
    url: str


@dataclass(frozen=True)
class SearchResult:
    kind: str
    kind_label: str
    # Safe HTML: the text escaped, the matched words in <mark>.
    title: SafeString
    url: str
    # Where it is: the roadmap, then the stage and the topic, as far as they apply.
    place: tuple[Crumb, ...]
    snippet: SafeString
    rank: float
    # For the author's own posts that a visitor cannot see yet: "Draft" or "Scheduled".
    note: str = ""


@dataclass(frozen=True)
class SearchResults:
    query: str
    results: list[SearchResult] = field(default_factory=list)
    total: int = 0
    # Why nothing was searched, or what was left out of the search.
    message: str = ""
    # The query was run (it had words to look for).
    searched: bool = False
    # The query itself was refused (too long), rather than found nothing.
    refused: bool = False


def search_terms(query: str) -> list[str]:
    """The words of `query`: letters and digits only, so nothing in it is query syntax."""
    return re.findall(r"[^\W_]+", query)


def search(query: str, user, *, limit: int = 20) -> SearchResults:
    """What `user` may see that matches every word of `query` (each word as a prefix).

    Best first. A visitor finds published posts and the items of public roadmaps; a learner
    finds their own drafts, scheduled posts and every roadmap of theirs as well.
    """
    query = query.strip()
    if len(query) > MAX_QUERY_LENGTH:
        return SearchResults(
            query[:MAX_QUERY_LENGTH],
            message=f"That search is {len(query)} characters long: use at most {MAX_QUERY_LENGTH}.",
            refused=True,
        )
    terms = search_terms(query)
    if not terms:
        message = "Type a word to search for." if query else ""
        return SearchResults(query, message=message)
    message = ""
    if len(terms) > MAX_TERMS:
        terms = terms[:MAX_TERMS]
        message = f"Searched for the first {MAX_TERMS} words only."
    backend = _BACKENDS[connection.vendor]
    ranked = backend.ranked(terms, user, limit)
    if not ranked:
        return SearchResults(query, message=message, searched=True)
    total = ranked[0][3]
    marked = backend.marked(terms, [(kind, pk) for kind, pk, _, _ in ranked])
    rows = _load(ranked)
    results = []
    for kind, pk, score, _ in ranked:
        row = rows[kind].get(pk)
        if row is not None:
            title, snippet = marked.get((kind, pk), (None, None))
            results.append(_result(kind, row, score, title, snippet))
    return SearchResults(query, results, total, message, searched=True)


def _sql(queryset) -> tuple[str, tuple]:
    return queryset.order_by().values("pk").query.sql_with_params()


def _visible(user) -> tuple[str, list, str, list]:
    """SQL for the posts and the roadmaps a search by `user` may show, with their params."""
    posts = Post.objects.listed()
    roadmaps = Roadmap.objects.listed()
    if user.is_authenticated:
        posts = Post.objects.filter(Q(pk__in=posts.values("pk")) | Q(author=user))
        roadmaps = Roadmap.objects.filter(Q(pk__in=roadmaps.values("pk")) | Q(owner=user))
    posts_sql, posts_params = _sql(posts)
    roadmaps_sql, roadmaps_params = _sql(roadmaps)
    return posts_sql, list(posts_params), roadmaps_sql, list(roadmaps_params)


def _ranked_sql(hits_sql: str, user, limit: int) -> tuple[str, list]:
    """Around `hits_sql` (kind, object_id, roadmap_id, score): what may be shown, best first.

    Each row comes back with the number of rows in all, so a page needs one query for both.
    """
    posts, posts_params, roadmaps, roadmaps_params = _visible(user)
    sql = f"""
        WITH hit AS ({hits_sql}),
        found AS (
            SELECT kind, object_id, score FROM hit
            WHERE (kind = 'post' AND object_id IN ({posts}))
               OR (kind <> 'post' AND roadmap_id IN ({roadmaps}))
            UNION ALL
            SELECT 'post', tie.post_id, hit.score * %s FROM hit
            JOIN journal_post_topics tie ON tie.topic_id = hit.object_id
            WHERE hit.kind = 'topic' AND hit.roadmap_id IN ({roadmaps})
              AND tie.post_id IN ({posts})
        ),
        best AS (SELECT kind, object_id, MAX(score) AS score FROM found GROUP BY kind, object_id)
        SELECT kind, object_id, score, COUNT(*) OVER () FROM best
        ORDER BY score DESC, kind, object_id
        LIMIT %s
    """
    params = [*posts_params, *roadmaps_params, TIED_TOPIC_WEIGHT]
    params += [*roadmaps_params, *posts_params, limit]
    return sql, params


class _SQLite:
    @staticmethod
    def match(terms: list[str]) -> str:
        # Each word quoted, so FTS5 reads no operator in it, and a prefix: "transf" finds
        # "transformers" while it is being typed.
        return " ".join(f'"{term}"*' for term in terms)

    def ranked(self, terms, user, limit):
        # bm25 is lower for a better match; weights: title 10, text 1, kind of post 4.
        hits = (
            "SELECT kind, object_id, roadmap_id, -bm25(journal_search, 10.0, 1.0, 4.0) AS score "
            "FROM journal_search WHERE journal_search MATCH %s"
        )
        sql, params = _ranked_sql(hits, user, limit)
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.match(terms), *params])
            return cursor.fetchall()

    def marked(self, terms, keys):
        rowids = [sqlite_rowid(kind, pk) for kind, pk in keys]
        sql = (
            "SELECT kind, object_id, highlight(journal_search, 0, %s, %s), "
            "snippet(journal_search, 1, %s, %s, '…', 24) "
            "FROM journal_search WHERE journal_search MATCH %s "
            f"AND rowid IN ({', '.join(['%s'] * len(rowids))})"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [START, STOP, START, STOP, self.match(terms), *rowids])
            return {(kind, pk): (title, snippet) for kind, pk, title, snippet in cursor}


class _PostgreSQL:
    @staticmethod
    def match(terms: list[str]) -> str:
        # Each word quoted, so to_tsquery reads no operator in it, and a prefix (:*).
        return " & ".join(f"'{term}':*" for term in terms)

    def ranked(self, terms, user, limit):
        hits = (
            "SELECT kind, object_id, roadmap_id, ts_rank(document, query) AS score "
            "FROM journal_search, to_tsquery('english', %s) AS query WHERE document @@ query"
        )
        sql, params = _ranked_sql(hits, user, limit)
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.match(terms), *params])
            return cursor.fetchall()

    def marked(self, terms, keys):
        options = f"StartSel={START}, StopSel={STOP}"
        sql = (
            "SELECT kind, object_id, ts_headline('english', title, query, %s), "
            "ts_headline('english', body, query, %s) "
            "FROM journal_search, to_tsquery('english', %s) AS query "
            f"WHERE (kind, object_id) IN ({', '.join(['(%s, %s)'] * len(keys))})"
        )
        params = [
            f"{options}, HighlightAll=true",
            f'{options}, MaxWords=24, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "',
            self.match(terms),
            *(value for key in keys for value in key),
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return {(kind, pk): (title, snippet) for kind, pk, title, snippet in cursor}


_BACKENDS = {"sqlite": _SQLite(), "postgresql": _PostgreSQL()}


def _load(ranked) -> dict[str, dict]:
    """The rows behind the results, with what their places and addresses need: one query a
    kind that was found (two for posts, with their topics)."""
    ids: dict[str, list[int]] = {}
    for kind, pk, _, _ in ranked:
        ids.setdefault(kind, []).append(pk)
    querysets = {
        "post": Post.objects.defer("body", "body_html")
        .select_related("roadmap")
        .prefetch_related(Prefetch("topics", queryset=Topic.objects.select_related("stage"))),
        "stage": Stage.objects.select_related("roadmap"),
        "topic": Topic.objects.select_related("roadmap", "stage"),
        "milestone": Milestone.objects.select_related("roadmap", "topic__stage"),
    }
    return {kind: querysets[kind].in_bulk(pks) for kind, pks in ids.items()}


def _marked(text: str) -> SafeString:
    """`text` escaped, with the stretches the database marked in <mark>; always balanced."""
    stretches, inside = [], False
    for part in re.split(f"([{START}{STOP}])", text):
        if part in (START, STOP):
            inside = part == START
        elif part:
            stretches.append(format_html("<mark>{}</mark>", part) if inside else escape(part))
    return format_html_join("", "{}", ((stretch,) for stretch in stretches))


def _plain(text: str, words: int = 30) -> SafeString:
    return escape(Truncator(text.replace(START, "").replace(STOP, "")).words(words))


def _roadmap_crumb(roadmap: Roadmap) -> Crumb:
    return Crumb(roadmap.title, roadmap.get_absolute_url())


def _stage_crumb(stage: Stage, roadmap: Roadmap) -> Crumb:
    return Crumb(stage.title, f"{roadmap.get_absolute_url()}#{stage.anchor}")


def _topic_crumb(topic: Topic, post: Post) -> Crumb:
    topic.roadmap = post.roadmap
    return Crumb(topic.title, topic.get_absolute_url())


def _result(kind, row, score, title, snippet) -> SearchResult:
    """One result: its title and snippet as the database marked them, its place and address."""
    note = ""
    if kind == "post":
        place = [_roadmap_crumb(row.roadmap)]
        topics = list(row.topics.all())
        if topics:
            place += [_stage_crumb(topics[0].stage, row.roadmap), _topic_crumb(topics[0], row)]
        if not row.is_public:
            note = "Scheduled" if row.is_scheduled else "Draft"
        label, url, fallback = row.get_kind_display(), row.get_absolute_url(), row.excerpt
    elif kind == "stage":
        place = [_roadmap_crumb(row.roadmap)]
        label, url, fallback = KIND_LABELS[kind], _stage_crumb(row, row.roadmap).url, row.summary
    elif kind == "topic":
        place = [_roadmap_crumb(row.roadmap), _stage_crumb(row.stage, row.roadmap)]
        label, url, fallback = KIND_LABELS[kind], row.get_absolute_url(), row.summary
    else:
        topic = row.topic
        topic.roadmap = row.roadmap
        place = [
            _roadmap_crumb(row.roadmap),
            _stage_crumb(topic.stage, row.roadmap),
            Crumb(topic.title, topic.get_absolute_url()),
        ]
        label, url, fallback = KIND_LABELS[kind], row.get_absolute_url(), row.description
    return SearchResult(
        kind=kind,
        kind_label=label,
        title=_marked(title) if title else escape(row.title),
        url=url,
        place=tuple(place),
        # Where the text holds no match, its start says less than the excerpt or summary.
        snippet=_marked(snippet) if snippet and START in snippet else _plain(fallback),
        rank=float(score),
        note=note,
    )
