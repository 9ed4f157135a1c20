# Two commands for a new user (see README):
#   make report   install what is needed and render every report into outputs/
#   make test     install what is needed (with test extras) and run the whole test suite
# Also: make test-unit (the fast in-process tests alone), make lint (ruff format + lint).
# Re-running either is fast: .venv is only (re)installed when pyproject.toml changed.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
ARGS   ?=

.PHONY: report test test-unit test-integration lint bench lab extract compare corpus clean-outputs help
LINTED := src tests benchmarks

help:
	@echo "make report   render every report into outputs/ (creates .venv on first run)"
	@echo "make test     run the whole test suite: unit, then integration (creates .venv on first run)"
	@echo "make test-unit  the fast in-process unit tests alone (seconds)"
	@echo "make lint     ruff format --check and ruff check (what CI runs before the tests)"
	@echo "make bench    print extraction/comparison/report speed and accuracy figures"
	@echo "make lab      open JupyterLab on notebooks/"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamp files record that the install matches the current pyproject.toml.
$(VENV)/.installed-main: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed-main
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@

report: $(VENV)/.installed-main
	$(BIN)/qzanalysis report $(ARGS)

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest tests/unit tests/integration $(ARGS)

test-unit: $(VENV)/.installed-dev
	$(BIN)/python -m pytest tests/unit $(ARGS)

test-integration: $(VENV)/.installed-dev
	$(BIN)/python -m pytest tests/integration $(ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/ruff check $(LINTED)

bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/run_benchmarks.py $(ARGS)

lab: $(VENV)/.installed-main
	$(BIN)/jupyter lab notebooks/

corpus: $(VENV)/.installed-main
	$(BIN)/qzanalysis corpus $(ARGS)

extract: $(VENV)/.installed-main
	$(BIN)/qzanalysis extract $(ARGS)

compare: $(VENV)/.installed-main
	$(BIN)/qzanalysis compare $(ARGS)

clean-outputs:
	rm -rf outputs/tables outputs/notebooks outputs/html outputs/index.html outputs/.cache
