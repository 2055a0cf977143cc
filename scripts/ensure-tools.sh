#!/usr/bin/env bash
# The test line needs tools npm does not bring: Chromium for the browser suites (a test tool's own
# browser download cannot reach the internet; Debian's package installs here), and PHP and Go, whose
# webhook-verification snippets in docs/merchant.md the server suites run (skipped, not checked,
# where they are missing). As root we install what is missing with apt-get; otherwise we say how.
set -euo pipefail
chrome="${CHROME_PATH:-/usr/bin/chromium}"
missing=()
[ -x "$chrome" ] || missing+=(chromium)
command -v php >/dev/null 2>&1 || missing+=(php-cli)
command -v go >/dev/null 2>&1 || missing+=(golang-go)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing what the suites need: apt-get install -y ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  exit 0
fi
if [[ " ${missing[*]} " == *" chromium "* ]]; then
  echo "Chromium is missing. Install it, then run the tests again:" >&2
  echo "  apt-get install -y ${missing[*]}" >&2
  exit 1
fi
# PHP and Go only widen what is checked: their snippet tests say they were skipped.
echo "not installed: ${missing[*]} (their webhook snippets are skipped; apt-get install -y ${missing[*]})" >&2
