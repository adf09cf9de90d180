#!/usr/bin/env bash
# Browser tests drive Debian's Chromium through Playwright (never `playwright install`): installed with apt when missing.
exec "$(dirname "$0")/ensure_debian_package.sh" "${1:-/usr/bin/chromium}" chromium "browser tests need it"
