# Twinplane: humans and CI run the same targets.
#   make up     install, build the UI, run both planes with embedded storage and demo data
#   make test   install everything (Python, npm, Debian chromium) and run every test
#   make lint   ruff + mypy + the import walls
#   make bench  benchmarks; results land in bench/results/
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
UI_STAMP := src/twinplane/server/control_plane/static/index.html
UI_SOURCES := $(shell find ui -type f -not -path 'ui/node_modules/*' -not -path 'ui/dist/*' 2>/dev/null)

.PHONY: up test lint bench ui install browser clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[server,dev]'
	@touch $@

install: $(STAMP)

# The web UI: npm packages from the lock file, built into the control plane's static folder.
$(UI_STAMP): $(UI_SOURCES)
	@if [ -f ui/package.json ]; then \
	  cd ui && (test -d node_modules && test node_modules/.package-lock.json -nt package-lock.json || npm ci --no-audit --no-fund --loglevel=error) && npm run --silent build; \
	else mkdir -p $(dir $@) && echo '<!doctype html><title>Twinplane</title><p>UI not built</p>' > $@; fi

ui: $(UI_STAMP)

# Debian's chromium for the browser tests (playwright cannot download browsers here).
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

up: install ui
	$(VENV)/bin/twinplane up --demo

test: install ui browser
	@if [ -f ui/package.json ]; then cd ui && npm test --silent; fi
	$(PY) -m pytest -q -p no:cacheprovider tests

lint: install
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

bench: install ui browser
	$(PY) -m bench.run

clean:
	rm -rf $(VENV) ui/node_modules ui/dist src/twinplane/server/control_plane/static
