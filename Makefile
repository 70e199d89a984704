# Everyday commands. Needs only GNU make, bash and Python 3.11+; the rest goes into .venv.
#
#   make run     the embedded default: SQLite, tasks run in-process, mail printed to the console
#   make test    the whole test suite (SQLite; PostgreSQL + Redis when DATABASE_URL/REDIS_URL are set)
#   make serve   web server, Celery worker and beat together, with DATABASE_URL and REDIS_URL set
#   make lint    ruff
#   make scan-install  the Wapiti scanner in its own .venv-scan (make test installs it; tests/integration/test_scanner.py)
#
# PYTEST_ARGS passes options to pytest, e.g. `make test PYTEST_ARGS="-k placement -x"`.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
REQUIREMENTS := requirements.txt requirements-dev.txt
# Wapiti (the scanner CI runs against a live server) pins packages that clash with the app's: its own venv.
SCAN_VENV := .venv-scan
SCAN_STAMP := $(SCAN_VENV)/.installed
ADDR ?= 127.0.0.1:8000
PYTEST_ARGS ?=

.PHONY: help install scan-install run test serve lint

help:
	@echo "make run      start the app on http://$(ADDR)/ with demo data (SQLite, no services needed)"
	@echo "make test     run the tests (set DATABASE_URL and REDIS_URL to include PostgreSQL/Redis/worker tests)"
	@echo "make serve    web + Celery worker + beat (needs DATABASE_URL and REDIS_URL)"
	@echo "make lint     ruff check"
	@echo "make install  create .venv and install requirements-dev.txt"
	@echo "make scan-install  create .venv-scan with the Wapiti scanner (requirements-scan.txt)"

install: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when a requirements file is newer than the last install.
$(STAMP): $(REQUIREMENTS) | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

scan-install: $(SCAN_STAMP)

$(SCAN_VENV)/bin/python:
	$(PYTHON) -m venv $(SCAN_VENV)

$(SCAN_STAMP): requirements-scan.txt | $(SCAN_VENV)/bin/python
	$(SCAN_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-scan.txt
	touch $@

# The embedded default is for development: DEBUG on (debug pages, plain HTTP, a generated local secret
# key) for every command below. DEBUG is off unless set, so nothing else gets debug pages by accident.
# It has no Celery beat, so the clock sweep runs beside the server every minute.
run: export DEBUG = true
run: install
	$(BIN)/python manage.py migrate
	$(BIN)/python manage.py seed_demo
	@trap 'trap - EXIT INT TERM; kill $$(jobs -p) 2>/dev/null; wait' EXIT INT TERM; \
	$(BIN)/python manage.py run_periodic > .venv/periodic.log 2>&1 & \
	$(BIN)/python manage.py runserver $(ADDR)

# The migration check uses the test run's settings (caseapp/settings_test.py: DEBUG on unless set), so it
# needs no SECRET_KEY on a fresh machine, as pytest does not.
test: install scan-install
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=caseapp.settings_test
	$(BIN)/pytest $(PYTEST_ARGS)

# One command for the production-like setup. Ctrl-C (or any of the three stopping) stops all three.
serve: install
	@if [ -z "$${REDIS_URL:-}" ]; then \
		echo "make serve runs a Celery worker and beat over Redis: set REDIS_URL (and DATABASE_URL)," >&2; \
		echo "e.g. REDIS_URL=redis://127.0.0.1:6379/0 DATABASE_URL=postgres://postgres@127.0.0.1:5432/caseapp" >&2; \
		echo "For the embedded default without services use 'make run'." >&2; \
		exit 1; \
	fi
	@case "$${DEBUG:-}" in [Tt]rue|TRUE|1|[Yy]es|[Oo]n) ;; *) \
		if [ -z "$${SECRET_KEY:-}" ]; then \
			echo "make serve runs as in production: DEBUG is off unless set, and then SECRET_KEY is required." >&2; \
			echo "Set SECRET_KEY (e.g. export SECRET_KEY=\$$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))'))" >&2; \
			echo "and ALLOWED_HOSTS, and serve it over HTTPS (a proxy setting X-Forwarded-Proto): DEBUG off redirects" >&2; \
			echo "to HTTPS. To try it on this machine over plain HTTP with synthetic data only, set DEBUG=true." >&2; \
			exit 1; \
		fi ;; \
	esac
	@if [ -z "$${DATABASE_URL:-}" ]; then \
		echo "warning: DATABASE_URL is unset, so the web server and the worker share SQLite (db.sqlite3)." >&2; \
	fi
	$(BIN)/python manage.py migrate
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@trap 'trap - EXIT INT TERM; kill $$(jobs -p) 2>/dev/null; wait' EXIT INT TERM; \
	CONN_MAX_AGE=$${CONN_MAX_AGE:-60} $(BIN)/celery -A caseapp worker -l info & \
	$(BIN)/celery -A caseapp beat -l info --schedule $(VENV)/celerybeat-schedule & \
	$(BIN)/python manage.py runserver --noreload $(ADDR) & \
	wait -n

lint: install
	$(BIN)/ruff check .
