# The two commands of the README: `make demo` (set up, start the server with a demo) and `make test`.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test install lint typecheck webcheck pytest bench metrics clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# torch is pinned to the CPU build the test machines serve locally (any other version pulls CUDA wheels)
install: $(BIN)/python
	$(BIN)/pip install -q -e '.[server,test,integrations]' torch==2.13.0 --config-settings editable_mode=compat
	bash scripts/build-web.sh

demo: install
	bash scripts/demo.sh

lint: install
	$(BIN)/ruff check runyard tests bench
	$(BIN)/ruff format --check runyard tests bench

typecheck: install
	$(BIN)/mypy runyard

webcheck: install
	bash scripts/build-web.sh --check

# Coverage of the test process (see [tool.coverage.*] in pyproject.toml); fails below the floor.
pytest: install
	bash scripts/services.sh
	$(BIN)/python -m pytest -q -p no:cacheprovider --cov=runyard --cov-report=term:skip-covered

test: lint typecheck webcheck pytest

# Lines per module, largest functions, duplicated blocks, mypy strictness; REF=<git rev> for "before".
metrics: install
	$(BIN)/python scripts/code_metrics.py --mypy $(if $(REF),--ref $(REF))

bench: install
	$(BIN)/python bench/bench_log.py
	$(BIN)/python bench/bench_server.py

clean:
	rm -rf $(VENV) build *.egg-info runyard/webui/dist web/node_modules
