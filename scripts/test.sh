#!/usr/bin/env bash
# Run the whole test suite in .venv (prepared by scripts/setup.sh --test).
# Services the tests need (pcscd + vpcd, PostgreSQL, meter simulators) are started by the
# test fixtures themselves, on loopback, and stopped by the PID they started.
set -euo pipefail
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM=offscreen
# Byte code is written (to __pycache__/, ignored by git): the suite starts counterctl,
# meter-sim, meter-station and card-tool hundreds of times, and each of those would otherwise
# compile the project's modules again.
unset PYTHONDONTWRITEBYTECODE
.venv/bin/ruff check counter_app card_io meter_link tests benchmarks
.venv/bin/lint-imports
.venv/bin/mypy
exec .venv/bin/python -m pytest "$@"
