"""Specs: brand kits, campaigns, channel formats and licences, loaded from YAML with precise errors."""

from assetline.spec.brand import BrandKit
from assetline.spec.campaign import Campaign, Concept, Segment
from assetline.spec.common import Licence, hex_to_rgb
from assetline.spec.formats import ChannelFormat, catalogue, get_format
from assetline.spec.loader import LoadedBrand, LoadedCampaign, load_brand_kit, load_campaign

__all__ = [
    "BrandKit", "Campaign", "ChannelFormat", "Concept", "Licence", "LoadedBrand", "LoadedCampaign", "Segment",
    "catalogue", "get_format", "hex_to_rgb", "load_brand_kit", "load_campaign",
]
