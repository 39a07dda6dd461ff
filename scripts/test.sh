#!/usr/bin/env bash
# Every test: type check, lint, Node unit tests, Python tests, browser end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

status=0
step() { echo; echo "== $1"; shift; "$@" || status=1; }
step "typecheck" npx tsc -p tsconfig.json
step "lint (TypeScript)" npx eslint --max-warnings=0 main renderer tests scripts
step "format (TypeScript)" npx prettier --check --log-level=warn main renderer tests scripts
step "lint (Python)" .venv/bin/ruff check training
step "node unit tests" bash -c 'node --import tsx --test $(find main -name "*.test.ts" | sort)'
step "python tests" .venv/bin/python -m pytest -q training/tests
step "browser end-to-end tests" bash -c 'npm run --silent build:renderer && node --import tsx --test $(find tests/e2e -name "*.test.ts" | sort)'
exit $status
