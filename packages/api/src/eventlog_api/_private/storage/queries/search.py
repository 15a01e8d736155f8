"""Full-text search over summary, result and error message.

Every word of the query must occur (AND), each as the prefix of a word of the text.
SQLite: the FTS5 table of migration 0001; PostgreSQL: the GIN index of the narrow
``event_search`` table (words split like FTS5 does, migrations 0003 and 0010); SQL
Server: full-text ``CONTAINS`` when the full-text feature is installed, ``LIKE``
otherwise (substring, so a little wider).
Results come newest first.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime

import pyodbc
from eventlog_schemas import EventLogRecord

from eventlog_api._private.settings import Dialect

from .dialect import ReadDialect, like_pattern, search_words
from .events import PageRequest
from .records import record_columns, to_record

_COLS = record_columns("e")
DENSE_MATCHES = 2000
"""Above this many matches (SQLite), a page is read along the time index."""
RARE_WORD = 0.01
"""PostgreSQL: a word in at most this share of the events drives the GIN scan."""
_STATS_TTL_S = 300.0


@dataclass(frozen=True, slots=True)
class SearchFilter:
    """A validated text search."""

    query: str
    account_id: str | None = None
    process_name: str | None = None
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True, slots=True)
class SearchResult:
    """One page of matches and the total."""

    events: list[EventLogRecord]
    total_count: int


def _match(conn: pyodbc.Connection, d: ReadDialect, words: list[str]) -> tuple[str, list[object]]:
    if d.dialect is Dialect.SQLITE:
        # Each word quoted (FTS5 syntax characters lose their meaning) and made a prefix.
        expression = " AND ".join(f'"{word}"*' for word in words)
        return (
            "e.event_log_id IN (SELECT rowid FROM event_log_fts WHERE event_log_fts MATCH ?)",
            [expression],
        )
    if _has_fulltext(conn):
        expression = " AND ".join(f'"{word}*"' for word in words)
        return "CONTAINS((e.summary, e.result, e.error_message), ?)", [expression]
    parts: list[str] = []
    params: list[object] = []
    for word in words:
        parts.append(
            "(e.summary LIKE ? ESCAPE '\\' OR e.result LIKE ? ESCAPE '\\' "
            "OR e.error_message LIKE ? ESCAPE '\\')"
        )
        pattern = like_pattern(word)
        params.extend([pattern, pattern, pattern])
    return " AND ".join(parts), params


class _LexemeStats:
    """The most common words of ``event_search`` and their shares of the events
    (ANALYZE's statistics, read again every few minutes, for the database last asked:
    they only choose between plans that give the same result)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._read_at = float("-inf")
        self._shares: list[tuple[str, float]] = []

    def shares(self, conn: pyodbc.Connection) -> list[tuple[str, float]]:
        with self._lock:
            if time.monotonic() - self._read_at < _STATS_TTL_S:
                return self._shares
        rows = conn.execute(
            "SELECT u.lexeme, u.share FROM pg_stats s, unnest("
            "CAST(CAST(s.most_common_elems AS text) AS text[]), s.most_common_elem_freqs"
            ") AS u(lexeme, share) WHERE s.schemaname = current_schema() "
            "AND s.tablename = 'event_search' AND s.attname = 'search_vector' "
            "AND u.lexeme IS NOT NULL"
        ).fetchall()
        shares = [(str(row[0]), float(row[1])) for row in rows]
        with self._lock:
            self._shares, self._read_at = shares, time.monotonic()
        return shares


_LEXEMES = _LexemeStats()


def _driving_words(conn: pyodbc.Connection, words: list[str]) -> list[str]:
    """The words whose GIN postings the search starts from: every rare word, or the
    rarest one when all are common.

    A word's share is at least that of the common lexemes it is a prefix of; a word
    with none among them is rarer than every common lexeme. The result is the same
    whichever words drive (the others are checked on the rows found); only the cost
    differs.
    """
    if len(words) == 1:
        return words
    shares = _LEXEMES.shares(conn)
    share = {w: sum(s for lexeme, s in shares if lexeme.startswith(w)) for w in words}
    rare = [w for w in words if share[w] <= RARE_WORD]
    return rare or [min(words, key=lambda w: share[w])]


def _has_fulltext(conn: pyodbc.Connection) -> bool:
    # A catalog lookup, cheap enough to ask every time (installations differ).
    row = conn.execute(
        "SELECT CASE WHEN EXISTS (SELECT 1 FROM sys.fulltext_indexes "
        "WHERE object_id = OBJECT_ID('event_log')) THEN 1 ELSE 0 END"
    ).fetchone()
    return bool(row and row[0])


