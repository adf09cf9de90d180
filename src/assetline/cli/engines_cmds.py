"""`assetline engines`: list the installed engines; `assetline engines tiny-sd`: a tiny random model to try the
generative wiring without weights (and without a GPU)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from assetline.cli.errors import handle_errors
from assetline.cli.options import Json, emit

console = Console()
engines_app = typer.Typer(help="Installed engines (built-in and plugins), and tools for generative engines.",
                          invoke_without_command=True, no_args_is_help=False)


@engines_app.callback()
@handle_errors
def engines(ctx: typer.Context, as_json: Json = False) -> None:
    """List installed engines (built-in and plugins)."""
    if ctx.invoked_subcommand is not None:
        return
    from rich.table import Table

    from assetline.engines.base import engine_trait
    from assetline.engines.registry import EngineRegistry

    registry = EngineRegistry.discover()
    rows: list[dict[str, object]] = [
        {**row, "trained": bool(engine_trait(registry.classes[row["id"]], "trained"))} for row in registry.describe()]
    if as_json:
        emit(rows)
        return
    table = Table("id", "modality", "version", "trained model", "class")
    for r in rows:
        table.add_row(str(r["id"]), str(r["modality"]), str(r["version"]), "yes" if r["trained"] else "no",
                      str(r["class"]))
    console.print(table)


@engines_app.command("tiny-sd")
@handle_errors
def tiny_sd(
    folder: Annotated[Path, typer.Argument(help="Folder to write the tiny model into (must not exist).")],
    controlnet: Annotated[Path | None, typer.Option(help="Also write a tiny ControlNet into this folder.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the random weights.")] = 0,
    as_json: Json = False,
) -> None:
    """Write a tiny random Stable Diffusion model (diffusers folder, ~300 KB) for trying the diffusion engine's
    wiring on any machine. Its images are noise: use a real model for real work."""
    from assetline.engines.diffusion.imports import quiet_libraries
    from assetline.engines.diffusion.tiny import save_tiny_controlnet, save_tiny_sd
    from assetline.errors import AssetlineError

    for target in (folder, controlnet):
        if target is not None and target.exists():
            raise AssetlineError(f"{target} already exists", hint="choose a new folder")
    quiet_libraries()
    written = {"model": str(save_tiny_sd(folder, seed=seed))}
    if controlnet is not None:
        written["controlnet"] = str(save_tiny_controlnet(folder, controlnet))
    if as_json:
        emit(written)
        return
    for role, path in written.items():
        console.print(f"[green]wrote tiny {role}:[/] {path}")
