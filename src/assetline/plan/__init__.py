"""Planning: matrix expansion, explosion guard, content keys."""

from assetline.plan.keys import canonical_json, content_key, derive_seed
from assetline.plan.matrix import Cell, expand, guard, matrix_size
from assetline.plan.planner import Plan, PlannedCell, Step, build_plan

__all__ = ["Cell", "Plan", "PlannedCell", "Step", "build_plan", "canonical_json", "content_key", "derive_seed",
           "expand", "guard", "matrix_size"]
