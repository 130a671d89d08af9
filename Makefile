# Two-command quick start: `make demo` and `make test` (each installs into .venv when needed).
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: install demo test lint benchmark perf

install:
	@bash tools/install.sh $(VENV)

demo: install
	$(PY) tools/demo.py

test: install
	@bash tools/label_studio/install.sh
	$(PY) -m ruff check .
	$(PY) -m pytest -q

lint: install
	$(PY) -m ruff check .

# Label-efficiency table (9 methods x 3 seeds, resumable) and the cost figures, into
# configs/labor/README.md (the headline table into README.md).
benchmark: install
	$(PY) tools/benchmark/label_efficiency.py

perf: install
	$(PY) tools/benchmark/perf.py --readme
	$(PY) tools/benchmark/on_paper.py --readme
