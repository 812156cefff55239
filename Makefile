# Two commands for a new user: `make run` and `make test`. Both build the
# virtual environment in .311/ from the lock file first.

PYTHON ?= python3.11
VENV := .311
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOGS ?=

.PHONY: run test venv lint clean web

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

venv: $(STAMP)

# The dashboard: `npm ci` from the committed lock file, then a Vite build into
# decnet_web/dist, which `decnet serve` serves. Each step reruns only when its
# inputs are newer than its output. Needs Node.js 20.19 or newer with npm.
WEB := decnet_web
WEB_DEPS := $(WEB)/node_modules/.package-lock.json
WEB_BUILD := $(WEB)/dist/index.html
WEB_SOURCES := $(shell find $(WEB)/src $(WEB)/index.html $(WEB)/vite.config.ts \
	$(WEB)/tsconfig.json $(WEB)/package.json -type f 2>/dev/null)

$(WEB_DEPS): $(WEB)/package-lock.json
	cd $(WEB) && npm ci --no-audit --no-fund
	@touch $@

$(WEB_BUILD): $(WEB_DEPS) $(WEB_SOURCES)
	cd $(WEB) && npm run build

web: $(WEB_BUILD)

# `make run LOGS=PATH` serves the given Cowrie logs; without LOGS, a freshly
# generated noise_floor scenario in its own database under DECNET_HOME/demo.
run: $(STAMP) web
	@if [ -n "$(LOGS)" ]; then \
		$(BIN)/decnet run $(LOGS); \
	else \
		demo="$${DECNET_HOME:-$$HOME/.local/share/decnet}/demo"; \
		rm -rf "$$demo" && mkdir -p "$$demo" && \
		$(BIN)/decnet generate noise_floor "$$demo/scenario" && \
		$(BIN)/decnet run "$$demo/scenario" --db "sqlite:///$$demo/decnet.sqlite"; \
	fi

test: $(STAMP) web
	cd $(WEB) && npm test
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check decnet tests bench

clean:
	rm -rf $(VENV)
