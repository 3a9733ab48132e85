# Two commands for a newcomer: `make crawl` and `make test`. Everything installs into .venv from PyPI.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SHARED ?= ../shared
DB ?= data/policy.db

.PHONY: install crawl test test-fast test-browser eval eval-pages bench bench-quick lint clean serve

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,eval,distributed]'
	touch $(STAMP)

install: $(STAMP)

## crawl the bundled sample sites into data/policy.db and print the summary
crawl: $(STAMP)
	$(VENV)/bin/policycrawl crawl --sample --db $(DB)

## the whole test suite (evaluation gates included when ../shared is present)
test: $(STAMP)
	$(PY) -m pytest

test-fast: $(STAMP)
	$(PY) -m pytest -m "not slow"

## fact extraction scores on the labelled seeds and on the 23 real texts of the development set
eval: $(STAMP)
	$(VENV)/bin/policycrawl eval $(SHARED)/eval/seeds $(SHARED)/seeds
	$(VENV)/bin/policycrawl eval $(SHARED)/eval/dev/gold $(SHARED)/eval/dev/texts

## page understanding side by side with GNE and trafilatura
eval-pages: $(STAMP)
	$(VENV)/bin/policycrawl eval-pages $(SHARED)/eval/pages

## speed figures, each a ratio measured side by side in one run
bench: $(STAMP)
	$(PY) -m bench

## the same figures at a tenth of the size (a minute or two): for checking a change, not for quoting
bench-quick: $(STAMP)
	$(PY) -m bench --quick

lint: $(STAMP)
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache

## the headless-browser test of the published dataset (installs Debian's chromium and a CJK font first)
test-browser: $(STAMP)
	sh scripts/install-chromium.sh && $(PY) -m pytest tests/test_browser.py

## browse the crawled data in datasette
serve: $(STAMP)
	$(VENV)/bin/policycrawl serve --db $(DB)
