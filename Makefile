# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CORPUS ?= data/sample
QUESTION ?= Which countries ban Huawei?
# Each demo corpus gets its own store, so the sample briefs and a real corpus never mix.
DEMO_STORE ?= data/demo/$(shell echo '$(abspath $(CORPUS))' | md5sum | cut -c1-12)

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: demo test lint pytest bench bench-quick bench-timeline bench-scale reliability install dev clean

# torch goes first and on its own: 2.13.0 is the CPU build on this machine's disk, while an
# unpinned torch pulled in by another package would be a multi-GB CUDA build.
$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e .
	touch $@

$(BIN)/.dev: $(BIN)/.installed
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $@

# The real OpenAI-compatible server the LLM tests use; llama-cpp-python builds from source
# (about 4 minutes the first time, then pip's wheel cache makes it quick).
$(BIN)/.llmserver: $(BIN)/.installed
	$(BIN)/pip install --quiet -e '.[llmserver]'
	touch $@

install: $(BIN)/.installed
dev: $(BIN)/.dev $(BIN)/.llmserver

demo: $(BIN)/.installed
	GEOBOT_VECTORSTORE__PATH=$(DEMO_STORE) $(BIN)/geobot ingest $(CORPUS)
	GEOBOT_VECTORSTORE__PATH=$(DEMO_STORE) $(BIN)/geobot ask "$(QUESTION)"

lint: dev
	$(BIN)/ruff check .
	$(BIN)/mypy bot ingest language vectorstore bench reliability testing tests

pytest: dev
	$(BIN)/pytest

test: lint pytest

bench: dev
	$(BIN)/python -m bench.run

# Timeline latency beside answer latency on the shared corpus (bench/timeline.py).
bench-timeline: dev
	$(BIN)/python -m bench.timeline

# Ask latency and memory at 10k, 100k, 300k and 1M chunks, embedded and against `chroma run`
# (docs/growth.png). Stores are kept in $GEOBOT_BENCH_SCALE_DIR (default data/scale) and reused;
# GEOBOT_BENCH_BIG_STORE=/path/to/a/1M/store skips building the 1M one (~50 min, then ~10 min
# for its keyword index). With the stores built the run takes ~2-5 min; from nothing ~1.5 h and
# ~25 GB of disk.
bench-scale: dev
	flock /tmp/geobot-bench.lock $(BIN)/python -m bench.scale

reliability: dev
	$(BIN)/python -m reliability

clean:
	rm -rf $(VENV) data/demo data/store .mypy_cache .ruff_cache .pytest_cache
