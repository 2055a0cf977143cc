#!/usr/bin/env bash
# The browser suites need Chromium. Debian's package is the only one that installs here (a test
# tool's own browser download cannot reach the internet). As root we install it; otherwise we say how.
set -euo pipefail
chrome="${CHROME_PATH:-/usr/bin/chromium}"
if [ -x "$chrome" ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Chromium not found at $chrome; installing it with apt-get install -y chromium"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "Chromium is missing. Install it, then run the tests again:" >&2
echo "  apt-get install -y chromium" >&2
exit 1
