# The two commands of the README: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: run test test-python test-addon lint typecheck bench xpi

run:
	@scripts/bootstrap.sh run
	$(VENV)/bin/trustmail run

test:
	@scripts/bootstrap.sh test
	$(MAKE) --no-print-directory lint typecheck test-python test-addon

test-python:
	$(PY) -m pytest

test-addon:
	@if [ -f addon/package.json ]; then cd addon && npm test --silent; fi

lint:
	$(VENV)/bin/ruff check scoring daemon tests bench

typecheck:
	$(VENV)/bin/mypy

bench:     # accuracy and scoring speed; the daemon benches are listed in the README
	$(PY) bench/accuracy.py ../shared/eval
	$(PY) bench/speed.py ../shared/eval
	$(PY) bench/readability.py ../shared/eval

xpi:
	$(PY) -m daemon.addon_build
