"""Extension points of the write path for derived data (rollups, counters).

The write path (owned by the ingestion side) calls these; the read side fills them in
when it maintains tables of its own. Keep every statement cheap: it runs inside the
group-commit transaction of every write.
"""

from __future__ import annotations

from dataclasses import dataclass

from eventlog_api._private.settings import Dialect


@dataclass(frozen=True, slots=True)
class WriteHooks:
    """Statements the write path runs for one dialect."""

    batch_statements: tuple[str, ...] = ()
    """Run after each group of events is inserted, in the same transaction, each with ONE
    parameter: a JSON array (text) of the ``execution_id`` values this transaction
    inserted (idempotent repeats are not in it). Skipped when nothing was inserted."""

    clear_tables: tuple[str, ...] = ()
    """Extra tables emptied by ``POST /v1/debug/events/clear``, in this order, in the
    same transaction as the events, links, definitions and trace summaries."""


def write_hooks(dialect: Dialect) -> WriteHooks:
    """The hooks for ``dialect`` (none yet)."""
    del dialect
    return WriteHooks()
