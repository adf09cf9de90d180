"""The provenance extra's heavy dependencies, imported on first use with one clear error when missing.

Importing ``assetline.provenance`` never needs them; signing, verifying and watermarking do.
"""

from __future__ import annotations

import importlib
from types import ModuleType

INSTALL_HINT = ("pip install 'assetline[provenance]'  (c2pa-python, cryptography, opencv-python-headless, "
                "PyWavelets; then: pip install --no-deps invisible-watermark==0.2.0)")

_PACKAGES = {"c2pa": "c2pa-python", "cv2": "opencv-python-headless", "pywt": "PyWavelets",
             "imwatermark": "invisible-watermark (install it with --no-deps)", "cryptography": "cryptography"}


def require(module: str) -> ModuleType:
    """Import ``module`` or raise an ImportError naming the package and the install command."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        package = _PACKAGES.get(module.split(".")[0], module)
        raise ImportError(f"provenance needs {package}, which is not installed: {INSTALL_HINT}") from exc
