# syntax=docker/dockerfile:1
# The Event Log dashboard (eventlog-dashboard serve): a Reflex app that reads everything
# through the API. Build from the repository root: docker build -f docker/dashboard.Dockerfile .

# bun from the npm registry, exactly as scripts/install-bun.sh installs it for `make run`.
FROM node:20-bookworm-slim AS bun
COPY scripts/install-bun.sh /src/scripts/install-bun.sh
RUN /src/scripts/install-bun.sh

FROM python:3.11-slim
# Reflex's frontend tools start with a node shebang; with a Node older than Reflex's
# npm minimum, Reflex runs them under bun (`bun --bun`), as on our development machines.
RUN apt-get update \
    && apt-get install -y --no-install-recommends nodejs \
    && rm -rf /var/lib/apt/lists/*

RUN pip install --no-cache-dir uv==0.13.8
ENV UV_PYTHON_DOWNLOADS=never \
    UV_LINK_MODE=copy \
    UV_COMPILE_BYTECODE=1 \
    PATH=/app/.venv/bin:$PATH

WORKDIR /app
COPY pyproject.toml uv.lock ./
COPY packages/shared-schemas/pyproject.toml packages/shared-schemas/README.md packages/shared-schemas/
COPY packages/api/pyproject.toml packages/api/README.md packages/api/
COPY packages/sdk/pyproject.toml packages/sdk/README.md packages/sdk/
COPY packages/dashboard/pyproject.toml packages/dashboard/README.md packages/dashboard/
RUN uv sync --frozen --no-dev --package eventlog-dashboard --no-install-workspace

COPY packages/shared-schemas packages/shared-schemas
COPY packages/sdk packages/sdk
COPY packages/dashboard packages/dashboard
# Editable: Reflex runs from the app folder (packages/dashboard, with rxconfig.py).
RUN uv sync --frozen --no-dev --package eventlog-dashboard
COPY --from=bun /src/.tools/bun /app/.tools/bun

RUN useradd --system --create-home --home-dir /home/eventlog eventlog \
    && mkdir -p /app/build && chown eventlog /app/build
USER eventlog
# The frontend is built into /app/build when the container starts (Reflex prod mode
# rebuilds at each start; the first start fetches its npm packages from the registry).
ENV EVENTLOG_DASHBOARD_HOST=0.0.0.0 \
    EVENTLOG_DASHBOARD_PORT=3000 \
    EVENTLOG_DASHBOARD_WEB_DIR=/app/build \
    EVENTLOG_DASHBOARD_BUN=/app/.tools/bun/node_modules/@oven/bun-linux-x64/bin/bun
EXPOSE 3000
CMD ["eventlog-dashboard", "serve"]
