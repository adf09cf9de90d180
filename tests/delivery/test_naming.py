"""Delivered file names: descriptive, filesystem-safe, stable, unique within a bundle."""

from __future__ import annotations

import pytest

from assetline.delivery.naming import disambiguate, file_name, folder, slug
from assetline.errors import DeliveryError


def test_documented_example() -> None:
    name = file_name("Orbit", "spring_launch", "espresso", "en-london", "meta-feed-1x1", 1, 2, "image/jpeg")
    assert name == "orbit_spring-launch_espresso_en-london_meta-feed-1x1_v1_r2.jpg"
    assert name.split("_")[:5] == ["orbit", "spring-launch", "espresso", "en-london", "meta-feed-1x1"]


@pytest.mark.parametrize("raw, expected", [
    ("Orbit Coffee", "orbit-coffee"),
    ("Café Crème / Été", "cafe-creme-ete"),
    ("../../etc/passwd", "etc-passwd"),
    ("google-display-1.91x1", "google-display-1.91x1"),
    ("  --Hello__World--  ", "hello-world"),
])
def test_slug(raw: str, expected: str) -> None:
    assert slug(raw) == expected


def test_slug_of_non_latin_text_is_a_stable_hash() -> None:
    a, b = slug("الرياض"), slug("دبي")
    assert a.startswith("x") and len(a) == 9 and a != b and a == slug("الرياض")


def test_long_fields_are_cut() -> None:
    assert len(slug("a" * 200)) == 40


def test_folder_keeps_safe_format_ids() -> None:
    assert folder("meta_feed.1x1") == "meta_feed.1x1"
    assert folder("Meta Feed") == "meta-feed"


def test_clashes_get_the_asset_id() -> None:
    assert disambiguate(["a.jpg", "a.jpg", "b.jpg"], [7, 8, 9]) == ["a_a7.jpg", "a_a8.jpg", "b.jpg"]
    with pytest.raises(DeliveryError, match="same name"):
        disambiguate(["a.jpg", "a.jpg"], [7, 7])


def test_unknown_mime_is_refused() -> None:
    with pytest.raises(DeliveryError, match="audio/mpeg"):
        file_name("b", "c", "k", "s", "f", 1, 1, "audio/mpeg")
    assert file_name("b", "c", "k", "s", "f", 1, 1, "video/mp4").endswith("_v1_r1.mp4")
