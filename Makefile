# Outside-In: two commands set up a fresh machine.
#   make run   - create .venv, install, build the sample database if missing, start the app
#   make test  - same set-up, then the whole test suite
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DB ?= $(or $(OUTSIDE_IN_DB),data/outside_in.duckdb)
export OUTSIDE_IN_DB := $(DB)

.PHONY: run dev test check lint format format-check typecheck system setup db bench public clean deploy-test deploy-start deploy-stop

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# axe-core (the accessibility checker the browser tests inject) from tests/browser/axe's lock file.
# Without npm the axe test fails and says so; everything else still runs.
AXE := tests/browser/axe/node_modules/.package-lock.json
$(AXE): tests/browser/axe/package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --prefix tests/browser/axe --no-audit --no-fund --silent; \
	else echo "npm not found: tests/browser/test_axe_browser.py will fail (apt-get install npm)"; fi

setup: $(VENV)/.installed $(AXE)

$(DB): | setup
	$(PY) -m perf build

db: $(DB)

run: setup db
	$(PY) -m streamlit run app.py

# for developers: reload the app when a source file is saved (off in .streamlit/config.toml)
dev: setup db
	$(PY) -m streamlit run app.py --server.fileWatcherType auto --server.runOnSave true

public: setup db
	OUTSIDE_IN_PUBLIC=1 $(PY) -m streamlit run app.py

# Debian packages the tests drive (Chromium): installed as root, else one line saying what to install
system:
	@bash tests/system_deps.sh

test: system setup db
	$(PY) -m pytest

# three public replicas and the staff app behind a real nginx, started, driven and stopped (< 2 min)
deploy-test: system setup db
	$(PY) -m pytest -q tests/test_deploy.py -p no:cacheprovider

deploy-start: setup db
	deploy/run.sh start

deploy-stop:
	deploy/run.sh stop

# the engine, and the Streamlit side (pages, their helpers, the router): all strict
typecheck: setup
	$(PY) -m mypy --strict perf/ ui/ app_pages/ app.py

lint: setup
	$(VENV)/bin/ruff check .

# the code's layout, made by ruff format (pyproject.toml [tool.ruff.format]); format-check changes nothing
format: setup
	$(VENV)/bin/ruff format .

format-check: setup
	$(VENV)/bin/ruff format --check .

# everything CI checks (.ci/run): lint, layout, types, then the tests (which run mypy and the doctests too)
check: lint format-check typecheck test

bench: setup db
	for f in bench/*.py; do $(PY) $$f || exit 1; done

clean:
	rm -f data/*.duckdb data/*.duckdb.wal
