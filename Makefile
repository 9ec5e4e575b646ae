# Fresh machine:  make run   (set up and start the app)
#                 make test  (set up and run the tests)
PY ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
TORCH_PIN = torch==2.13.0
# On machines where plain pip would fetch a CUDA build of torch, point TORCH_INDEX at
# PyTorch's CPU wheel index: make test TORCH_INDEX=--index-url=<cpu index>
TORCH_INDEX ?=
SHARED_DATA ?= ../shared/data

RUNS ?= runs/grid
TRANSFER ?= runs/transfer
CONTEXTS ?= cache/contexts
GRID = $(BIN)/synleaf train grid --contexts-dir $(CONTEXTS) --out $(RUNS) --baselines --drop-optimizer-state

.PHONY: setup run test lint fuzz bench data-build known-pairs grid eval-report bundles clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# torch first and pinned: an unpinned torch pulls several GB of CUDA packages.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet $(TORCH_INDEX) $(TORCH_PIN)
	$(BIN)/pip install --quiet -e ".[test,lint]"
	touch $@

setup: $(VENV)/.installed

run: setup
	$(BIN)/synleaf-desktop

test: setup
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -p no:cacheprovider

# ruff (lint and format check) and mypy, configured in pyproject.toml; CI runs it before the tests
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The fuzz suite (hypothesis) with many more inputs than `make test` gives it (FUZZ_EXAMPLES per
# test, default 600): readers and the bundle validator; prints inputs tried, clear errors, correct
# reads and other exceptions (which must be 0).
FUZZ_EXAMPLES ?= 600
fuzz: setup
	SYNLEAF_FUZZ_PROFILE=long SYNLEAF_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) QT_QPA_PLATFORM=offscreen \
		$(BIN)/python -m pytest -q -p no:cacheprovider -m fuzz tests/test_fuzz.py

bench: setup
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m tests.benchmarks --data $(SHARED_DATA)

data-build: setup
	$(BIN)/synleaf data build --data $(SHARED_DATA) --out cache/contexts

# resources/labels/known_pairs.tsv.gz: pair, label, context, source, PubMed ID, cell line, derived
# from the SynLethDB 2.0 and ELISL label files of $(SHARED_DATA)/labels (never a copy of them)
known-pairs: setup
	$(BIN)/synleaf resources build --data $(SHARED_DATA) --only known-pairs

# The paper's 19 scenarios x 5 folds, resumable (finished folds are skipped). CV2 first: the
# bundled models are the CV2 fold models. Hours on a 2-core CPU; run it in the background.
grid: setup
	test -f $(CONTEXTS)/pan/context.json || $(BIN)/synleaf data build --data $(SHARED_DATA) --out $(CONTEXTS)
	$(GRID) --scenarios BRCA:2,CESC:2,COAD:2,KIRC:2,LAML:2,LUAD:2,OV:2,SKCM:2,pan:2
	$(GRID) --scenarios BRCA:1,CESC:1,COAD:1,KIRC:1,LAML:1,LUAD:1,OV:1,SKCM:1,pan:1,pan:3

# Copy the small per-fold result files into tests/benchmarks/results/evaluation/runs and rebuild
# bundled_models/EVALUATION.md + evaluation.csv from them (so the tables are reproducible from git).
# VARIANTS="DIR ..." also copies run folders of tests/benchmarks/bench_variants.py (option vs default).
# A committed grid result that differs from the run's (e.g. a fold retrained for another check)
# is kept and listed; OVERWRITE=1 replaces it.
eval-report: setup
	mkdir -p tests/benchmarks/results/evaluation/runs
	cd $(RUNS) && find . \( -name metrics.json -o -name baselines.json \) | sort | while read -r f; do \
		d=$(CURDIR)/tests/benchmarks/results/evaluation/runs/$$f; \
		if [ -e "$$d" ] && [ -z "$(OVERWRITE)" ] && ! cmp -s "$$f" "$$d"; then \
			echo "kept committed $$f (the run's differs; OVERWRITE=1 replaces it)"; \
		else cp --parents -t $(CURDIR)/tests/benchmarks/results/evaluation/runs/ "$$f"; fi; done
	if [ -d "$(TRANSFER)" ]; then mkdir -p tests/benchmarks/results/evaluation/transfer && cd $(TRANSFER) && \
		find . \( -name metrics.json -o -name baselines.json \) -print0 | \
		xargs -0 -r cp --parents -t $(CURDIR)/tests/benchmarks/results/evaluation/transfer/; fi
	for d in $(VARIANTS); do v=tests/benchmarks/results/evaluation/variants/$$(basename $$d); mkdir -p $$v && \
		(cd $$d && find . \( -name metrics.json -o -name variant.json \) -print0 | \
		xargs -0 -r cp --parents -t $(CURDIR)/$$v/) || exit 1; done
	$(BIN)/synleaf train report --runs tests/benchmarks/results/evaluation/runs --out bundled_models \
		$$( [ -d tests/benchmarks/results/evaluation/transfer ] && echo --transfer tests/benchmarks/results/evaluation/transfer ) \
		--specificity tests/benchmarks/results/pair_specificity.csv tests/benchmarks/results/evidence_summary.csv

# Write the bundles from finished CV2 runs (trains missing folds first unless NO_TRAIN=1).
bundles: setup
	$(BIN)/synleaf bundle build --data $(SHARED_DATA) --out bundled_models --contexts-dir $(CONTEXTS) \
		--runs $(RUNS) $(if $(NO_TRAIN),--no-train,) $(if $(BUNDLES),--contexts $(BUNDLES),)

clean:
	rm -rf $(VENV) build dist *.egg-info

# A wheel for pip users: dist/synleaf_desktop-<version>-py3-none-any.whl (~83 MB: the package,
# with resources/ (no screenshots) and bundled_models/ inside it as synleaf_desktop/_data/).
# Offline, with the venv's setuptools (the test extra requires setuptools>=77). setuptools'
# build/lib and build/bdist.* go first: modules moved or deleted since the last build would
# otherwise end up in the wheel. Install: pip install dist/synleaf_desktop-*.whl
.PHONY: wheel
wheel: setup
	rm -rf build/lib build/bdist.*
	$(BIN)/python -m pip wheel --no-deps --no-build-isolation --no-index --wheel-dir dist .
