# Two commands for users: `make book` and `make test`. Set-up is automatic and idempotent.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
JB := $(VENV)/bin/jupyter-book

.PHONY: book test serve notebooks bench clean setup data pdf

setup: $(STAMP)

# Re-installs when requirements.txt or pyproject.toml change.
$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -r requirements.txt
	$(PY) -m pip install -q --no-deps d2l==1.0.3
	$(PY) -m pip install -q --no-deps -e .
	touch $(STAMP)

# The real Fashion-MNIST, offline: Debian's package when it is missing (see tools/ensure_data.sh).
data: $(STAMP)
	@bash tools/ensure_data.sh $(PY)

notebooks: $(STAMP)
	$(PY) tools/make_notebooks.py

book: setup data notebooks
	$(JB) build book

# The whole book as one PDF (book/_build/pdf/book.pdf): single-page HTML printed by Chromium.
pdf: setup data notebooks
	$(PY) tools/make_pdf.py

test: setup data
	$(PY) -m pytest

serve: book
	$(PY) -m http.server --directory book/_build/html 8000

bench: setup data
	$(PY) tools/bench.py

clean:
	rm -rf book/_build .pytest_cache
