# The two commands of the README: `make build` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: build test bench lock clean

build: $(VENV)/.installed node_modules/.installed
	$(BIN)/lecture build

test: $(VENV)/.installed node_modules/.installed
	$(BIN)/python -m pytest

bench: $(VENV)/.installed node_modules/.installed
	$(BIN)/python bench/bench_build.py
	$(BIN)/python bench/bench_check.py
	$(BIN)/python bench/bench_serve.py
	$(BIN)/python bench/bench_follow.py
	$(BIN)/python bench/bench_notebooks.py
	$(BIN)/python bench/bench_init.py
	$(BIN)/python bench/bench_watch.py
	$(BIN)/python bench/bench_hostile.py
	$(BIN)/python bench/bench_course.py
	$(BIN)/python bench/bench_pdf.py
	$(BIN)/python bench/bench_serve_check.py
	$(BIN)/python bench/bench_math_page.py
	$(BIN)/python bench/bench_page_tools.py

$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e '.[course,test]'
	touch $@

# remark.js and KaTeX, exactly as package-lock.json pins them.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Refresh the pins after changing dependencies in pyproject.toml.
lock: $(VENV)/.installed
	(echo "# Exact versions for make build / make test (refresh with: make lock)."; \
	 $(BIN)/pip freeze --exclude-editable | grep -v "^-e ") > requirements.lock

clean:
	rm -rf build
