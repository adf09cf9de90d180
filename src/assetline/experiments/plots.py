"""Forest plots of attribute insights, rendered on the server: PNG bytes for the analytics page and reports.

    png = forest_png(insight)            # one attribute: each value's rate with its 95 % credible interval
    width, height = plot_size(len(insight.values), titled=False)   # what an <img> showing the chart alone reserves

Each row is one value of the attribute: a dot at its observed rate, a bar over its credible interval, its P(best)
and impressions on the right. The winner is green, the leader (no winner yet) dark, the others grey; a dashed line
marks the pooled rate of all values. Brand-neutral greys and the green of the review UI, its Inter typeface, sized
for a page column (1200 px wide, shown at 560–760 CSS px). ``titled`` plots (the default: a plot shown on its own)
carry the attribute's name, verdict, metric and a legend; the analytics page shows those in HTML and asks for the
chart alone.

The chart is a ``matplotlib.figure.Figure`` drawn by the Agg canvas: no pyplot, no global state, safe in a
threaded web server. Matplotlib does not shape complex scripts (Arabic, Hebrew, Devanagari copy is common in
headlines), so the value labels are drawn afterwards with Pillow's Raqm layout into the space the chart leaves
on the left, in a font that has the label's script; long labels end in an ellipsis.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ticker import FuncFormatter, MaxNLocator
from PIL import Image, ImageDraw, ImageFont

from assetline.engines.compose.scripts import Script, detect_script
from assetline.experiments.insights import METRICS, AttributeInsight

PLOT_VERSION = "2"
"""Bumped when the drawing changes (part of cache keys)."""

DPI = 200
WIDTH_IN = 6.0
"""1200 px wide: sharp on high-density screens at 560–760 CSS px, where 9 pt text reads at 12–16 px."""
LABEL_PX = 400
"""Width of the label column (output pixels)."""
AXES_RIGHT = 0.76
"""Where the chart ends (figure fraction); P(best) and impressions go to its right."""
HEADER_IN, TOP_IN, ROW_IN, FOOTER_IN, LEGEND_IN = 0.78, 0.24, 0.40, 0.36, 0.22
"""Heights: the title block (titled plots), the top margin (untitled ones), one row, the x axis, the legend
under it (titled plots)."""
LABEL_FONT_PX = 26
"""Value labels (drawn by Pillow): 9.5 pt at DPI."""
INK, TEXT_2, MUTED, FAINT, GRID = "#111827", "#3d4350", "#646b78", "#9aa1ad", "#e2e5ea"
WIN, WIN_BAND = "#15803d", "#e7f6ec"
LEAD, OTHER = "#111827", "#9aa1ad"

_FONTS: dict[Script, tuple[str, str]] = {
    "latin": ("fontpkg_inter", "Inter[opsz,wght].ttf"),
    "arabic": ("fontpkg_noto_sans_arabic", "NotoSansArabic[wdth,wght].ttf"),
    "hebrew": ("fontpkg_heebo", "Heebo[wght].ttf"),
    "devanagari": ("fontpkg_noto_sans_devanagari", "NotoSansDevanagari[wdth,wght].ttf"),
}


@cache
def _font_file(script: Script) -> Path | None:
    package, name = _FONTS[script]
    try:
        path = Path(str(resources.files(package) / "files" / name))
    except ModuleNotFoundError:
        return None
    return path if path.is_file() else None


def _mpl_font(size: float) -> FontProperties:
    path = _font_file("latin")
    return FontProperties(fname=str(path), size=size) if path else FontProperties(size=size)


def _pil_font(script: Script, px: int, bold: bool) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = _font_file(script) or _font_file("latin")
    if path is None:
        return ImageFont.load_default(px)
    font = ImageFont.truetype(str(path), px, layout_engine=ImageFont.Layout.RAQM)
    with contextlib.suppress(OSError, ValueError):  # a static font, or one without these named instances
        font.set_variation_by_name(b"SemiBold" if bold else b"Regular")
    return font


def truncate(text: str, measure: Callable[[str], float], limit: float) -> str:
    """``text``, or its longest prefix + '…' whose width (``measure(text)``) is within ``limit``."""
    if measure(text) <= limit:
        return text
    lo, hi = 0, len(text)
    while lo < hi:  # binary search: the longest prefix that fits with the ellipsis
        mid = (lo + hi + 1) // 2
        if measure(text[:mid].rstrip() + "…") <= limit:
            lo = mid
        else:
            hi = mid - 1
    return (text[:lo].rstrip() or text[:1]) + "…"


def _chars(text: str) -> float:
    return float(len(text))


def _plain(x: float) -> str:
    """An axis value of a mean metric (revenue per impression) without scientific notation where it can."""
    if x == 0:
        return "0"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 1:
        return f"{x:.2f}".rstrip("0").rstrip(".")
    return f"{x:.3g}"


def _rate_formatter(metric: str) -> FuncFormatter:
    if METRICS[metric].kind == "proportion":
        return FuncFormatter(lambda x, _: f"{x * 100:.1f} %" if abs(x) < 0.1 else f"{x * 100:.0f} %")
    return FuncFormatter(lambda x, _: _plain(x))


def format_probability(p: float) -> str:
    """P(best) for people: a Monte Carlo share is never shown as a certain 0 or 1."""
    if p < 0.005:
        return "< 0.01"
    if p > 0.995:
        return "> 0.99"
    return f"{p:.2f}"


def format_rate(metric: str, value: float) -> str:
    if METRICS[metric].kind == "proportion":
        return f"{value * 100:.2f} %"
    return f"{value:,.4g}"


def _height_in(values: int, titled: bool) -> float:
    return (HEADER_IN + LEGEND_IN if titled else TOP_IN) + ROW_IN * values + FOOTER_IN


def plot_size(values: int, titled: bool = True) -> tuple[int, int]:
    """(width, height) in pixels of the plot of an attribute with ``values`` values (for <img> attributes)."""
    return round(WIDTH_IN * DPI), round(_height_in(values, titled) * DPI)


def _figure(insight: AttributeInsight, titled: bool) -> tuple[Figure, list[tuple[str, float, bool, str]]]:
    """The chart without value labels, and (label, y pixel from the top, bold, colour) for each row."""
    rows = list(insight.values)
    n = len(rows)
    height_in = _height_in(n, titled)
    fig = Figure(figsize=(WIDTH_IN, height_in), dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    top = 1 - (HEADER_IN if titled else TOP_IN) / height_in
    bottom = (FOOTER_IN + (LEGEND_IN if titled else 0.0)) / height_in
    left = LABEL_PX / (WIDTH_IN * DPI)
    ax = fig.add_axes((left, bottom, AXES_RIGHT - left, top - bottom))
    ys = list(range(n))[::-1]
    units = sum(v.units for v in rows)
    average = sum(v.rate * v.units for v in rows) / units if units else 0.0
    lows = [v.ci[0] for v in rows]
    highs = [v.ci[1] for v in rows]
    span = max(highs) - min(lows)
    if span <= 0:  # every value the same with no spread (a mean metric with no data yet): a readable axis
        span = abs(average) or (0.01 if METRICS[insight.metric].kind == "proportion" else 1.0)
    x_min = min(lows) - 0.08 * span
    if min(lows) >= 0:  # rates and revenues are never negative: the axis starts at 0 at the lowest
        x_min = max(0.0, x_min)
    ax.set_xlim(x_min, max(highs) + 0.08 * span)
    ax.set_ylim(-0.5, n - 0.5)
    labels: list[tuple[str, float, bool, str]] = []
    for y, v in zip(ys, rows, strict=True):
        is_winner = v.value == insight.winner
        is_leader = v.value == insight.leader and insight.winner is None
        colour = WIN if is_winner else LEAD if is_leader else OTHER
        if is_winner:
            ax.axhspan(y - 0.44, y + 0.44, color=WIN_BAND, zorder=0, lw=0)
        ax.plot([v.ci[0], v.ci[1]], [y, y], color=colour, lw=3.4, solid_capstyle="round", zorder=2)
        ax.plot([v.rate], [y], "o", ms=9, color=colour, mec="white", mew=1.8, zorder=3)
        text_colour = WIN if is_winner else INK if is_leader else TEXT_2
        ax.annotate(f"P(best) {format_probability(v.p_best)}", (1.03, y + 0.15), xycoords=("axes fraction", "data"),
                    va="center", ha="left", color=text_colour, fontproperties=_mpl_font(9))
        ax.annotate(f"{format_rate(insight.metric, v.rate)} · {v.units:,} impr.", (1.03, y - 0.19),
                    xycoords=("axes fraction", "data"), va="center", ha="left", color=MUTED,
                    fontproperties=_mpl_font(7.5))
        labels.append((v.value, y, is_winner or is_leader, text_colour))
    ax.axvline(average, color=FAINT, lw=1, ls=(0, (3, 3)), zorder=1)
    ax.annotate("average", (average, n - 0.5), xytext=(0, 3), textcoords="offset points", va="bottom",
                ha="center", color=MUTED, fontproperties=_mpl_font(7.5))
    ax.set_yticks([])
    ax.xaxis.set_major_formatter(_rate_formatter(insight.metric))
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
    ax.tick_params(axis="x", colors=MUTED, labelsize=8, length=0, pad=5)
    for label in ax.get_xticklabels():
        label.set_fontproperties(_mpl_font(8))
    ax.grid(axis="x", color=GRID, lw=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_color(GRID)
    if titled:
        _header(fig, insight, height_in)
    fig.canvas.draw()
    height_px = fig.bbox.height
    rows_px = [(text, height_px - ax.transData.transform((0, y))[1], bold, colour)
               for text, y, bold, colour in labels]
    return fig, rows_px


def _header(fig: Figure, insight: AttributeInsight, height_in: float) -> None:
    """Title, verdict, metric and legend above the chart (for a plot shown on its own)."""
    metric_label = METRICS[insight.metric].label
    where = "all segments" if insight.segment is None else insight.segment
    p_best = format_probability(insight.p_best)
    if insight.winner is not None:
        summary, colour = f"Winner: {truncate(insight.winner, _chars, 48)} · P(best) {p_best}", WIN
    else:
        summary, colour = f"No winner yet · leader {truncate(insight.leader, _chars, 40)} at P(best) {p_best}", MUTED
    x0, x1 = 24 / (WIDTH_IN * DPI), 1 - 24 / (WIDTH_IN * DPI)
    fig.text(x0, 1 - 0.12 / height_in, insight.label, fontproperties=_mpl_font(13), color=INK, va="top")
    fig.text(x1, 1 - 0.15 / height_in, f"{metric_label} · {truncate(where, _chars, 40)}",
             fontproperties=_mpl_font(8.5), color=MUTED, va="top", ha="right")
    fig.text(x0, 1 - 0.42 / height_in, summary, fontproperties=_mpl_font(9), color=colour, va="top")
    fig.text(LABEL_PX / (WIDTH_IN * DPI), 0.1 / height_in, "dot: observed rate · bar: 95 % credible interval",
             fontproperties=_mpl_font(7.5), color=FAINT, va="bottom", ha="left")


def _measure(font: ImageFont.FreeTypeFont | ImageFont.ImageFont) -> Callable[[str], float]:
    def width(text: str) -> float:
        return float(font.getlength(text))

    return width


def _draw_labels(image: Image.Image, rows: list[tuple[str, float, bool, str]]) -> None:
    draw = ImageDraw.Draw(image)
    right = LABEL_PX - 22
    limit = right - 24
    for text, y, bold, colour in rows:
        script = detect_script(text)
        font = _pil_font(script, LABEL_FONT_PX, bold)
        shown = truncate(" ".join(text.split()), _measure(font), limit)
        draw.text((right, y), shown, font=font, fill=colour, anchor="rm")


def forest_png(insight: AttributeInsight, *, titled: bool = True) -> bytes:
    """The forest plot of one attribute as PNG bytes, ``plot_size(len(insight.values), titled)`` pixels.

    ``titled`` draws the attribute's name, verdict, metric and a legend above the chart; a page that shows those
    itself (the analytics page) asks for the chart alone."""
    fig, rows = _figure(insight, titled)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    image = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    _draw_labels(image, rows)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
