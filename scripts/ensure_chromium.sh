#!/usr/bin/env bash
# Browser tests drive Debian's Chromium through Playwright (never `playwright install`: no downloads at run time).
# Installs it with apt when missing; says clearly when it cannot.
set -u
CHROMIUM="${1:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then exit 0; fi
echo "Chromium not found at $CHROMIUM: installing the Debian package (browser tests need it)"
if [ "$(id -u)" = "0" ]; then SUDO=""; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo -n";
else
  echo "cannot install Chromium: not root and no password-less sudo. Run: apt-get install -y chromium" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null && $SUDO apt-get install -y -qq chromium >/dev/null
if [ ! -x "$CHROMIUM" ]; then
  echo "apt-get did not provide $CHROMIUM; set CHROMIUM=/path/to/chromium" >&2
  exit 1
fi
echo "Chromium installed: $("$CHROMIUM" --version 2>/dev/null)"
