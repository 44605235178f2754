#!/usr/bin/env bash
# Set up everything the test suite needs on a fresh Debian machine, then lint and run the whole suite.
# Used by README's second command and by .ci/run. Fails loudly on any step.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  echo "== installing Debian's chromium for the browser tests"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
fi

bash scripts/setup.sh test

echo "== ruff"
.venv/bin/ruff check ladobench tests benchmarks build.py reference/derive.py
echo "== import-linter"
.venv/bin/lint-imports --no-cache

echo "== running the test suite"
exec .venv/bin/python -m pytest "$@"
