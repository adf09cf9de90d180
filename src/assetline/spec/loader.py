"""Load brand kits and campaigns from YAML into validated, resolved objects.

Everything a later stage needs from the file system is resolved here, once, with positions for errors:
the brand kit a campaign names, every font/logo/photo file, and the channel formats.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assetline.errors import Location, SpecError
from assetline.spec.brand import BrandKit
from assetline.spec.campaign import Campaign
from assetline.spec.common import Licence
from assetline.spec.files import UnresolvedFile, resolve_file
from assetline.spec.formats import ChannelFormat, catalogue, suggest_format
from assetline.spec.yamlio import locate, read_yaml, validate


@dataclass(frozen=True)
class LoadedBrand:
    kit: BrandKit
    path: Path
    files: dict[str, Path] = field(default_factory=dict)
    """Every file reference in the kit → the resolved file."""
    models: dict[str, Path] = field(default_factory=dict)
    """'model' and 'lora' (the kit's imagery.model / imagery.lora) → the resolved file or folder."""

    def file(self, ref: str) -> Path:
        return self.files[ref]


@dataclass(frozen=True)
class LoadedCampaign:
    campaign: Campaign
    path: Path
    brand: LoadedBrand
    formats: tuple[ChannelFormat, ...]


def _file_refs(kit: BrandKit) -> list[tuple[tuple[Any, ...], str]]:
    """(error path, reference) for every file the kit names."""
    refs: list[tuple[tuple[Any, ...], str]] = []
    typo = kit.typography
    for role in ("headline", "body", "cta"):
        font = getattr(typo, role)
        if font is not None:
            refs.append((("typography", role, "file"), font.file))
    for script, font in typo.scripts.items():
        refs.append((("typography", "scripts", script, "file"), font.file))
    refs += [(("logos", i, "file"), logo.file) for i, logo in enumerate(kit.logos)]
    refs += [(("assets", i, "file"), asset.file) for i, asset in enumerate(kit.assets)]
    return refs


def licensed_inputs(kit: BrandKit) -> list[tuple[tuple[Any, ...], str, str, Licence | None]]:
    """(spec path, role, reference, licence) for every input file of the kit."""
    out: list[tuple[tuple[Any, ...], str, str, Licence | None]] = []
    typo = kit.typography
    for role in ("headline", "body", "cta"):
        font = getattr(typo, role)
        if font is not None:
            out.append((("typography", role), "font", font.file, font.licence))
    out += [(("typography", "scripts", k), "font", f.file, f.licence) for k, f in typo.scripts.items()]
    out += [(("logos", i), "logo", lg.id, lg.licence) for i, lg in enumerate(kit.logos)]
    out += [(("assets", i), a.kind, a.id, a.licence) for i, a in enumerate(kit.assets)]
    if kit.imagery.model:
        out.append((("imagery", "model"), "model", kit.imagery.model, kit.imagery.model_licence))
    if kit.imagery.lora:
        out.append((("imagery", "lora"), "model", kit.imagery.lora, kit.imagery.lora_licence))
    return out


def _check_motion(campaign: Campaign, brand: LoadedBrand, formats: tuple[ChannelFormat, ...], path: Path,
                  data: Any) -> None:
    motion = campaign.motion
    by_id = {f.id: f for f in formats}
    if motion.variants is not None and motion.variants > campaign.variants:
        raise SpecError(f"motion.variants is {motion.variants} but the campaign has {campaign.variants} variants",
                        location=locate(path, data, ("motion", "variants")),
                        hint="motion.variants picks how many of the campaign's variants also get videos")
    concept_ids = [c.id for c in campaign.concepts]
    has_motion = any(f.video is not None for f in formats)
    for i, cid in enumerate(motion.concepts if has_motion else ()):
        if cid not in concept_ids:
            raise SpecError(f"motion.concepts names '{cid}', which is not a concept of this campaign",
                            location=locate(path, data, ("motion", "concepts", i)),
                            hint=f"concept ids: {', '.join(concept_ids)}")
    for fid, seconds in motion.durations.items():
        fmt = by_id.get(fid)
        where = locate(path, data, ("motion", "durations", fid))
        if fmt is None or fmt.video is None:
            motion_ids = ", ".join(f.id for f in formats if f.video) or "(the campaign lists none)"
            raise SpecError(f"motion.durations names '{fid}', which is not a motion format of this campaign",
                            location=where, hint=f"motion formats listed in `formats`: {motion_ids}")
        if not fmt.video.min_duration <= seconds <= fmt.video.max_duration:
            raise SpecError(f"motion.durations.{fid} is {seconds:g} s; {fid} takes {fmt.video.min_duration:g}–"
                            f"{fmt.video.max_duration:g} s", location=where)
        if seconds <= motion.end_card + 0.5:
            raise SpecError(f"motion.durations.{fid} is {seconds:g} s, too short for the {motion.end_card:g} s "
                            "end card", location=where, hint="lengthen the video or shorten motion.end_card")
    for fmt in formats:
        if fmt.video and fmt.id not in motion.durations and fmt.video.duration <= motion.end_card + 0.5:
            raise SpecError(f"{fmt.id} lasts {fmt.video.duration:g} s by default, too short for the "
                            f"{motion.end_card:g} s end card", location=locate(path, data, ("motion", "end_card")))
    from assetline.engines.voice.script import build_script  # the voice-over's template grammar

    sample = {"headline": "Headline", "body": "Body", "cta": "CTA"}
    for loc, template in [(("script",), motion.voiceover.script),
                          *((("shorter", i), t) for i, t in enumerate(motion.voiceover.shorter))]:
        try:
            build_script(template, sample)
        except SpecError as exc:
            raise SpecError(str(exc), location=locate(path, data, ("motion", "voiceover", *loc)),
                            hint=exc.hint) from None
    music = motion.voiceover.music
    if music:
        asset = brand.kit.asset(music)
        where = locate(path, data, ("motion", "voiceover", "music"))
        if asset is None or asset.kind != "audio":
            audio_ids = ", ".join(a.id for a in brand.kit.assets if a.kind == "audio") or "(none)"
            raise SpecError(f"motion.voiceover.music names '{music}', which is not an audio asset of the brand kit",
                            location=where, hint=f"brand-kit assets of kind 'audio': {audio_ids}")


def load_brand_kit(path: Path | str) -> LoadedBrand:
    """Read and validate a brand kit; resolve every file it names."""
    path = Path(path)
    data = read_yaml(path)
    kit = validate(BrandKit, path, data)
    files: dict[str, Path] = {}
    for loc, ref in _file_refs(kit):
        try:
            files[ref] = resolve_file(ref, path.parent)
        except UnresolvedFile as exc:
            raise SpecError(str(exc), location=locate(path, data, loc),
                            hint="paths are relative to the brand kit file") from None
    if not kit.licensing.allow_unlicensed:
        for loc, role, ref, licence in licensed_inputs(kit):
            if licence is None:
                raise SpecError(f"{role} '{ref}' has no licence record", location=locate(path, data, loc),
                                hint="add `licence: {owner: …, name: …, terms: …}`, or set "
                                     "`licensing: {allow_unlicensed: true}` (delivery then withholds its assets)")
    models: dict[str, Path] = {}
    for role in ("model", "lora"):
        ref = getattr(kit.imagery, role)
        if ref:
            model_path = Path(ref).expanduser()
            model_path = model_path if model_path.is_absolute() else path.parent / model_path
            if not model_path.exists():
                raise SpecError(f"imagery.{role} not found: {model_path}",
                                location=locate(path, data, ("imagery", role)),
                                hint="a diffusers folder or a .safetensors/.ckpt file, relative to the brand kit")
            models[role] = model_path.resolve()
    return LoadedBrand(kit=kit, path=path.resolve(), files=files, models=models)


def load_campaign(path: Path | str) -> LoadedCampaign:
    """Read and validate a campaign brief, its brand kit and its formats."""
    path = Path(path)
    data = read_yaml(path)
    campaign = validate(Campaign, path, data)

    # 1. The brand kit it names.
    brand_path = Path(campaign.brand).expanduser()
    if not brand_path.is_absolute():
        brand_path = path.parent / brand_path
    if not brand_path.is_file():
        raise SpecError(f"brand kit not found: {brand_path}", location=locate(path, data, ("brand",)),
                        hint="'brand' is a path relative to the campaign file")
    brand = load_brand_kit(brand_path)

    # 2. Formats from the catalogue.
    known = catalogue()
    formats = []
    for i, fid in enumerate(campaign.formats):
        if fid not in known:
            raise SpecError(f"unknown format id '{fid}'", location=locate(path, data, ("formats", i)),
                            hint=suggest_format(fid))
        formats.append(known[fid])

    # 3. Cross-references into the brand kit.
    for i, concept in enumerate(campaign.concepts):
        photo = concept.visual.photo
        if photo and brand.kit.asset(photo) is None:
            ids = ", ".join(a.id for a in brand.kit.assets) or "(the kit has no assets)"
            raise SpecError(f"concept '{concept.id}' uses photo '{photo}', which the brand kit does not define",
                            location=locate(path, data, ("concepts", i, "visual", "photo")),
                            hint=f"brand-kit asset ids: {ids}")
    # 3b. The motion block names motion formats, concepts and an audio asset that exist.
    _check_motion(campaign, brand, tuple(formats), path, data)
    # 4. Copy templates parse and every variable they use is known for every segment.
    from assetline.engines.copy.validate import validate_templates  # the default copy grammar

    for i, concept in enumerate(campaign.concepts):
        for problem in validate_templates(concept, campaign.segments):
            if problem.severity == "error":
                raise SpecError(problem.message, hint=problem.hint,
                                location=locate(path, data, ("concepts", i, *problem.loc)))
    return LoadedCampaign(campaign=campaign, path=path.resolve(), brand=brand, formats=tuple(formats))


def error_location(path: Path, loc: tuple[Any, ...]) -> Location:
    """Position of ``loc`` inside the YAML file at ``path`` (for checks made after loading)."""
    return locate(path, read_yaml(path), loc)
