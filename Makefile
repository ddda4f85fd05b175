# The whole set-up on a fresh machine: `make run` to use Switchback, `make test` to check it.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CHROMIUM_PATH ?= /usr/bin/chromium
PORT ?= 8000
# The suite's processes: the tests are spread over them (pytest-xdist).
TEST_WORKERS ?= 2
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run setup test test-fast test-services lint format browser install install-dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# This checkout's development settings, read by config/settings.py whenever manage.py runs,
# so the commands the README shows work in any shell. Written once, never overwritten; a
# production server sets its variables itself and has no such file.
.env: | $(BIN)/python
	@printf '%s\n' '# Development settings for this checkout, written by `make run`.' \
		'DJANGO_DEBUG=1' \
		"DJANGO_SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" > $@

# Everything `make run` does before it serves: install, configure, migrate, first account.
setup: install .env
	$(BIN)/python manage.py migrate --noinput --verbosity 0
	$(BIN)/python manage.py first_run

run: setup
	@echo "Serving on http://127.0.0.1:$(PORT) (Ctrl-C to stop)"
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Chromium from Debian's packages: browser tests launch it by its path.
browser:
	@if [ ! -x "$(CHROMIUM_PATH)" ]; then \
		echo "Installing Chromium for the browser tests"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; \
	fi

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# html-validate, which the suite runs on every kind of page (package.json, .htmlvalidate.json).
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund && touch $@; \
	else echo "Node.js is not installed: the HTML validity test will be skipped."; fi

# Coverage of the Python code and the templates, with the total printed at the end.
test: install-dev browser lint node_modules/.installed
	CHROMIUM_PATH=$(CHROMIUM_PATH) $(BIN)/pytest -n $(TEST_WORKERS) -m "not slow" --cov --cov-report=term:skip-covered

# Everything but the browser tests and the slow ones.
test-fast: install-dev node_modules/.installed
	$(BIN)/pytest -n $(TEST_WORKERS) -m "not e2e and not slow"

# The scale-out path: the suite (browser tests aside) on PostgreSQL with Redis as the cache,
# with the slow tests: several processes, load and fuzzing.
test-services: install-dev node_modules/.installed
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/1} \
	$(BIN)/pytest -m "not e2e"

# Builds a large site in a temporary folder, serves it with gunicorn as in production and
# loads it with wrk (installed from Debian's packages when missing); see docs/performance.md.
.PHONY: bench
bench: install
	$(BIN)/python -m bench.run

# A consistent copy of the database and the uploads in one archive, in data/backups/.
.PHONY: backup
backup:
	$(BIN)/python manage.py backup

# The README's pictures, light and dark, of a demo site built in a temporary folder and
# photographed with Chromium: docs/screenshots/*.png.
.PHONY: screenshots
screenshots: install-dev browser
	CHROMIUM_PATH=$(CHROMIUM_PATH) $(BIN)/python -m docs.screenshots

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .ruff_cache .coverage
