#!/usr/bin/env bash
# Set up .venv from the committed lock, so a fresh machine gets exactly what was tested.
#   bash scripts/setup.sh         what the site needs
#   bash scripts/setup.sh test    that and the test suite's packages
set -euo pipefail
cd "$(dirname "$0")/.."
lock=requirements.lock
[ "${1:-}" = "test" ] && lock=requirements-test.lock
if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "error: ladobench needs Python 3.11 or later (the locks are made for 3.11); python3 is $(python3 --version 2>&1)" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "== creating .venv"
  python3 -m venv .venv
fi
echo "== installing the packages pinned in $lock"
.venv/bin/python -m pip install -q --disable-pip-version-check -r "$lock"
.venv/bin/python -m pip install -q --disable-pip-version-check --no-deps -e .
