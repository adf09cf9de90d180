"""The app the DCO benchmark serves with uvicorn in a separate process (workspace from ASSETLINE_WORKSPACE)."""

from __future__ import annotations

from assetline.config import load_settings
from assetline.web.app import create_app, prepare_to_serve

app = create_app(load_settings(), session_secret="bench-dco")
prepare_to_serve()  # as `assetline serve` does
