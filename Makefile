# Two commands on a fresh machine: `make run` starts the bot, `make test` runs the tests.
# Both create .venv and install the project into it the first time.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint messages

$(BIN)/skilltree: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $@

run: $(BIN)/skilltree
	$(BIN)/skilltree

test: $(BIN)/skilltree
	$(BIN)/python -m pytest

lint: $(BIN)/skilltree
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy bot curriculum adapters scheduler
	$(BIN)/lint-imports  # the layering contracts in pyproject.toml

# Translators: extract the sentences from the code, merge them into every catalogue, compile.
messages: $(BIN)/skilltree
	$(BIN)/python -m bot.i18n.tools extract update compile
