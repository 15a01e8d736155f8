# The front door: every target sets up what it needs, idempotently.
.DEFAULT_GOAL := help
SHELL := /bin/bash

UV := .tools/uv/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.synced
PYPROJECTS := pyproject.toml $(wildcard packages/*/pyproject.toml)

export UV_PYTHON_DOWNLOADS := never
export REFLEX_TELEMETRY_ENABLED := false

.PHONY: help setup system-deps bun browser-deps run test lint format bench seed clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

$(UV):
	@scripts/bootstrap-uv.sh

$(STAMP): $(UV) uv.lock $(PYPROJECTS)
	@echo "==> syncing .venv from uv.lock"
	@$(UV) sync --all-packages --frozen --quiet
	@touch $@

setup: system-deps $(STAMP) ## install system packages and the Python environment

system-deps: ## install the Debian ODBC drivers when missing
	@scripts/install-system-deps.sh

bun: ## install bun (from the npm registry), which Reflex builds the dashboard with
	@scripts/install-bun.sh

browser-deps: $(STAMP) bun ## install Chromium (apt) and bun for the dashboard and its browser tests
	@scripts/install-system-deps.sh --browser

run: setup bun ## start the API and the dashboard on embedded SQLite, with demo data
	@scripts/run.sh

test: setup browser-deps ## run the whole test-suite
	@$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP) ## ruff (lint + format check) and mypy --strict over every package
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .
	@$(VENV)/bin/mypy

format: $(STAMP) ## apply ruff's fixes and formatting
	@$(VENV)/bin/ruff check --fix .
	@$(VENV)/bin/ruff format .

bench: setup ## run the benchmarks; each prints ratios against a reference measured in the same run
	@for b in bench/schemas.py $(filter-out bench/schemas.py,$(wildcard bench/*.py)); do \
		echo "==> $$b"; $(PY) $$b || exit 1; done

clean: ## remove the environment and build outputs (keeps ./data)
	rm -rf $(VENV) .tools .mypy_cache .ruff_cache .pytest_cache
