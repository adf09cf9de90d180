"""Motion engine: animated variants of composed layouts (Ken Burns, kinetic type, logo sting, end card)."""

from assetline.engines.motion.base import MotionEngine, MotionRequest, MotionResult
from assetline.engines.motion.engine import KineticMotionEngine
from assetline.engines.motion.probe import VideoInfo, extract_stills, probe

__all__ = ["KineticMotionEngine", "MotionEngine", "MotionRequest", "MotionResult", "VideoInfo", "extract_stills",
           "probe"]
