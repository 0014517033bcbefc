# Every target creates what it needs itself: a fresh clone needs only Python 3.11+, Node 20 and git
# (and Chromium for the browser tests).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
UV := .tools/bin/uv
export UV_PYTHON_DOWNLOADS := never
# jsii (the CDK runtime) warns about Node 20 on every start; the notice is known, not news.
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)
# gitlab-ci-local's re2 compiles against Node's headers; node-gyp would download them (no internet
# here), so point it at the headers a packaged Node installs, without relying on a user's ~/.npmrc.
ifneq ($(wildcard /usr/include/node/node.h),)
export npm_config_nodedir ?= /usr
endif

.PHONY: dev test lint typecheck unit bench synth vault-apply env node clean

$(UV):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "chalkops: Python 3.11+ is required (found %s); set PYTHON=python3.11" % sys.version.split()[0])'
	@$(PYTHON) -m venv .tools && .tools/bin/pip install --quiet --disable-pip-version-check uv==0.13.8

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	@$(UV) sync --frozen --quiet --extra pipelines --python $(PYTHON)
	@touch $@

env: $(VENV)/.synced

tools/node_modules/.installed: tools/package.json tools/package-lock.json
	@command -v npm >/dev/null || { echo "chalkops: npm (Node 20) is required; install Node.js 20 and retry" >&2; exit 1; }
	@npm ci --prefix tools --no-audit --no-fund --loglevel=error
	@touch $@

node: tools/node_modules/.installed

# The web UI (web/): npm ci when the lock file changes, ng build when a source changes.
export NG_CLI_ANALYTICS := false
WEB_BUILD := web/dist/chalkops-web/browser/index.html
WEB_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) \
	web/angular.json web/tsconfig.json web/tsconfig.app.json

web/node_modules/.installed: web/package.json web/package-lock.json
	@command -v npm >/dev/null || { echo "chalkops: npm (Node 20) is required; install Node.js 20 and retry" >&2; exit 1; }
	@npm ci --prefix web --no-audit --no-fund --loglevel=error
	@touch $@

$(WEB_BUILD): web/node_modules/.installed $(WEB_SOURCES)
	@cd web && npx ng build --progress=false
	@touch $@

.PHONY: web web-check
## Build the web UI into web/dist (served by the central API).
web: $(WEB_BUILD)

## Lint the web UI and run its unit tests (Vitest, jsdom: no browser).
web-check: web/node_modules/.installed
	cd web && npx ng lint
	cd web && npx ng test --watch=false --progress=false

dev: web
test: web web-check
bench: web

## Run the whole platform locally on its embedded defaults (ARGS=--reset wipes local state).
dev: env
	@$(VENV)/bin/chalkops dev $(ARGS)

lint: env
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: env
	$(VENV)/bin/mypy

## Every test: lint, types, unit, integration, infrastructure, end-to-end.
test: env node lint typecheck
	$(VENV)/bin/pytest

bench: env node
	@$(VENV)/bin/python -m benchmarks

synth: env
	$(VENV)/bin/python app.py

vault-apply: env
	$(VENV)/bin/chalkops vault-apply

clean:
	rm -rf .tools $(VENV) tools/node_modules cdk.out web/node_modules web/dist web/.angular
