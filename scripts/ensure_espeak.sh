#!/usr/bin/env bash
# The voice engine speaks with Debian's espeak-ng (a formant synthesiser: no model files, no downloads at run
# time). Installs it with apt when missing; says clearly when it cannot.
set -u
ESPEAK="${1:-/usr/bin/espeak-ng}"
if [ -x "$ESPEAK" ]; then exit 0; fi
echo "espeak-ng not found at $ESPEAK: installing the Debian package (voice-overs need it)"
if [ "$(id -u)" = "0" ]; then SUDO=""; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo -n";
else
  echo "cannot install espeak-ng: not root and no password-less sudo. Run: apt-get install -y espeak-ng" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null && $SUDO apt-get install -y -qq espeak-ng >/dev/null
if [ ! -x "$ESPEAK" ]; then
  echo "apt-get did not provide $ESPEAK; install espeak-ng by hand and put it on PATH" >&2
  exit 1
fi
echo "espeak-ng installed: $("$ESPEAK" --version 2>/dev/null)"
