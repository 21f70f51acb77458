# The two commands: `make serve` and `make test`. Everything else is set up on the way.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DB ?= data/demo.db
DEMO_CASES ?= 20000
DEMO_USER ?= chair-london
PORT ?= 8866

.PHONY: serve test test-fast lint bench eval-letters demo install install-test chromium clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,lint]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

$(DB): | $(VENV)/.installed
	$(BIN)/workbench demo --db $(DB) --cases $(DEMO_CASES) --profile 2013 --seed 2014

demo: $(DB)

serve: $(VENV)/.installed $(DB)
	$(BIN)/workbench serve --db $(DB) --port $(PORT) --user $(DEMO_USER)

# Browser tests drive Debian's Chromium; Playwright's own browser download cannot work offline.
chromium:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = "0" ]; then \
		echo "Installing Debian's chromium for the browser tests"; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "The browser tests need Debian's Chromium: run 'sudo apt-get install -y chromium', then 'make test' again."; \
		exit 1; \
	fi

# Two workers; a test module's tests stay on one worker (they share module fixtures such as a Voila server).
test: $(VENV)/.installed-test chromium
	$(BIN)/pytest --ignore=tests/benchmarks -n 2 --dist loadfile

# No browser, nothing marked slow: the loop to run while changing code (under a minute on 2 cores).
test-fast: $(VENV)/.installed-test
	$(BIN)/pytest --ignore=tests/benchmarks --ignore=tests/browser -m "not slow" -n 2 --dist loadfile -q

# ruff (E, F, B, I, UP, SIM), mypy (strict on qa_checks) and the layer contract (import-linter).
lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# Retrain on the training split only (nothing written) and print per-category precision and recall on the
# held-out split, for the model alone and for rules + model as check_letter combines them.
eval-letters: $(VENV)/.installed-test
	$(BIN)/workbench train-letter-model --dry-run

bench: $(VENV)/.installed-test chromium
	$(BIN)/pytest tests/benchmarks --benchmark-enable --benchmark-columns=min,median,max,rounds -p no:randomly -s

clean:
	rm -rf $(VENV) data/*.db data/*.db-wal data/*.db-shm

# Refresh the screenshots in docs/ on purpose (an ordinary test run writes them to build/screenshots/).
.PHONY: screenshots
screenshots: $(VENV)/.installed-test chromium
	WORKBENCH_SCREENSHOTS=docs $(BIN)/pytest tests/browser -p no:randomly
