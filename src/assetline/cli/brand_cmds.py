"""`assetline brand …`: work on a brand kit. `assetline brand train-lora` trains the brand's LoRA.

A thin wrapper over assetline.engines.diffusion.train_lora.train_brand_lora: it parses the options, prints
progress on stderr (unless --json) and the snippet to paste into brand.yaml.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from assetline.cli.errors import handle_errors
from assetline.cli.options import Json, emit
from assetline.engines.diffusion.train_lora import DEFAULT_CAPTION, TrainingOptions, train_brand_lora
from assetline.spec.loader import load_brand_kit

console = Console(highlight=False)
brand_app = typer.Typer(help="Brand kits: train the brand's LoRA from its licensed assets.", no_args_is_help=True)


def _print_step(step: int, total: int, loss: float) -> None:
    every = max(1, total // 20)
    if step == 1 or step == total or step % every == 0:
        print(f"step {step}/{total}  loss {loss:.4f}", file=sys.stderr, flush=True)


@brand_app.command("train-lora")
@handle_errors
def train_lora(
    brand: Annotated[Path, typer.Argument(help="Brand kit YAML.")],
    out: Annotated[Path, typer.Option("--out", help="Folder to write the LoRA, its licence and training card into.")],
    base: Annotated[Path | None, typer.Option(
        "--base", help="Base model: a Stable Diffusion diffusers folder or checkpoint (default: imagery.model).")
    ] = None,
    assets: Annotated[str | None, typer.Option(help="Comma-separated asset ids to train on (default: all "
                                                    "trainable).")] = None,
    steps: Annotated[int, typer.Option(help="Optimisation steps.")] = 500,
    rank: Annotated[int, typer.Option(help="LoRA rank.")] = 8,
    alpha: Annotated[float | None, typer.Option(help="LoRA alpha (default: the rank).")] = None,
    learning_rate: Annotated[float, typer.Option("--learning-rate", help="AdamW learning rate.")] = 1e-4,
    resolution: Annotated[int, typer.Option(help="Training resolution in pixels (a multiple of 8).")] = 512,
    batch_size: Annotated[int, typer.Option("--batch-size", help="Images per step.")] = 1,
    seed: Annotated[int, typer.Option(help="Seed of every random draw (CPU runs are reproducible).")] = 0,
    device: Annotated[str, typer.Option(help="auto, cuda, mps or cpu.")] = "auto",
    caption_template: Annotated[str, typer.Option(
        "--caption-template", help="Caption format over {brand}, {brand_id}, {prompt}, {description}, {asset}.")
    ] = DEFAULT_CAPTION,
    lora_weight: Annotated[float, typer.Option("--lora-weight", help="lora_weight in the printed snippet.")] = 0.8,
    force: Annotated[bool, typer.Option(help="Replace an existing, non-empty --out folder.")] = False,
    as_json: Json = False,
) -> None:
    """Train a LoRA on the kit's assets whose licence allows AI training; print the imagery snippet for brand.yaml."""
    loaded = load_brand_kit(brand)
    ids = tuple(i.strip() for i in assets.split(",") if i.strip()) if assets else None
    options = TrainingOptions(
        assets=ids, steps=steps, rank=rank, alpha=alpha, learning_rate=learning_rate, resolution=resolution,
        batch_size=batch_size, seed=seed, device=device, caption_template=caption_template,
        lora_weight=lora_weight, force=force, on_step=None if as_json else _print_step)
    report = train_brand_lora(loaded, base, out, options)
    if as_json:
        emit(report.to_dict())
        return
    say = console.print
    say(f"[green]trained[/] {len(report.used)} asset(s) × {report.steps} steps on {report.device} in "
        f"{report.seconds:.1f}s: loss {report.loss_start:.4f} → {report.loss_end:.4f}", soft_wrap=True)
    for u in report.used:
        say(f"  used    {u.id}  {escape(u.file.name)}  licence {escape(u.licence.name)} ({escape(u.licence.owner)})",
            soft_wrap=True)
    for r in report.refused:
        say(f"  [yellow]refused[/] {r.id}: {escape(r.reason)}", soft_wrap=True)
    say(f"LoRA:          {report.weights}", soft_wrap=True)
    say(f"training card: {report.card_md}", soft_wrap=True)
    say(f"\nPaste into {escape(loaded.path.name)}:\n", soft_wrap=True)
    print(report.snippet_yaml, end="", flush=True)  # plain: the YAML must not be wrapped or styled
