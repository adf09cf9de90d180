"""The ComfyUI visual engine (engine id ``comfyui``): backgrounds from any ComfyUI workflow on a server you run.

Modules, one idea each:
    engine.py      ComfyUIVisualEngine: the entry point (generate, models)
    settings.py    ComfyUISettings: the campaign's engines.settings.comfyui block
    workflow.py    API-format workflows: load, slots (auto-detection), fill, server model names
    prompt.py      the prompt text from concept, brand kit and segment
    canvas.py      the photo-on-canvas and mask for outpainting workflows
    client.py      HTTP + websocket client with retries and clear errors
    execution.py   waiting for a prompt: websocket messages, /history + /queue polling, lost prompts

Importing this package needs only httpx, websockets and Pillow (no torch).
"""

from assetline.engines.comfyui.engine import ComfyUIVisualEngine
from assetline.engines.comfyui.settings import ComfyUISettings

__all__ = ["ComfyUISettings", "ComfyUIVisualEngine"]
