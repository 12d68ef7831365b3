# The two commands that matter: `make run` (the portal with demo data on
# http://127.0.0.1:8000, no server needed) and `make test` (every test).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test lint bench bench-load messages schema clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# Migrate, load the demo catalogue and accounts, then run a Celery worker (with beat) over the
# filesystem broker under var/ beside the development server; Ctrl-C stops both.
run: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "Portal: http://$(HOST):$(PORT)/   admin: http://$(HOST):$(PORT)/admin/"
	$(PY) -m celery -A portal worker --beat --loglevel=warning --concurrency=1 --queues=default,notifications,documents & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.installed
	$(PY) -m pytest $(PYTEST_ARGS)

# lint-imports: apps depend downward only, imports inside functions included (pyproject.toml).
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache --no-logo
	$(PY) manage.py makemigrations --check --dry-run

bench: $(VENV)/.installed
	$(PY) bench/catalogue_search.py
	$(PY) bench/dossier_submission.py
	$(PY) bench/officer_queue.py
	$(PY) bench/queue_search.py
	$(PY) bench/background.py
	$(PY) bench/indicators.py
	$(PY) bench/api_lists.py
	$(PY) bench/sign_in.py
	$(PY) bench/assistant.py
	$(PY) bench/zalo_webhook.py
	$(PY) bench/virus_scan.py
	$(PY) bench/tickets.py
	$(PY) bench/signing.py
	$(PY) bench/retention.py
	$(PY) bench/access_log.py

# Several hosts on one machine (network namespaces, HAProxy, s3rver; needs root): see bench/load.py.
bench-load: $(VENV)/.installed
	$(PY) bench/load.py

# Regenerate the committed OpenAPI schema (tests/api/test_schema.py fails when it is stale).
schema: $(VENV)/.installed
	$(PY) manage.py spectacular --file openapi.yaml --lang en --validate --fail-on-warn

# Re-extract and compile translations (needs GNU gettext); the compiled .mo files are committed.
messages: $(VENV)/.installed
	$(PY) manage.py makemessages -l vi -l en --ignore=.venv --ignore=var --ignore=static/vendor
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf var
