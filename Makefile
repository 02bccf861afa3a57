# Two commands for a newcomer: `make demo` and `make test`. Both build .venv from the lock file.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SPARK_STAMP := $(VENV)/.installed-spark
UV_VERSION := 0.13.8

.PHONY: env env-spark demo backfill test test-fast lint lock clean

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required (set PYTHON=/path/to/python3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	@touch $(STAMP)

env: $(STAMP)  ## create the virtual environment from the lock file

$(SPARK_STAMP): $(STAMP) requirements-spark.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements-spark.lock
	@touch $(SPARK_STAMP)

env-spark: $(SPARK_STAMP)  ## add the Spark engine (pyspark, dbt-spark) to the environment; the demo does not need it

demo: env  ## generate sample data, run the daily DAG through Airflow, print the tiers
	$(BIN)/lead-scoring demo

backfill: env  ## re-run the daily DAG through Airflow for START..END (YYYY-MM-DD); past days never sync
	$(BIN)/python -m lead_scoring.orchestration.backfill $(START) $(END)

test: env-spark  ## the whole test suite, end-to-end Airflow runs included
	$(BIN)/pytest

test-fast: env  ## everything but the end-to-end Airflow runs and the Spark builds
	$(BIN)/pytest -m "not e2e and not spark"

lint: env
	$(BIN)/ruff check .
	$(BIN)/ruff format --check lead_scoring dags plugins tests

lock:  ## re-resolve requirements.in into requirements.lock (keep its header comment)
	$(BIN)/uv pip compile requirements.in --python-version 3.11 --no-header -o requirements.lock.new
	{ sed -n '/^# Lock file/,/^[^#]/p' requirements.lock | sed '$$d'; cat requirements.lock.new; } > requirements.lock.tmp
	mv requirements.lock.tmp requirements.lock; rm -f requirements.lock.new
	$(BIN)/uv pip compile requirements-spark.in --python-version 3.11 --no-header -o requirements-spark.lock.new
	{ sed -n '1,/^[^#]/p' requirements-spark.lock | sed '$$d'; cat requirements-spark.lock.new; } > requirements-spark.lock.tmp
	mv requirements-spark.lock.tmp requirements-spark.lock; rm -f requirements-spark.lock.new

clean:
	rm -rf .state $(VENV)
