# 英才卡 · 人才服务绿色通道 — the two commands are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum requirements.txt | cut -c1-12)

.PHONY: run test test-py lint schema migrate worker bench bench-icount clean
.PHONY: h5 test-h5 test-e2e test-mp deploy-check

# The H5 (h5/): its packages come from package-lock.json (npm ci), its build goes to h5/dist.
H5_LOCK := $(shell sha1sum h5/package-lock.json 2>/dev/null | cut -c1-12)
H5_DEPS := h5/node_modules/.installed-$(H5_LOCK)
H5_SRC := $(shell find h5/src h5/console h5/scripts -type f 2>/dev/null) h5/index.html h5/vite.config.js h5/vite.console.config.js h5/package.json $(wildcard h5/.env h5/.env.production)

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
	@$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt 2>&1 | grep -v "^WARNING: Location" || true
	@$(PY) -c "import tornado, sqlalchemy, aiomysql, aiosqlite, wechatpy, aliyunsdkdysmsapi" 
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

$(H5_DEPS): h5/package-lock.json
	@command -v npm >/dev/null || { echo "the H5 needs Node.js (>= 20.19) and npm"; exit 1; }
	cd h5 && npm ci --no-audit --no-fund --loglevel=error
	@rm -f h5/node_modules/.installed-* && touch $(H5_DEPS)

# The mini-program (miniprogram/): its packages come from its package-lock.json (npm ci).
MP_LOCK := $(shell sha1sum miniprogram/package-lock.json 2>/dev/null | cut -c1-12)
MP_DEPS := miniprogram/node_modules/.installed-$(MP_LOCK)

$(MP_DEPS): miniprogram/package-lock.json
	@command -v npm >/dev/null || { echo "the mini-program's tests need Node.js (>= 20) and npm"; exit 1; }
	cd miniprogram && npm ci --no-audit --no-fund --loglevel=error
	@rm -f miniprogram/node_modules/.installed-* && touch $(MP_DEPS)

h5/dist/index.html: $(H5_DEPS) $(H5_SRC)
	cd h5 && npm run --silent build

# one `npm run build` makes both; this rule only catches a console build that went missing
h5/dist-console/index.html: h5/dist/index.html
	@test -f $@ || { cd h5 && npm run --silent build; }

## make h5: install the H5's packages and build it into h5/dist (served under /h5/) and the PC console into
## h5/dist-console (served under /console/); prints both bundles' sizes
h5: h5/dist/index.html h5/dist-console/index.html

run test: h5

## make run: set up, migrate the embedded SQLite database, load the demo data, serve on 127.0.0.1:8000
run: $(STAMP)
	@mkdir -p var
	$(PY) -m server.db.migrate
	APP_ENV=$${APP_ENV:-dev} LOG_JSON=$${LOG_JSON:-0} $(PY) -m server

## make test: every test, on SQLite and on MariaDB/MySQL (skipped with a message where no server runs; REQUIRE_MYSQL=1 makes that a failure)
test: $(STAMP)
	$(PY) scripts/gen_schema_sql.py --check
	$(VENV)/bin/ruff check server tests scripts
	$(PY) -m pytest -q -p no:randomly
	@$(MAKE) --no-print-directory test-h5 test-e2e test-mp

## make test-h5: the H5's unit tests (Vitest: API client, stores, components)
test-h5: h5
	cd h5 && npx vitest run

## make test-e2e: the H5 journeys in Debian's Chromium (playwright-core) against a real server on a fresh SQLite
## database; skipped with a message where no Chromium is found, a failure then with REQUIRE_BROWSER=1 (.ci/run)
test-e2e: $(STAMP) h5
	node --test tests/e2e/

## make test-mp: the WeChat mini-program: vendor the Vant components, type-check (tsc over the JS), check the
## package sizes, then jest (the official WXML/WXSS compilers, page units, journeys against a real server)
test-mp: $(STAMP) $(MP_DEPS)
	cd miniprogram && node scripts/vendor-vant.js && npx tsc --noEmit -p jsconfig.json && node scripts/check-size.js && npx jest --ci

lint: $(STAMP)
	$(VENV)/bin/ruff check server tests scripts

## make schema: regenerate sql/schema.mysql.sql from the migrations
schema: $(STAMP)
	$(PY) scripts/gen_schema_sql.py

migrate: $(STAMP)
	$(PY) -m server.db.migrate

## make worker: the outbox relay and scheduled jobs as their own process
worker: $(STAMP)
	$(PY) -m server.worker

## make bench: one server process on MariaDB/MySQL (BENCH_DATABASE_URL, default the local server) with 100,000 holders
## and 1,000,000 appointments, loaded by wrk on loopback; prints one table (docs/benchmarks.md). Not part of make test.
bench: $(STAMP)
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; } || { echo "make bench needs wrk: apt-get install wrk"; exit 1; }
	$(PY) -m scripts.bench.run

## make bench-icount: the venue scan against the raw aiomysql handler in instructions per request (valgrind's
## callgrind), a ratio that does not move with the machine's load (docs/benchmarks.md). About 4 minutes.
bench-icount: $(STAMP)
	@command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind >/dev/null; } || { echo "make bench-icount needs valgrind: apt-get install valgrind"; exit 1; }
	$(PY) -m scripts.bench.icount

## make deploy-check: the production shape on this machine (deploy/, docs/deploy.md): its own MariaDB database,
## an S3-compatible store (moto), two server processes, a worker and nginx on loopback; checks through nginx, a rolling
## restart under load, kill -9, backup and restore. Installs nginx when missing. Not part of make test.
deploy-check: $(STAMP) h5
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; } || { echo "make deploy-check needs nginx: apt-get install nginx-light"; exit 1; }
	PATH="$$PATH:/usr/sbin" $(PY) scripts/deploy_check.py

clean:
	rm -rf $(VENV) var .pytest_cache
