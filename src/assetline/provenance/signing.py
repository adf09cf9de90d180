"""Sign a finished file with the tenant's key: the C2PA manifest is embedded, the pixels are untouched.

Signing must be the LAST write: the manifest binds a hash of every other byte of the file, so any later
re-encode, metadata edit or optimiser pass makes it 'invalid' (or strips it, as Pillow's save does). Watermark
first, encode for the channel, then sign.

    signed = sign(data, "image/jpeg", build_manifest(record), load_keys(workspace, tenant), record.ingredients)
"""

from __future__ import annotations

import copy
import datetime as dt
import io
from collections.abc import Mapping, Sequence
from typing import Any

from assetline.errors import ProvenanceError
from assetline.provenance._deps import require
from assetline.provenance.keys import INIT_HINT, TenantKeys
from assetline.provenance.manifest import Ingredient
from assetline.provenance.media import normalise_mime, sniff_mime

SETTINGS: dict[str, Any] = {"builder": {"thumbnail": {"enabled": False}}}
"""No embedded thumbnail: it adds ≈30 KB per file and the delivered file is its own preview."""


def _placed_ids(manifest: Mapping[str, Any]) -> set[str]:
    ids: set[str] = set()
    for assertion in manifest.get("assertions", []):
        if assertion.get("label") in ("c2pa.actions", "c2pa.actions.v2"):
            for action in assertion.get("data", {}).get("actions", []):
                ids.update(action.get("parameters", {}).get("ingredientIds", []))
    return ids


def _supported(c2pa: Any) -> set[str]:
    return {normalise_mime(m) for m in c2pa.Builder.get_supported_mime_types()}


def sign(data: bytes, mime: str, manifest: Mapping[str, Any], keys: TenantKeys,
         ingredients: Sequence[Ingredient] = ()) -> bytes:
    """``data`` with a C2PA manifest embedded, signed with the tenant's key.

    ``manifest`` is ``build_manifest(record)``; ``ingredients`` the same ``record.ingredients``: those with bytes
    (in a format c2pa reads) are hashed into the manifest, the others are recorded by reference.
    """
    if keys.not_after <= dt.datetime.now(dt.UTC):
        raise ProvenanceError(f"the signing certificate of tenant '{keys.tenant}' expired on "
                              f"{keys.not_after:%Y-%m-%d}", hint=INIT_HINT.replace("init", "init --force", 1))
    return sign_with(data, mime, manifest, keys.chain_pem, keys.key_pem, keys.alg, ingredients)


def sign_with(data: bytes, mime: str, manifest: Mapping[str, Any], chain_pem: str, key_pem: str,
              alg: str = "ES256", ingredients: Sequence[Ingredient] = ()) -> bytes:
    """``sign`` with an explicit chain and key (used to test a certificate before installing it)."""
    c2pa = require("c2pa")
    # 1. Check inputs
    mime = normalise_mime(mime)
    found = sniff_mime(data)
    if found is None:
        raise ProvenanceError(f"cannot sign: the data is not a file type C2PA can carry ({len(data)} bytes)",
                              hint="sign the encoded file (PNG, JPEG, …), not raw pixels")
    if found != mime:
        raise ProvenanceError(f"cannot sign: the data is {found}, not {mime}", hint=f"pass mime='{found}'")
    supported = _supported(c2pa)
    if mime not in supported:
        raise ProvenanceError(f"c2pa cannot sign {mime} files", hint="deliver PNG or JPEG for signed output")
    unique: dict[str, Ingredient] = {}
    for ing in ingredients:
        unique.setdefault(ing.label, ing)
    missing = _placed_ids(manifest) - set(unique)
    if missing:
        raise ProvenanceError(f"the manifest places ingredient(s) {', '.join(sorted(missing))} that were not "
                              "passed to sign()", hint="pass the record's ingredients: sign(..., record.ingredients)")
    # 2. The definition: format, and ingredients recorded by reference
    definition = copy.deepcopy(dict(manifest))
    definition["format"] = mime
    streamed = [i for i in unique.values() if i.data is not None and normalise_mime(i.mime) in supported]
    by_reference = [i for i in unique.values() if i not in streamed]
    definition["ingredients"] = list(definition.get("ingredients", [])) + [i.definition() for i in by_reference]
    # 3. Build, add the ingredients with bytes, sign
    try:
        context = c2pa.Context.from_dict(SETTINGS)
        with c2pa.Builder(definition, context=context) as builder:
            for ing in streamed:
                assert ing.data is not None
                builder.add_ingredient(ing.definition(), normalise_mime(ing.mime), io.BytesIO(ing.data))
            info = c2pa.C2paSignerInfo(alg=alg.lower().encode("ascii"), sign_cert=chain_pem.encode("ascii"),
                                       private_key=key_pem.encode("ascii"), ta_url=None)
            with c2pa.Signer.from_info(info) as signer:
                out = io.BytesIO()
                builder.sign(signer, mime, io.BytesIO(data), out)
    except c2pa.C2paError as exc:
        raise ProvenanceError(f"C2PA signing failed: {exc}",
                              hint="check the manifest definition and the signing certificate "
                                   "(`assetline keys init` makes a working one)") from exc
    return out.getvalue()
