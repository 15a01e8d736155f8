"""Every setting of the API, read from ``EVENTLOG_*`` environment variables in one place.

``EVENTLOG_DATABASE_URL`` accepts:

- ``sqlite:///relative/file.db`` or ``sqlite:////absolute/file.db`` (SQLAlchemy's rule:
  the path is what follows the third slash);
- ``postgresql://user[:password]@host[:port]/database[?odbc_key=value...]``
  (``postgres://`` too);
- ``mssql://user:password@host[:port]/database[?driver=...&odbc_key=value...]``;
- ``odbc://<raw ODBC connection string>``: the dialect follows from its ``Driver``.

Unset, the API uses ``eventlog.db`` (SQLite) in ``EVENTLOG_DATA_DIR`` (default ``./data``).
"""

from __future__ import annotations

import enum
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Final
from urllib.parse import parse_qsl, unquote, urlsplit

from eventlog_schemas import DEFAULT_MAX_BODY_BYTES

PREFIX: Final = "EVENTLOG_"

_Getter = Callable[[str], str | None]

DEFAULT_DATA_DIR: Final = "./data"
DEFAULT_SQLITE_FILE: Final = "eventlog.db"
DEFAULT_HOST: Final = "127.0.0.1"
DEFAULT_PORT: Final = 8080
DEFAULT_POOL_SIZE: Final = 8
"""Reader connections (the writers come on top)."""
DEFAULT_WRITE_CONNECTIONS: Final = 2
"""Writer connections on PostgreSQL and SQL Server; SQLite always has exactly one.

Two keep the database busy (one group commits while the next gathers, and the groups
grow with the load); a third, measured on our 2-core machines, only made concurrent
group statements wait on each other's trace-summary rows and index pages
(bench/ingest.py, PostgreSQL: ratio 0.41-0.44 with two, 0.20-0.43 with three)."""
DEFAULT_GROUP_COMMIT_MAX_ROWS: Final = 2000
"""The most events one group-commit transaction carries."""
DEFAULT_LOG_FORMAT: Final = "auto"
DEFAULT_LOG_LEVEL: Final = "INFO"
DEFAULT_CONNECT_TIMEOUT_S: Final = 5.0
DEFAULT_READY_TIMEOUT_S: Final = 3.0
"""The contract: readiness is 503 when the database does not answer within 3 s."""
DEFAULT_RETRY_AFTER_S: Final = 1
DEFAULT_QUERY_TIMEOUT_S: Final = 30.0
"""The longest one database unit of work may take before the request gets a 503."""
DEFAULT_SQLITE_BUSY_TIMEOUT_MS: Final = 5000
DEFAULT_SQLITE_SYNCHRONOUS: Final = "NORMAL"
"""WAL + NORMAL survives a crash of the API process; FULL also survives power loss."""
DEFAULT_MSSQL_DRIVER: Final = "ODBC Driver 18 for SQL Server"
DEFAULT_POSTGRES_DRIVER: Final = "PostgreSQL Unicode"
DEFAULT_SQLITE_DRIVER: Final = "SQLite3"

# psqlODBC: Protocol=7.4-1 stops it wrapping every statement in a SAVEPOINT; Debian's
# odbcinst.ini turns CommLog on, which writes a log file per connection.
_POSTGRES_OPTIONS: Final = {
    "Protocol": "7.4-1",
    "CommLog": "0",
    "Debug": "0",
    "UseServerSidePrepare": "1",
    "BoolsAsChar": "0",
    "TextAsLongVarchar": "0",
    "UnknownsAsLongVarchar": "0",
    "MaxVarcharSize": "65535",
    "MaxLongVarcharSize": "1073741823",
}

_LOG_FORMATS: Final = ("auto", "json", "console")
_LOG_LEVELS: Final = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_SYNC_MODES: Final = ("OFF", "NORMAL", "FULL", "EXTRA")


class SettingsError(ValueError):
    """A setting has a value the API cannot use; the message names the variable."""


class Dialect(enum.StrEnum):
    """The SQL dialect of the configured database."""

    SQLITE = "sqlite"
    POSTGRESQL = "postgresql"
    MSSQL = "mssql"


@dataclass(frozen=True, slots=True)
class DatabaseTarget:
    """Where the data lives: the dialect, the ODBC connection string and a safe label."""

    dialect: Dialect
    odbc: str
    display: str
    """The target with any password masked, for logs and ``eventlog-api check``."""
    sqlite_path: Path | None = None


