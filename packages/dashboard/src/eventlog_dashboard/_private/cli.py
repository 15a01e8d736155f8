"""``eventlog-dashboard serve``: build the frontend and serve the app in Reflex's prod mode.

Prod mode serves the frontend and the state websocket on one port and rebuilds the
frontend at each start. The ports and the build folder are chosen here, so several
dashboards (``make run`` and a browser test session, say) never share a build.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from .settings import APP_DIR, REFLEX_OFFLINE_ENV, DashboardSettings

_WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})


def public_url(settings: DashboardSettings) -> str:
    """The URL browsers open (and where the frontend calls its state websocket)."""
    if settings.public_url:
        return settings.public_url
    host = "localhost" if settings.host in _WILDCARD_HOSTS else settings.host
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    return f"http://{host}:{settings.port}"


def reflex_command(settings: DashboardSettings) -> list[str]:
    """The ``reflex run`` command line that serves ``settings``' dashboard in prod mode."""
    return [
        sys.executable,
        "-m",
        "reflex",
        "run",
        "--env",
        "prod",
        "--single-port",
        "--frontend-port",
        str(settings.port),
        "--backend-host",
        settings.host,
    ]


def reflex_environment(
    settings: DashboardSettings, base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The environment of the ``reflex run`` child: offline-safe, settings passed on."""
    env = dict(os.environ if base is None else base)
    env.update(REFLEX_OFFLINE_ENV)
    env.update(settings.to_env())
    # The frontend build bakes in the URL of the state websocket: make it the address
    # the server really listens on (Reflex would write "localhost").
    url = public_url(settings)
    env["REFLEX_API_URL"] = url
    env["REFLEX_DEPLOY_URL"] = url
    if settings.web_dir is not None:
        env["REFLEX_WEB_WORKDIR"] = str(settings.web_dir / "web")
        env["REFLEX_STATES_WORKDIR"] = str(settings.web_dir / "states")
    return env


def _check_app_dir(app_dir: Path) -> None:
    if not (app_dir / "rxconfig.py").is_file():
        raise SystemExit(
            f"error: no rxconfig.py in {app_dir}: the dashboard runs from a source checkout "
            "of the Event Log Platform (packages/dashboard)"
        )


def _check_bun(settings: DashboardSettings) -> None:
    if not os.access(settings.bun_path, os.X_OK):
        raise SystemExit(
            f"error: bun not found at {settings.bun_path}; run `make browser-deps` "
            "(it installs bun from the npm registry) or set EVENTLOG_DASHBOARD_BUN"
        )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="eventlog-dashboard", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="build the frontend and serve the dashboard")
    serve.add_argument("--host", help="address to listen on (EVENTLOG_DASHBOARD_HOST)")
    serve.add_argument("--port", type=int, help="port to listen on (EVENTLOG_DASHBOARD_PORT)")
    serve.add_argument("--api-url", help="the Event Log API (EVENTLOG_DASHBOARD_API_URL)")
    serve.add_argument(
        "--web-dir",
        type=Path,
        help="build folder of this server (EVENTLOG_DASHBOARD_WEB_DIR; default: the app's .web)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``eventlog-dashboard`` command."""
    args = _parser().parse_args(argv)
    overrides = {
        name: value
        for name, value in (
            ("host", args.host),
            ("port", args.port),
            ("api_url", args.api_url.rstrip("/") if args.api_url else None),
            ("web_dir", args.web_dir.resolve() if args.web_dir else None),
        )
        if value is not None
    }
    try:
        settings = DashboardSettings.from_env(**overrides)
    except ValueError as exc:
        raise SystemExit(f"error: {exc}") from None
    _check_app_dir(APP_DIR)
    _check_bun(settings)
    command = reflex_command(settings)
    env = reflex_environment(settings)
    os.chdir(APP_DIR)
    sys.stdout.flush()
    # exec: Ctrl-C and SIGTERM reach Reflex (and its server workers) directly.
    os.execve(command[0], command, env)
