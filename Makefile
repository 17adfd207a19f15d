# SageMaker LLM Stack — developer entry points. `make help` lists them.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

MODEL ?= meta-llama/Llama-3.1-8B-Instruct
INSTANCE ?= ml.g5.2xlarge
BACKEND ?= tgi
RENDER_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help venv render test lint fmt typecheck unit integration clean

help: ## List targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*## "}{printf "  %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[sagemaker,hub,service,dev]'
	@touch $(STAMP)

venv: $(STAMP) ## Create .venv and install the project with all extras

render: $(STAMP) ## Render container env + sizing (MODEL=, INSTANCE=, BACKEND=, RENDER_ARGS=)
	$(BIN)/llmctl render $(MODEL) --instance-type $(INSTANCE) --backend $(BACKEND) $(RENDER_ARGS)

lint: $(STAMP) ## ruff check + format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(STAMP) ## Apply ruff fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: $(STAMP) ## mypy over llmctl and llm_service
	$(BIN)/mypy

unit: $(STAMP) ## Fast unit tests only
	$(BIN)/pytest -q -m "not integration"

test: $(STAMP) lint typecheck ## Lint, type-check and run every test (unit + integration)
	$(BIN)/pytest -q

clean: ## Remove .venv and caches
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
