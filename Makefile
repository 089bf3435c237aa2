# Lanterne — the two commands a new user runs: `make demo` and `make test`.
# Both create the virtual environment (.venv) and install Lanterne into it when needed.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PIP    := $(BIN)/python -m pip --disable-pip-version-check

.PHONY: all demo test lint bench install clean system-deps axe

all: test

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

## demo: generate the synthetic population, score it, audit it and write the report
demo: $(STAMP)
	$(BIN)/lanterne demo --out out

# Chromium (browser tests, report screenshots), Pango (PDF reports, WeasyPrint) and the
# PostgreSQL server (database tests start their own) come from Debian; installed only when
# missing (needs root or sudo, as in CI).
SYSTEM_PACKAGES := chromium chromium-driver libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core postgresql
system-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1 || ! ldconfig -p | grep -q 'libpango-1.0.so' || ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then \
		echo "Installing system packages: $(SYSTEM_PACKAGES)"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $(SYSTEM_PACKAGES); \
	fi

# axe-core (accessibility checks of the web app in Chromium), from the npm registry, once.
AXE_JS := .cache/axe/node_modules/axe-core/axe.min.js
axe: $(AXE_JS)
$(AXE_JS):
	npm install --silent --no-audit --no-fund --prefix .cache/axe axe-core@4

## test: the whole test suite, then the linter and the type checker
test: $(STAMP) system-deps $(AXE_JS)
	$(BIN)/python -m pytest
	$(BIN)/ruff check .
	$(BIN)/python -m mypy

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/python -m mypy

## bench: the performance figures the issues ask for (see benchmarks/README.md)
bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache .mypy_cache
