# 培育库 — set-up, run, test, benchmark.  Every target does its own set-up.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export FLASK_APP := app

.PHONY: run test test-postgres setup setup-dev setup-bench translations db demo scheduler bench \
        bench-load bench-ladder browser messages clean

## run: set up, migrate, load the demo data, print the accounts, start the one
## scheduler process beside the web server on :5000 (both stop together)
run: setup translations db demo
	@$(BIN)/flask pool scheduler 2>instance/scheduler.log & sched=$$!; \
	  trap 'kill $$sched 2>/dev/null' EXIT INT TERM; \
	  echo "计划任务进程已启动（日志 instance/scheduler.log）"; \
	  $(BIN)/flask run --host 127.0.0.1 --port 5000

## test: set up (incl. Chromium for the browser test) and run the whole test suite
test: setup-dev translations browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## test-postgres: the same suite against PostgreSQL (database `test` at 127.0.0.1:5432)
test-postgres:
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} $(MAKE) test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

$(VENV)/.bench: requirements.txt requirements-dev.txt requirements-bench.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-bench.txt
	touch $@ $(VENV)/.dev $(VENV)/.runtime

setup: $(VENV)/.runtime
setup-dev: $(VENV)/.dev
setup-bench: $(VENV)/.bench

## translations: compile the message catalogues (.po -> .mo)
translations: $(VENV)/.runtime
	$(BIN)/pybabel compile --use-fuzzy -d translations -D messages >/dev/null

## messages: re-extract the catalogue after changing UI texts, then edit translations/en
messages: $(VENV)/.runtime
	$(BIN)/pybabel extract -F babel.cfg -k _l -k _text_field -k _day_field -k _flag_field -k _choice_field -k Field -k Part:2 -k phrase -k criterion:2 -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations

node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

db: $(VENV)/.runtime
	$(BIN)/flask db upgrade

demo: $(VENV)/.runtime
	$(BIN)/flask pool seed-demo

## browser: Debian's Chromium for the Playwright tests (needs root or an existing install),
## and axe-core (npm, package-lock.json) that they inject to check accessibility
browser: node_modules/axe-core/axe.min.js
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "Chromium missing: run 'sudo apt-get install chromium'" >&2; exit 1; fi; }

## bench: the benchmarks (apart from the tests); figures are quoted in the README.
## bench/run.py: one table, each figure beside its floor (BENCH_ARGS="--enterprises 10000
## --postgres postgresql://…" to change; bench/bench_criteria.py and bench_scan.py run alone)
bench: setup-dev
	$(BIN)/python bench/run.py $(BENCH_ARGS)

## bench-ladder: two configured pools of N memberships each (the officer's-day work, graduations due,
## a members page, the what-if of a draft version), each beside its floor; BENCH_LADDER_ARGS="10000
## --preview 1000" for a quick run
bench-ladder: setup-dev
	$(BIN)/python bench/bench_ladder.py $(BENCH_LADDER_ARGS)

## bench-load: officers at work on gunicorn over a bulk pool, SQLite and PostgreSQL (Locust,
## headless; 10/50/100 users, then 50 during the daily scan). BENCH_LOAD_ARGS="--enterprises
## 10000 --duration 20 --backends sqlite" for a quick run; PostgreSQL: database bench_load at
## 127.0.0.1:5432 (created if missing, its public schema replaced)
bench-load: setup-bench translations
	$(BIN)/python bench/bench_load.py $(BENCH_LOAD_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
