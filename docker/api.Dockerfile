# syntax=docker/dockerfile:1
# The Event Log API (eventlog-api serve) for SQL Server, PostgreSQL or SQLite.
# Build from the repository root: docker build -f docker/api.Dockerfile .
FROM python:3.11-slim

# unixODBC plus the open-source drivers from Debian: FreeTDS (tdsodbc, registered as
# "FreeTDS") for SQL Server, psqlODBC for PostgreSQL, sqliteodbc for SQLite. Microsoft's
# ODBC Driver 18 (msodbcsql18) comes from Microsoft's own apt repository, not Debian's;
# to use it, add that repository here, install msodbcsql18 with ACCEPT_EULA=Y and drop
# ?driver=FreeTDS from EVENTLOG_DATABASE_URL (it is the API's default SQL Server driver).
RUN apt-get update \
    && apt-get install -y --no-install-recommends unixodbc tdsodbc odbc-postgresql libsqliteodbc \
    && rm -rf /var/lib/apt/lists/*

# The same uv as scripts/bootstrap-uv.sh; it installs exactly what uv.lock pins.
RUN pip install --no-cache-dir uv==0.13.8
ENV UV_PYTHON_DOWNLOADS=never \
    UV_LINK_MODE=copy \
    UV_COMPILE_BYTECODE=1 \
    PATH=/app/.venv/bin:$PATH

WORKDIR /app
# Dependencies first, in their own layer: it is rebuilt only when the lock changes.
COPY pyproject.toml uv.lock ./
COPY packages/shared-schemas/pyproject.toml packages/shared-schemas/README.md packages/shared-schemas/
COPY packages/api/pyproject.toml packages/api/README.md packages/api/
COPY packages/sdk/pyproject.toml packages/sdk/README.md packages/sdk/
COPY packages/dashboard/pyproject.toml packages/dashboard/README.md packages/dashboard/
RUN uv sync --frozen --no-dev --package eventlog-api --no-install-workspace

COPY packages/shared-schemas packages/shared-schemas
COPY packages/api packages/api
# Not editable: the installed API does not need the source tree at run time.
RUN uv sync --frozen --no-dev --package eventlog-api --no-editable

RUN useradd --system --create-home --home-dir /home/eventlog eventlog \
    && mkdir -p /app/data && chown eventlog /app/data
USER eventlog
ENV EVENTLOG_DATA_DIR=/app/data \
    EVENTLOG_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=5 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/v1/healthcheck/ready', timeout=4)"]
# Migrations run at start-up (EVENTLOG_MIGRATE_ON_START, default true).
CMD ["eventlog-api", "serve", "--host", "0.0.0.0", "--port", "8080"]
