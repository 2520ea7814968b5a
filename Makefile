PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean schema

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Estate Hub needs $(PYTHON) (set PYTHON=...)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/hub demo

test: $(STAMP)
	$(BIN)/pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check hub rules adapters edge api simulators tests bench
	$(BIN)/mypy hub rules adapters edge api

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var/*.db var/uploads

# Before the first release the schema is one migration, regenerated from the models.
schema: $(STAMP)
	rm -f hub/storage/migrations/versions/0001_initial_schema.py var/schema-gen.db
	$(BIN)/python -c "from alembic import command; from hub.storage.db import alembic_config; command.revision(alembic_config('sqlite:///var/schema-gen.db'), message='initial schema', autogenerate=True, rev_id='0001')"
	rm -f var/schema-gen.db
	$(BIN)/ruff format -q hub/storage/migrations/versions
