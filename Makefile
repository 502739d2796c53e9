# oxarray — `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.deps-stamp

.PHONY: help venv build demo test test-rust test-python bench lint wheel clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q "maturin>=1.7,<2" "numpy>=2.0" "pytest>=8" "hypothesis>=6.100" xarray "zarr>=3" \
		scikit-learn scipy array-api-compat "dask[distributed]" ray
	touch $(STAMP)

venv: $(STAMP) ## Create .venv and install the Python dependencies from PyPI

build: $(STAMP) ## Build the Rust extension in release mode into .venv
	$(VENV)/bin/maturin develop --release -q

demo: build ## Run the walkthroughs in examples/ (the general one, then the SVD one)
	$(PY) examples/walkthrough.py
	$(PY) examples/svd.py

test-rust: ## cargo test of the pure-Rust crates
	cargo test --workspace --exclude oxarray-python

test-python: build ## pytest (differential tests against NumPy)
	$(PY) -m pytest

test: build test-rust test-python ## Set up, build, then cargo test and pytest

bench: build ## Benchmarks against NumPy (and numexpr/Dask when installed)
	$(PIP) install -q numexpr "dask[array]" threadpoolctl || true
	$(PY) bench/run.py
	$(PY) bench/scaling.py
	$(PY) bench/streaming.py
	$(PY) bench/deep_chain.py
	$(PY) bench/executors.py --kills 10

lint: $(STAMP) ## cargo fmt --check, clippy -D warnings, ruff
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	$(PIP) install -q ruff && $(VENV)/bin/ruff check python tests bench examples

wheel: $(STAMP) ## Build one abi3 wheel (CPython 3.11+) into dist/
	$(VENV)/bin/maturin build --release --strip -o dist
	@ls dist/*abi3*.whl

clean: ## Remove build products and the venv
	cargo clean
	rm -rf $(VENV) .pytest_cache .hypothesis
