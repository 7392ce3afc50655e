# Fieldvault. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: update-translations translations help run test lint format bench stress lock clean system-deps-test system-deps-run system-deps-package screenshots package package-test

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | sort

$(STAMP): requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null || PYTHON=python3; \
	  test -x $(PY) || $$( command -v $(PYTHON) || echo python3 ) -m venv $(VENV)
	@# sqlcipher3-binary (used until 2026-11) ships the same sqlcipher3 package as
	@# sqlcipher3-wheels: remove it first, or its files mix with the new ones.
	$(PY) -m pip uninstall --quiet --yes sqlcipher3-binary 2>/dev/null || true
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

QM := $(patsubst %.ts,%.qm,$(wildcard resources/translations/*.ts))

resources/translations/%.qm: resources/translations/%.ts $(STAMP)
	$(VENV)/bin/pyside6-lrelease -silent $< -qm $@

translations: $(QM)  ## compile the Qt translations (.ts → .qm)

update-translations: $(STAMP)  ## refresh the .ts from the code and fill it from resources/translations/pending/*.tsv
	$(PY) scripts/update_translations.py

system-deps-test:
	bash scripts/system-deps.sh test

system-deps-run:
	bash scripts/system-deps.sh run

system-deps-package:
	bash scripts/system-deps.sh package

run: system-deps-run $(STAMP) translations  ## set everything up and start the app
	$(VENV)/bin/fieldvault

test: system-deps-test $(STAMP) translations  ## set everything up and run the whole suite (GUI offscreen)
	@# Our modules compiled to .pyc once, before the run: the children the tests
	@# start set PYTHONDONTWRITEBYTECODE (and CI's environment does too), so in a
	@# clean clone every fresh interpreter (fork servers, spawned commands, parser
	@# sandbox children, servers a test restarts) compiled them from source again.
	@# The run reads them; a source edited since is compiled in memory (docs/development.md).
	$(PY) -m compileall -q -j 0 --invalidation-mode timestamp db sync fieldvault desktop tests scripts
	@# pytest keeps the test modules it has rewritten (their asserts) only where
	@# bytecode may be written, so under PYTHONDONTWRITEBYTECODE each xdist worker
	@# rewrote every test module again at each run (~12 s of CPU a worker). It is
	@# unset for pytest's processes; the children that need it set it themselves.
	env -u PYTHONDONTWRITEBYTECODE QT_QPA_PLATFORM=offscreen $(PY) -m pytest -n 2 -q --durations=30

screenshots: system-deps-test $(STAMP) translations  ## run the GUI tests and refresh docs/screenshots/ (a plain test run writes to build/screenshots/)
	QT_QPA_PLATFORM=offscreen FIELDVAULT_SCREENSHOTS=$(CURDIR)/docs/screenshots $(PY) -m pytest -n 2 -q tests/desktop tests/e2e/test_field_day.py tests/sync/exports/test_pdf_report.py

stress: system-deps-test $(STAMP)  ## long kill -9, fault and fuzz runs (not part of `make test`)
	QT_QPA_PLATFORM=offscreen FIELDVAULT_STRESS=1 $(PY) -m pytest -q -m stress -p no:randomly
	@# The command-line tests again, each command in a fresh interpreter (tests/cli_helpers.py):
	@# what the fork server preloads cannot hide a missing import or a start-up difference.
	QT_QPA_PLATFORM=offscreen FIELDVAULT_TEST_SPAWN=1 $(PY) -m pytest -q -p no:randomly -n 2 tests/e2e

bench: system-deps-test $(STAMP) package  ## benchmarks, each printing a ratio against a baseline run alongside (builds the app first: the frozen start-up is one of them)
	$(PY) benchmarks/run_all.py

lint: $(STAMP)  ## ruff (lint and format check) and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: $(STAMP)  ## apply ruff's formatting and safe fixes
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Two locks with hashes: requirements.lock (development and tests, this
# platform: what `make` installs) and requirements-runtime.lock (the runtime
# dependencies and PyInstaller for every platform, at the same versions: what
# the release workflow builds the installers from).
lock: $(STAMP)  ## re-resolve both locks (with hashes) from pyproject.toml
	$(PY) -m uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements.lock
	$(PY) -m uv pip compile pyproject.toml --extra package --universal --generate-hashes --python-version 3.11 \
	  -c requirements.lock -o requirements-runtime.lock

# The build's timestamps are the last commit's (SOURCE_DATE_EPOCH), so two
# builds of one commit can be compared (packaging/compare_builds.sh).
package: system-deps-package $(STAMP) translations  ## build the one-folder app (dist/fieldvault) and its .deb; report size and build time
	@start=$$(date +%s); \
	export SOURCE_DATE_EPOCH=$${SOURCE_DATE_EPOCH:-$$(git log -1 --format=%ct)} PYTHONHASHSEED=0; \
	$(VENV)/bin/pyinstaller --noconfirm --log-level ERROR --distpath dist --workpath build/pyinstaller packaging/fieldvault.spec && \
	PY=$(PY) bash packaging/build_deb.sh && \
	$(PY) packaging/report_size.py dist/fieldvault 250 && \
	echo "package: built in $$(( $$(date +%s) - start )) s"

package-test: package  ## build, install the .deb with apt and run the installed `fieldvault --selftest` (then remove it)
	bash packaging/test_deb.sh

clean:  ## remove the virtualenv and caches
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache build dist
