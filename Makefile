# Two commands for a fresh machine: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CHROMIUM ?= /usr/bin/chromium

.PHONY: demo test test-fast lint install install-dev chromium bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Debian's Chromium for the browser platforms and the console's browser tests (never a
# browser download), with a CJK font so screenshots show Chinese. Installed only when
# missing and running as root.
chromium:
	@if [ -x "$(CHROMIUM)" ]; then echo "chromium: $(CHROMIUM)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-wqy-microhei; \
	else echo "chromium missing: run 'sudo apt-get install chromium' (browser tests will be skipped)"; fi

demo: install
	$(BIN)/civicwatch demo

# Everything: lint, then every test (browser and end-to-end included).
test: install-dev chromium lint
	$(BIN)/python -m pytest -q -p no:cacheprovider

# The unit and integration layers only: no browser, no subprocess crawls, no fault suite, nothing
# slow; spread over both cores.
test-fast: install-dev
	$(BIN)/python -m pytest -q -p no:cacheprovider -n 2 -m "not e2e and not browser and not slow and not faults"

lint: install-dev
	$(BIN)/ruff check .

bench: install-dev
	for f in benchmarks/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf .civicwatch build *.egg-info
