"""The review part of the asset lifecycle (see docs/review.md).

    passed / flagged ──route──► in_review ──approve──► approved ──sign/deliver──► delivered
                        │                 ├─reject───► rejected
                        │                 └─request_changes─► changes_requested ──run──► (new revision)
                        └─(flagged_and_sample, passed and not sampled)──► approved by the review policy
"""

from __future__ import annotations

from typing import Literal

DecisionKind = Literal["approve", "reject", "request_changes"]
DECISIONS: dict[str, str] = {"approve": "approved", "reject": "rejected", "request_changes": "changes_requested"}

AWAITING_ROUTE = frozenset({"passed", "flagged"})
"""Checked by QC, not yet routed by the review policy."""
DECIDABLE = frozenset({"passed", "flagged", "in_review", "approved", "rejected"})
"""A decision may be made (or changed) in these states. changes_requested waits for its new revision."""
CLIENT_VISIBLE = frozenset({"in_review", "approved", "rejected", "changes_requested", "delivered"})
"""Clients see only assets that reached review."""
STATUSES = ("planned", "rendering", "rendered", "passed", "flagged", "failed", "in_review", "approved", "rejected",
            "changes_requested", "delivered", "retired")
