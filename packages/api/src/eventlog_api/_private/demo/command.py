"""``eventlog-api seed --events N [--days D] [--seed S] [--force]``.

Writes demo traffic into the database of ``EVENTLOG_DATABASE_URL`` (as ``serve`` uses
it), migrating it first. On a database that already holds events it says so and does
nothing, unless ``--force``. The interface is stable: ``make run`` calls it.
"""

from __future__ import annotations

import argparse
import sys
from typing import Final

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from eventlog_api._private.logging import configure_logging
from eventlog_api._private.settings import Settings
from eventlog_api._private.storage.errors import DatabaseUnavailable
from eventlog_api._private.storage.repository import Storage

from .seeding import database_has_events, seed_demo

DEFAULT_EVENTS: Final = 10_000
DEFAULT_DAYS: Final = 7.0
DEFAULT_SEED: Final = 1
EXIT_UNAVAILABLE: Final = 1


def add_seed_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the ``seed`` sub-command on the ``eventlog-api`` parser."""
    seed = commands.add_parser(
        "seed",
        help="write realistic demo events through the normal write path",
        description=(
            "Write synthetic but plausible traffic (several processes with definitions and "
            "SLAs, retries, failures, parallel steps, batches, late account links) into the "
            "database of EVENTLOG_DATABASE_URL. Does nothing on a database that already "
            "holds events, unless --force."
        ),
    )
    seed.add_argument(
        "--events",
        type=_positive_int,
        default=DEFAULT_EVENTS,
        help=f"how many events (default {DEFAULT_EVENTS:,})",
    )
    seed.add_argument(
        "--days",
        type=_positive_float,
        default=DEFAULT_DAYS,
        help=f"spread them over this many days up to now (default {DEFAULT_DAYS:g})",
    )
    seed.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        help=f"random seed: the same seed gives the same traffic (default {DEFAULT_SEED})",
    )
    seed.add_argument(
        "--force", action="store_true", help="add the events even if the database has some"
    )


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be positive")
    return value


async def seed_command(
    settings: Settings, *, events: int, days: float, seed: int, force: bool
) -> int:
    """Run the seed with a progress bar; returns the exit status."""
    configure_logging("console" if sys.stderr.isatty() else settings.log_format, "WARNING")
    console = Console()
    storage = Storage(settings)
    try:
        await storage.open(migrate_now=False)
        await storage.migrate()
    except DatabaseUnavailable as exc:
        Console(stderr=True).print(f"[red]error:[/red] {exc}")
        await storage.close()
        return EXIT_UNAVAILABLE
    try:
        if not force and await database_has_events(storage):
            console.print(
                "database not empty, skipping (it already holds events; --force adds anyway)"
            )
            return 0
        with Progress(
            TextColumn("[bold]seeding[/bold] {task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        ) as bar:
            task = bar.add_task(settings.database.display, total=events)
            try:
                report = await seed_demo(
                    storage,
                    events=events,
                    days=days,
                    seed=seed,
                    force=force,
                    progress=lambda n: bar.advance(task, n),
                )
            except DatabaseUnavailable as exc:
                done = int(bar.tasks[0].completed)
                bar.stop()
                Console(stderr=True).print(
                    f"[red]error:[/red] the database went away after {done:,} events were "
                    f"committed (they stay; --force adds more): {exc}"
                )
                return EXIT_UNAVAILABLE
            if report.skipped:
                bar.update(task, visible=False)
    finally:
        await storage.close()
    if report.skipped:
        console.print("database not empty, skipping (it already holds events; --force adds anyway)")
        return 0
    console.print(
        f"seeded {report.events:,} events in {report.traces:,} traces, "
        f"{report.links:,} correlation links, {report.processes_created} process definitions "
        f"in {report.seconds:.1f} s ({report.events_per_second:,.0f} events/s)"
    )
    for note in report.notes:
        console.print(f"  note: {note}")
    return 0
