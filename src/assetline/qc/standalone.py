"""Checking any image file against a brand kit — a vendor's work, an old campaign, a screenshot.

    >>> verdict = check_file("banner.jpg", "brand.yaml", format_id="iab-300x250", copy_path="copy.json")
    >>> verdict.status, [r.check_id for r in verdict.results if r.status == "fail"]

Every registered per-asset check runs (``CheckRegistry.discover()`` unless a registry is passed in).
There is no layout metadata, so checks that need it measure the pixels instead (text found by
``qc.textfind``, logo found by template matching against the kit's logo files) or report 'na'.
Bad input raises ``SpecError``/``AssetlineError`` with one clear message: the CLI
(``assetline check FILE --brand KIT [--format ID] [--copy COPY.json] --json``) prints it and exits 2.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image, UnidentifiedImageError

from assetline.errors import AssetlineError, Location, SpecError
from assetline.qc.base import AssetUnderCheck, CheckContext, CheckResult, Status, worst
from assetline.qc.filetype import sniff
from assetline.qc.logomatch import LogoTemplate
from assetline.qc.registry import CheckRegistry
from assetline.spec.formats import get_format, suggest_format
from assetline.spec.loader import LoadedBrand, load_brand_kit

COPY_FIELDS = ("headline", "body", "cta", "disclaimer")


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking one file: the worst status over every check that applied."""

    path: str
    status: Status
    results: tuple[CheckResult, ...]
    file_type: str | None = None
    format_id: str | None = None
    size: tuple[int, int] = (0, 0)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> list[CheckResult]:
        return [r for r in self.results if r.status == "fail"]

    @property
    def flagged(self) -> list[CheckResult]:
        return [r for r in self.results if r.status in ("warn", "fail")]

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "status": self.status,
            "file_type": self.file_type,
            "format": self.format_id,
            "width": self.size[0],
            "height": self.size[1],
            "results": [r.to_dict() for r in self.results],
        }


def read_copy(path: Path) -> dict[str, str]:
    """Copy JSON: an object of text fields, e.g. {"headline": "…", "body": "…", "cta": "…"}."""
    if not path.is_file():
        raise SpecError(f"copy file not found: {path}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SpecError(
            f"copy file is not valid JSON: {exc.msg}",
            location=Location(path, exc.lineno, exc.colno),
            hint='write it as {"headline": "…", "body": "…", "cta": "…"}',
        ) from None
    except UnicodeDecodeError:
        raise SpecError("copy file is not UTF-8 text", location=Location(path)) from None
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise SpecError(
            "copy file must be a JSON object of text fields",
            location=Location(path),
            hint=f"known fields: {', '.join(COPY_FIELDS)}",
        )
    return dict(data)


def read_image(path: Path) -> tuple[bytes, Image.Image, str | None]:
    """(bytes, decoded image, type from the bytes); SpecError when it is not a readable image."""
    if not path.is_file():
        raise SpecError(f"image file not found: {path}")
    data = path.read_bytes()
    kind = sniff(data)
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        what = f"a {kind} file Pillow cannot decode" if kind else "not an image Assetline can read"
        raise SpecError(
            f"{path.name} is {what}", location=Location(path), hint="deliver JPEG, PNG or GIF"
        ) from exc
    return data, image, kind or (image.format or "").lower() or None


def logo_templates(brand: LoadedBrand) -> list[LogoTemplate]:
    """Every logo version in the kit, ready for template matching."""
    out = []
    for logo in brand.kit.logos:
        try:
            out.append(LogoTemplate.load(logo.id, brand.file(logo.file)))
        except (OSError, UnidentifiedImageError) as exc:
            raise SpecError(
                f"logo '{logo.id}' ({logo.file}) is not a readable image",
                location=Location(brand.path),
                hint="logos are PNG files with a transparent background",
            ) from exc
    return out


def check_file(
    path: Path | str,
    brand_path: Path | str,
    format_id: str | None = None,
    copy_path: Path | str | None = None,
    settings: dict[str, Any] | None = None,
    *,
    registry: CheckRegistry | None = None,
    resources: dict[str, Any] | None = None,
    language: str | None = None,
) -> Verdict:
    """Run every registered per-asset check on the image at ``path``."""
    # 1. Check inputs.
    path = Path(path)
    brand = load_brand_kit(brand_path)
    fmt = None
    if format_id is not None:
        fmt = get_format(format_id)
        if fmt is None:
            raise SpecError(f"unknown format id '{format_id}'", hint=suggest_format(format_id))
    copy = read_copy(Path(copy_path)) if copy_path is not None else None
    if settings is not None and not isinstance(settings, dict):
        raise AssetlineError("settings must be a mapping of check id → settings")
    data, image, kind = read_image(path)

    # 2. What the checks see.
    asset = AssetUnderCheck(
        image=image,
        data=data,
        file_type=kind,
        brand=brand.kit,
        format=fmt,
        copy=copy,
        language=language,
        elements=None,
        asset_id=path.name,
    )
    res: dict[str, Any] = {"logo_templates": logo_templates(brand), "brand_path": brand.path}
    res.update(resources or {})
    context = CheckContext(settings=dict(settings or {}), resources=res)

    # 3. Run them.
    reg = registry if registry is not None else CheckRegistry.discover()
    results = tuple(reg.run_asset(asset, context))
    return Verdict(
        path=str(path),
        status=worst([r.status for r in results]),
        results=results,
        file_type=kind,
        format_id=fmt.id if fmt else None,
        size=image.size,
    )
