"""Settings of the ComfyUI engine: the campaign's ``engines.settings.comfyui`` block.

    engines:
      visual: comfyui
      settings:
        comfyui:
          url: http://127.0.0.1:8188
          workflow: workflow_api.json          # relative to the campaign file
          slots: {prompt: "6.inputs.text"}     # optional: the rest is found in the graph
          token_env: COMFYUI_TOKEN             # the *name* of the env var holding a bearer token
          timeout_s: 600

The workflow file is read and every slot checked when the settings are validated (plan time), so a slot
pointing at a node the workflow lacks is a SpecError at the campaign line, before anything runs.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationInfo, field_validator

from assetline.engines.comfyui.workflow import load_workflow, output_node, resolve_slots
from assetline.spec.common import SpecModel

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class ComfyUISettings(SpecModel):
    """How to reach the ComfyUI server and which workflow to run."""

    url: str = Field(default="http://127.0.0.1:8188", description="The ComfyUI server (http or https).")
    workflow: Path = Field(description="API-format workflow JSON ('Save (API Format)'), relative to the campaign.")
    output_node: str | None = Field(default=None, description="Node id whose images are the result "
                                                              "(default: the single SaveImage node).")
    slots: dict[str, str] = Field(default_factory=dict, validate_default=True,
                                  description="Slot name → '<node id>.inputs.<field>' for prompt, negative_prompt, "
                                              "seed, width, height, steps, image, mask (others are auto-detected).")
    steps: int | None = Field(default=None, ge=1, le=1000, description="Written into the steps slot "
                                                                      "(default: the workflow's own value).")
    max_side: int | None = Field(default=None, ge=64, le=8192,
                                 description="Render at most this many pixels on the long side (the result is "
                                             "resized to the format); e.g. 768 for SD 1.5 workflows.")
    size_multiple: int = Field(default=8, ge=1, le=256, description="Width/height written into the graph are "
                                                                    "rounded up to this multiple.")
    photo_fill: float = Field(default=1.0, gt=0, le=1, description="Outpainting: the share of the canvas the "
                                                                  "product photo fills along its limiting side.")
    reserved_mask: float = Field(default=1.0, ge=0, le=1, description="Mask level (0 keep … 1 paint) inside the "
                                                                     "composer's reserved boxes, for soft-mask "
                                                                     "workflows: below 1 keeps them calm.")
    token_env: str | None = Field(default=None, description="Name of the env var holding a bearer token for the "
                                                            "Authorization header (never the token itself).")
    timeout_s: float = Field(default=600.0, gt=0, description="Time for one whole prompt (queue + run).")
    connect_timeout_s: float = Field(default=10.0, gt=0)
    retries: int = Field(default=3, ge=0, le=20, description="Retries of transient HTTP errors; also allows one "
                                                             "resubmission of a prompt the server lost.")
    retry_backoff_s: float = Field(default=0.5, ge=0, le=60, description="First retry delay; doubles each time.")
    poll_interval_s: float = Field(default=1.0, gt=0, le=60, description="History/queue polling interval when "
                                                                         "the websocket is quiet or unavailable.")

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError("url must start with http:// or https://, e.g. http://127.0.0.1:8188")
        return value.rstrip("/")

    @field_validator("token_env")
    @classmethod
    def _env_name(cls, value: str | None) -> str | None:
        if value is not None and not _ENV_NAME.match(value):
            raise ValueError("token_env is the NAME of an environment variable (e.g. COMFYUI_TOKEN), never the "
                             "token itself")
        return value

    @field_validator("workflow")
    @classmethod
    def _workflow_file(cls, value: Path) -> Path:
        load_workflow(value)
        return value

    @field_validator("slots")
    @classmethod
    def _slots_exist(cls, value: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        path: Any = info.data.get("workflow")
        if path is not None:
            workflow = load_workflow(path)
            resolve_slots(workflow, value)
            output_node(workflow, info.data.get("output_node"))
        return value
