"""The built-in layout composer (``builtin.compose``)."""

from assetline.engines.compose.composer import LayoutComposer

__all__ = ["LayoutComposer"]
