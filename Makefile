# The two commands of the course: `make book` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NBVAL  := --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg --ignore=_build -p no:cacheprovider

.PHONY: setup book test unit nbval site portability notebooks sync bench budget clean pdf lab ch08-runs ch10-runs

# Create .venv if absent, install the locked environment and the companion (editable).
$(STAMP): requirements-lock.txt pyproject.toml
	$(BIN)/python -m pip --version >/dev/null 2>&1 || $(PYTHON) -m venv --clear $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements-lock.txt
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	touch $@

setup: $(STAMP)

# Build the website into _build/html, then the whole book as one PDF, linked from its first
# page (tools/make_pdf.py: _build/pdf/book.pdf, copied to _build/html/book.pdf); any warning
# fails the build. Both render the outputs stored in the notebooks and execute nothing
# (`make nbval` checks those outputs against a fresh run, `make notebooks` refreshes them).
book: setup
	$(BIN)/jupyter-book build . --all -W -n --keep-going
	$(BIN)/python tools/make_pdf.py

# Only the PDF (one-page HTML build of the stored outputs, printed by Chromium), then its test.
pdf: setup
	$(BIN)/python tools/make_pdf.py
	$(BIN)/python -m pytest tests/site/test_pdf.py -p no:cacheprovider

# Unit tests and doctests with coverage, every notebook under nbval (stored outputs
# compared), the book build (website and PDF), every built page in headless Chromium and the
# PDF's text, then the notebooks and the numerical unit tests again under other numerical
# configurations: the stages of tools/test_pipeline.py, two at a time on two cores (the set-up
# first), ending with a table of the seconds each took. Logs in _build/logs/.
test:
	$(PYTHON) tools/test_pipeline.py

unit: setup
	$(BIN)/python -m pytest tests companion --doctest-modules --ignore=tests/site -p no:cacheprovider \
	    --cov=companion --cov-report=term-missing --cov-fail-under=95 --durations=20

nbval: setup
	$(BIN)/python -m pytest book $(NBVAL) --durations=20

# Open every page of _build/html (run `make book` first) in headless Chromium with the network
# blocked, and read the PDF (tests/site/test_pdf.py); screenshots go to _build/screenshots/.
site: setup
	$(BIN)/python -m pytest tests/site -p no:cacheprovider --timeout=180 --timeout-method=thread --durations=20

# Strict nbval and the numerical unit tests under three numerical configurations (other
# OpenBLAS kernels, other SIMD widths for PyTorch, 1 and 2 threads), one after another, after
# proving that each one rounds differently from the native run (tools/portability.py).
# CONFIGS=name picks some.
portability: setup
	$(BIN)/python tools/portability.py $(CONFIGS)

# Re-execute every notebook in place so its stored outputs are fresh (after syncing the
# Colab setup cells with _config.yml).
notebooks: setup
	$(BIN)/python tools/sync_setup_cells.py
	$(BIN)/python tools/run_notebooks.py

# Chapter 8's runs over seeds, too slow for the page (hours on two cores): the learning-rate
# grid, its choice and test scores, then the ablation's first steps and the number of kernels
# with the chosen schedule, the overfitting runs and the ablation's last steps, merged into
# companion/data/ch08_sweep.json (companion.load_results("ch08_sweep")).
CH08_PARTS := grid1 grid2 grid3 grid4 grid5
CH08_LATER := extra overfit1 overfit2 ablation0 ablation1 ablation2 ablation3 ablation4
ch08-runs: setup
	for part in $(CH08_PARTS); do nice -n 10 $(BIN)/python tools/ch08_sweep.py --part $$part || exit 1; done
	$(BIN)/python tools/ch08_sweep.py --merge
	for part in $(CH08_LATER); do nice -n 10 $(BIN)/python tools/ch08_sweep.py --part $$part || exit 1; done
	$(BIN)/python tools/ch08_sweep.py --merge

# Time the companion against PyTorch (interleaved, THREADS threads on both sides) and write
# benchmarks/results/<date>-<host>.json, which the book's benchmark appendix shows. Not part of `make test`.
THREADS ?= 1
bench: setup
	$(BIN)/python benchmarks/run.py --threads $(THREADS)

# Execute every notebook in memory (nothing written back) and print the seconds each takes.
budget: setup
	$(BIN)/python tools/pipeline_budget.py

# Chapter 10's tuned experiments (tools/ch10_runs.py), too slow for the page: every setting on
# the same grid of learning rates over 5 seeds, then the chosen rates on the test digits once;
# writes companion/data/ch10_runs.json, which the chapter reads. About 20 minutes on 2 cores.
ch10-runs: setup
	nice -n 10 $(BIN)/python tools/ch10_runs.py

# JupyterLab on the chapters in book/, with the course's environment (its python3 kernel is
# .venv's Python). LAB_ARGS passes options, e.g. LAB_ARGS="--no-browser --port=8890".
LAB_ARGS ?=
lab: setup
	$(BIN)/jupyter lab --ServerApp.root_dir=book --ServerApp.allow_root=True $(LAB_ARGS)

# Rewrite the first code cell of every notebook from _config.yml (repository and branch).
sync: setup
	$(BIN)/python tools/sync_setup_cells.py

clean:
	rm -rf _build .pytest_cache .coverage
