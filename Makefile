# Two commands for users: `make book` and `make test`. Set-up is automatic and idempotent:
# the virtual environment, the dataset and (for the tests) the browser are installed the
# first time they are needed, and skipped once present.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
JB := $(VENV)/bin/jupyter-book
# Strict: any warning, broken reference or failing cell fails the build and names the chapter.
STRICT := -W -n --keep-going

.PHONY: book test test-fast serve notebooks bench clean setup data browser python grade pdf screenshots chapter

setup: $(STAMP)

# The code needs Python 3.11 (tomllib, typing); say so before creating anything.
python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else \
	  "error: this project needs Python 3.11 or newer, but $(PYTHON) is Python " \
	  + sys.version.split()[0] + ". Install python3.11 and run:  make PYTHON=python3.11 ...")'

# Re-installs when requirements.txt, constraints.txt (the exact versions) or pyproject.toml change.
# tools/install_env.py installs exactly constraints.txt (d2l 1.0.3 included, without the old
# NumPy it pins), two pips at once, after checking that it pins everything requirements.txt
# asks for; then pip check.
$(STAMP): requirements.txt constraints.txt pyproject.toml | python
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PYTHON) tools/install_env.py $(PY)
	touch $(STAMP)

# The real Fashion-MNIST, offline: Debian's package when it is missing (see tools/ensure_data.sh).
data: $(STAMP)
	@bash tools/ensure_data.sh $(PY)

# Headless Chromium for the browser tests: Debian's package, installed with apt when missing.
browser:
	@bash tools/system_package.sh chromium "the browser tests of make test"

# The student notebooks, notebooks/<chapter>.ipynb, from the chapters and the values the
# last build glued into their text (so `make book` writes them after building).
notebooks: $(STAMP)
	$(PY) tools/make_notebooks.py

book: setup data
	@$(PY) tools/check_repository.py
	$(JB) build book $(STRICT)
	$(PY) tools/make_notebooks.py

# The whole book as one PDF (book/_build/pdf/book.pdf): single-page HTML printed by Chromium.
pdf: setup data browser
	$(PY) tools/make_pdf.py

# On every core (pytest-xdist): one worker builds the book while the others run the rest.
# JOBS=1 runs everything in one process.
JOBS ?= auto
XDIST = $(if $(filter 1,$(JOBS)),-p no:xdist,-n $(JOBS) --dist worksteal)

test: setup data browser
	$(PY) -m pytest $(XDIST)

# The quick loop while editing lib, checks or tools: no book build, no browser (under a minute).
test-fast: setup data
	$(PY) -m pytest $(XDIST) -m "not book and not browser and not slow"

# Full-page screenshots of every built page, light and dark, in book/_build/screenshots/.
screenshots: book browser
	$(PY) tools/screenshots.py

serve: book
	$(PY) -m http.server --directory book/_build/html 8000

bench: setup data browser
	$(PY) tools/bench.py
	$(PY) tools/bench_grade.py
	$(PY) tools/bench_tests.py

# Grade a folder of submitted student notebooks: make grade SUBMISSIONS=path/to/folder
# (gradebook in $(GRADES)/: grades.csv, feedback/). See "Grading" in README.md.
GRADES ?= grades
grade: setup
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=<folder of .ipynb> [GRADES=<out folder>]"; exit 2; }
	$(PY) -m grading "$(SUBMISSIONS)" --out "$(GRADES)"

# A new chapter with one checked exercise, ready for its own text: make chapter NAME=weight-decay
# [TITLE="Weight decay"] (tools/new_chapter.py: the chapter, its _toc.yml entry, its check
# module and registration, its check tests).
chapter: setup
	@test -n "$(NAME)" || { echo 'usage: make chapter NAME=<lowercase-hyphenated-name> [TITLE="Title"]'; exit 2; }
	$(PY) tools/new_chapter.py "$(NAME)" $(if $(TITLE),--title "$(TITLE)")

clean:
	rm -rf book/_build .pytest_cache
