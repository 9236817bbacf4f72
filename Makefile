# 爱心妈妈结对关爱平台 — the two commands: `make run` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt constraints.txt | cksum | cut -d' ' -f1)
PORT   ?= 8000

# The test suite runs on the real services (see README).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/caring_mothers
TEST_REDIS_URL    ?= redis://127.0.0.1:6379
# The production-shaped topology (`make topology`) uses its own database.
TOPOLOGY_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/caring_mothers_topology

.PHONY: install run test lint topology bench-regions bench-pairing vendor clean fuzz load messages

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "需要 Python 3.11 / $(PYTHON) not found on PATH"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	@rm -f $(VENV)/.installed-*; touch $(STAMP)

# The English catalogue is compiled here, not committed (locale/*/LC_MESSAGES/*.mo are ignored).
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/*.po))
locale/%.mo: locale/%.po
	@command -v msgfmt >/dev/null || { echo "需要 gettext / msgfmt not found: apt-get install gettext"; exit 1; }
	msgfmt --check-format -o $@ $<

install: $(STAMP) $(CATALOGUES)

## make messages: split doubled strings, extract every msgid into locale/en/LC_MESSAGES/django.po,
## list those without English (docs/i18n.md).
messages: install
	$(PY) manage.py i18n_split

## make run: the platform with demo data; no external service (an embedded PostgreSQL from a
## pip wheel with its data in var/pgdata, a filesystem Celery broker, SMS to a local outbox).
run: install
	@mkdir -p var
	@DATABASE_URL=$$($(PY) -m backend.embedded_db start) || { echo "could not start the embedded PostgreSQL (var/pgdata)"; exit 1; }; \
	export DATABASE_URL; \
	trap '$(PY) -m backend.embedded_db stop' EXIT; \
	trap 'exit 143' TERM; trap 'exit 130' INT; \
	$(PY) manage.py migrate --noinput && \
	$(PY) manage.py seed_demo && \
	echo "" && \
	echo "  管理后台 admin:        http://127.0.0.1:$(PORT)/admin/" && \
	echo "  工作台 workspace:      http://127.0.0.1:$(PORT)/staff/" && \
	echo "  报名 apply (phone):    http://127.0.0.1:$(PORT)/apply/" && \
	echo "  爱心妈妈 volunteer:    http://127.0.0.1:$(PORT)/v/" && \
	echo "  健康检查 health:       http://127.0.0.1:$(PORT)/healthz" && \
	echo "  接口文档 API docs:     http://127.0.0.1:$(PORT)/api/docs/" && \
	echo "  本地发件箱 SMS outbox: http://127.0.0.1:$(PORT)/admin/notifications/localdelivery/" && \
	echo "  Ctrl-C stops the web server, the Celery worker, beat and the embedded database." && \
	echo "" && \
	PORT=$(PORT) $(VENV)/bin/honcho -f Procfile.dev start

## make test: the whole suite on PostgreSQL and Redis at 127.0.0.1.
test: install
	DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_REDIS_URL)/0 CACHE_URL=$(TEST_REDIS_URL)/1 \
	  $(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run

## make topology: gunicorn (3 workers) + 2 Celery workers + 1 beat on local PostgreSQL and Redis.
topology: install
	@psql -h 127.0.0.1 -U postgres -tAc "select 1 from pg_database where datname='caring_mothers_topology'" | grep -q 1 || \
	  createdb -h 127.0.0.1 -U postgres caring_mothers_topology
	@mkdir -p var && test -s var/topology-secret || $(PY) -c "import secrets; print(secrets.token_urlsafe(64))" > var/topology-secret
	@test -s var/topology-fieldkey || $(PY) -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())" > var/topology-fieldkey
	export DJANGO_DEBUG=false SECURE_SSL_REDIRECT=false SECRET_KEY=$$(cat var/topology-secret) \
	  FIELD_ENCRYPTION_KEYS=$$(cat var/topology-fieldkey) FIELD_HASH_KEY=$$(cat var/topology-secret) \
	  DATABASE_URL=$(TOPOLOGY_DATABASE_URL) CELERY_BROKER_URL=$(TEST_REDIS_URL)/2 CACHE_URL=$(TEST_REDIS_URL)/3 \
	  ALLOWED_HOSTS=127.0.0.1,localhost PORT=$(PORT) && \
	$(PY) manage.py migrate --noinput && $(PY) manage.py collectstatic --noinput -v0 && \
	$(PY) manage.py seed_demo && $(VENV)/bin/honcho -f Procfile start

## make bench-regions: time and peak memory of importing the whole country.
bench-regions: install
	DATABASE_URL=$(TEST_DATABASE_URL)_bench_regions $(PY) bench/import_regions.py

## make bench-pairing: a whole pairing run (PostgreSQL + engine + Celery) for Jincheng, a large county, Shanxi.
bench-pairing: install
	$(PY) bench/pairing_run.py

## make vendor: refresh the vendored WeUI, ECharts, htmx and Workbox files from npm (package.json).
vendor:
	npm install --no-audit --no-fund
	cp node_modules/weui/dist/style/weui.min.css backend/static/vendor/weui/
	cp node_modules/echarts/dist/echarts.min.js backend/static/vendor/echarts/
	cp node_modules/htmx.org/dist/htmx.min.js backend/static/vendor/htmx/
	cp node_modules/workbox-sw/build/workbox-sw.js node_modules/workbox-core/build/workbox-core.prod.js \
	  node_modules/workbox-routing/build/workbox-routing.prod.js \
	  node_modules/workbox-strategies/build/workbox-strategies.prod.js backend/static/vendor/workbox/

## make fuzz: schemathesis over every operation × every role, >= 10,000 requests, random seed (issue 9).
FUZZ_EXAMPLES ?= 30
fuzz: install
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_RANDOM=1 DATABASE_URL=$(TEST_DATABASE_URL) TEST_DATABASE_NAME=test_caring_mothers_fuzz \
	  CELERY_BROKER_URL=$(TEST_REDIS_URL)/14 CACHE_URL=$(TEST_REDIS_URL)/15 \
	  $(VENV)/bin/pytest tests/hardening/test_fuzz.py -q -s -p no:logging

## make load: gunicorn + PostgreSQL + Redis under a locust mix for LOAD_SECONDS (default 300) (issue 9).
LOAD_SECONDS ?= 300
load: install
	LOAD_SECONDS=$(LOAD_SECONDS) $(PY) bench/load_mix.py

clean:
	rm -rf var/* $(VENV)
	touch var/.gitkeep
