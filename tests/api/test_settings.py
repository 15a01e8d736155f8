"""EVENTLOG_* settings: database URLs of every kind, defaults, and refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
from eventlog_api import Dialect, SettingsError, load_settings
from eventlog_api._private.settings import parse_odbc_string


def odbc(url: str) -> dict[str, str]:
    return parse_odbc_string(load_settings({"EVENTLOG_DATABASE_URL": url}).database.odbc)


def test_defaults_use_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    settings = load_settings({"EVENTLOG_DATA_DIR": str(tmp_path)})
    assert settings.database.dialect is Dialect.SQLITE
    assert settings.database.sqlite_path == tmp_path / "eventlog.db"
    assert settings.max_body_bytes == 1024 * 1024
    assert settings.allow_purge is True
    assert settings.writers == 1
    default = load_settings({})
    assert default.database.sqlite_path == (Path("data") / "eventlog.db").absolute()


def test_sqlite_urls() -> None:
    absolute = load_settings({"EVENTLOG_DATABASE_URL": "sqlite:////var/lib/ev/e.db"})
    assert absolute.database.sqlite_path == Path("/var/lib/ev/e.db")
    options = parse_odbc_string(absolute.database.odbc)
    assert options["Driver"] == "SQLite3"
    assert options["JournalMode"] == "WAL"
    relative = load_settings({"EVENTLOG_DATABASE_URL": "sqlite:///rel/e.db"})
    assert relative.database.sqlite_path == Path("rel/e.db").absolute()


def test_postgresql_url() -> None:
    options = odbc("postgresql://app:s%3Bcr%7Bt@db.example:6543/events?sslmode=require")
    assert options["Driver"] == "PostgreSQL Unicode"
    assert (options["Server"], options["Port"], options["Database"]) == (
        "db.example",
        "6543",
        "events",
    )
    assert (options["Uid"], options["Pwd"]) == ("app", "s;cr{t")  # braced, not split
    assert options["Protocol"] == "7.4-1"
    assert options["CommLog"] == "0"
    assert options["sslmode"] == "require"
    settings = load_settings({"EVENTLOG_DATABASE_URL": "postgres://u@h/d"})
    assert settings.database.dialect is Dialect.POSTGRESQL
    assert parse_odbc_string(settings.database.odbc)["Port"] == "5432"


def test_password_is_masked_in_the_display_form() -> None:
    settings = load_settings({"EVENTLOG_DATABASE_URL": "postgresql://app:hunter2@h:5432/d"})
    assert "hunter2" not in settings.database.display
    assert "hunter2" not in str(settings.describe())
    raw = load_settings(
        {"EVENTLOG_DATABASE_URL": "odbc://Driver={PostgreSQL Unicode};Server=h;Pwd=hunter2"}
    )
    assert "hunter2" not in raw.database.display


def test_mssql_urls() -> None:
    settings = load_settings(
        {"EVENTLOG_DATABASE_URL": "mssql://sa:pw@sql:1433/events?TrustServerCertificate=yes"}
    )
    assert settings.database.dialect is Dialect.MSSQL
    options = parse_odbc_string(settings.database.odbc)
    assert options["Driver"] == "ODBC Driver 18 for SQL Server"
    assert options["Server"] == "sql,1433"
    assert options["TrustServerCertificate"] == "yes"
    freetds = odbc("mssql://sa:pw@sql/events?driver=FreeTDS")
    assert (freetds["Server"], freetds["Port"], freetds["TDS_Version"]) == ("sql", "1433", "7.4")


def test_raw_odbc_strings_pick_the_dialect_from_the_driver() -> None:
    pg = load_settings({"EVENTLOG_DATABASE_URL": "odbc://Driver={PostgreSQL Unicode};Server=h"})
    assert pg.database.dialect is Dialect.POSTGRESQL
    assert parse_odbc_string(pg.database.odbc)["Protocol"] == "7.4-1"
    lite = load_settings({"EVENTLOG_DATABASE_URL": "odbc://Driver=SQLite3;Database=/tmp/x.db"})
    assert lite.database.dialect is Dialect.SQLITE
    tds = load_settings({"EVENTLOG_DATABASE_URL": "odbc://Driver=FreeTDS;Server=h"})
    assert tds.database.dialect is Dialect.MSSQL


@pytest.mark.parametrize(
    ("env", "name"),
    [
        ({"EVENTLOG_DATABASE_URL": "mysql://h/d"}, "DATABASE_URL"),
        ({"EVENTLOG_DATABASE_URL": "postgresql:///nohost"}, "DATABASE_URL"),
        ({"EVENTLOG_DATABASE_URL": "postgresql://h/"}, "DATABASE_URL"),
        ({"EVENTLOG_DATABASE_URL": "odbc://Driver=Oracle;Server=h"}, "DATABASE_URL"),
        ({"EVENTLOG_DATABASE_URL": "just-a-path.db"}, "DATABASE_URL"),
        ({"EVENTLOG_MAX_BODY_BYTES": "lots"}, "MAX_BODY_BYTES"),
        ({"EVENTLOG_MAX_BODY_BYTES": "0"}, "MAX_BODY_BYTES"),
        ({"EVENTLOG_POOL_SIZE": "-1"}, "POOL_SIZE"),
        ({"EVENTLOG_ALLOW_PURGE": "maybe"}, "ALLOW_PURGE"),
        ({"EVENTLOG_LOG_FORMAT": "xml"}, "LOG_FORMAT"),
        ({"EVENTLOG_LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
    ],
)
def test_unusable_values_name_the_variable(env: dict[str, str], name: str) -> None:
    with pytest.raises(SettingsError, match=f"EVENTLOG_{name}"):
        load_settings(env)


def test_numbers_and_switches_are_read() -> None:
    settings = load_settings(
        {
            "EVENTLOG_DATABASE_URL": "postgresql://u@h/d",
            "EVENTLOG_POOL_SIZE": "3",
            "EVENTLOG_WRITE_CONNECTIONS": "5",
            "EVENTLOG_MAX_BODY_BYTES": "2048",
            "EVENTLOG_ALLOW_PURGE": "off",
            "EVENTLOG_LOG_FORMAT": "JSON",
            "EVENTLOG_LOG_LEVEL": "debug",
        }
    )
    assert (settings.pool_size, settings.writers, settings.max_body_bytes) == (3, 5, 2048)
    assert settings.allow_purge is False
    assert (settings.log_format, settings.log_level) == ("json", "DEBUG")
