"""The built-in copy engine (``builtin.copy``): dynamicprompts templates fitted to channel limits.

Modules: grammar (parse, check), expand (render with probabilities), select (deterministic choice),
language (translation lookup, direction), variables (segment values), validate (spec-time checks),
template (the engine).
"""

from __future__ import annotations

from assetline.engines.copy.language import text_direction
from assetline.engines.copy.template import TemplateCopyEngine
from assetline.engines.copy.validate import TemplateProblem, validate_templates

__all__ = ["TemplateCopyEngine", "TemplateProblem", "text_direction", "validate_templates"]
