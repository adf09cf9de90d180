#!/usr/bin/env bash
# Installs a Debian package with apt when the program it provides is missing; says clearly when it cannot.
#   scripts/ensure_debian_package.sh PROGRAM PACKAGE WHY
# Used for Chromium (browser tests drive Debian's build through Playwright; never `playwright install`) and
# espeak-ng (the voice engine's formant synthesiser: no model files, no downloads at run time).
set -u
PROGRAM="$1"; PACKAGE="$2"; WHY="$3"
if [ -x "$PROGRAM" ]; then exit 0; fi
echo "$PACKAGE not found at $PROGRAM: installing the Debian package ($WHY)"
if [ "$(id -u)" = "0" ]; then SUDO=""; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo -n";
else
  echo "cannot install $PACKAGE: not root and no password-less sudo. Run: apt-get install -y $PACKAGE" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null && $SUDO apt-get install -y -qq "$PACKAGE" >/dev/null
if [ ! -x "$PROGRAM" ]; then
  echo "apt-get did not provide $PROGRAM; install $PACKAGE by hand" >&2
  exit 1
fi
echo "$PACKAGE installed: $("$PROGRAM" --version 2>/dev/null | head -1)"
