# Qiao — the two commands: `make run` (serve with demo data) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum requirements.lock | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 5000
# The address e-mail links use under `make run` (a wildcard listen address is not one).
LINK_HOST := $(if $(filter 0.0.0.0 ::,$(HOST)),127.0.0.1,$(HOST))
# Parallel test workers (pytest-xdist); "auto" uses every core.
WORKERS ?= auto

export QIAO_CONFIG ?= development
export FLASK_APP := wsgi

.PHONY: install run test fuzz lint translations messages migration clean

$(STAMP): requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		(echo "Qiao needs Python 3.11 or newer"; exit 1)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
		echo "Could not create $(VENV); on Debian/Ubuntu: apt-get install python3-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

translations: install
	$(BIN)/pybabel compile --use-fuzzy -d translations

# Re-extract UI strings and merge them into each catalog (then translate the new entries).
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		--project Qiao --version 0.1.0 --copyright-holder "Qiao contributors" \
		-o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching

run: install translations
	$(BIN)/flask db upgrade
	# Without STRIPE_SECRET_KEY the Stripe sandbox (localstripe) runs beside the server.
	# The demo is seeded while it is up, so its orders are paid there and can be refunded.
	# E-mail links point at this server unless PUBLIC_BASE_URL says otherwise.
	PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-http://$(LINK_HOST):$(PORT)} \
		$(BIN)/python -m app.sandbox run --host $(HOST) --port $(PORT) -- \
		sh -c '$(BIN)/flask demo seed && exec $(BIN)/flask run --host $(HOST) --port $(PORT)'

test: install translations
	QIAO_CONFIG=testing $(BIN)/python -m pytest -n $(WORKERS) $(PYTEST_ARGS)

# A longer schemathesis campaign than the one `make test` runs (tests/api/test_fuzz.py).
FUZZ_EXAMPLES ?= 100
fuzz: install translations
	QIAO_CONFIG=testing FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -n $(WORKERS) \
		-m fuzz tests/api/test_fuzz.py $(PYTEST_ARGS)

# ruff, then the layer contracts in pyproject.toml ([tool.importlinter]).
lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

# Regenerate the schema migration from the models (review the result before committing).
migration: install
	rm -f instance/migration-scratch.db
	DATABASE_URL=sqlite:///$(CURDIR)/instance/migration-scratch.db $(BIN)/flask db upgrade
	DATABASE_URL=sqlite:///$(CURDIR)/instance/migration-scratch.db $(BIN)/flask db migrate -m "$(or $(MESSAGE),schema change)"
	rm -f instance/migration-scratch.db

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
