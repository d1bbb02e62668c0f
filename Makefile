# The two commands of the README: `make demo` (set up, run the demo) and `make test` (every gate).
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test install lint typecheck pytest bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -e '.[server,test]'

demo: install
	bash scripts/demo.sh

lint: install
	$(BIN)/ruff check runyard tests bench
	$(BIN)/ruff format --check runyard tests bench

typecheck: install
	$(BIN)/mypy runyard

pytest: install
	bash scripts/services.sh
	$(BIN)/python -m pytest -q -p no:cacheprovider

test: lint typecheck pytest

bench: install
	$(BIN)/python bench/bench_log.py

clean:
	rm -rf $(VENV) build *.egg-info
