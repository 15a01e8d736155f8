#!/usr/bin/env bash
# Reflex needs bun. Its own installer downloads from a host we cannot reach, so take bun
# from the npm registry instead (the platform package carries the binary; scripts ignored).
set -euo pipefail
BUN_VERSION=1.4.4
root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/.tools/bun"
bin="$dir/node_modules/@oven/bun-linux-x64/bin/bun"
if [[ -x "$bin" ]] && [[ "$("$bin" --version)" == "$BUN_VERSION" ]]; then
  exit 0
fi
command -v npm >/dev/null 2>&1 || { echo "error: npm is needed to fetch bun; install Node.js" >&2; exit 1; }
echo "==> installing bun $BUN_VERSION from the npm registry into .tools/bun"
mkdir -p "$dir"
npm install --silent --no-audit --no-fund --ignore-scripts --prefix "$dir" \
  "bun@$BUN_VERSION" "@oven/bun-linux-x64@$BUN_VERSION" >/dev/null
"$bin" --version >/dev/null
