"""Human review: lifecycle, decisions, comments, change requests that become revisions, review policy."""

from assetline.review.lifecycle import CLIENT_VISIBLE, DECISIONS
from assetline.review.service import BoardFilter, BoardPage, BulkResult, ReviewService

__all__ = ["CLIENT_VISIBLE", "DECISIONS", "BoardFilter", "BoardPage", "BulkResult", "ReviewService"]
