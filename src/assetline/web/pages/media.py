"""Images and fonts for the pages.

    /assets/{id}/thumb?r=REV&s=480   JPEG thumbnail of a revision's render (cached on disk, see thumbs.py)
    /assets/{id}/image?r=REV         the render itself, as stored (an MP4 for motion formats; ranges served, so
                                     the player can seek)
    /assets/{id}/captions.vtt?r=REV  a video's WebVTT captions (the player's caption track)
    /fonts/{name}                    the UI font and the script fonts for copy, from the installed font packages

With ``r`` the URL names one revision, whose render never changes: browsers may keep it for a year. Without it
the answer is the current revision and is not cached. Images are private (they belong to one tenant).
"""

from __future__ import annotations

from importlib import resources
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import FileResponse

from assetline.errors import NotFoundError
from assetline.web.context import state
from assetline.web.pages.deps import AssetId, Revision, ServiceDep
from assetline.web.pages.errors import PageRoute
from assetline.web.pages.thumbs import DEFAULT_SIZE, still_sha, thumb_dir, thumbnail

router = APIRouter(route_class=PageRoute)
IMMUTABLE = "private, max-age=31536000, immutable"
FRESH = "private, no-cache"

FONTS: dict[str, tuple[str, str]] = {
    "inter.ttf": ("fontpkg_inter", "Inter[opsz,wght].ttf"),
    "noto-sans-arabic.ttf": ("fontpkg_noto_sans_arabic", "NotoSansArabic[wdth,wght].ttf"),
    "heebo.ttf": ("fontpkg_heebo", "Heebo[wght].ttf"),
    "noto-sans-devanagari.ttf": ("fontpkg_noto_sans_devanagari", "NotoSansDevanagari[wdth,wght].ttf"),
}


@router.get("/assets/{asset_id}/thumb")
def thumb(request: Request, svc: ServiceDep, asset_id: AssetId, r: Revision = None,
          s: Annotated[int, Query(ge=1, le=4096)] = DEFAULT_SIZE) -> Response:
    asset = svc.asset(asset_id)
    artifact = svc.render(asset, r)
    if artifact is None:
        raise NotFoundError(f"asset {asset_id} has no render yet")
    app = state(request)
    path = thumbnail(app.blobs, thumb_dir(app.settings.workspace), still_sha(artifact), s)
    return FileResponse(path, media_type="image/jpeg", headers={"Cache-Control": IMMUTABLE if r else FRESH})


@router.get("/assets/{asset_id}/image")
def image(request: Request, svc: ServiceDep, asset_id: AssetId, r: Revision = None) -> Response:
    asset = svc.asset(asset_id)
    artifact = svc.render(asset, r)
    if artifact is None:
        raise NotFoundError(f"asset {asset_id} has no render yet")
    path = state(request).blobs.path(artifact.blob_sha)
    if not path.is_file():
        raise NotFoundError(f"the render of asset {asset_id} is missing from the blob store",
                            hint="run `assetline doctor`")
    return FileResponse(path, media_type=artifact.media_type,
                        headers={"Cache-Control": IMMUTABLE if r else FRESH})


@router.get("/assets/{asset_id}/captions.vtt")
def captions(request: Request, svc: ServiceDep, asset_id: AssetId, r: Revision = None) -> Response:
    asset = svc.asset(asset_id)
    artifact = svc.render(asset, r)
    sha = ((artifact.meta or {}).get("motion") or {}).get("captions", {}).get("vtt") if artifact else None
    if not sha:
        raise NotFoundError(f"asset {asset_id} has no captions", hint="only motion formats with a voice-over have")
    return Response(state(request).blobs.get(sha), media_type="text/vtt; charset=utf-8",
                    headers={"Cache-Control": IMMUTABLE if r else FRESH})


@router.get("/fonts/{name}")
def font(name: str) -> Response:
    if name not in FONTS:
        raise NotFoundError(f"no font '{name}'")
    package, filename = FONTS[name]
    try:
        path = resources.files(package) / "files" / filename
    except ModuleNotFoundError as exc:
        raise NotFoundError(f"font package {package} is not installed") from exc
    return FileResponse(str(path), media_type="font/ttf",
                        headers={"Cache-Control": "public, max-age=604800"})
