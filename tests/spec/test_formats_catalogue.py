from __future__ import annotations

from assetline.spec.formats import catalogue, suggest_format

REQUIRED = {"meta-feed-1x1": (1080, 1080), "meta-feed-4x5": (1080, 1350), "meta-stories-9x16": (1080, 1920),
            "meta-reels-9x16": (1080, 1920), "google-display-1.91x1": (1200, 628),
            "google-display-1x1": (1200, 1200), "pinterest-standard-2x3": (1000, 1500),
            "youtube-thumbnail": (1280, 720), "iab-300x250": (300, 250), "iab-728x90": (728, 90),
            "iab-160x600": (160, 600), "iab-300x600": (300, 600), "iab-320x50": (320, 50),
            "iab-970x250": (970, 250)}


def test_catalogue_has_the_real_formats() -> None:
    cat = catalogue()
    assert len(cat) >= 20
    for fid, size in REQUIRED.items():
        assert cat[fid].size == size, fid
    assert any(f.channel == "linkedin" for f in cat.values())
    assert any(f.channel == "x" for f in cat.values())
    assert any(f.channel == "email" for f in cat.values())


def test_story_formats_have_safe_zones_and_iab_has_file_budget() -> None:
    cat = catalogue()
    for fid in ("meta-stories-9x16", "meta-reels-9x16", "tiktok-infeed-9x16"):
        sz = cat[fid].safe_zone
        assert sz.top > 0 and sz.bottom > 0
    assert all(f.max_file_kb == 150 for f in cat.values() if f.channel == "iab")


def test_suggestion() -> None:
    assert "meta-feed-1x1" in suggest_format("meta-feed-1x")
