# Two commands from a fresh clone: `make run` and `make test`.
# Needs only python3, pip and make; uv is bootstrapped through pip when missing.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
UV := $(shell command -v uv 2>/dev/null || echo $(VENV)-tools/bin/uv)
PY := $(VENV)/bin/python
export DAGSTER_HOME := $(CURDIR)/.dagster
export UV_PYTHON := $(PYTHON)

.PHONY: run test test-fast lint ui sql bench setup clean

$(VENV)-tools/bin/uv:
	$(PYTHON) -m venv $(VENV)-tools
	$(VENV)-tools/bin/pip install --quiet uv

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	touch $@

setup: $(VENV)/.synced

## make run: ingest the bundled sample submissions and publish under data/published/
run: setup
	mkdir -p data/inbox
	cp -R data/samples/20[0-9][0-9]-[0-9][0-9] data/inbox/
	@echo "Đã chép báo cáo mẫu các kỳ 4-7/2024 (data/samples/) vào data/inbox/. Một tệp được tính là nhận vào ngày chương trình đọc nó lần đầu, nên các báo cáo mẫu năm 2024 được nhận sau hạn và được tính là trễ hạn (xem data/samples/README.md)."
	$(PY) -m pipelines run --data-dir data

## make test: the linter, the formatter's check, then the whole suite
test: lint
	env -u DAGSTER_HOME $(PY) -m pytest

## make test-fast: the suite without the tests that run the whole job (marked e2e)
test-fast: lint
	env -u DAGSTER_HOME $(PY) -m pytest -m "not e2e"

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

## make ui: the Dagster UI (webserver and daemon: the sensor and the schedule run) on
## http://127.0.0.1:3000, loopback only, with the project's Dagster home .dagster/
## (SQLite run history that persists, telemetry off: .dagster/dagster.yaml)
ui: setup
	$(VENV)/bin/dagster dev -h 127.0.0.1 -p 3000

## make sql: the analysts' copy of the warehouse (data/analyst.duckdb), read-only, in an SQL shell
sql: setup
	$(PY) -m pipelines sql --data-dir data

## make bench: the scale benchmark, by default at province size (figures in BENCHMARKS.md);
## other arguments through BENCH_ARGS, e.g. the district run against the framework floor:
## make bench BENCH_ARGS='--district --json data/bench/district.json'
BENCH_ARGS ?= --communes 300 --periods 13 --json data/bench/bench.json
bench: setup
	$(PY) -m benchmarks $(BENCH_ARGS)

## make reference: the national reference files (data/reference/vn/: units, crosswalk, report)
## regenerated from the statistics office's tables kept in data/reference/nso/
.PHONY: reference
reference: setup
	$(PY) scripts/make_reference.py

clean:
	rm -rf data/inbox data/archive data/published data/warehouse.duckdb* data/analyst.duckdb data/.analyst.duckdb.source.json data/analytics data/.analytics data/.history
