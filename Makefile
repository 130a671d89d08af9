# Two-command quick start: `make demo` and `make test` (each installs into .venv when needed).
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: install demo test lint benchmark-baselines

install:
	@bash tools/install.sh $(VENV)

demo: install
	$(PY) tools/demo.py

test: install
	$(PY) -m ruff check .
	$(PY) -m pytest -q

lint: install
	$(PY) -m ruff check .

benchmark-baselines: install
	$(PY) tools/benchmark/baselines.py
