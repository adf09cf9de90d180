"""Bad specs give one clear, located message (and the CLI exits 2 without writing anything)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assetline.errors import SpecError
from assetline.spec import load_brand_kit, load_campaign


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text not found: {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(path: Path, needle: str) -> int:
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return i
    raise AssertionError(needle)


def test_demo_brief_loads(demo_brief: Path) -> None:
    loaded = load_campaign(demo_brief / "campaign.yaml")
    assert loaded.campaign.id == "launch-season"
    assert len(loaded.formats) == 10
    assert [f.id for f in loaded.formats if f.video] == ["meta-feed-1x1-video", "meta-reels-9x16-video"]
    assert loaded.brand.kit.asset("music-bed").kind == "audio"
    assert all(p.is_file() for p in loaded.brand.files.values())


def test_yaml_syntax_error_has_line_and_column(demo_brief: Path) -> None:
    path = demo_brief / "campaign.yaml"
    _edit(path, "variants: 2", "variants: [2")
    with pytest.raises(SpecError) as err:
        load_campaign(path)
    assert err.value.location is not None and err.value.location.line is not None
    assert "YAML syntax error" in str(err.value)
    assert str(path) in str(err.value)


def test_unknown_format_id_points_at_the_item_and_suggests(demo_brief: Path) -> None:
    path = demo_brief / "campaign.yaml"
    _edit(path, "  - iab-300x250\n", "  - iab-300x205\n")
    with pytest.raises(SpecError) as err:
        load_campaign(path)
    e = err.value
    assert "unknown format id 'iab-300x205'" in e.message
    assert e.location is not None and e.location.line == _line_of(path, "iab-300x205")
    assert e.hint is not None and "iab-300x250" in e.hint


def test_bad_colour_is_located_in_the_brand_kit(demo_brief: Path) -> None:
    path = demo_brief / "brand.yaml"
    _edit(path, '"#FCA311"', '"#FCA31G"')
    with pytest.raises(SpecError) as err:
        load_campaign(demo_brief / "campaign.yaml")
    e = err.value
    assert e.location is not None and e.location.path == path
    assert e.location.line == _line_of(path, "#FCA31G")
    assert "not a colour" in e.message


def test_missing_file_is_named(demo_brief: Path) -> None:
    path = demo_brief / "brand.yaml"
    _edit(path, "file: logo-dark.png", "file: logo-missing.png")
    with pytest.raises(SpecError) as err:
        load_brand_kit(path)
    assert "logo-missing.png" in err.value.message
    assert err.value.location is not None and err.value.location.line == _line_of(path, "logo-missing.png")


def test_missing_campaign_file() -> None:
    with pytest.raises(SpecError, match="file not found"):
        load_campaign(Path("/nonexistent/campaign.yaml"))


def test_unknown_key_suggests_the_right_one(demo_brief: Path) -> None:
    path = demo_brief / "campaign.yaml"
    _edit(path, "variants: 2", "varaints: 2")
    with pytest.raises(SpecError) as err:
        load_campaign(path)
    assert "unknown key 'varaints'" in err.value.message
    assert err.value.hint is not None and "variants" in err.value.hint


def test_photo_must_name_a_brand_asset(demo_brief: Path) -> None:
    path = demo_brief / "campaign.yaml"
    _edit(path, "photo: rocket,", "photo: rockett,")
    with pytest.raises(SpecError) as err:
        load_campaign(path)
    assert "rockett" in err.value.message and err.value.hint and "rocket" in err.value.hint


def test_empty_and_non_mapping_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    with pytest.raises(SpecError, match="empty"):
        load_campaign(empty)
    listy = tmp_path / "list.yaml"
    listy.write_text("- a\n- b\n")
    with pytest.raises(SpecError, match="mapping"):
        load_campaign(listy)


def test_font_package_not_installed(demo_brief: Path) -> None:
    path = demo_brief / "brand.yaml"
    _edit(path, "fontpkg:dm-serif-display", "fontpkg:no-such-font")
    with pytest.raises(SpecError, match="pip install fontpkg-no-such-font"):
        load_brand_kit(path)


def test_unknown_template_variable_is_located(demo_brief: Path) -> None:
    path = demo_brief / "campaign.yaml"
    _edit(path, "roasted this week in ${city}.", "roasted this week in ${town}.")
    with pytest.raises(SpecError) as err:
        load_campaign(path)
    assert "town" in err.value.message
    assert err.value.location is not None and err.value.location.line == _line_of(path, "${town}")
