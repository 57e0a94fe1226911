# One entry point for humans and CI. `make demo` works on a fresh machine with only Python and pip:
# the first call bootstraps a virtual environment in .venv from pyproject.toml. `make test` also needs
# two Debian packages (PostgreSQL server, Chromium): scripts/system-deps checks for them first,
# installs them when run as root, and otherwise stops at once with the exact command to run.
# `make demo PORT=8001` serves on another port.
PYTHON ?= python3
PORT   ?=
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test system-deps lint bench docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/airdecon demo $(if $(PORT),--port $(PORT))

# system-deps runs before the virtual environment is built, so a missing package stops at once.
test:
	bash scripts/system-deps
	$(MAKE) --no-print-directory $(STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/mypy
	$(BIN)/python -m pytest

system-deps:
	bash scripts/system-deps

# mypy checks src/airdecon with the settings in pyproject.toml ([tool.mypy])
lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/mypy

# regenerate the figures and the CLI reference in the docs (tests/docs fails when they drift)
docs: $(STAMP)
	$(BIN)/python scripts/docs_figures.py
	$(BIN)/python scripts/docs_cli.py

bench: $(STAMP)
	$(BIN)/python bench/detect.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache
