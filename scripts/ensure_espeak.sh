#!/usr/bin/env bash
# The voice engine speaks with Debian's espeak-ng: installed with apt when missing.
exec "$(dirname "$0")/ensure_debian_package.sh" "${1:-/usr/bin/espeak-ng}" espeak-ng "voice-overs need it"
