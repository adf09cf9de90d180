"""Draws the fictional Orbit Coffee logo (run once; the PNGs are committed). Font: Inter (OFL)."""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from assetline.spec.files import resolve_file

HERE = Path(__file__).parent
SCALE = 4  # draw large, then downsample for smooth edges


def draw(colour: tuple[int, int, int], ring: tuple[int, int, int], name: str) -> None:
    h = 160 * SCALE
    font = ImageFont.truetype(str(resolve_file("fontpkg:inter", HERE)), 112 * SCALE)
    font.set_variation_by_axes([32, 800])
    text = "orbit"
    tw = int(font.getlength(text))
    w = h + 24 * SCALE + tw + 12 * SCALE
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    c = h // 2
    r = int(h * 0.30)
    ring_box = (c - int(r * 1.75), c - int(r * 0.55), c + int(r * 1.75), c + int(r * 0.55))
    d.ellipse(ring_box, outline=(*ring, 255), width=9 * SCALE)              # the orbit ring, behind
    d.ellipse((c - r, c - r, c + r, c + r), fill=(*colour, 255))            # the planet / coffee bean
    d.arc(ring_box, 0, 180, fill=(*ring, 255), width=9 * SCALE)             # the ring's front half
    d.text((h + 24 * SCALE, c), text, font=font, fill=(*colour, 255), anchor="lm")
    img = img.resize((w // SCALE, h // SCALE), Image.Resampling.LANCZOS)
    img.save(HERE / name, optimize=True)


if __name__ == "__main__":
    draw((20, 33, 61), (252, 163, 17), "logo-dark.png")
    draw((255, 255, 255), (252, 163, 17), "logo-light.png")
