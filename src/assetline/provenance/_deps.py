"""The provenance extra's heavy dependencies, imported on first use with one clear error when missing.

Importing ``assetline.provenance`` never needs them; signing, verifying and watermarking do.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from types import ModuleType

INSTALL_HINT = ("pip install 'assetline[provenance]'  (c2pa-python, cryptography, opencv-python-headless, "
                "PyWavelets; then: pip install --no-deps invisible-watermark==0.2.0)")

_PACKAGES = {"c2pa": "c2pa-python", "cv2": "opencv-python-headless", "pywt": "PyWavelets",
             "imwatermark": "invisible-watermark (install it with --no-deps)", "cryptography": "cryptography"}


def _imwatermark_shell() -> None:
    """invisible-watermark's package ``__init__`` imports its RivaGAN module, which imports torch (not installed by
    `make demo`). We only use ``imwatermark.dwtDctSvd`` (numpy, cv2, pywt): register the package without running its
    ``__init__`` so the submodule imports alone."""
    if "imwatermark" in sys.modules:
        return
    spec = importlib.util.find_spec("imwatermark")
    if spec is None or spec.submodule_search_locations is None:
        raise ImportError("No module named 'imwatermark'")
    shell = ModuleType("imwatermark")
    shell.__path__ = list(spec.submodule_search_locations)
    shell.__spec__ = spec
    sys.modules["imwatermark"] = shell


def require(module: str) -> ModuleType:
    """Import ``module`` or raise an ImportError naming the package and the install command."""
    try:
        if module.startswith("imwatermark."):
            _imwatermark_shell()
        return importlib.import_module(module)
    except ImportError as exc:
        package = _PACKAGES.get(module.split(".")[0], module)
        raise ImportError(f"provenance needs {package}, which is not installed: {INSTALL_HINT}") from exc
