#!/usr/bin/env bash
# Ensures the test suite's one system dependency, Debian's Chromium (test/browser.test.ts drives it), is installed.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [[ -x "$CHROMIUM" ]]; then
  exit 0
fi

if command -v apt-get >/dev/null 2>&1 && [[ "$(id -u)" -eq 0 ]]; then
  echo "test-deps: $CHROMIUM not found; installing Debian's chromium package" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  if [[ -x "$CHROMIUM" ]]; then
    exit 0
  fi
  echo "test-deps: apt-get install chromium finished but $CHROMIUM is still missing" >&2
  exit 1
fi

cat >&2 <<MSG
test-deps: $CHROMIUM is missing and cannot be installed automatically (needs apt-get and root).
The browser CORS test (test/browser.test.ts) drives Debian's Chromium. Install it with:
  sudo apt-get update && sudo apt-get install -y chromium
MSG
exit 1
