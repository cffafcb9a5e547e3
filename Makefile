# vetbot — two commands: `make run` and `make test`.
VENV    ?= .venv
PY      := $(VENV)/bin/python
VETBOT  := $(VENV)/bin/vetbot
STAMP   := $(VENV)/.installed-stamp

.PHONY: run test test-fast lint format bench install db demo clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

db: install
	$(VETBOT) db upgrade

demo: db
	$(VETBOT) demo

## Install into .venv, prepare var/vetbot.db and the KB, start http://127.0.0.1:8000
run: demo
	$(VETBOT) serve --dev

## The full test suite (SQLite always; PostgreSQL when VETBOT_TEST_PG_URL is set)
test: install
	$(PY) -m pytest -q --durations=15

## The suite without the browser tests (quicker while working)
test-fast: install
	$(PY) -m pytest -q -m "not browser" --durations=15

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy bot intents knowledge db
	$(VENV)/bin/mypy --strict intents

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install
	$(PY) bench/retrieval.py
	$(PY) bench/engine.py
	$(PY) bench/webhook.py

clean:
	rm -rf $(VENV) var tests/artifacts
