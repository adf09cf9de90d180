"""`make demo` installs no torch: the watermark must import without it (invisible-watermark's package __init__
imports torch for its RivaGAN model, which we do not use)."""

from __future__ import annotations

import subprocess
import sys

PROGRAM = """
import sys
sys.modules["torch"] = None  # any `import torch` now fails, as in the demo's environment
from assetline.provenance.watermark import embed, extract
import io
import numpy as np
from PIL import Image
rng = np.random.default_rng(1)
image = Image.fromarray(rng.integers(40, 215, (512, 512, 3), dtype=np.uint8))
buf = io.BytesIO()
image.save(buf, "PNG")
marked = embed(buf.getvalue(), "image/png", 4242)
assert marked.embedded, marked.reason
assert extract(marked.data) == 4242
print("ok")
"""


def test_watermark_works_without_torch() -> None:
    result = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "ok"
