PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean schema web web-types

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Estate Hub needs $(PYTHON) (set PYTHON=...)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The web app: `npm ci` when the lock file changed, a build when any of its sources did.
WEB_SOURCES := $(shell find web/src web/public web/index.html web/vite.config.ts web/tsconfig.json web/scripts -type f 2>/dev/null)
WEB_DEPS := web/node_modules/.package-lock.json
WEB_DIST := web/dist/index.html

$(WEB_DEPS): web/package-lock.json
	@command -v npm >/dev/null || { echo "Estate Hub's web app needs Node.js 20 and npm"; exit 1; }
	cd web && npm ci --no-audit --no-fund
	touch $(WEB_DEPS)

$(WEB_DIST): $(WEB_DEPS) $(WEB_SOURCES)
	cd web && npm run build

web: $(WEB_DIST)

# After an API change: the OpenAPI the web app is typed from, and its TypeScript types.
web-types: $(STAMP) $(WEB_DEPS)
	$(BIN)/python -m api.openapi_export web/openapi.json
	cd web && npm run gen:api

demo: $(STAMP) $(WEB_DIST)
	$(BIN)/hub demo

test: $(STAMP) $(WEB_DIST)
	cd web && npx vitest run
	$(BIN)/pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check hub rules adapters edge api simulators tests bench
	$(BIN)/mypy hub rules adapters edge api
	cd web && npx vue-tsc --noEmit

bench: $(STAMP) $(WEB_DIST)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var/*.db var/uploads web/node_modules web/dist

# Before the first release the schema is one migration, regenerated from the models.
schema: $(STAMP)
	mkdir -p var
	rm -f hub/storage/migrations/versions/0001_initial_schema.py var/schema-gen.db
	$(BIN)/python -c "from alembic import command; from hub.storage.db import alembic_config; command.revision(alembic_config('sqlite:///var/schema-gen.db'), message='initial schema', autogenerate=True, rev_id='0001')"
	rm -f var/schema-gen.db
	$(BIN)/ruff check -q --fix --select I hub/storage/migrations/versions
	$(BIN)/ruff format -q hub/storage/migrations/versions
