# The two commands of the README: `make run` serves, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck install bench eval clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip uv
	$(BIN)/uv pip install --python $(BIN)/python -e '.[dev]'
	# --no-deps: mediapipe 0.10.21's metadata pulls in jax and opencv-contrib, which it does not need here.
	$(BIN)/uv pip install --python $(BIN)/python --no-deps mediapipe==0.10.21
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/openkyc serve

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench eval
	$(BIN)/ruff format --check src tests bench eval

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/api.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
