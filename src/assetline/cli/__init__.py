"""Command-line interface (Typer). Holds no business logic: every command calls assetline.api."""
