"""Chart rows, the settings module and the launcher's command line."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import eventlog_dashboard
import pytest
from eventlog_dashboard import DashboardSettings
from eventlog_dashboard._private.api import error_text
from eventlog_dashboard._private.charts import (
    bucket_for,
    process_rows,
    series_rows,
    sla_rows,
    stats_window,
)
from eventlog_dashboard._private.cli import public_url, reflex_command, reflex_environment
from eventlog_dashboard._private.settings import APP_DIR, DEFAULT_API_URL
from eventlog_schemas import ChartPoint, ErrorResponse, ProcessStats, SlaCompliance, TimeBucket
from eventlog_sdk import EventLogApiError, EventLogConnectionError


def test_series_rows() -> None:
    point = ChartPoint(
        bucket_start="2026-02-26T14:00:00.000Z",
        trace_count=10,
        success_count=7,
        failure_count=2,
        warning_count=1,
        in_progress_count=0,
        error_trace_count=2,
        success_rate=80.0,
        p50_duration_ms=1500,
        p95_duration_ms=None,
    )
    (hourly,) = series_rows([point], TimeBucket.HOUR)
    assert hourly == {
        "label": "Feb 26 14:00",
        "traces": 10,
        "success": 7,
        "failure": 2,
        "warning": 1,
        "in_progress": 0,
        "success_rate": 80.0,
        "p50_s": 1.5,
        "p95_s": None,
    }
    assert series_rows([point], TimeBucket.DAY)[0]["label"] == "Feb 26"


def test_process_and_sla_rows() -> None:
    stats = ProcessStats(
        process_name="order_fulfilment",
        display_name=None,
        trace_count=5,
        success_count=4,
        failure_count=1,
        warning_count=0,
        in_progress_count=0,
        error_trace_count=1,
        success_rate=80.0,
        p50_duration_ms=900,
        p95_duration_ms=2000,
        sla_ms=None,
        within_sla=0,
        breached=0,
        open_past_sla=0,
        open_within_sla=0,
        sla_compliance_rate=None,
    )
    (row,) = process_rows([stats])
    assert (row["name"], row["success_rate_text"], row["sla"], row["sla_compliance_text"]) == (
        "Order fulfilment",
        "80 %",
        "No SLA",
        "—",
    )
    sla = SlaCompliance(
        process_name="kyc",
        display_name="KYC check",
        sla_ms=60_000,
        trace_count=4,
        within_sla=3,
        breached=1,
        open_past_sla=0,
        open_within_sla=0,
        compliance_rate=75.0,
    )
    assert sla_rows([sla])[0]["compliance_text"] == "75 %"


def test_stats_windows() -> None:
    now = datetime(2026, 2, 26, tzinfo=UTC)
    assert bucket_for(timedelta(hours=24)) is TimeBucket.HOUR
    assert bucket_for(timedelta(days=7)) is TimeBucket.DAY
    assert stats_window("24h", now) == (now - timedelta(hours=24), now, TimeBucket.HOUR)
    assert stats_window("bogus", now)[0] == now - timedelta(days=7)


def test_settings_from_env() -> None:
    assert DashboardSettings.from_env({}).api_url == DEFAULT_API_URL
    settings = DashboardSettings.from_env(
        {
            "EVENTLOG_DASHBOARD_API_URL": "http://10.0.0.5:9000/",
            "EVENTLOG_DASHBOARD_PORT": "3100",
            "EVENTLOG_DASHBOARD_WEB_DIR": "/tmp/x",
        }
    )
    assert (settings.api_url, settings.port, settings.web_dir) == (
        "http://10.0.0.5:9000",
        3100,
        Path("/tmp/x"),
    )
    assert DashboardSettings.from_env({}, port=4000).port == 4000
    with pytest.raises(ValueError, match="EVENTLOG_DASHBOARD_PORT"):
        DashboardSettings.from_env({"EVENTLOG_DASHBOARD_PORT": "99999"})
    with pytest.raises(ValueError, match="EVENTLOG_DASHBOARD_API_URL"):
        DashboardSettings.from_env({"EVENTLOG_DASHBOARD_API_URL": "ftp://x"})
    with pytest.raises(ValueError, match="page_size"):
        DashboardSettings(page_size=500)
    assert DashboardSettings.from_env(settings.to_env()) == settings


def test_launcher_command_and_environment(tmp_path: Path) -> None:
    settings = DashboardSettings(
        host="127.0.0.1", port=3456, api_url="http://127.0.0.1:1", web_dir=tmp_path
    )
    command = reflex_command(settings)
    assert command[:4] == [sys.executable, "-m", "reflex", "run"]
    assert command[command.index("--env") + 1] == "prod"
    assert command[command.index("--frontend-port") + 1] == "3456"
    env = reflex_environment(settings, base={})
    assert env["REFLEX_TELEMETRY_ENABLED"] == "false"
    assert env["REFLEX_CHECK_LATEST_VERSION"] == "false"
    assert env["REFLEX_API_URL"] == "http://127.0.0.1:3456"
    assert env["REFLEX_WEB_WORKDIR"] == str(tmp_path / "web")
    assert env["EVENTLOG_DASHBOARD_API_URL"] == "http://127.0.0.1:1"
    assert public_url(DashboardSettings(host="0.0.0.0", port=80)) == "http://localhost:80"
    behind = DashboardSettings.from_env({"EVENTLOG_DASHBOARD_PUBLIC_URL": "https://log.example/"})
    assert public_url(behind) == "https://log.example"
    assert (APP_DIR / "rxconfig.py").is_file()
    assert (APP_DIR / "reflex.lock" / "bun.lock").is_file()


def test_public_names() -> None:
    assert eventlog_dashboard.__all__ == ["DashboardSettings", "__version__", "main"]


def test_api_errors_in_one_sentence() -> None:

    refused = EventLogConnectionError("refused", method="GET", url="http://x/v1/traces", attempts=2)
    assert error_text(refused).endswith(
        "cannot be reached (no answer after 2 attempts). Is eventlog-api running?"
    )
    answered = EventLogApiError(
        status=400,
        error=ErrorResponse(error="Validation Error", message="bad pageSize"),
        method="GET",
        url="http://x/v1/traces",
    )
    assert error_text(answered) == "The API answered 400 Validation Error: bad pageSize"
    assert error_text(ValueError("boom")) == "Unexpected error: ValueError: boom"
