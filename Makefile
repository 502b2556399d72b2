# Two commands do all set-up on a fresh machine:
#   make run   - install everything, build the demo knowledge base on first start, serve :8000
#   make test  - install everything (incl. headless Chromium) and run the test suite
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export KMS_DATA_DIR ?= data

OIDC := tests/oidc

.PHONY: install browser oidc postgres ocr cluster run test check fmt bench clean

$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# torch first, pinned: the CPU build on local disk, never a multi-GB CUDA build
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e ".[dev,bench]"
	# unstructured imports unstructured_inference even for fast PDFs; its deps pull CUDA torch
	$(BIN)/python -m pip install -q --no-deps unstructured-inference==1.6.14
	touch $@

install: $(STAMP)

# Debian's Chromium for the browser tests, and CJK fonts so Chinese renders in screenshots
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null && fc-list :lang=zh | grep -q . || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-noto-cjk >/dev/null)

# The real OpenID Connect provider the tests sign in with (panva's oidc-provider, from npm)
$(OIDC)/node_modules/.package-lock.json: $(OIDC)/package.json $(OIDC)/package-lock.json
	@command -v npm >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null)
	cd $(OIDC) && npm ci --no-audit --no-fund --loglevel=error

oidc: $(OIDC)/node_modules/.package-lock.json

# Debian's PostgreSQL 15 server and HAProxy: the tests start their own PostgreSQL from these
# binaries (kms/cluster/postgres.py), and `make cluster` puts HAProxy in front of the replicas
postgres:
	@ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 && command -v haproxy >/dev/null || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 haproxy >/dev/null)

# Debian's tesseract with Chinese (Simplified, Traditional) and English, for KMS_OCR=true
# (scanned PDFs; off by default) and its tests
ocr:
	@command -v tesseract >/dev/null && tesseract --list-langs 2>/dev/null | grep -q chi_tra || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-chi-tra tesseract-ocr-eng >/dev/null)

run: install
	$(BIN)/kms demo   # the demo knowledge base, with a progress bar (idempotent: unchanged files are skipped)
	# prints the demo sign-in (user and a new password) once the server is ready to serve
	KMS_DEMO=1 KMS_DEV_ADMIN_KEY=$${KMS_DEV_ADMIN_KEY:-kms_dev_local_demo_key} $(BIN)/kms serve

cluster: install postgres
	# PostgreSQL, 2 workers and 2 API replicas behind HAProxy, all in data/cluster; Ctrl-C stops them
	$(BIN)/kms cluster --replicas $${REPLICAS:-2} --workers $${WORKERS:-2}

test: install browser oidc postgres ocr
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup

check: install
	$(BIN)/ruff check kms ingest index api tests bench demo
	$(BIN)/ruff format --check kms ingest index api tests bench demo
	$(BIN)/mypy kms ingest index api bench demo
	$(BIN)/lint-imports

fmt: install
	$(BIN)/ruff format kms ingest index api tests bench demo
	$(BIN)/ruff check --fix kms ingest index api tests bench demo

bench: install
	$(BIN)/python bench/quality.py
	$(BIN)/python bench/stage_quality.py
	# 10k and 100k chunks: ~20 min with bench/cache warm, but the first 100k run encodes for
	# over an hour. Other sizes: make bench PERF_SIZES=10000,100000,300000
	$(BIN)/python bench/perf.py --sizes $(or $(PERF_SIZES),10000,100000)

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache $(OIDC)/node_modules
