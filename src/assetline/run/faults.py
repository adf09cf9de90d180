"""Crash injection for the durability tests: ``ASSETLINE_CRASH_AT=<point>:<n>`` makes the runner
SIGKILL itself the n-th time it passes ``point``. Points: ``blob_written`` (a step's blob is on disk,
its row not yet committed), ``mid_commit`` (rows flushed, transaction not committed), ``committed``
(right after a commit). Unset in normal use: then ``hit`` is a no-op.
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass, field

POINTS = ("blob_written", "mid_commit", "committed")


@dataclass
class CrashPlan:
    point: str | None = None
    at: int = 0
    _seen: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_env(cls) -> CrashPlan:
        raw = os.environ.get("ASSETLINE_CRASH_AT", "")
        if not raw:
            return cls()
        point, _, n = raw.partition(":")
        if point not in POINTS or not n.isdigit():
            return cls()
        return cls(point=point, at=int(n))

    def hit(self, point: str) -> None:
        if self.point != point:
            return
        self._seen[point] = self._seen.get(point, 0) + 1
        if self._seen[point] >= self.at:
            os.kill(os.getpid(), signal.SIGKILL)
