"""The one Chromium the browser tests share: Debian's, driven by Playwright (never `playwright install`).

Playwright's sync API allows one running instance per process, so every browser test uses the session-wide
``browser`` fixture defined in tests/conftest.py."""

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
