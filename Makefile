# Two commands for a new user: `make run` and `make test`. Both build the
# virtual environment in .311/ from the lock file first.

PYTHON ?= python3.11
VENV := .311
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOGS ?=

.PHONY: run test venv lint clean

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/decnet db status

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check decnet tests bench

clean:
	rm -rf $(VENV)