@dataclass(frozen=True, slots=True)
class Settings:
    """The resolved configuration of one API process."""

    database: DatabaseTarget
    data_dir: Path = Path(DEFAULT_DATA_DIR)
    pool_size: int = DEFAULT_POOL_SIZE
    write_connections: int = DEFAULT_WRITE_CONNECTIONS
    group_commit_max_rows: int = DEFAULT_GROUP_COMMIT_MAX_ROWS
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    log_format: str = DEFAULT_LOG_FORMAT
    log_level: str = DEFAULT_LOG_LEVEL
    allow_purge: bool = True
    connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S
    ready_timeout_s: float = DEFAULT_READY_TIMEOUT_S
    retry_after_s: int = DEFAULT_RETRY_AFTER_S
    query_timeout_s: float = DEFAULT_QUERY_TIMEOUT_S
    sqlite_busy_timeout_ms: int = DEFAULT_SQLITE_BUSY_TIMEOUT_MS
    sqlite_synchronous: str = DEFAULT_SQLITE_SYNCHRONOUS
    migrate_on_start: bool = True
    extra: Mapping[str, str] = field(default_factory=dict)
    """Every other ``EVENTLOG_*`` variable, for modules that add their own settings."""

    @property
    def writers(self) -> int:
        """Writer connections: one on SQLite (one writer per file), else the setting."""
        return 1 if self.database.dialect is Dialect.SQLITE else self.write_connections

    def with_database_url(self, url: str) -> Settings:
        """A copy of these settings pointing at another database."""
        return replace(self, database=parse_database_url(url, self.data_dir, self))

    def describe(self) -> dict[str, object]:
        """The settings as plain values, passwords masked (for ``check`` and the start log)."""
        return {
            "database": self.database.display,
            "dialect": self.database.dialect.value,
            "data_dir": str(self.data_dir),
            "pool_size": self.pool_size,
            "write_connections": self.writers,
            "group_commit_max_rows": self.group_commit_max_rows,
            "max_body_bytes": self.max_body_bytes,
            "log_format": self.log_format,
            "log_level": self.log_level,
            "allow_purge": self.allow_purge,
            "connect_timeout_s": self.connect_timeout_s,
            "ready_timeout_s": self.ready_timeout_s,
            "retry_after_s": self.retry_after_s,
            "query_timeout_s": self.query_timeout_s,
            "migrate_on_start": self.migrate_on_start,
        }


_KNOWN: Final = {
    "DATABASE_URL",
    "DATA_DIR",
    "POOL_SIZE",
    "WRITE_CONNECTIONS",
    "GROUP_COMMIT_MAX_ROWS",
    "MAX_BODY_BYTES",
    "LOG_FORMAT",
    "LOG_LEVEL",
    "ALLOW_PURGE",
    "CONNECT_TIMEOUT_S",
    "READY_TIMEOUT_S",
    "RETRY_AFTER_S",
    "QUERY_TIMEOUT_S",
    "SQLITE_BUSY_TIMEOUT_MS",
    "SQLITE_SYNCHRONOUS",
    "MIGRATE_ON_START",
}


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read the settings from ``environ`` (default: the process environment).

    Raises ``SettingsError`` naming the variable when a value is unusable.
    """
    env = os.environ if environ is None else environ

    def get(name: str) -> str | None:
        value = env.get(PREFIX + name)
        return value.strip() if value is not None and value.strip() != "" else None

    data_dir = Path(get("DATA_DIR") or DEFAULT_DATA_DIR)
    log_format = (get("LOG_FORMAT") or DEFAULT_LOG_FORMAT).lower()
    if log_format not in _LOG_FORMATS:
        raise SettingsError(f"{PREFIX}LOG_FORMAT must be one of {', '.join(_LOG_FORMATS)}")
    log_level = (get("LOG_LEVEL") or DEFAULT_LOG_LEVEL).upper()
    if log_level not in _LOG_LEVELS:
        raise SettingsError(f"{PREFIX}LOG_LEVEL must be one of {', '.join(_LOG_LEVELS)}")
    synchronous = (get("SQLITE_SYNCHRONOUS") or DEFAULT_SQLITE_SYNCHRONOUS).upper()
    if synchronous not in _SYNC_MODES:
        raise SettingsError(f"{PREFIX}SQLITE_SYNCHRONOUS must be one of {', '.join(_SYNC_MODES)}")
    base = Settings(
        database=DatabaseTarget(Dialect.SQLITE, "", ""),
        data_dir=data_dir,
        pool_size=_int(get, "POOL_SIZE", DEFAULT_POOL_SIZE, minimum=1),
        write_connections=_int(get, "WRITE_CONNECTIONS", DEFAULT_WRITE_CONNECTIONS, minimum=1),
        group_commit_max_rows=_int(
            get, "GROUP_COMMIT_MAX_ROWS", DEFAULT_GROUP_COMMIT_MAX_ROWS, minimum=1
        ),
        max_body_bytes=_int(get, "MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES, minimum=1),
        log_format=log_format,
        log_level=log_level,
        allow_purge=_bool(get, "ALLOW_PURGE", default=True),
        connect_timeout_s=_float(get, "CONNECT_TIMEOUT_S", DEFAULT_CONNECT_TIMEOUT_S),
        ready_timeout_s=_float(get, "READY_TIMEOUT_S", DEFAULT_READY_TIMEOUT_S),
        retry_after_s=_int(get, "RETRY_AFTER_S", DEFAULT_RETRY_AFTER_S, minimum=0),
        query_timeout_s=_float(get, "QUERY_TIMEOUT_S", DEFAULT_QUERY_TIMEOUT_S),
        sqlite_busy_timeout_ms=_int(
            get, "SQLITE_BUSY_TIMEOUT_MS", DEFAULT_SQLITE_BUSY_TIMEOUT_MS, minimum=0
        ),
        sqlite_synchronous=synchronous,
        migrate_on_start=_bool(get, "MIGRATE_ON_START", default=True),
        extra={
            key[len(PREFIX) :]: value
            for key, value in env.items()
            if key.startswith(PREFIX) and key[len(PREFIX) :] not in _KNOWN
        },
    )
    url = get("DATABASE_URL")
    target = (
        parse_database_url(url, data_dir, base)
        if url is not None
        else sqlite_target(data_dir / DEFAULT_SQLITE_FILE, base)
    )
    return replace(base, database=target)


def parse_database_url(
    url: str, data_dir: Path, settings: Settings | None = None
) -> DatabaseTarget:
    """Turn an ``EVENTLOG_DATABASE_URL`` into a dialect and an ODBC connection string."""
    settings = settings or Settings(database=DatabaseTarget(Dialect.SQLITE, "", ""))
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise SettingsError(f"{PREFIX}DATABASE_URL has no scheme: expected e.g. sqlite:///file.db")
    scheme = scheme.lower()
    if scheme == "sqlite":
        path_part = rest.split("?", 1)[0]
        if path_part.startswith("/"):
            path_part = path_part[1:]
        if not path_part:
            return sqlite_target(data_dir / DEFAULT_SQLITE_FILE, settings)
        return sqlite_target(Path(unquote(path_part)), settings)
    if scheme in ("postgresql", "postgres"):
        return _server_target(Dialect.POSTGRESQL, url)
    if scheme in ("mssql", "sqlserver"):
        return _server_target(Dialect.MSSQL, url)
    if scheme == "odbc":
        return _raw_odbc_target(rest, settings)
    raise SettingsError(
        f"{PREFIX}DATABASE_URL scheme {scheme!r} is not supported: "
        "use sqlite, postgresql, mssql or odbc"
    )


def sqlite_target(path: Path, settings: Settings) -> DatabaseTarget:
    """The ODBC target for an SQLite file (WAL journal, short busy timeout)."""
    resolved = path.expanduser().absolute()
    odbc = odbc_string(
        {
            "Driver": DEFAULT_SQLITE_DRIVER,
            "Database": str(resolved),
            "Timeout": str(settings.sqlite_busy_timeout_ms),
            "JournalMode": "WAL",
            "SyncPragma": settings.sqlite_synchronous,
            "BigInt": "1",
            "FKSupport": "0",
        }
    )
    return DatabaseTarget(Dialect.SQLITE, odbc, f"sqlite:///{resolved}", sqlite_path=resolved)


def _server_target(dialect: Dialect, url: str) -> DatabaseTarget:
    parts = urlsplit(url)
    if not parts.hostname:
        raise SettingsError(f"{PREFIX}DATABASE_URL needs a host: {_mask(url)}")
    database = unquote(parts.path.lstrip("/"))
    if not database:
        raise SettingsError(f"{PREFIX}DATABASE_URL needs a database name: {_mask(url)}")
    try:
        port = parts.port
    except ValueError as exc:
        raise SettingsError(f"{PREFIX}DATABASE_URL has a bad port: {_mask(url)}") from exc
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    driver = query.pop("driver", None)
    user = unquote(parts.username) if parts.username else ""
    password = unquote(parts.password) if parts.password else ""
    options: dict[str, str]
    if dialect is Dialect.POSTGRESQL:
        options = {
            "Driver": driver or DEFAULT_POSTGRES_DRIVER,
            "Server": parts.hostname,
            "Port": str(port or 5432),
            "Database": database,
            "Uid": user,
            "Pwd": password,
            **_POSTGRES_OPTIONS,
        }
    else:
        driver = driver or DEFAULT_MSSQL_DRIVER
        if "freetds" in driver.lower():
            # FreeTDS takes the port separately and needs a TDS version that speaks UTF-16.
            options = {
                "Driver": driver,
                "Server": parts.hostname,
                "Port": str(port or 1433),
                "TDS_Version": "7.4",
                "ClientCharset": "UTF-8",
            }
        else:
            options = {"Driver": driver, "Server": f"{parts.hostname},{port or 1433}"}
        options.update({"Database": database, "Uid": user, "Pwd": password})
    options.update(query)
    display = _mask(url)
    return DatabaseTarget(dialect, odbc_string(options), display)


def _raw_odbc_target(raw: str, settings: Settings) -> DatabaseTarget:
    pairs = parse_odbc_string(raw)
    driver = next((v for k, v in pairs.items() if k.lower() == "driver"), "")
    low = driver.lower()
    masked = ";".join(
        f"{k}={'***' if k.lower() in ('pwd', 'password') else v}" for k, v in pairs.items()
    )
    display = f"odbc://{masked}"
    if "sqlite" in low:
        database = next((v for k, v in pairs.items() if k.lower() == "database"), "")
        if not database:
            raise SettingsError(f"{PREFIX}DATABASE_URL: an SQLite ODBC string needs Database=")
        return DatabaseTarget(Dialect.SQLITE, raw, display, sqlite_path=Path(database))
    if "postgres" in low:
        for key, value in _POSTGRES_OPTIONS.items():
            if not any(k.lower() == key.lower() for k in pairs):
                pairs[key] = value
        return DatabaseTarget(Dialect.POSTGRESQL, odbc_string(pairs), display)
    if "sql server" in low or "tds" in low:
        return DatabaseTarget(Dialect.MSSQL, raw, display)
    raise SettingsError(
        f"{PREFIX}DATABASE_URL: cannot tell the database from the ODBC driver {driver!r} "
        "(expected an SQLite, PostgreSQL, SQL Server or FreeTDS driver)"
    )


def odbc_string(options: Mapping[str, str]) -> str:
    """Join ODBC attributes, bracing values that contain separators."""
    return ";".join(f"{key}={_odbc_value(value)}" for key, value in options.items())


def parse_odbc_string(raw: str) -> dict[str, str]:
    """Split an ODBC connection string into attributes (braced values kept whole)."""
    result: dict[str, str] = {}
    for match in re.finditer(r"\s*([^=;]+?)\s*=\s*(\{(?:[^}]|\}\})*\}|[^;]*)\s*(?:;|$)", raw):
        key, value = match.group(1), match.group(2)
        if value.startswith("{") and value.endswith("}"):
            value = value[1:-1].replace("}}", "}")
        result[key] = value
    return result


def _odbc_value(value: str) -> str:
    if any(ch in value for ch in ";{}") or value != value.strip():
        return "{" + value.replace("}", "}}") + "}"
    return value


def _mask(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


def _int(get: _Getter, name: str, default: int, *, minimum: int) -> int:
    raw = get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{PREFIX}{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{PREFIX}{name} must be at least {minimum}, got {value}")
    return value


def _float(get: _Getter, name: str, default: float) -> float:
    raw = get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{PREFIX}{name} must be a number, got {raw!r}") from None
    if value <= 0:
        raise SettingsError(f"{PREFIX}{name} must be positive, got {value}")
    return value


def _bool(get: _Getter, name: str, *, default: bool) -> bool:
    raw = get(name)
    if raw is None:
        return default
    low = raw.lower()
    if low in ("1", "true", "yes", "on"):
        return True
    if low in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{PREFIX}{name} must be true or false, got {raw!r}")
