#!/usr/bin/env bash
# Puts the pinned uv into .tools/uv (from PyPI: the only Python index reachable everywhere
# we run) unless it is already there at the right version.
set -euo pipefail
UV_VERSION=0.13.8
root=$(cd "$(dirname "$0")/.." && pwd)
uv="$root/.tools/uv/bin/uv"
if [[ -x "$uv" ]] && [[ "$("$uv" --version)" == "uv $UV_VERSION"* ]]; then
  exit 0
fi
echo "==> installing uv $UV_VERSION into .tools/uv"
python3 -m venv "$root/.tools/uv"
"$root/.tools/uv/bin/python" -m pip install -q --upgrade pip
"$root/.tools/uv/bin/python" -m pip install -q "uv==$UV_VERSION"
