#!/usr/bin/env bash
# Set up .venv from the committed lock, so a fresh machine gets exactly what was tested.
#   bash scripts/setup.sh         what the site needs
#   bash scripts/setup.sh test    that and the test suite's packages
set -euo pipefail
cd "$(dirname "$0")/.."
lock=requirements.lock
[ "${1:-}" = "test" ] && lock=requirements-test.lock
if [ ! -x .venv/bin/python ]; then
  echo "== creating .venv"
  python3 -m venv .venv
fi
echo "== installing the packages pinned in $lock"
.venv/bin/python -m pip install -q --disable-pip-version-check -r "$lock"
.venv/bin/python -m pip install -q --disable-pip-version-check --no-deps -e .
