#!/usr/bin/env bash
# `make run`: the API on the embedded SQLite default and the dashboard, with demo data on the
# first start. Prints both URLs; Ctrl-C stops both.
#
#   EVENTLOG_API_PORT        API port (default 8080)
#   EVENTLOG_DASHBOARD_PORT  dashboard port (default 3000)
#   EVENTLOG_DEMO_EVENTS     demo events written into an empty database (default 20000; 0: none)
#   EVENTLOG_DATABASE_URL    another database instead of ./data/eventlog.db (see the API README)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

api_port=${EVENTLOG_API_PORT:-8080}
dashboard_port=${EVENTLOG_DASHBOARD_PORT:-3000}
demo_events=${EVENTLOG_DEMO_EVENTS:-20000}
host=127.0.0.1
bin="$root/.venv/bin"
logs="${EVENTLOG_DATA_DIR:-$root/data}/logs"
mkdir -p "$logs"

export REFLEX_TELEMETRY_ENABLED=false REFLEX_CHECK_LATEST_VERSION=false

port_busy() { (exec 3<>"/dev/tcp/$host/$1") 2>/dev/null; }
for port in "$api_port" "$dashboard_port"; do
  if port_busy "$port"; then
    echo "error: port $port on $host is in use; stop what listens there or set" >&2
    echo "       EVENTLOG_API_PORT / EVENTLOG_DASHBOARD_PORT to free ports" >&2
    exit 1
  fi
done

api_pid="" dashboard_pid=""
stop() {
  trap - INT TERM EXIT
  echo
  echo "==> stopping"
  # Each runs in its own process group (setsid): this reaches their workers too.
  for pid in $dashboard_pid $api_pid; do
    kill -TERM -- "-$pid" 2>/dev/null || true
  done
  for pid in $dashboard_pid $api_pid; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
}
trap stop EXIT
trap 'exit 130' INT TERM

wait_for() {  # name url seconds pid log
  local name=$1 url=$2 limit=$3 pid=$4 log=$5 waited=0
  until curl -fsS -o /dev/null "$url" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "error: the $name stopped while starting; the end of $log:" >&2
      tail -n 30 "$log" >&2
      exit 1
    fi
    if (( waited >= limit * 2 )); then
      echo "error: the $name did not answer $url within ${limit}s; the end of $log:" >&2
      tail -n 30 "$log" >&2
      exit 1
    fi
    sleep 0.5
    waited=$((waited + 1))
    if (( waited % 20 == 0 )); then echo "    ... $((waited / 2))s"; fi
  done
}

if (( demo_events > 0 )); then
  # Writes only into an empty database; a database that holds events is left alone.
  echo "==> demo data (only if the database is empty)"
  "$bin/eventlog-api" seed --events "$demo_events" --days 7
fi

echo "==> starting the API on http://$host:$api_port"
setsid "$bin/eventlog-api" serve --host "$host" --port "$api_port" >"$logs/api.log" 2>&1 &
api_pid=$!
wait_for API "http://$host:$api_port/v1/healthcheck/ready" 60 "$api_pid" "$logs/api.log"

echo "==> building and starting the dashboard (the first build installs the frontend packages)"
setsid "$bin/eventlog-dashboard" serve --host "$host" --port "$dashboard_port" \
  --api-url "http://$host:$api_port" >"$logs/dashboard.log" 2>&1 &
dashboard_pid=$!
wait_for dashboard "http://$host:$dashboard_port/ping" 600 "$dashboard_pid" "$logs/dashboard.log"

cat <<EOF

  Event Log is running
    dashboard  http://$host:$dashboard_port/
    API        http://$host:$api_port/v1   (OpenAPI: http://$host:$api_port/schema)
    logs       $logs/{api,dashboard}.log

  Ctrl-C stops both.

EOF

# Wait until either exits (or Ctrl-C); then the EXIT trap stops the other.
while kill -0 "$api_pid" 2>/dev/null && kill -0 "$dashboard_pid" 2>/dev/null; do
  sleep 1
done
echo "error: a server stopped unexpectedly; see $logs" >&2
exit 1
