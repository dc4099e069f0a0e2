# Gatehouse: `make run` to try it, `make test` to run every test. Both set themselves up.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
# Django 6 needs Python 3.12 (the face detector's package supports 3.12 only); use the first
# Python 3.12 this machine has, including pyenv installs.
PYTHON ?= $(shell for p in python3.12 $$(ls -d /root/.pyenv/versions/3.12*/bin/python3 2>/dev/null) python3; do \
	$$p -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null && { echo $$p; break; }; done)
PG_URL ?= postgres://postgres@127.0.0.1:5432/gatehouse
REDIS ?= redis://127.0.0.1:6379
# Redis databases for the PostgreSQL run's cache and broker (change them to run two suites at once).
REDIS_CACHE ?= $(REDIS)/1
REDIS_BROKER ?= $(REDIS)/2

.PHONY: setup runtime-deps system-deps run test test-postgres lint ci bench

$(BIN)/.installed: requirements/*.txt
	@test -n "$(PYTHON)" || { echo "Python 3.12 is needed"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -r requirements/test.txt
	touch $@

setup: runtime-deps $(BIN)/.installed

# OpenCV (face detection) needs libGL; WeasyPrint (letters as PDF) needs Pango and HarfBuzz;
# browser tests drive Debian's Chromium; the letter tests read PDFs back with poppler's pdftotext;
# the video tests check the published copy with Debian's ffprobe (package ffmpeg).
runtime-deps:
	@ldconfig -p | grep -q libGL.so.1 || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q libgl1 libglib2.0-0; }
	@ldconfig -p | grep -q libpangoft2-1.0.so.0 && ldconfig -p | grep -q libharfbuzz-subset.so.0 || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core; }

# nginx: the HTTPS browser tests run deploy/nginx/gatehouse.conf in front of gunicorn.
system-deps: runtime-deps
	@command -v chromium >/dev/null || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }
	@test -x /usr/sbin/nginx || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx-light; }
	@command -v pdftotext >/dev/null || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q poppler-utils; }
	@command -v ffprobe >/dev/null || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ffmpeg; }

run: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python manage.py seed_demo
	@# Case deadline reminders, scheduled posts and the daily retention and review reminders
	@# without a broker, and the demo school's fake
	@# Facebook Page and Instagram (a fake Graph API): loops that stop when the server stops.
	export GRAPH_API_BASE=http://127.0.0.1:8765/v21.0 INSTAGRAM_POLL_SECONDS=1 \
		FACEBOOK_DIALOG_BASE=http://127.0.0.1:8765 META_APP_ID=1234567890 \
		META_APP_SECRET=demo-app-secret; \
	$(BIN)/python manage.py run_case_deadlines --loop --interval 60 & p1=$$!; \
	$(BIN)/python manage.py run_fake_graph --port 8765 & p2=$$!; \
	$(BIN)/python manage.py run_publishing --loop --interval 15 & p3=$$!; \
	$(BIN)/python manage.py run_governance_daily --loop & p4=$$!; \
	trap "kill $$p1 $$p2 $$p3 $$p4" EXIT; \
		$(BIN)/python manage.py runserver 127.0.0.1:8000

lint: setup
	$(BIN)/ruff check src e2e bench scripts manage.py conftest.py
	$(BIN)/python manage.py makemigrations --check --dry-run

test: setup system-deps lint
	$(BIN)/python -m pytest -q

# The same suite on PostgreSQL, with Redis as cache and broker and a real Celery worker.
test-postgres: setup system-deps
	DATABASE_URL=$(PG_URL) REDIS_URL=$(REDIS_CACHE) CELERY_BROKER_URL=$(REDIS_BROKER) \
		$(BIN)/python -m pytest -q

ci: test test-postgres

bench: setup
	$(BIN)/python bench/feed.py
	$(BIN)/python bench/publishing.py
