# Two commands on a fresh machine: `make demo` and `make test`. Everything else is set up on the way.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCALES := locales
POT := $(LOCALES)/messages.pot
BABEL_EXTRACT := $(BIN)/pybabel --quiet extract -F babel.cfg -k N_ -c TRANSLATORS: --no-location \
	--sort-output --project "Ensemble !" --copyright-holder CESAM --omit-header

.PHONY: install demo test check lint typecheck catalogs-check extract update-catalogs compile-catalogs translations-status content-check bench run migrate clean

install: $(STAMP) compile-catalogs

$(STAMP): pyproject.toml
	@echo "Setting up $(VENV) (first run only)…"
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	@$(BIN)/pip install --quiet --upgrade pip
	@$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

compile-catalogs: $(STAMP)
	@$(BIN)/pybabel --quiet compile --domain messages --directory $(LOCALES)

demo: install
	@$(BIN)/python -m bot demo

test: install
	$(BIN)/pytest

# Style, types and catalogs; `.ci/run` runs these after `make test`.
check: lint typecheck catalogs-check

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# Fails when the code has strings that messages.pot does not have yet; tests/test_catalogs.py
# checks that every catalog has exactly the template's strings, all translated.
catalogs-check: $(STAMP)
	$(BABEL_EXTRACT) -o $(VENV)/messages.pot . >/dev/null
	diff -q -I '^"POT-Creation-Date' $(POT) $(VENV)/messages.pot >/dev/null || \
		(echo "messages.pot is out of date: run make update-catalogs"; exit 1)

# After changing strings in the code: refresh messages.pot and every catalog, then translate.
extract: $(STAMP)
	$(BABEL_EXTRACT) -o $(POT) .

update-catalogs: extract
	$(BIN)/pybabel update --domain messages --input-file $(POT) --output-dir $(LOCALES) \
		--no-fuzzy-matching --ignore-obsolete

# Per language: messages, translated, and those still awaiting a translator's review.
translations-status: $(STAMP)
	@$(BIN)/python -m bot translations status

content-check: $(STAMP)
	@$(BIN)/python -m bot content check

bench: install
	$(BIN)/python -m bench

run: install
	$(BIN)/python -m bot

migrate: install
	$(BIN)/python -m bot migrate

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
	find $(LOCALES) -name '*.mo' -delete
