# Everyday commands. Needs only GNU make, bash and Python 3.11+; the rest goes into .venv.
#
#   make run     the embedded default: SQLite, tasks run in-process, mail printed to the console
#   make test    the whole test suite (SQLite; PostgreSQL + Redis when DATABASE_URL/REDIS_URL are set)
#   make serve   gunicorn, a Celery worker per queue and beat together (DEBUG off), with DATABASE_URL, REDIS_URL
#                and SECRET_KEY set
#   make lint    ruff
#   make scan-install  the Wapiti scanner in its own .venv-scan (make test installs it; tests/integration/test_scanner.py)
#   make bench   the statewide speed run (not part of make test; bench/README.md): needs BENCH_DATABASE_URL (a
#                PostgreSQL database with "bench" in its name, created if missing) and BENCH_REDIS_URL;
#                BENCH_QUICK=1 for a small smoke run
#
# PYTEST_ARGS passes options to pytest, e.g. `make test PYTEST_ARGS="-k placement -x"`; PYTEST_WORKERS=0 runs it
# in one process (default: one per core).

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
# locust (the load test of make bench) pins gevent and friends the app does not need: its own venv too.
BENCH_VENV := .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed
ADDR ?= 127.0.0.1:8000
PYTEST_ARGS ?=
# Test processes (pytest-xdist): one per core; 0 runs the suite in this process.
PYTEST_WORKERS ?= auto

.PHONY: help install scan-install bench-install run test serve lint bench

help:
	@echo "make run      start the app on http://$(ADDR)/ with demo data (SQLite, no services needed)"
	@echo "make test     run the tests (set DATABASE_URL and REDIS_URL to include PostgreSQL/Redis/worker tests)"
	@echo "make serve    gunicorn + Celery workers (urgent, bulk) + beat, DEBUG off (needs DATABASE_URL, REDIS_URL, SECRET_KEY)"
	@echo "make lint     ruff check"
	@echo "make install  create .venv and install requirements-dev.txt"
	@echo "make scan-install  create .venv-scan with the Wapiti scanner (requirements-scan.txt)"
	@echo "make bench    the statewide speed run into bench/README.md (BENCH_DATABASE_URL, BENCH_REDIS_URL; BENCH_QUICK=1)"
	@echo "make bench-install  create .venv-bench with locust (requirements-bench.txt)"

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

bench-install: $(BENCH_STAMP)

$(BENCH_VENV)/bin/python:
	$(PYTHON) -m venv $(BENCH_VENV)

$(BENCH_STAMP): requirements-bench.txt | $(BENCH_VENV)/bin/python
	$(BENCH_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-bench.txt
	touch $@

# The statewide speed run (bench/run.py, bench/README.md): builds or reuses the dataset, load-tests the daily
# pages through gunicorn with locust, runs the sweep, export and packet benches, and writes the figures into
# bench/README.md and bench/results.json. About 30 minutes once its datasets exist (their first build about 20 more); BENCH_QUICK=1 for a smoke run.
bench: install bench-install
	@if [ -z "$${BENCH_DATABASE_URL:-}" ]; then \
		echo "make bench needs BENCH_DATABASE_URL, a PostgreSQL database with 'bench' in its name (created if" >&2; \
		echo "missing), e.g. postgres://postgres@127.0.0.1:5432/bench_statewide, and BENCH_REDIS_URL." >&2; \
		exit 1; \
	fi
	$(BIN)/python bench/run.py

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
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadscope $(PYTEST_ARGS)

# One command for the production-like setup on one machine (docs/deploy.md spreads it over several): gunicorn
# (gunicorn.conf.py) behind your TLS proxy, a Celery worker for the urgent queue (packets, clock sweeps,
# alerts), one for the bulk queue (exports), and beat. DEBUG is off here whatever the environment says:
# production settings, SECRET_KEY required, static files collected and served by whitenoise. Ctrl-C (or any of
# the four stopping) stops all four.
serve: override export DEBUG = false
serve: install
	@if [ -z "$${REDIS_URL:-}" ]; then \
		echo "make serve runs Celery workers and beat over Redis: set REDIS_URL (and DATABASE_URL)," >&2; \
		echo "e.g. REDIS_URL=redis://127.0.0.1:6379/0 DATABASE_URL=postgres://postgres@127.0.0.1:5432/caseapp" >&2; \
		echo "For the embedded default without services use 'make run'." >&2; \
		exit 1; \
	fi
	@if [ -z "$${SECRET_KEY:-}" ]; then \
		echo "make serve runs as in production (DEBUG off), so SECRET_KEY is required." >&2; \
		echo "Set SECRET_KEY (e.g. export SECRET_KEY=\$$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))'))" >&2; \
		echo "and ALLOWED_HOSTS, and serve it over HTTPS behind a proxy that sets X-Forwarded-Proto (docs/deploy.md)." >&2; \
		echo "To try it on this machine over plain HTTP with synthetic data only, also set SECURE_SSL_REDIRECT=false" >&2; \
		echo "and open http://localhost:8000/ (browsers keep secure cookies on localhost)." >&2; \
		exit 1; \
	fi
	@if [ -z "$${DATABASE_URL:-}" ]; then \
		echo "warning: DATABASE_URL is unset, so the web server and the workers share SQLite (db.sqlite3)." >&2; \
	fi
	$(BIN)/python manage.py migrate
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@trap 'trap - EXIT INT TERM; kill $$(jobs -p) 2>/dev/null; wait' EXIT INT TERM; \
	export CONN_MAX_AGE=$${CONN_MAX_AGE:-60}; \
	$(BIN)/celery -A caseapp worker -l info -Q $${TASK_QUEUE_PREFIX:-}urgent -n urgent@%h \
		--concurrency $${URGENT_WORKER_CONCURRENCY:-2} & \
	$(BIN)/celery -A caseapp worker -l info -Q $${TASK_QUEUE_PREFIX:-}bulk -n bulk@%h \
		--concurrency $${BULK_WORKER_CONCURRENCY:-1} & \
	$(BIN)/celery -A caseapp beat -l info --schedule $(VENV)/celerybeat-schedule & \
	GUNICORN_BIND=$${GUNICORN_BIND:-$(ADDR)} $(BIN)/gunicorn -c gunicorn.conf.py & \
	wait -n

lint: install
	$(BIN)/ruff check .
