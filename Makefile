# kieubao — `make demo` serves a demo on http://127.0.0.1:8000; `make test` runs the suite.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
VENDOR := src/kieubao/platform/static/vendor
LOCALE := src/kieubao/locale
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test lint typecheck contracts migrations-check audit-deps static locale locale-extract \
        chromium chaos security bench serve worker clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

$(VENDOR)/htmx.min.js: package.json
	npm install --no-audit --no-fund --silent
	mkdir -p $(VENDOR)/leaflet
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css \
	      node_modules/leaflet/dist/images $(VENDOR)/leaflet/
	mkdir -p $(VENDOR)/world
	cp node_modules/topojson-client/dist/topojson-client.min.js \
	   node_modules/world-atlas/countries-110m.json $(VENDOR)/world/

static: $(VENDOR)/htmx.min.js

locale: $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d $(LOCALE) -D messages

# Refresh the catalogs from the code and templates; translators then edit the .po files.
locale-extract: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _ -k gettext -k ngettext:1,2 -o $(LOCALE)/messages.pot src
	$(BIN)/pybabel update -i $(LOCALE)/messages.pot -d $(LOCALE) -D messages --no-fuzzy-matching

demo: $(STAMP) static locale
	$(BIN)/kieubao db upgrade
	$(BIN)/kieubao demo load
	$(BIN)/kieubao serve --with-worker --host $(HOST) --port $(PORT)

serve: $(STAMP) static locale
	$(BIN)/kieubao serve --host $(HOST) --port $(PORT)

worker: $(STAMP)
	$(BIN)/kieubao worker

# Debian's Chromium for the browser tests; Playwright never downloads a browser of its own.
chromium:
	@test -x /usr/bin/chromium || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -qq chromium >/dev/null)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/mypy

# Known vulnerabilities in what is installed; skipped, saying why, when the advisories are out of reach.
audit-deps: $(STAMP)
	$(BIN)/python scripts/audit_dependencies.py

contracts: $(STAMP)
	$(BIN)/lint-imports

migrations-check: $(STAMP)
	rm -f var/check.db
	KIEUBAO_DATABASE_URL=sqlite:///var/check.db $(BIN)/kieubao db upgrade
	KIEUBAO_DATABASE_URL=sqlite:///var/check.db $(BIN)/kieubao db check
	rm -f var/check.db*

test: $(STAMP) static locale chromium lint contracts migrations-check audit-deps
	$(BIN)/pytest -n 2 --dist loadgroup

# Faults on purpose: workers and servers killed mid-work (import, fan-out, feed ingest, review),
# a private PostgreSQL restarted under load, the disk full, Redis gone away. Part of `make test`
# too; this runs them alone, one at a time, and records their figures in bench/results.
chaos: $(STAMP)
	KIEUBAO_RECORD_FIGURES=1 $(BIN)/pytest -n 0 -v tests/chaos \
	  tests/platform/test_database_faults.py tests/platform/test_jobs.py tests/platform/test_backup.py

# Who may call what (every route × every persona) and schemathesis against the OpenAPI
# document as every role; records their figures in bench/results.
security: $(STAMP)
	KIEUBAO_RECORD_FIGURES=1 $(BIN)/pytest -n 0 -v tests/security

bench: $(STAMP)
	sh bench/postgis.sh
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var .pytest_cache .mypy_cache .ruff_cache