def search_events(
    conn: pyodbc.Connection, d: ReadDialect, f: SearchFilter, page: PageRequest
) -> SearchResult:
    """A page of the events matching every word of the query, newest first."""
    words = search_words(f.query)
    if not words:
        # Only punctuation: no word can match.
        return SearchResult(events=[], total_count=0)
    if d.dialect is Dialect.POSTGRESQL:
        return _search_postgresql(conn, d, words, f, page)
    match, params = _match(conn, d, words)
    where = [match]
    if f.account_id is not None:
        where.append("e.account_id = ?")
        params.append(f.account_id)
    if f.process_name is not None:
        where.append("e.process_name = ?")
        params.append(f.process_name)
    if f.start is not None:
        where.append("e.event_timestamp >= ?")
        params.append(d.ts(f.start))
    if f.end is not None:
        where.append("e.event_timestamp <= ?")
        params.append(d.ts(f.end))
    sql_where = " AND ".join(where)
    if d.dialect is Dialect.SQLITE and len(where) == 1:
        # No other filter: count in the full-text index alone (looking every match up in
        # event_log cost four times as much).
        count_sql = "SELECT COUNT(*) FROM event_log_fts WHERE event_log_fts MATCH ?"
    else:
        count_sql = f"SELECT COUNT(*) FROM event_log e WHERE {sql_where}"
    row = conn.execute(count_sql, *params).fetchone()
    total = int(row[0]) if row else 0
    if total == 0 or page.offset >= total:
        return SearchResult(events=[], total_count=total)
    clause, extra = d.page(page.page_size, page.offset)
    source = "event_log e"
    if d.dialect is Dialect.SQLITE and total > DENSE_MATCHES and f.account_id is None:
        # Many matches: walk the time index newest first and keep the matching rows (a
        # page needs a few hundred index steps), instead of fetching and sorting every
        # match. Few matches: fetch them by rowid from the full-text index and sort.
        source = "event_log e INDEXED BY ix_event_log_timestamp"
    rows = conn.execute(
        f"SELECT {_COLS} FROM {source} WHERE {sql_where} "
        f"ORDER BY e.event_timestamp DESC, e.event_log_id DESC{clause}",
        *params,
        *extra,
    ).fetchall()
    return SearchResult(events=[to_record(r) for r in rows], total_count=total)


def _prefixes(words: list[str]) -> str:
    # Words are letters and digits only, so they need no quoting inside to_tsquery.
    return " & ".join(f"{word}:*" for word in words)


def _search_postgresql(
    conn: pyodbc.Connection, d: ReadDialect, words: list[str], f: SearchFilter, page: PageRequest
) -> SearchResult:
    # The words live in event_search (migration 0010), a narrow row per event: the GIN
    # scan's recheck visits every match's row, and those are ~140 bytes there instead of
    # event_log's wide rows. The rare words drive the GIN scan; the common ones are
    # checked on the rows found, through the function form of @@, which is not an index
    # condition (a prefix such as card:* unions 200k postings before any AND).
    driving = _driving_words(conn, words)
    where = ["s.search_vector @@ to_tsquery('simple', ?)"]
    params: list[object] = [_prefixes(driving)]
    others = [word for word in words if word not in driving]
    if others:
        # A scalar subquery: the query is built once, not once per row.
        where.append("ts_match_vq(s.search_vector, (SELECT to_tsquery('simple', ?)))")
        params.append(_prefixes(others))
    source = "event_search s"
    if f.account_id is not None or f.process_name is not None:
        source += " JOIN event_log e ON e.event_log_id = s.event_log_id"
        if f.account_id is not None:
            where.append("e.account_id = ?")
            params.append(f.account_id)
        if f.process_name is not None:
            where.append("e.process_name = ?")
            params.append(f.process_name)
    if f.start is not None:
        where.append("s.event_timestamp >= ?")
        params.append(d.ts(f.start))
    if f.end is not None:
        where.append("s.event_timestamp <= ?")
        params.append(d.ts(f.end))
    # One pass over the matches for both the count and the page: their (id, time) are
    # collected once, counted, and the page's ids taken from them before the page's rows
    # are read by primary key. The planner's estimates for prefix queries are far off
    # (hundreds for tens of thousands), so the shape is fixed rather than left to it.
    # With no row on the page (none match, or a page past the end) the outer join still
    # yields the one row carrying the total.
    rows = conn.execute(
        "WITH m AS MATERIALIZED ("
        f"SELECT s.event_log_id, s.event_timestamp FROM {source} WHERE {' AND '.join(where)}"
        "), p AS ("
        "SELECT event_log_id, event_timestamp FROM m "
        "ORDER BY event_timestamp DESC, event_log_id DESC LIMIT ? OFFSET ?"
        f") SELECT {_COLS}, t.total FROM (SELECT count(*) AS total FROM m) t "
        "LEFT JOIN (p JOIN event_log e ON e.event_log_id = p.event_log_id) ON true "
        "ORDER BY p.event_timestamp DESC, p.event_log_id DESC",
        *params,
        page.page_size,
        page.offset,
    ).fetchall()
    total = int(rows[0][-1]) if rows else 0
    events = [to_record(r) for r in rows if r[0] is not None]
    return SearchResult(events=events, total_count=total)
