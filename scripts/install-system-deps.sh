#!/usr/bin/env bash
# Installs the Debian packages the platform needs (ODBC drivers; Chromium with --browser),
# only when something is missing, so a second run costs a few dpkg queries.
set -euo pipefail

packages=(unixodbc libsqliteodbc odbc-postgresql tdsodbc)
if [[ "${1:-}" == "--browser" ]]; then
  packages+=(chromium)
fi

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: these system packages are missing and this system has no apt-get: ${missing[*]}" >&2
  echo "Install the unixODBC driver manager, the SQLite3 ODBC driver, psqlODBC and FreeTDS" >&2
  echo "(and Chromium for the browser tests) with your package manager, then run make again." >&2
  exit 1
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 || { echo "error: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
echo "==> installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
