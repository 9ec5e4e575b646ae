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

.PHONY: setup run test bench data-build clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# torch first and pinned: an unpinned torch pulls several GB of CUDA packages.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet $(TORCH_INDEX) $(TORCH_PIN)
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

setup: $(VENV)/.installed

run: setup
	$(BIN)/synleaf-desktop

test: setup
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -p no:cacheprovider

bench: setup
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m tests.benchmarks --data $(SHARED_DATA)

data-build: setup
	$(BIN)/synleaf data build --data $(SHARED_DATA) --out cache/contexts

clean:
	rm -rf $(VENV) build dist *.egg-info
