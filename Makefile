# The two commands of the README.  Both prepare the machine first (scripts/setup.sh)
# and are safe to run again.
.PHONY: run test lint setup package

run:
	scripts/setup.sh
	scripts/run.sh

test:
	scripts/setup.sh --test
	scripts/test.sh

lint:
	.venv/bin/ruff check counter_app card_io meter_link tests benchmarks
	.venv/bin/ruff format --check counter_app card_io meter_link tests benchmarks
	.venv/bin/mypy
	.venv/bin/lint-imports

# The installable program (not one of the README's two set-up commands): the PyInstaller
# bundle and the .deb in dist/ (docs/operations.md).
package:
	scripts/setup.sh
	scripts/package.sh
