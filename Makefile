# Two commands: `make demo` and `make test`. Every target installs what it needs first
# (idempotent: stamp files in .stamps/ make the second run fast).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BVENV := .venv-brownie
STAMPS := .stamps
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)
export SOLCX_BINARY_PATH := $(CURDIR)/.solc
NETWORK ?= anvil

.PHONY: demo test lint test-contracts test-backend setup build chain deploy create-project clean

demo: build ## start anvil, deploy, play the scenario, serve the API at http://127.0.0.1:8000
	$(VENV)/bin/python -m backend.demo

test: build lint ## every test: contracts (brownie + anvil), backend, end to end
	$(BVENV)/bin/brownie test tests/ --network development
	$(VENV)/bin/python -m pytest backend/tests

lint: $(STAMPS)/lint ## ruff (style, imports, bugbear) and mypy over the Python code
	$(VENV)/bin/ruff check backend scripts tests
	$(VENV)/bin/ruff format --check backend scripts tests
	$(VENV)/bin/mypy backend

test-contracts: build
	$(BVENV)/bin/brownie test tests/ --network development

test-backend: build
	$(VENV)/bin/python -m pytest backend/tests

setup: $(STAMPS)/npm $(STAMPS)/solc $(STAMPS)/brownie $(STAMPS)/backend

build: setup ## compile the contracts (brownie caches unchanged sources)
	$(BVENV)/bin/brownie compile

chain: setup ## a local dev chain on 8545 for the role scripts (20 unlocked accounts, zero base fee)
	anvil --port 8545 --accounts 20 --base-fee 0

deploy: build ## deploy to NETWORK (default anvil; it must be running)
	$(BVENV)/bin/python -m scripts.deploy --network $(NETWORK)

create-project: build ## SPEC=projects/x.yaml NETWORK=anvil
	$(BVENV)/bin/python -m scripts.create_project $(SPEC) --network $(NETWORK)

$(STAMPS)/npm: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/solc: brownie-config.yaml tools/solc/setup.sh tools/solc/solcjs-adapter.js $(STAMPS)/npm
	tools/solc/setup.sh
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/brownie: requirements/brownie.txt
	test -x $(BVENV)/bin/python || $(PYTHON) -m venv $(BVENV)
	$(BVENV)/bin/pip install --quiet --disable-pip-version-check -r requirements/brownie.txt
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/backend: requirements/backend.txt
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements/backend.txt
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/lint: requirements/lint.txt $(STAMPS)/backend
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements/lint.txt
	@mkdir -p $(STAMPS) && touch $@

clean:
	rm -rf $(STAMPS) build .solc data
