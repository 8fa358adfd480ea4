# StoreBridge — every target installs what it needs on first use (a venv in .venv).
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.install.stamp

.PHONY: install run test test-fast lint format bench sandbox clean chaos

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "StoreBridge needs Python 3.11+ (found $$($(PYTHON) --version))"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

## The whole pipeline on embedded defaults (sandbox APIs, Redis, PostgreSQL, S3 started here).
run: install
	$(BIN)/storebridge demo

## The test-suite against real Redis/PostgreSQL/S3 (started here unless REDIS_URL/DATABASE_URL/S3_ENDPOINT).
test: install
	$(BIN)/pytest

## The quick loop: everything but the multi-process end-to-end tests (marked ``slow``).
test-fast: install
	$(BIN)/pytest -m "not slow"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Throughput against the rate-limit ceiling, side by side with baselines.
bench: install
	$(BIN)/python -m bench.run

## Issue 9's fault table against real processes (Valkey/AOF, PostgreSQL, S3, sandbox) plus a 10-minute
## soak; exits non-zero unless every scenario is at 0 lost, 0 duplicates, 0 parked by an outage.
## Pass options with ARGS="--scenario worker-kill --keep-logs /tmp/chaos" (python -m bench.chaos --help).
chaos: install
	$(BIN)/python -m bench.chaos --soak-s 600 $(ARGS)

## Both API simulators in the foreground (Ctrl-C to stop); pass options with ARGS="--items 500".
sandbox: install
	$(BIN)/storebridge sandbox $(ARGS)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
