# `make check` and `make test` work on a fresh machine: the first use creates .venv and installs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DIR ?=
REPORT_LANG ?=

.PHONY: check test image stability bench bench-batch clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

## make check            grade the reference solutions (full marks) and starters (not)
## make check DIR=folder  a student's self-check of their own folder (REPORT_LANG=zh for a Chinese report)
check: $(STAMP)
	$(BIN)/grader check $(DIR) $(if $(REPORT_LANG),--lang $(REPORT_LANG))

## make test              the grader's own tests (unit + every sample graded 5 times locally and once
##                        in a container + hostile submissions); Docker tests skip, saying why, without an engine.
##                        The fork-bomb tests (marked `alone`) run last, by themselves: a fork bomb slows the machine
test: $(STAMP)
	$(BIN)/python -m pytest -n auto -rs -m "not alone"
	$(BIN)/python -m pytest -rs -m alone

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

## make bench-batch       a 60-student class: 1 vs 2 workers, the naive docker-run loop, a rerun (~30 min)
bench-batch: $(STAMP)
	$(BIN)/python bench/batch.py

clean:
	rm -rf $(VENV) reports/*/ .pytest_cache
