"""Bulk-upload sheets: one CSV per channel, shaped like the import sheet of that channel's ads tool.

Each sheet has one row per delivered file; its ``file_column`` holds the file name exactly as manifest.json
lists it (``file_name``). Platforms identify uploaded media by their own ids (Meta image hash, X media key,
LinkedIn image URN…), which exist only after the files are uploaded to the ad account's media library; the
file-name column is what an uploader (person or script) joins on. Column sources are listed in
docs/delivery.md. Files are written UTF-8 with a byte-order mark, so Excel opens Arabic and accents correctly.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

CHANNEL_LABELS: dict[str, str] = {
    "meta": "Meta",
    "google": "Google Ads",
    "linkedin": "LinkedIn",
    "x": "X",
    "tiktok": "TikTok",
    "pinterest": "Pinterest",
    "youtube": "YouTube",
    "iab": "IAB display",
    "email": "Email",
}


def channel_label(channel: str) -> str:
    return CHANNEL_LABELS.get(channel.lower(), channel)


@dataclass(frozen=True)
class RowInput:
    """What a sheet row may draw on."""

    file_name: str
    ad_name: str
    campaign: str
    brand: str
    concept: str
    segment: str
    format_id: str
    width: int
    height: int
    language: str
    territory: str
    headline: str
    body: str
    cta: str
    landing_url: str
    sha256: str
    media: str = "image"
    """'image' or 'video'."""
    duration: str = ""
    """A video's length in seconds ('' for images)."""
    captions_file: str = ""
    """A video's SRT caption file name ('' for none)."""


@dataclass(frozen=True)
class SheetSpec:
    tool: str
    columns: tuple[str, ...]
    file_column: str
    row: Callable[[RowInput], dict[str, str]]
    video_column: str | None = None
    """Where a video's file name goes when the tool keeps videos in a column of their own."""

    def column_for(self, media: str) -> str:
        return self.video_column if media == "video" and self.video_column else self.file_column


_META_CTA = {
    "shop now": "SHOP_NOW", "learn more": "LEARN_MORE", "sign up": "SIGN_UP", "subscribe": "SUBSCRIBE",
    "order now": "ORDER_NOW", "download": "DOWNLOAD", "contact us": "CONTACT_US",
    "apply now": "APPLY_NOW", "get offer": "GET_OFFER", "get quote": "GET_QUOTE", "watch more": "WATCH_MORE",
    "buy now": "BUY_NOW", "see menu": "SEE_MENU", "get directions": "GET_DIRECTIONS",
}


def meta_cta(text: str) -> str:
    """Meta's call-to-action code for a CTA phrase ('' when the phrase has no Meta equivalent)."""
    return _META_CTA.get(" ".join(text.lower().replace("!", "").split()), "")


def _meta(r: RowInput) -> dict[str, str]:
    return {"Campaign Name": r.campaign, "Ad Set Name": r.segment, "Ad Name": r.ad_name, "Title": r.headline,
            "Body": r.body, "Call to Action": meta_cta(r.cta), "Link": r.landing_url,
            "Image File Name": r.file_name if r.media == "image" else "", "Image Hash": "",
            "Video File Name": r.file_name if r.media == "video" else "", "Video ID": ""}


def _google(r: RowInput) -> dict[str, str]:
    return {"Campaign": r.campaign, "Ad group": r.segment, "Ad type": "Responsive display ad",
            "Headline 1": r.headline, "Long headline": r.headline, "Description 1": r.body or r.headline,
            "Business name": r.brand, "Final URL": r.landing_url, "Image": r.file_name}


def _linkedin(r: RowInput) -> dict[str, str]:
    return {"Campaign Name": r.campaign, "Ad Name": r.ad_name, "Introductory Text": r.body, "Headline": r.headline,
            "Destination URL": r.landing_url, "Call To Action": r.cta, "Image File Name": r.file_name}


def _tiktok(r: RowInput) -> dict[str, str]:
    return {"Campaign Name": r.campaign, "Ad Group Name": r.segment, "Ad Name": r.ad_name,
            "Ad Format": "Single video" if r.media == "video" else "Single image", "Ad Text": r.body or r.headline,
            "Call to Action": r.cta, "Destination URL": r.landing_url,
            "Image File Name": r.file_name if r.media == "image" else "",
            "Video File Name": r.file_name if r.media == "video" else ""}


def _x(r: RowInput) -> dict[str, str]:
    return {"Campaign name": r.campaign, "Ad group name": r.segment, "Post text": r.body,
            "Website card headline": r.headline, "Website URL": r.landing_url, "Media file name": r.file_name}


def _generic(r: RowInput) -> dict[str, str]:
    return {"File name": r.file_name, "Campaign": r.campaign, "Concept": r.concept, "Segment": r.segment,
            "Format": r.format_id, "Width": str(r.width), "Height": str(r.height), "Language": r.language,
            "Territory": r.territory, "Headline": r.headline, "Body": r.body, "Call to action": r.cta,
            "Landing page URL": r.landing_url, "SHA-256": r.sha256, "Media": r.media,
            "Duration (s)": r.duration, "Captions file": r.captions_file}


SHEETS: dict[str, SheetSpec] = {
    "meta": SheetSpec("Meta Ads Manager bulk import", (
        "Campaign Name", "Ad Set Name", "Ad Name", "Title", "Body", "Call to Action", "Link", "Image File Name",
        "Image Hash", "Video File Name", "Video ID"), "Image File Name", _meta, "Video File Name"),
    "google": SheetSpec("Google Ads Editor CSV import", (
        "Campaign", "Ad group", "Ad type", "Headline 1", "Long headline", "Description 1", "Business name",
        "Final URL", "Image"), "Image", _google),
    "linkedin": SheetSpec("LinkedIn Campaign Manager (single image ads)", (
        "Campaign Name", "Ad Name", "Introductory Text", "Headline", "Destination URL", "Call To Action",
        "Image File Name"), "Image File Name", _linkedin),
    "tiktok": SheetSpec("TikTok Ads Manager bulk import", (
        "Campaign Name", "Ad Group Name", "Ad Name", "Ad Format", "Ad Text", "Call to Action", "Destination URL",
        "Image File Name", "Video File Name"), "Image File Name", _tiktok, "Video File Name"),
    "x": SheetSpec("X Ads editor", (
        "Campaign name", "Ad group name", "Post text", "Website card headline", "Website URL", "Media file name"),
        "Media file name", _x),
}
GENERIC = SheetSpec("Generic delivery sheet", (
    "File name", "Campaign", "Concept", "Segment", "Format", "Width", "Height", "Language", "Territory", "Headline",
    "Body", "Call to action", "Landing page URL", "SHA-256", "Media", "Duration (s)", "Captions file"), "File name",
    _generic)
"""Used for iab, email, pinterest, youtube and any channel without a sheet of its own."""


def sheet_for(channel: str) -> SheetSpec:
    return SHEETS.get(channel.lower(), GENERIC)


def csv_name(channel: str) -> str:
    return f"{channel.lower()}-bulk-upload.csv"


def render_csv(channel: str, rows: list[RowInput]) -> bytes:
    """The bulk-upload sheet for ``channel`` as UTF-8 (with BOM) CSV bytes."""
    spec = sheet_for(channel)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(spec.columns), extrasaction="raise")
    writer.writeheader()
    for r in rows:
        writer.writerow(spec.row(r))
    return buf.getvalue().encode("utf-8-sig")
