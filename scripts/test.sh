#!/usr/bin/env bash
# The one test line: every suite, none skipped. Order: cheap and pure first, browsers last.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-chromium.sh
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"
echo "== typecheck"
npm run --silent typecheck
echo "== server suites (unit, routes on SQLite and PostgreSQL, sandbox)"
npm run --silent test:server
echo "== build the element"
npm run --silent build
echo "== size budgets"
npm run --silent size
echo "== element suites (headless Chromium)"
npm run --silent test:widget
echo "== end-to-end (whole stack, headless Chromium)"
npm run --silent test:e2e
