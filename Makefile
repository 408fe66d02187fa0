# `make check` and `make test` work on a fresh machine: the first use creates .venv and installs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DIR ?=

.PHONY: check test stability bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

## make check            grade the reference solutions (full marks) and starters (not)
## make check DIR=folder  a student's self-check of their own folder
check: $(STAMP)
	$(BIN)/grader check $(DIR)

## make test              the grader's own tests (unit + every sample graded 5 times)
test: $(STAMP)
	$(BIN)/python -m pytest -n auto -rs

## make stability         every sample graded 200 times with a core kept busy (not in CI)
stability: $(STAMP)
	$(BIN)/python bench/stability.py

## make bench             grading speed of the reference solutions and of a deadlock
bench: $(STAMP)
	$(BIN)/python bench/grading_speed.py

clean:
	rm -rf $(VENV) reports/*/ .pytest_cache
