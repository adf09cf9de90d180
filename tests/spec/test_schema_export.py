from __future__ import annotations

import json

from typer.testing import CliRunner

from assetline.cli.main import app


def test_schema_command_exports_brand_and_campaign() -> None:
    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= {"brand", "campaign"}
    campaign_props = data["campaign"]["properties"]
    assert {"concepts", "segments", "formats", "variants"} <= set(campaign_props)
    concept = data["campaign"]["$defs"]["Concept"]["properties"]
    assert "copy" in concept  # the YAML key, not the Python attribute name


def test_schema_unknown_name_exits_2() -> None:
    result = CliRunner().invoke(app, ["schema", "nope"])
    assert result.exit_code == 2
