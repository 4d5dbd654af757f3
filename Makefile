# Two commands set everything up from nothing: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck bench schemas clean

DEMO_STAMP := $(VENV)/.installed-demo

# The demo needs azconf alone; the tests add their tools (and a plaintext file keyring for tests).
$(DEMO_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(DEMO_STAMP)

$(STAMP): pyproject.toml $(DEMO_STAMP)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(DEMO_STAMP)
	bash examples/demo.sh $(BIN)/azconf

test: $(STAMP) lint typecheck
	bash tests/interop/install.sh
	$(BIN)/python -m pytest -q --cov --cov-report=; status=$$?; \
	echo "coverage (code run in the test process; CLI subprocesses not counted): $$($(BIN)/coverage report --format=total)%"; \
	exit $$status

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

schemas: $(STAMP)
	$(BIN)/azconf schema export --out schemas

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
