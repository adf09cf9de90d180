"""Channel bundles: the folder a client (or a media buyer) receives for one channel.

    <out_dir>/<channel>/
        manifest.json                 bundle metadata; per file: path, sha256, size, ids, copy, approvals, licences…
        <channel>-bulk-upload.csv     one row per file, shaped like the channel's bulk-import sheet (channels.py)
        contact-sheet.pdf             A4 landscape thumbnails with captions (contact_sheet.py)
        HOW-THIS-WAS-MADE.md / .html  plain-language disclosure (disclosure.py)
        <format_id>/<file>            the delivered files, named as naming.py describes

Writing is atomic: everything is built in a hidden sibling folder (``.<channel>.partial-*``) and renamed into
place at the end, so a reader sees either the old bundle or the complete new one, and an error leaves nothing
behind. An existing non-empty ``<channel>`` folder is refused unless ``overwrite=True``. ``read_bundle`` loads
the manifest back and re-hashes every file.

Usage:

    report = write_bundle(items, Path("deliveries"), "meta", "Spring launch", "Orbit Coffee", blocked=[],
                          disclosure=DisclosureInfo(engines=[...], checks=[...]))
    manifest = read_bundle(report.root)
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from PIL import Image, UnidentifiedImageError

from assetline.delivery import channels, contact_sheet, naming
from assetline.delivery.atomic import publish, write_file
from assetline.delivery.disclosure import DisclosureInfo, disclosure_context, render_disclosure
from assetline.errors import DeliveryError
from assetline.store.blobs import fsync_dir

MANIFEST = "manifest.json"
CONTACT_SHEET = "contact-sheet.pdf"
DISCLOSURE_MD = "HOW-THIS-WAS-MADE.md"
DISCLOSURE_HTML = "HOW-THIS-WAS-MADE.html"
SCHEMA = "assetline.delivery.bundle/1"
_PIL_MIME = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
_CHANNEL = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")


@dataclass(frozen=True)
class DeliveryItem:
    """One approved, signed asset revision to deliver."""

    asset_id: int
    revision: int
    campaign: str
    concept: str
    segment: str
    format_id: str
    channel: str
    width: int
    height: int
    mime: str
    data: bytes
    """The final signed bytes, written as they are."""
    copy: dict[str, str]
    """'headline', 'body', 'cta'."""
    language: str
    territory: str
    approved_by: list[str]
    content_sha256: str
    """As recorded by the store (recorded in the manifest, not re-checked: the manifest's sha256 is of the bytes)."""
    watermark_id: int | None
    source_type: str
    """IPTC digital source type, e.g. 'trainedAlgorithmicMedia' or 'algorithmicMedia'."""
    licences: list[dict[str, Any]]
    """One record per licensed input, as ``licence_gate.licence_record`` builds them."""
    lineage: dict[str, Any]
    variant: int = 1
    poster: bytes | None = None
    """A video's poster frame (JPEG), written beside it and shown on the contact sheet; None for images."""
    sidecars: dict[str, bytes] = field(default_factory=dict)
    """A video's caption files by extension ('srt', 'vtt'), written beside it with the same stem."""
    duration: float | None = None
    """A video's length in seconds."""

    @property
    def is_video(self) -> bool:
        return self.mime.lower().startswith("video/")


@dataclass(frozen=True)
class BundleReport:
    """What ``write_bundle`` wrote (paths are inside ``root``)."""

    root: Path
    manifest: Path
    files: list[Path]
    csv: Path
    contact_sheet: Path
    disclosure_md: Path
    disclosure_html: Path
    pages: int
    withheld: int
    total_bytes: int
    created: datetime


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _check_inputs(items: list[DeliveryItem], channel: str, blocked: list[dict[str, Any]]) -> None:
    if not _CHANNEL.match(channel):
        raise DeliveryError(f"'{channel}' is not a channel name",
                            hint="use the channel ids of the format catalogue: meta, google, linkedin, x, …")
    for item in items:
        who = f"asset {item.asset_id} r{item.revision} ({item.format_id}, {item.segment})"
        if item.channel.lower() != channel:
            raise DeliveryError(f"{who} belongs to channel '{item.channel}', not '{channel}'",
                                hint="write one bundle per channel")
        naming.extension(item.mime)
        if item.is_video:
            _check_video(item, who)
            continue
        try:
            with Image.open(io.BytesIO(item.data)) as img:
                found, size = _PIL_MIME.get(img.format or "", f"image/{(img.format or '?').lower()}"), img.size
        except (UnidentifiedImageError, OSError, ValueError) as exc:
            raise DeliveryError(f"{who}: its data is not a readable image ({len(item.data)} bytes)",
                                hint="deliver the final rendered file, not a placeholder or a manifest") from exc
        if found != item.mime.lower():
            raise DeliveryError(f"{who}: declared {item.mime} but the bytes are {found}")
        if size != (item.width, item.height):
            raise DeliveryError(f"{who}: declared {item.width}×{item.height} but the image is {size[0]}×{size[1]}")
    try:
        json.dumps(blocked, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise DeliveryError(f"the withheld list cannot be written as JSON: {exc}") from exc


def _check_video(item: DeliveryItem, who: str) -> None:
    """The bytes are the declared kind of video at the declared size, with a readable poster."""
    from assetline.provenance.media import sniff_mime

    found = sniff_mime(item.data)
    webm = item.data[:4] == b"\x1aE\xdf\xa3"
    if not (found == item.mime.lower() or (webm and item.mime.lower() == "video/webm")):
        raise DeliveryError(f"{who}: declared {item.mime} but the bytes are {found or 'not a known file type'}")
    try:
        import av

        with av.open(io.BytesIO(item.data)) as container:
            stream = container.streams.video[0]
            size = (stream.codec_context.width, stream.codec_context.height)
    except (av.FFmpegError, IndexError, OSError, ValueError) as exc:
        raise DeliveryError(f"{who}: its data is not a readable video ({len(item.data)} bytes)") from exc
    if size != (item.width, item.height):
        raise DeliveryError(f"{who}: declared {item.width}×{item.height} but the video is {size[0]}×{size[1]}")
    if item.poster is None:
        raise DeliveryError(f"{who}: a video needs its poster frame for the contact sheet")


def sidecar_names(name: str, item: DeliveryItem) -> dict[str, str]:
    """Names of the files that travel with a video: poster and captions, same stem as the video."""
    if not item.is_video:
        return {}
    stem = name.rsplit(".", 1)[0]
    out = {"poster": f"{stem}.poster.jpg"} if item.poster is not None else {}
    out.update({ext: f"{stem}.{ext}" for ext in sorted(item.sidecars)})
    return out


def _file_entry(item: DeliveryItem, name: str) -> dict[str, Any]:
    return {
        "path": f"{naming.folder(item.format_id)}/{name}", "file_name": name, "sha256": _sha256(item.data),
        "size": len(item.data), "mime": item.mime, "width": item.width, "height": item.height,
        "asset_id": item.asset_id, "revision": item.revision, "variant": item.variant, "campaign": item.campaign,
        "concept": item.concept, "segment": item.segment, "format_id": item.format_id, "channel": item.channel,
        "language": item.language, "territory": item.territory, "copy": dict(item.copy),
        "approved_by": list(item.approved_by), "content_sha256": item.content_sha256,
        "watermark_id": item.watermark_id, "source_type": item.source_type,
        "licences": [dict(rec) for rec in item.licences], "lineage": item.lineage,
        **({"duration": item.duration, "sidecars": {k: f"{naming.folder(item.format_id)}/{v}"
                                                    for k, v in sidecar_names(name, item).items()}}
           if item.is_video else {}),
    }


def _row(entry: dict[str, Any], brand: str, campaign: str, landing_url: str | None) -> channels.RowInput:
    copy = entry["copy"]
    return channels.RowInput(
        media="video" if str(entry["mime"]).startswith("video/") else "image",
        duration=f"{entry['duration']:g}" if entry.get("duration") else "",
        captions_file=entry.get("sidecars", {}).get("srt", "").rsplit("/", 1)[-1],
        file_name=entry["file_name"], ad_name=entry["file_name"].rsplit(".", 1)[0], campaign=campaign, brand=brand,
        concept=entry["concept"], segment=entry["segment"], format_id=entry["format_id"], width=entry["width"],
        height=entry["height"], language=entry["language"], territory=entry["territory"],
        headline=copy.get("headline", ""), body=copy.get("body", ""), cta=copy.get("cta", ""),
        landing_url=landing_url or "", sha256=entry["sha256"])


def _cell(item: DeliveryItem) -> contact_sheet.SheetCell:
    locale = "-".join(p for p in (item.language, item.territory.upper()) if p)
    video = f" · {item.duration:g} s" if item.is_video and item.duration else ""
    return contact_sheet.SheetCell(
        data=item.poster if item.is_video and item.poster is not None else item.data,
        format_line=f"{item.format_id} · {item.width}×{item.height}{video}",
        segment_line=f"{item.segment} · {locale}" if locale else item.segment,
        variant_line=f"{item.concept} · variant {item.variant} · rev {item.revision} · #{item.asset_id}",
        headline=item.copy.get("headline", ""),
        language=item.language,
    )


def _build(tmp: Path, items: list[DeliveryItem], names: list[str], channel: str, campaign_name: str,
           brand_name: str, blocked: list[dict[str, Any]], disclosure: DisclosureInfo | None,
           landing_url: str | None, created: datetime) -> tuple[list[Path], int]:
    # 1. The files, in their format folders
    entries = []
    for item, name in zip(items, names, strict=True):
        entry = _file_entry(item, name)
        write_file(tmp / entry["path"], item.data)
        for kind, side in sidecar_names(name, item).items():
            data = item.poster if kind == "poster" else item.sidecars[kind]
            assert data is not None
            write_file(tmp / naming.folder(item.format_id) / side, data)
        entries.append(entry)
    # 2. The bulk-upload sheet
    label = channels.channel_label(channel)
    csv_rel = channels.csv_name(channel)
    write_file(tmp / csv_rel, channels.render_csv(channel, [_row(e, brand_name, campaign_name, landing_url)
                                                        for e in entries]))
    # 3. The contact sheet
    withheld = f" · {len(blocked)} withheld by the licence check" if blocked else ""
    subtitle = (f"{label} · {len(items)} file{'s' if len(items) != 1 else ''} in "
                f"{len({i.format_id for i in items})} formats · delivered {created.date().isoformat()}{withheld}")
    try:
        pages = contact_sheet.render_pages(
            [_cell(i) for i in items], title=campaign_name, brand=brand_name, subtitle=subtitle,
            footer=f"{brand_name} · {campaign_name} · {label} contact sheet — HOW-THIS-WAS-MADE.html explains "
                   "how these were made",
            empty_note="No files in this bundle: see HOW-THIS-WAS-MADE.html for what was withheld and why.")
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise DeliveryError(f"could not draw the contact sheet: an image is damaged ({exc})") from exc
    pdf = contact_sheet.pdf_bytes(pages, title=f"{campaign_name} — {label} contact sheet", author=brand_name,
                                  created=created)
    write_file(tmp / CONTACT_SHEET, pdf)
    # 4. The disclosure
    context = disclosure_context(items, blocked=blocked, info=disclosure, channel=channel,
                                 campaign_name=campaign_name, brand_name=brand_name, created=created)
    markdown, html = render_disclosure(context)
    write_file(tmp / DISCLOSURE_MD, markdown.encode("utf-8"))
    write_file(tmp / DISCLOSURE_HTML, html.encode("utf-8"))
    # 5. The manifest, last: it fingerprints everything above
    documents = []
    for rel, kind in ((csv_rel, "bulk-upload"), (CONTACT_SHEET, "contact-sheet"), (DISCLOSURE_MD, "disclosure"),
                      (DISCLOSURE_HTML, "disclosure")):
        data = (tmp / rel).read_bytes()
        documents.append({"path": rel, "kind": kind, "sha256": _sha256(data), "size": len(data)})
    manifest = {
        "schema": SCHEMA, "created": created.isoformat(), "brand": brand_name, "campaign": campaign_name,
        "channel": channel, "landing_url": landing_url, "bulk_upload": {
            "path": csv_rel, "tool": channels.sheet_for(channel).tool,
            "file_column": channels.sheet_for(channel).file_column,
            "video_column": channels.sheet_for(channel).column_for("video")},
        "counts": {"files": len(entries), "withheld": len(blocked), "contact_sheet_pages": len(pages)},
        "files": entries, "documents": documents, "blocked": blocked,
    }
    write_file(tmp / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8") + b"\n")
    return [tmp / e["path"] for e in entries], len(pages)


def write_bundle(items: list[DeliveryItem], out_dir: Path, channel: str, campaign_name: str, brand_name: str,
                 blocked: list[dict[str, Any]], disclosure: DisclosureInfo | None, landing_url: str | None = None,
                 *, overwrite: bool = False, created: datetime | None = None) -> BundleReport:
    """Write the bundle for ``channel`` into ``out_dir/<channel>``, atomically.

    ``blocked`` lists the assets the licence gate withheld (``withheld_entry`` builds one entry). ``created``
    fixes the bundle date (default: now, UTC)."""
    # 1. Check inputs before touching the disk
    channel = channel.strip().lower()
    _check_inputs(items, channel, blocked)
    created = created or datetime.now(UTC)
    out_dir = Path(out_dir)
    target = out_dir / channel
    if target.exists() and not overwrite and (not target.is_dir() or any(target.iterdir())):
        raise DeliveryError(f"{target} already exists and is not empty",
                            hint="deliver into another folder, or pass overwrite=True (--overwrite)")
    # 2. Stable order and names
    items = sorted(items, key=lambda i: (i.format_id, i.concept, i.segment, i.variant, i.revision, i.asset_id))
    names = naming.disambiguate(
        [naming.file_name(brand_name, i.campaign, i.concept, i.segment, i.format_id, i.variant, i.revision,
                          i.mime) for i in items], [i.asset_id for i in items])
    # 3. Build in a hidden sibling folder, then rename into place
    created_dirs = [p for p in (out_dir, *out_dir.parents) if not p.exists()]
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=out_dir, prefix=f".{channel}.partial-"))
    except OSError as exc:
        raise DeliveryError(f"cannot create the bundle folder in {out_dir}: {exc}") from exc
    try:
        files, pages = _build(tmp, items, names, channel, campaign_name, brand_name, blocked, disclosure,
                              landing_url, created)
        publish(tmp, target, overwrite)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        for folder in created_dirs:  # deepest first: leave no empty folders we made
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        if isinstance(exc, OSError):
            raise DeliveryError(f"could not write the bundle into {out_dir}: {exc}") from exc
        raise
    fsync_dir(out_dir)
    files = [target / f.relative_to(tmp) for f in files]
    return BundleReport(
        root=target, manifest=target / MANIFEST, files=files, csv=target / channels.csv_name(channel),
        contact_sheet=target / CONTACT_SHEET, disclosure_md=target / DISCLOSURE_MD,
        disclosure_html=target / DISCLOSURE_HTML, pages=pages, withheld=len(blocked),
        total_bytes=sum(p.stat().st_size for p in target.rglob("*") if p.is_file()), created=created)


def _safe_rel(root: Path, rel: str) -> Path:
    pure = PurePosixPath(rel)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts:
        raise DeliveryError(f"manifest names a path outside the bundle: '{rel}'")
    return root.joinpath(*pure.parts)


def read_bundle(path: Path) -> dict[str, Any]:
    """Load a bundle's manifest (``path``: the bundle folder or its manifest.json) and check every file.

    Raises DeliveryError listing each file that is missing, changed, or not named in the manifest."""
    path = Path(path)
    root = path.parent if path.name == MANIFEST else path
    try:
        manifest: dict[str, Any] = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DeliveryError(f"{root} is not a delivery bundle: it has no {MANIFEST}") from None
    except (OSError, ValueError) as exc:
        raise DeliveryError(f"{root / MANIFEST} cannot be read: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("schema") != SCHEMA:
        raise DeliveryError(f"{root / MANIFEST} is not an Assetline bundle manifest ({SCHEMA})")
    problems: list[str] = []
    listed = {MANIFEST}
    try:
        entries = [(str(e["path"]), str(e["sha256"]), int(e["size"]))
                   for e in [*manifest.get("files", []), *manifest.get("documents", [])]]
    except (KeyError, TypeError, ValueError) as exc:
        raise DeliveryError(f"{root / MANIFEST} is malformed: a file entry lacks path, sha256 or size") from exc
    for rel, sha, size in entries:
        listed.add(rel)
        file = _safe_rel(root, rel)
        if not file.is_file():
            problems.append(f"missing: {rel}")
            continue
        data = file.read_bytes()
        if len(data) != size or _sha256(data) != sha:
            problems.append(f"changed: {rel} (sha256 {_sha256(data)[:12]}…, manifest says {sha[:12]}…)")
    for file in sorted(root.rglob("*")):
        rel = file.relative_to(root).as_posix()
        if file.is_file() and rel not in listed:
            problems.append(f"not in the manifest: {rel}")
    if problems:
        raise DeliveryError(f"bundle {root} does not match its manifest:\n" + "\n".join(f"  - {p}" for p in problems),
                            hint="re-deliver the bundle, or find out who changed these files")
    return manifest
