# `make check` and `make test` work on a fresh machine: the first use creates .venv and installs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DIR ?=
REPORT_LANG ?=
# One pytest worker more than cores: many tests wait on the wall clock (a judge's backstop, a container,
# a subprocess starting) rather than use a core. Verdicts hold under more load than this (make stability).
JOBS ?= $(shell echo $$(( $$(nproc) + 1 )))

.PHONY: check test test-all lint image stability bench bench-batch bench-site serve clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,site]'
	@touch $(STAMP)

## make check            grade the reference solutions (full marks) and starters (not)
## make check DIR=folder  a student's self-check of their own folder (REPORT_LANG=zh for a Chinese report)
check: $(STAMP)
	$(BIN)/grader check $(DIR) $(if $(REPORT_LANG),--lang $(REPORT_LANG))

## make test              before every commit, in minutes: lint, types, unit tests, every sample graded once
##                        in process, quick Docker/browser/bubblewrap tests (they skip, saying why, without them)
test: $(STAMP) lint
	$(BIN)/python -m pytest -n $(JOBS) -rs -m "not slow and not alone"

## make test-all          everything, what CI runs: also the `slow` tests (samples repeated, every sample in a
##                        container, hostile submissions, the kit in a fresh venv, the Gradescope image, kill -9
##                        and resume); the fork-bomb tests (marked `alone`) last, by themselves
test-all: $(STAMP) lint
	$(BIN)/python -m pytest -n $(JOBS) -rs -m "not alone"
	$(BIN)/python -m pytest -rs -m alone

## make lint              ruff (lint, import order) and mypy (types)
lint: $(STAMP)
	$(BIN)/ruff check . exercises/*/tests/*.py  # packs' tests by name: the starters' exclusion would hide them
	$(BIN)/mypy

## make image [REGISTRY_FREE=1]  build the container sandbox's image (only if its tag is missing)
image: $(STAMP)
	$(BIN)/grader image build $(if $(REGISTRY_FREE),--registry-free)

## make stability         every sample graded and every exploration case explored 200 times, a core kept busy (not in CI)
stability: $(STAMP)
	$(BIN)/python bench/stability.py

## make bench             grading speed (local), the whole catalog (container), schedule exploration,
##                        the container sandbox's overhead
bench: $(STAMP)
	$(BIN)/python bench/grading_speed.py
	$(BIN)/python bench/catalog.py
	$(BIN)/python bench/exploration.py
	$(BIN)/python bench/container_overhead.py

## make serve            the course site on http://127.0.0.1:8000/ (data in ./course-data; docs/site.md)
serve: $(STAMP)
	$(BIN)/grader serve --data course-data

## make bench-site        the course site: service overhead, a 200-submission burst against grader batch (~10 min)
bench-site: $(STAMP)
	$(BIN)/python bench/site.py
	$(BIN)/python bench/queue_cost.py

## make bench-batch       a 60-student class: 1 vs 2 workers, the naive docker-run loop, a rerun (~30 min)
bench-batch: $(STAMP)
	$(BIN)/python bench/batch.py

clean:
	rm -rf $(VENV) reports/*/ .pytest_cache
