"""The storyboard engine (``builtin.storyboard``): a motion asset's shots as review frames, a PDF and a sheet.

    base.py     the contract: StoryboardRequest → StoryboardDraft (DraftFrame per shot); FrameCard for exports
    shots.py    the timeline's shots, checked, with the voice-over cues that overlap each as its caption
    frames.py   stills from the MP4 at each shot's middle (PyAV), scaled and encoded as JPEG
    builder.py  StoryboardEngine.build(request): shots → stills → draft, with its content key
    typeset.py  fonts per script and one-line text setting (raqm), shared by the exports
    pdf.py      the A4 landscape storyboard PDF: header, 3 × 2 frames a page, footer
    sheet.py    the contact-sheet PNG: every frame in one grid

The engine never touches the store: review/storyboard.py persists drafts and decisions.
"""

from assetline.engines.storyboard.base import DraftFrame, FrameCard, SheetHeader, StoryboardDraft, StoryboardRequest
from assetline.engines.storyboard.builder import StoryboardEngine

__all__ = ["DraftFrame", "FrameCard", "SheetHeader", "StoryboardDraft", "StoryboardEngine", "StoryboardRequest"]
