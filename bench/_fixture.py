"""Engine requests built from the demo brief exactly as ``assetline.run.steps`` builds them.

The runner's worker reads the visual back from a PNG blob before composing; here the visual engine's
image goes straight to the composer (same pixels, no blob round trip), so the figures are engine time.
Like the runner (``steps._compose`` reads ``job.get("visual_meta", {})``, which the runner never sets),
the composer gets an empty ``background_meta``; ``RUNNER_BACKGROUND_META = False`` records that choice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from assetline import api
from assetline.engines.base import ComposeRequest, ComposeResult, CopyRequest, CopyResult, VisualRequest
from assetline.engines.registry import EngineRegistry
from assetline.plan.keys import derive_seed
from assetline.run.encode import encode_for_channel
from assetline.spec.campaign import Concept, Segment
from assetline.spec.formats import ChannelFormat, catalogue
from assetline.spec.loader import LoadedCampaign, load_campaign

DEMO_FORMATS = ("meta-feed-1x1", "meta-feed-4x5", "meta-stories-9x16", "google-display-1.91x1",
                "pinterest-standard-2x3", "iab-300x250", "iab-728x90", "iab-320x50")
QUICK_EXTRA_FORMATS = ("youtube-thumbnail", "iab-160x600", "email-hero")
LAYOUT_CONCEPT = {"hero": "morning-launch", "split": "morning-launch", "typographic": "nebula-roast",
                  "product": "lift-off", "quote": "crew-favourite", "banner": "nebula-roast"}
"""Each layout is drawn with a demo concept that lists it, so copy and visual suit the layout."""
RUNNER_BACKGROUND_META = False
"""Whether the visual's metadata reaches the composer (it does not in the runner today)."""


def formats_for(quick: bool) -> list[ChannelFormat]:
    cat = catalogue()
    ids = DEMO_FORMATS + QUICK_EXTRA_FORMATS if quick else tuple(cat)
    return [cat[i] for i in ids if cat[i].video is None]  # stills (bench_motion times the motion formats)


@dataclass
class Rendered:
    """One composed and encoded asset, with what QC needs from it."""

    concept: Concept
    segment: Segment
    format: ChannelFormat
    copy: CopyResult
    result: ComposeResult
    data: bytes
    media_type: str
    timings_ms: dict[str, float] = field(default_factory=dict)


@dataclass
class DemoFixture:
    loaded: LoadedCampaign
    registry: EngineRegistry

    @classmethod
    def load(cls, campaign: Path | None = None) -> DemoFixture:
        return cls(load_campaign(campaign or api.example_dir() / "campaign.yaml"), EngineRegistry.discover())

    def __post_init__(self) -> None:
        c = self.loaded.campaign
        self.concepts = {x.id: x for x in c.concepts}
        self.segments = {x.id: x for x in c.segments}
        self.copy_engine = self.registry.get(c.engines.copy_, "copy")
        self.visual_engine = self.registry.get(c.engines.visual, "visual")
        self.compose_engine = self.registry.get(c.engines.compose, "compose")
        brand, kit = self.loaded.brand, self.loaded.brand.kit
        typo = kit.typography
        self.fonts = {"headline": brand.file(typo.headline.file), "body": brand.file(typo.body.file)}
        self.fonts["cta"] = brand.file(typo.cta.file) if typo.cta else self.fonts["body"]
        self.fonts.update({script: brand.file(font.file) for script, font in typo.scripts.items()})
        self.logos = {lg.id: brand.file(lg.file) for lg in kit.logos}

    # Requests, mirroring run/steps.py and plan/planner.py
    def copy_request(self, concept: Concept, segment: Segment, fmt: ChannelFormat,
                     variant: int) -> CopyRequest:
        return CopyRequest(concept=concept, segment=segment, format=fmt, variant=variant,
                           seed=self.loaded.campaign.seed, exclude=())

    def visual_request(self, concept: Concept, fmt: ChannelFormat, variant: int) -> VisualRequest:
        kit = self.loaded.brand.kit
        photo: Path | None = None
        if concept.visual.photo:
            asset = kit.asset(concept.visual.photo)
            assert asset is not None
            photo = self.loaded.brand.file(asset.file)
        return VisualRequest(brand=kit, concept=concept, width=fmt.width, height=fmt.height,
                             seed=derive_seed(self.loaded.campaign.seed, concept.id, variant), photo=photo)

    def compose_request(self, fmt: ChannelFormat, copy: CopyResult, background: Image.Image,
                        background_meta: dict[str, Any], layout: str | None, cell_key: str,
                        segment: str | None = None) -> ComposeRequest:
        kit = self.loaded.brand.kit
        return ComposeRequest(brand=kit, format=fmt, copy=copy,
                              background=background.convert("RGB"), background_meta=background_meta,
                              layout=layout, fonts=self.fonts, logos=self.logos,
                              seed=derive_seed(self.loaded.campaign.seed, cell_key),
                              legal=tuple(kit.voice.disclaimers_for(segment, copy.language)))

    def render(self, concept: Concept, segment: Segment, fmt: ChannelFormat, variant: int,
               layout: str | None) -> Rendered:
        """copy → visual → compose → encode, once, as one worker would for one cell."""
        copy = self.copy_engine.generate(self.copy_request(concept, segment, fmt, variant))
        visual = self.visual_engine.generate(self.visual_request(concept, fmt, variant))
        key = f"{concept.id}/{segment.id}/{fmt.id}/v{variant}"
        meta = visual.metadata if RUNNER_BACKGROUND_META else {}
        result = self.compose_engine.compose(self.compose_request(fmt, copy, visual.image, meta, layout, key,
                                                                        segment.id))
        data, media, _ = encode_for_channel(result.image, fmt, self.loaded.campaign.output)
        return Rendered(concept, segment, fmt, copy, result, data, media)
