"""The storyboard PDF and contact sheet: pages, where text lands (found by rendering with and without it), the
PDF's pages read back (by an independent renderer when pdftoppm is installed), and byte-identical output."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageChops
from storykit import make_video, timeline

from assetline.engines.storyboard import FrameCard, SheetHeader, StoryboardEngine, StoryboardRequest
from assetline.engines.storyboard.pdf import (
    COLS,
    FOOTER_H,
    GUTTER_X,
    HEADER_H,
    MARGIN,
    PAGE,
    PANEL_H,
    PER_PAGE,
    pdf_bytes,
    render_pages,
)
from assetline.engines.storyboard.sheet import png_bytes, render_sheet
from assetline.engines.storyboard.typeset import STATUS_COLOURS

HEADER = SheetHeader(campaign="Acme launch", concept="morning-launch", format="Meta feed video (meta-feed-1x1-video)",
                     status="changes_requested", subtitle="4.5 s", footer="acme-launch · asset #19 revision 1")
WHEN = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
ARABIC = "ابدأ يومك بقهوة طازجة"
CW = (PAGE[0] - 2 * MARGIN - (COLS - 1) * GUTTER_X) // COLS
GRID_TOP = MARGIN + HEADER_H


@pytest.fixture(scope="module")
def stills() -> list[bytes]:
    draft = StoryboardEngine().build(StoryboardRequest(video=make_video(), timeline=timeline()))
    return [f.image for f in draft.frames]


def cards(stills: list[bytes], n: int, **changes: str) -> list[FrameCard]:
    base = {"caption": "Every great day starts with a launch.", "note": "push-in on the subject",
            "status": "pending", "decision_note": "", "language": "en"}
    return [FrameCard(**{**base, **changes, "number": i + 1, "start": i * 1.5, "end": (i + 1) * 1.5,  # type: ignore[arg-type]
                         "image": stills[i % len(stills)]}) for i in range(n)]


def ink_box(a: Image.Image, b: Image.Image) -> tuple[int, int, int, int] | None:
    """Where two renderings differ (None: nowhere)."""
    return ImageChops.difference(a.convert("L"), b.convert("L")).point(lambda v: 255 if v > 40 else 0).getbbox()


def pdf_pages(data: bytes) -> list[Image.Image]:
    """The page images embedded in a Pillow PDF (one DCT stream per page), decoded by Pillow."""
    out = []
    for match in re.finditer(rb"/Filter /DCTDecode.*?/Length (\d+)\s*>>\s*stream\r?\n", data, re.S):
        start = match.end()
        out.append(Image.open(io.BytesIO(data[start:start + int(match.group(1))])).convert("RGB"))
    return out


def mean_diff(a: Image.Image, b: Image.Image) -> float:
    return float(np.abs(np.asarray(a, np.int16) - np.asarray(b.convert("RGB"), np.int16)).mean())


def test_six_frames_a_page_and_a_page_count_in_the_footer(stills: list[bytes]) -> None:
    pages = render_pages(HEADER, cards(stills, PER_PAGE + 1))
    assert len(pages) == 2 and all(p.size == PAGE for p in pages)
    only = render_pages(HEADER, cards(stills, PER_PAGE))
    assert len(only) == 1
    # the second page has one cell: the rest of its grid is empty
    low, _ = pages[1].crop((MARGIN + CW + GUTTER_X, GRID_TOP, PAGE[0] - MARGIN, PAGE[1] - MARGIN - FOOTER_H))\
        .convert("L").getextrema()
    assert low >= 250


def test_caption_note_and_header_text_land_where_they_belong(stills: list[bytes]) -> None:
    with_text = render_pages(HEADER, cards(stills, 1))[0]
    no_caption = render_pages(HEADER, cards(stills, 1, caption="Order now."))[0]
    box = ink_box(with_text, no_caption)
    assert box is not None, "the caption is not drawn"
    left, top, right, bottom = box
    assert left >= MARGIN and right <= MARGIN + CW  # inside the first cell
    assert top > GRID_TOP + PANEL_H and bottom < GRID_TOP + PANEL_H + 140  # under the still
    no_note = render_pages(HEADER, cards(stills, 1, note=""))[0]
    note_box = ink_box(with_text, no_note)
    assert note_box is not None and note_box[1] > bottom - 30  # the camera note sits under the caption
    renamed = render_pages(SheetHeader(**{**HEADER.__dict__, "campaign": "Globex launch"}), cards(stills, 1))[0]
    header_box = ink_box(with_text, renamed)
    assert header_box is not None and header_box[3] < GRID_TOP and header_box[0] >= MARGIN


def test_a_sent_back_frame_shows_its_note_and_status(stills: list[bytes]) -> None:
    pending = render_pages(HEADER, cards(stills, 1))[0]
    sent_back = render_pages(HEADER, cards(stills, 1, status="changes_requested",
                                            decision_note="hold the product shot longer"))[0]
    box = ink_box(pending, sent_back)
    assert box is not None
    pixels = np.asarray(sent_back.crop(box), np.int16).reshape(-1, 3)
    orange = np.array(STATUS_COLOURS["changes_requested"])
    assert (np.abs(pixels - orange).sum(axis=1) < 60).sum() > 200  # drawn in the status colour


def test_right_to_left_captions_are_set_flush_right(stills: list[bytes]) -> None:
    arabic = render_pages(HEADER, cards(stills, 1, caption=ARABIC, language="ar"))[0]
    none = render_pages(HEADER, cards(stills, 1, caption="Order now."))[0]
    box = ink_box(arabic, none)
    assert box is not None
    assert MARGIN + CW - box[2] < 8  # ends at the cell's right edge


def test_the_pdf_holds_the_pages_and_is_byte_identical(stills: list[bytes], tmp_path: Path) -> None:
    pages = render_pages(HEADER, cards(stills, PER_PAGE + 2))
    data = pdf_bytes(pages, title="Acme — storyboard", author="Assetline", created=WHEN)
    assert data.startswith(b"%PDF-") and data == pdf_bytes(pages, title="Acme — storyboard", author="Assetline",
                                                           created=WHEN)
    assert re.search(rb"/Count 2\b", data) and len(re.findall(rb"/Type /Page\b", data)) == 2
    embedded = pdf_pages(data)
    assert [p.size for p in embedded] == [PAGE, PAGE]
    assert all(mean_diff(e, p) < 2.0 for e, p in zip(embedded, pages, strict=True))
    if shutil.which("pdftoppm") is None:
        return  # poppler-utils not installed: the embedded pages above are the check
    pdf = tmp_path / "board.pdf"
    pdf.write_bytes(data)
    subprocess.run(["pdftoppm", "-png", "-r", "150", str(pdf), str(tmp_path / "page")], check=True, timeout=60)
    rendered = sorted(tmp_path.glob("page-*.png"))
    assert len(rendered) == 2
    for path, page in zip(rendered, pages, strict=True):
        image = Image.open(path).convert("RGB")
        assert abs(image.width - PAGE[0]) <= 2 and abs(image.height - PAGE[1]) <= 2
        assert mean_diff(image.resize(PAGE), page) < 4.0


def test_an_empty_board_still_has_a_page() -> None:
    [page] = render_pages(HEADER, [])
    assert page.size == PAGE


def test_contact_sheet_grid_and_status_bars(stills: list[bytes]) -> None:
    board = cards(stills, 7)
    board[0] = FrameCard(**{**board[0].__dict__, "status": "approved"})
    sheet = render_sheet(HEADER, board)
    data = png_bytes(sheet)
    assert data == png_bytes(render_sheet(HEADER, board))
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    # four columns of 320 px and two rows
    assert image.width == 2 * 32 + 4 * 320 + 3 * 20
    strip = np.asarray(image.convert("RGB"), np.int16)
    # under the first still, a bar in the approved colour; under the second, the pending colour
    bar_y = next(y for y in range(116, image.height) if tuple(strip[y, 40]) == STATUS_COLOURS["approved"])
    assert tuple(strip[bar_y, 32 + 320 + 20 + 10]) == STATUS_COLOURS["pending"]


def test_a_portrait_sheet_and_page_keep_the_still_upright() -> None:
    tall = StoryboardEngine().build(StoryboardRequest(video=make_video(size=(108, 192)),
                                                      timeline=timeline(size=(108, 192)))).frames
    board = [FrameCard(number=f.number, start=f.start, end=f.end, caption=f.caption, note=f.note, image=f.image)
             for f in tall]
    sheet = render_sheet(HEADER, board)
    assert sheet.height > sheet.width / 2
    [page] = render_pages(HEADER, board)
    assert page.size == PAGE
