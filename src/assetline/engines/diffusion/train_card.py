"""What a brand LoRA folder says about itself: ``training-card.json``, ``TRAINING-CARD.md`` and ``licence.yaml``.

The card is the evidence behind the LoRA's licence: which files (by sha256) it was trained on and under which
licences, which were refused and why, the base model's fingerprint, every hyper-parameter and the loss curve.
``licence.yaml`` is a Licence record in the brand kit's own schema, ready to paste as ``imagery.lora_licence``.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from assetline.spec.common import Licence

CURVE_POINTS = 20


def loss_curve(losses: list[float], points: int = CURVE_POINTS) -> list[dict[str, float]]:
    """At most ``points`` (step, mean loss) pairs: the mean of each window of steps, stamped with its last step."""
    if not losses:
        return []
    n = len(losses)
    windows = min(points, n)
    out: list[dict[str, float]] = []
    for w in range(windows):
        lo, hi = w * n // windows, (w + 1) * n // windows
        chunk = losses[lo:hi]
        out.append({"step": hi, "loss": round(sum(chunk) / len(chunk), 6)})
    return out


def yaml_text(data: Any) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]
    buf = io.StringIO()
    yaml.dump(data, buf)
    return buf.getvalue()


def licence_data(licence: Licence) -> dict[str, Any]:
    """The licence as plain data for YAML/JSON (no None values)."""
    return licence.model_dump(mode="json", exclude_none=True)


def write_licence(folder: Path, licence: Licence) -> Path:
    path = folder / "licence.yaml"
    header = ("# Licence of this brand LoRA, derived from its training assets (see TRAINING-CARD.md).\n"
              "# Paste it into the brand kit as imagery.lora_licence.\n")
    path.write_text(header + yaml_text(licence_data(licence)), encoding="utf-8")
    return path


def write_card(folder: Path, card: dict[str, Any]) -> tuple[Path, Path]:
    """Write training-card.json and TRAINING-CARD.md; returns both paths."""
    js = folder / "training-card.json"
    js.write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    md = folder / "TRAINING-CARD.md"
    md.write_text(card_markdown(card), encoding="utf-8")
    return js, md


def card_markdown(card: dict[str, Any]) -> str:
    """A human-readable rendering of the card."""
    base, hp, res, out = card["base_model"], card["hyper_parameters"], card["result"], card["output"]
    lines = [
        f"# Brand LoRA — {card['brand']['name']}",
        "",
        f"Trained {card['date']} with Assetline {card['libraries'].get('assetline', '?')} on {res['device']} "
        f"in {res['seconds']:.1f} s. Brand kit: `{card['brand']['path']}`.",
        "",
        "## Training data",
        "",
        "| asset | file | sha256 | licence | owner | evidence |",
        "|---|---|---|---|---|---|",
    ]
    for a in card["data"]["used"]:
        lic = a["licence"]
        lines.append(f"| {a['id']} | {a['file']} | `{a['sha256']}` | {lic['name']} | {lic['owner']} | "
                     f"{lic.get('evidence') or '—'} |")
    lines += ["", "Captions:", ""]
    lines += [f"- {c['id']}: {c['caption']}" for c in card["data"]["captions"]]
    refused = card["data"]["refused"]
    lines += ["", "## Refused assets", ""]
    lines += [f"- {r['id']}: {r['reason']}" for r in refused] or ["(none)"]
    lines += [
        "", "## Base model", "",
        f"- path: `{base['path']}`",
        f"- fingerprint: `{base['fingerprint']}`",
        "", "## Hyper-parameters", "",
    ]
    lines += [f"- {k}: {v}" for k, v in hp.items()]
    curve = ", ".join(f"{p['step']}: {p['loss']:.4f}" for p in res["loss_curve"])
    lines += [
        "", "## Result", "",
        f"- steps: {res['steps']}",
        f"- loss: {res['loss_start']:.4f} at the start → {res['loss_end']:.4f} at the end",
        f"- loss curve (step: mean loss): {curve}",
        f"- weights: `{out['weights']}` sha256 `{out['sha256']}`",
        "", "## Licence of the LoRA", "",
        "```yaml", yaml_text(card["licence"]).rstrip(), "```",
        "", "## Libraries", "",
    ]
    lines += [f"- {k} {v}" for k, v in card["libraries"].items()]
    return "\n".join(lines) + "\n"
