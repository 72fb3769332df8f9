# Two commands matter: `make run` (service with demo data, GraphiQL on localhost) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: setup run test lint schema neo4j-jars web-assets bench bench-orders clean-local

setup: $(VENV)/.installed neo4j/lib/.complete web/static/vendor/.complete tests/http_audit/node_modules/.complete

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[dev]'
	touch $@

neo4j/lib/.complete: neo4j/pom.xml
	$(PY) -m service.local_neo4j fetch

web/static/vendor/.complete: web/package.json web/package-lock.json
	$(PY) -m web.build_assets
	touch $@

# The GraphQL-over-HTTP audit (npm graphql-http) the test suite runs against the live API.
tests/http_audit/node_modules/.complete: tests/http_audit/package.json tests/http_audit/package-lock.json
	cd tests/http_audit && npm ci --no-audit --no-fund
	touch $@

run: setup
	$(PY) -m service.cli run

test: setup
	$(PY) -m pytest -q

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

schema: $(VENV)/.installed
	$(PY) -m service.cli export-schema

benchmarks/peer/node_modules/.complete: benchmarks/peer/package.json benchmarks/peer/package-lock.json
	cd benchmarks/peer && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The floor, this service and @neo4j/graphql side by side; writes the table to docs/benchmarks.md.
bench: setup benchmarks/peer/node_modules/.complete
	$(PY) -m benchmarks.compare

# Capture, approval, completion and cancellation timings at 10 to 10,000 lines, with round trips.
bench-orders: setup
	$(PY) -m benchmarks.orders

clean-local:
	$(PY) -m service.local_neo4j stop
	rm -rf .local
