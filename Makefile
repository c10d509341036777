# The two commands of the README: `make build` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: build test bench clean

build: $(VENV)/.installed node_modules/.installed
	$(BIN)/lecture build

test: $(VENV)/.installed node_modules/.installed
	$(BIN)/pytest

bench: $(VENV)/.installed node_modules/.installed
	$(BIN)/python bench/bench_build.py

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# remark.js and KaTeX, exactly as package-lock.json pins them.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

clean:
	rm -rf build
