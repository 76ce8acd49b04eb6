# splitscan: every target sets up what it needs, so `make demo` and `make test` work on a fresh clone.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
JARS_DIR := $(VENV)/share/splitscan/jars
STAMP_PY := $(VENV)/.installed
STAMP_JARS := $(JARS_DIR)/.fetched
# The browser test of the case report drives Debian's chromium through its chromedriver (no download at test time).
CHROMIUM := /usr/bin/chromium
CHROMEDRIVER := /usr/bin/chromedriver
DEMO_DIR ?= build/demo
DEMO_RECORDS ?= 50000
BENCH_ARGS ?=
# Two pytest workers, each with its own local[2] Spark session: small Spark jobs are mostly driver latency, so two
# sessions keep the 2 cores busier than one. Set TEST_WORKERS=0 to run in one process.
TEST_WORKERS ?= 2
PYTEST_PARALLEL := $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist worksteal)

# Python workers must use the venv's interpreter, and Spark should not guess the loopback address.
export PYSPARK_PYTHON := $(abspath $(PY))
export PYSPARK_DRIVER_PYTHON := $(abspath $(PY))
export SPARK_LOCAL_IP ?= 127.0.0.1
export SPLITSCAN_JARS_DIR := $(abspath $(JARS_DIR))

.PHONY: help setup browser demo test test-unit test-integration lint fmt typecheck check bench run clean

help: ## Show this help
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2}'

$(PY):
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found (splitscan needs Python 3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP_PY): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,dev]'
	@touch $@

$(STAMP_JARS): jars/pom.xml
	@command -v mvn >/dev/null || { echo "error: Maven (mvn) is needed to fetch Spark's jars from Maven Central"; exit 1; }
	mkdir -p $(JARS_DIR)
	mvn --batch-mode --quiet -f jars/pom.xml dependency:copy-dependencies \
		-DexcludeTransitive=true -DoutputDirectory=$(abspath $(JARS_DIR))
	@touch $@

setup: $(STAMP_PY) $(STAMP_JARS) ## Create .venv, install splitscan and fetch Spark's jars (idempotent)

# The files themselves are the stamps: apt-get runs only when one is missing (it needs root and Debian's archive).
$(CHROMIUM) $(CHROMEDRIVER):
	@[ -x $(CHROMIUM) ] && [ -x $(CHROMEDRIVER) ] || { \
		command -v apt-get >/dev/null || { echo "error: the browser test needs chromium and chromedriver at $(CHROMIUM) and $(CHROMEDRIVER); install Debian's chromium and chromium-driver"; exit 1; }; \
		echo "installing chromium and chromium-driver with apt-get (for the browser test of the case report)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	}

browser: $(CHROMIUM) $(CHROMEDRIVER) ## Install Debian's chromium and chromedriver for the browser test (if missing)

demo: setup ## Generate ~50k import records (DEMO_RECORDS) and run the whole pipeline on them
	rm -rf $(DEMO_DIR)
	$(VENV)/bin/splitscan generate --records $(DEMO_RECORDS) --seed 7 --out $(DEMO_DIR)/data
	$(VENV)/bin/splitscan run --input $(DEMO_DIR)/data/input --warehouse $(DEMO_DIR)/warehouse --run-date 2025-07-01

test: setup browser ## Run the whole test suite (unit + integration)
	$(VENV)/bin/pytest $(PYTEST_PARALLEL) --durations=15

test-unit: setup ## Run the unit tests only
	$(VENV)/bin/pytest $(PYTEST_PARALLEL) tests/unit

test-integration: setup browser ## Run the integration tests only
	$(VENV)/bin/pytest $(PYTEST_PARALLEL) tests/integration

lint: setup ## ruff and mypy
	$(VENV)/bin/ruff check src tests jobs benchmarks
	$(VENV)/bin/ruff format --check src tests jobs benchmarks
	$(VENV)/bin/mypy

fmt: setup ## Format and auto-fix with ruff
	$(VENV)/bin/ruff format src tests jobs benchmarks
	$(VENV)/bin/ruff check --fix src tests jobs benchmarks

typecheck: setup ## mypy (strict) on src/
	$(VENV)/bin/mypy

check: lint test ## lint + tests

bench: setup ## Run the benchmarks (writes benchmarks/results/*.json)
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) benchmarks/run.py $(BENCH_ARGS)

run: setup ## Run one job: make run JOB=ingest ARGS="--input DIR --warehouse DIR" RUN_DATE=YYYY-MM-DD
	$(VENV)/bin/spark-submit --jars $$(ls $(JARS_DIR)/*.jar | paste -sd,) jobs/$(JOB).py $(ARGS) \
		$(if $(RUN_DATE),--run-date $(RUN_DATE))

clean: ## Remove the venv, caches and demo output
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache
