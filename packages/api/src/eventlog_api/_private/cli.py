"""The ``eventlog-api`` command: ``serve``, ``migrate``, ``check`` and ``seed``."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import signal
import sys
from collections.abc import Sequence
from typing import Any, Final

from hypercorn.asyncio import serve as hypercorn_serve
from hypercorn.config import Config
from hypercorn.run import run
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn

from eventlog_api._private.app import create_app
from eventlog_api._private.demo.command import add_seed_parser, seed_command
from eventlog_api._private.logging import configure_logging
from eventlog_api._private.settings import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    Dialect,
    Settings,
    SettingsError,
    load_settings,
)
from eventlog_api._private.storage.database import Database
from eventlog_api._private.storage.errors import DatabaseUnavailable
from eventlog_api._private.storage.migrations import Migration, migrate, pending_migrations
from eventlog_api._private.version import api_version

EXIT_USAGE: Final = 2
EXIT_UNAVAILABLE: Final = 1

_err = Console(stderr=True, soft_wrap=True, highlight=False)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="eventlog-api",
        description="Event Log Platform API. Settings come from EVENTLOG_* variables.",
    )
    parser.add_argument("--version", action="version", version=f"eventlog-api {api_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser("serve", help="serve the API with hypercorn")
    serve.add_argument(
        "--host", default=DEFAULT_HOST, help=f"bind address (default {DEFAULT_HOST})"
    )
    serve.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})"
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes (default 1; SQLite allows only 1)",
    )
    commands.add_parser("migrate", help="apply pending database migrations and exit")
    commands.add_parser("check", help="print the resolved settings and test the database")
    add_seed_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``eventlog-api`` command."""
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        _err.print(f"[red]error:[/red] {exc}")
        raise SystemExit(EXIT_USAGE) from None
    if args.command == "serve":
        raise SystemExit(serve(settings, host=args.host, port=args.port, workers=args.workers))
    if args.command == "seed":
        raise SystemExit(
            asyncio.run(
                seed_command(
                    settings, events=args.events, days=args.days, seed=args.seed, force=args.force
                )
            )
        )
    if args.command == "migrate":
        raise SystemExit(asyncio.run(migrate_command(settings)))
    raise SystemExit(asyncio.run(check_command(settings)))


def serve(settings: Settings, *, host: str, port: int, workers: int) -> int:
    """Run hypercorn until SIGTERM/SIGINT; returns the exit status."""
    if workers < 1:
        _err.print("[red]error:[/red] --workers must be at least 1")
        return EXIT_USAGE
    if workers > 1 and settings.database.dialect is Dialect.SQLITE:
        _err.print(
            "[red]error:[/red] --workers > 1 is not possible on SQLite: one process must own "
            "the database file (several writers would fight over its lock). Run one worker, "
            "or use PostgreSQL or SQL Server (EVENTLOG_DATABASE_URL) to scale out."
        )
        return EXIT_USAGE
    config = hypercorn_config(host, port)
    if workers > 1:
        config.workers = workers
        config.application_path = "eventlog_api._private.app:create_app_from_env()"
        return int(run(config))
    return asyncio.run(serve_app(create_app(settings), config))


def hypercorn_config(host: str, port: int) -> Config:
    """The hypercorn configuration ``serve`` uses."""
    config = Config()
    config.bind = [f"[{host}]:{port}" if ":" in host else f"{host}:{port}"]
    config.accesslog = None  # the request log middleware writes one line per request
    # Through the root logger, which configure_logging points at structlog's renderer.
    config.errorlog = logging.getLogger("hypercorn.error")
    config.graceful_timeout = 10.0
    config.keep_alive_timeout = 75.0
    config.backlog = 1024
    return config


async def serve_app(app: Any, config: Config) -> int:
    """Serve ``app`` in this process until SIGTERM or SIGINT."""
    # The app, its routes and the imported modules live as long as the process: moved
    # out of the collector's sight, a full collection no longer walks them all again.
    gc.freeze()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await hypercorn_serve(app, config, shutdown_trigger=stop.wait)
    return 0


async def migrate_command(settings: Settings) -> int:
    """Apply pending migrations with a progress bar."""
    configure_logging("console" if sys.stderr.isatty() else settings.log_format, "WARNING")
    if settings.database.sqlite_path is not None:
        settings.database.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    dialect = settings.database.dialect
    console = Console(soft_wrap=True, highlight=False)
    async with Database(
        settings.database, readers=1, writers=1, connect_timeout_s=settings.connect_timeout_s
    ) as database:
        try:
            pending = await database.read(lambda conn: pending_migrations(conn, dialect))
        except DatabaseUnavailable as exc:
            _err.print(f"[red]error:[/red] {exc}")
            return EXIT_UNAVAILABLE
        console.print(f"{settings.database.display}: {len(pending)} migration(s) pending")
        if not pending:
            return 0
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            console=console,
        ) as progress:
            task = progress.add_task("migrating", total=len(pending))

            def advance(migration: Migration) -> None:
                progress.update(
                    task, advance=1, description=f"{migration.version:04d} {migration.name}"
                )

            applied = await database.session(
                lambda conn: migrate(conn, dialect, on_applied=advance), bounded=False
            )
        console.print(f"applied {len(applied)} migration(s)")
    return 0


async def check_command(settings: Settings) -> int:
    """Print the settings and whether the database answers; exit 1 if it does not."""
    configure_logging("console", "WARNING")
    console = Console(soft_wrap=True, highlight=False)
    console.print(f"eventlog-api {api_version()}")
    for key, value in settings.describe().items():
        console.print(f"  {key:<22} {value}")
    async with Database(
        settings.database, readers=1, writers=1, connect_timeout_s=settings.connect_timeout_s
    ) as database:
        try:
            await database.ping(settings.ready_timeout_s)
            pending = await database.read(
                lambda conn: pending_migrations(conn, settings.database.dialect)
            )
        except DatabaseUnavailable as exc:
            console.print(f"  {'database':<22} [red]unreachable[/red]: {exc}")
            return EXIT_UNAVAILABLE
    console.print(f"  {'database':<22} [green]reachable[/green]")
    state = "up to date" if not pending else f"{len(pending)} migration(s) pending"
    console.print(f"  {'schema':<22} {state}")
    return 0
