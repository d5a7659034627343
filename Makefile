# Everything runs from the project virtualenv in .venv, installed from the pinned
# requirements.lock (regenerate it with `make lock` after changing pyproject.toml).

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check
PYTEST_ARGS ?=

.PHONY: venv system-packages postgres run test test-fast lint demo lock bench

venv: $(VENV)/.installed

# Reinstalls only when the lock or the project metadata changed.
$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet -r requirements.lock
	$(PIP) install --quiet --no-deps -e .
	@$(PIP) check || { echo "requirements.lock is out of date with pyproject.toml: run 'make lock'" >&2; exit 1; }
	touch $@

run: venv
	$(BIN)/escrow dev

# chromium and a CJK font for the browser tests (apt; returns at once when installed).
system-packages:
	bash scripts/ensure-system-packages

# PostgreSQL at 127.0.0.1:5432 with a database `test` (started if installed and down): the
# PostgreSQL tests fail without it rather than skip.
postgres:
	bash scripts/ensure-postgres

# mypy, strict, on the packages listed in pyproject.toml's [tool.mypy] `files`; ruff's lint rules
# and its formatting (a file ruff would reformat fails the run).
lint: venv
	$(BIN)/mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check --quiet .

# pytest exits 5 when no test ran; make treats that as a failure, on purpose.
test: venv system-packages postgres lint
	$(BIN)/pytest -p no:cacheprovider $(PYTEST_ARGS)

# mypy, ruff and the tests that need no service (marked `pure` by tests/conftest.py): docs/TESTS.md.
test-fast: venv lint
	$(BIN)/pytest -p no:cacheprovider -m pure $(PYTEST_ARGS)

demo: venv
	$(BIN)/escrow demo

# The full run takes a while (10,000 open escrows); BENCH_ARGS=--quick for a small one.
bench: venv
	$(BIN)/escrow bench $(BENCH_ARGS)

# Needs only the venv's python, not an up-to-date install: it is how an install gets up to date.
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock
