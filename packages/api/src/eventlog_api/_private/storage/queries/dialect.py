"""The SQL differences the read side has to speak, one small object per database.

Timestamps travel as parameters in the form each driver compares correctly: wire text
on SQLite (stored as fixed-width UTC text, so text order is time order) and naive UTC
datetimes on PostgreSQL and SQL Server (sessions run in UTC).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from eventlog_schemas import TimeBucket, format_timestamp

from eventlog_api._private.settings import Dialect

_WORD: Final = re.compile(r"[^\W_]+", re.UNICODE)


def search_words(query: str) -> list[str]:
    """The words of a text query: runs of letters and digits, lower-cased, de-duplicated.

    Every dialect's index splits text the same way (see migration 0003), so a word of
    the query matches as a prefix of a word of the text.
    """
    seen: dict[str, None] = {}
    for word in _WORD.findall(query.lower()):
        seen.setdefault(word, None)
    return list(seen)


def like_pattern(text: str, *, spaces_match_any: bool = False) -> str:
    """A ``LIKE ... ESCAPE '\\'`` pattern matching ``text`` anywhere.

    With ``spaces_match_any`` a space matches any one character (so "order fulfilment"
    finds ``order_fulfilment``), like the established API did.
    """
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    if spaces_match_any:
        escaped = escaped.replace(" ", "_")
    return f"%{escaped}%"


@dataclass(frozen=True, slots=True)
class ReadDialect:
    """SQL fragments and value conversions for one database."""

    dialect: Dialect

    @property
    def sqlite(self) -> bool:
        return self.dialect is Dialect.SQLITE

    def ts(self, value: datetime) -> object:
        """A timestamp as a query parameter."""
        if self.dialect is Dialect.SQLITE:
            return format_timestamp(value)
        return value.astimezone(UTC).replace(tzinfo=None)

    @property
    def true(self) -> str:
        return "true" if self.dialect is Dialect.POSTGRESQL else "1"

    @property
    def false(self) -> str:
        return "false" if self.dialect is Dialect.POSTGRESQL else "0"

    def page(self, limit: int, offset: int) -> tuple[str, list[object]]:
        """The paging clause (after ORDER BY) and its parameters."""
        if self.dialect is Dialect.MSSQL:
            return " OFFSET ? ROWS FETCH NEXT ? ROWS ONLY", [offset, limit]
        return " LIMIT ? OFFSET ?", [limit, offset]

    def contains(self, column: str) -> str:
        """A case-insensitive ``LIKE`` (parameter: a ``like_pattern``)."""
        op = "ILIKE" if self.dialect is Dialect.POSTGRESQL else "LIKE"
        return f"{column} {op} ? ESCAPE '\\'"

    def millis_between(self, earlier: str, later: str) -> str:
        """Whole milliseconds from ``earlier`` to ``later`` (two timestamp expressions)."""
        if self.dialect is Dialect.SQLITE:
            return (
                f"CAST(ROUND((julianday({later}) - julianday({earlier})) * 86400000.0) AS INTEGER)"
            )
        if self.dialect is Dialect.POSTGRESQL:
            # date_part is double precision; EXTRACT is numeric since PostgreSQL 14 and
            # several times slower over a few thousand rows.
            return f"CAST(ROUND(date_part('epoch', {later} - {earlier}) * 1000) AS bigint)"
        return f"DATEDIFF_BIG(millisecond, {earlier}, {later})"

    @property
    def float_type(self) -> str:
        """The type name of a double-precision float."""
        return {Dialect.SQLITE: "REAL", Dialect.POSTGRESQL: "double precision"}.get(
            self.dialect, "float"
        )

    def param_ts(self) -> str:
        """A timestamp parameter usable inside expressions (``julianday(?)`` and the like)."""
        if self.dialect is Dialect.POSTGRESQL:
            return "CAST(? AS timestamptz)"
        if self.dialect is Dialect.MSSQL:
            return "CAST(? AS datetime2(3))"
        return "?"

    def bucket(self, column: str, bucket: TimeBucket) -> str:
        """The start of the hour or day ``column`` falls in."""
        if self.dialect is Dialect.SQLITE:
            if bucket is TimeBucket.HOUR:
                return f"substr({column}, 1, 13) || ':00:00.000Z'"
            return f"substr({column}, 1, 10) || 'T00:00:00.000Z'"
        if self.dialect is Dialect.POSTGRESQL:
            return f"date_trunc('{bucket.value}', {column}, 'UTC')"
        unit = "hour" if bucket is TimeBucket.HOUR else "day"
        return f"DATEADD({unit}, DATEDIFF({unit}, 0, {column}), 0)"

    def status_condition(self, status: str, alias: str = "t") -> str:
        """The rows of ``trace_summary`` whose derived status is ``status``.

        Written on the counters the generated ``derived_status`` is computed from: SQLite
        cannot read an index as covering when a query touches a generated column.
        """
        ended = f"{alias}.has_success_end = {self.true}"
        not_ended = f"{alias}.has_success_end = {self.false}"
        return {
            "SUCCESS": ended,
            "FAILURE": f"{not_ended} AND {alias}.failure_count > 0",
            "WARNING": f"{not_ended} AND {alias}.failure_count = 0 AND {alias}.warning_count > 0",
            "IN_PROGRESS": (
                f"{not_ended} AND {alias}.failure_count = 0 AND {alias}.warning_count = 0"
            ),
        }.get(status, "1 = 0")

    def status_expr(self, alias: str = "t") -> str:
        """The derived status computed from the counters (see ``status_condition``)."""
        return (
            f"CASE WHEN {alias}.has_success_end = {self.true} THEN 'SUCCESS' "
            f"WHEN {alias}.failure_count > 0 THEN 'FAILURE' "
            f"WHEN {alias}.warning_count > 0 THEN 'WARNING' ELSE 'IN_PROGRESS' END"
        )

    def no_index(self, expression: str) -> str:
        """``expression`` marked so that SQLite's planner does not drive a scan by it."""
        return f"+{expression}" if self.dialect is Dialect.SQLITE else expression

    def in_list(self, column: str, count: int) -> str:
        """``column IN (?, ?, ...)`` for ``count`` parameters."""
        return f"{column} IN ({', '.join('?' * count)})"


def read_dialect(dialect: Dialect) -> ReadDialect:
    """The read-side SQL of ``dialect``."""
    return ReadDialect(dialect)
