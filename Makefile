# The two commands of the README: `make build` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: build test bench lock clean

build: $(VENV)/.installed node_modules/.installed
	$(BIN)/lecture build

test: $(VENV)/.tests-installed node_modules/.installed
	$(BIN)/python -m pytest

bench: $(VENV)/.tests-installed node_modules/.installed
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
	$(BIN)/python bench/bench_backends.py

$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e '.[course]'
	touch $@

# On top of the course's set-up, what only the tests (and the benches) need: pytest and its
# helpers, and every Keras backend, so that no backend's test skips: JAX by the [jax] extra and
# PyTorch named with its version, the one whose CPU-only wheel this machine has on disk (from the
# index, the default Linux wheel of torch brings several GB of GPU libraries). Measured on a
# fresh venv here (2 cores shared with other work, load average 11-18; pip's cache off, torch's
# wheel from this machine's disk): `.installed` 348 s and 2.0 GB of venv (TensorFlow 1.3 GB);
# this step 272 s more and +1.4 GB (torch 754 MB, jaxlib 349 MB, jax 31 MB, Playwright 165 MB).
$(VENV)/.tests-installed: $(VENV)/.installed
	$(BIN)/pip install --quiet -c requirements.lock -e '.[course,test,jax]' 'torch==2.13.0'
	touch $@

# remark.js and KaTeX, exactly as package-lock.json pins them.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Refresh the pins after changing dependencies in pyproject.toml.
# torch is pinned without its local label (+cpu): the pin then holds for the CPU-only wheel and
# for the index's default one alike.
lock: $(VENV)/.tests-installed
	(echo "# Exact versions for make build / make test (refresh with: make lock)."; \
	 $(BIN)/pip freeze --exclude-editable | grep -v "^-e " | sed 's/^\(torch==[^+]*\)+.*/\1/') \
	 > requirements.lock

clean:
	rm -rf build
