# The verbs of the project. `make run` and `make test` work on a fresh machine.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
REQUIREMENTS := requirements.txt requirements-dev.txt infra/requirements.txt
STAMP := $(VENV)/.installed-$(shell cat $(REQUIREMENTS) | sha1sum | cut -c1-12)

.PHONY: run test lint typecheck unit integration journeys messages e2e browser bench routes synth fuzz stateful audit clean

$(STAMP): $(REQUIREMENTS)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -r infra/requirements.txt
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)  ## the whole local stack: API, moto, schedule loop, demo tenant
	PYTHONPATH=. exec $(BIN)/python -m scripts.local_stack

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

browser:  ## Debian packages the tests need: chromium (browser tests), jq, curl (apt-get when missing)
	bash scripts/install_test_packages.sh

test: lint typecheck browser  ## lint, types and the whole test suite
	PYTHONPATH=. $(BIN)/pytest -n 2 --dist loadfile

unit: $(STAMP)
	PYTHONPATH=. $(BIN)/pytest tests/unit

integration: $(STAMP)
	PYTHONPATH=. $(BIN)/pytest tests/integration

journeys: $(STAMP)  ## the customer journeys (tests/journeys), each for an lt, lv and en customer
	PYTHONPATH=. $(BIN)/pytest tests/journeys

messages: $(STAMP)  ## rewrite docs/messages.md from the journeys' messages
	UPDATE_MESSAGES=1 PYTHONPATH=. $(BIN)/pytest -p no:xdist -q tests/journeys

e2e: $(STAMP) browser
	PYTHONPATH=. $(BIN)/pytest tests/e2e

synth: $(STAMP)  ## CDK synth of every stage into cdk.out/, then cfn-lint and cdk-nag (offline)
	PYTHONPATH=. $(BIN)/python -m infra.synth

fuzz: $(STAMP)  ## long Schemathesis run against the local stack (random seed; FUZZ_* override)
	FUZZ_MAX_EXAMPLES=$${FUZZ_MAX_EXAMPLES:-100} FUZZ_SEED=$${FUZZ_SEED:-random} \
		FUZZ_PHASES=$${FUZZ_PHASES:-examples,coverage,fuzzing,stateful} \
		PYTHONPATH=. $(BIN)/pytest -p no:xdist -q tests/e2e/test_fuzz.py

stateful: $(STAMP)  ## long runs of the Hypothesis state machines (random seed; STATEFUL_* override)
	STATEFUL_EXAMPLES=$${STATEFUL_EXAMPLES:-200} STATEFUL_STEPS=$${STATEFUL_STEPS:-40} \
		STATEFUL_RANDOM=$${STATEFUL_RANDOM:-1} \
		PYTHONPATH=. $(BIN)/pytest -p no:xdist -q tests/integration/test_stateful_customers.py \
		tests/integration/test_stateful_tickets.py tests/integration/test_stateful_followups.py

audit: $(STAMP)  ## known vulnerabilities in every installed dependency (asks PyPI's JSON API)
	$(BIN)/pip-audit --progress-spinner off --desc on

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache cdk.out chalice.out

routes: $(STAMP)  ## regenerate chalicelib/api/route_catalog.py after adding or changing routes
	PYTHONPATH=. $(BIN)/python -m scripts.route_catalog

bench: $(STAMP)  ## benchmarks against floors; writes docs/benchmarks.md and bench/results.json
	PYTHONPATH=. $(BIN)/python -m bench.run
