#!/usr/bin/env bash
# The one test line: every suite, none skipped. The build comes first because some suites load
# what a merchant installs (the `mixpay-checkout/server` export, dist/mixpay-button*.js).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-tools.sh
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"
echo "== build (element bundles, type declarations, manifest, server package)"
npm run --silent build
echo "== typecheck"
npm run --silent typecheck
echo "== size budgets"
npm run --silent size
echo "== server suites (unit, routes on SQLite and PostgreSQL, sandbox)"
npm run --silent test:server
echo "== reliability (fuzzing every endpoint, faults; seeds printed)"
npm run --silent test:reliability
echo "== element suites (headless Chromium)"
npm run --silent test:widget
echo "== end-to-end (whole stack, headless Chromium)"
npm run --silent test:e2e
