"""The Assetline exception tree. User mistakes raise these; anything else is a bug.

    AssetlineError                 base of every error Assetline raises on purpose
    ├── SpecError                  a brand kit / campaign / format file is wrong (file:line:column + hint)
    │   └── MatrixTooLargeError    the campaign expands to more cells than the configured limit
    ├── LicenceError               an input's licence does not allow the requested use
    ├── EngineError                an engine could not produce its output (bad request, missing extra)
    ├── CheckError                 a QC check plugin failed to load, is malformed, or crashed on an asset
    ├── StoreError                 the database or blob store is unusable or inconsistent
    │   ├── BlobCorruptError       a blob's bytes no longer match its content hash
    │   └── ConflictError          optimistic concurrency: somebody changed the row first
    ├── NotFoundError              a named object (campaign, asset, workspace) does not exist
    ├── AuthError                  no valid credentials (unknown token, wrong password, expired session)
    ├── PermissionDeniedError      the user's role may not do this (a client starting a run)
    ├── InvalidRequestError        a well-formed request that makes no sense (approve a failed asset)
    ├── ProvenanceError            signing keys missing or unusable, a file C2PA cannot carry, a bad manifest
    ├── DeliveryError              a bundle cannot be written or read back (existing folder, changed files)
    └── WorkspaceError             the workspace folder is missing or not an Assetline workspace

The CLI maps every AssetlineError to one message and exit code 2 (cli/errors.py); the web layer maps
them to RFC 9457 problem+json responses.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class AssetlineError(Exception):
    """Base class: a message meant for the user, and an optional hint saying how to fix it."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"


@dataclass(frozen=True)
class Location:
    """Where in a file a problem sits (1-based line and column; None when unknown)."""

    path: Path
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        if self.line is None:
            return str(self.path)
        if self.column is None:
            return f"{self.path}:{self.line}"
        return f"{self.path}:{self.line}:{self.column}"


class SpecError(AssetlineError):
    """A spec file is wrong. The message starts with file:line:column."""

    def __init__(self, message: str, *, location: Location | None = None, hint: str | None = None) -> None:
        self.location = location
        self.detail = message
        full = f"{location}: {message}" if location else message
        super().__init__(full, hint=hint)


class MatrixTooLargeError(SpecError):
    """The campaign would expand to more cells than allowed."""


class LicenceError(AssetlineError):
    """An input's licence does not cover the requested use."""


class EngineError(AssetlineError):
    """An engine failed on a request it should have been able to handle, or its extra is missing."""


class CheckError(AssetlineError):
    """A QC check plugin failed to import, does not implement the check protocol, or raised while checking."""


class StoreError(AssetlineError):
    """The store (database or blobs) is unusable or inconsistent."""


class BlobCorruptError(StoreError):
    """A blob's bytes do not hash to its name."""


class ConflictError(StoreError):
    """A row changed under us (optimistic concurrency); the caller should reload and retry."""


class NotFoundError(AssetlineError):
    """A named object does not exist (or is not visible to this tenant)."""


class WorkspaceError(AssetlineError):
    """The workspace folder is missing or not an Assetline workspace."""


class AuthError(AssetlineError):
    """No valid credentials: unknown or revoked token, wrong password, expired session (HTTP 401)."""


class PermissionDeniedError(AssetlineError):
    """The user is known but their role does not allow the action (HTTP 403)."""


class InvalidRequestError(AssetlineError):
    """A request that cannot apply to the object's current state, e.g. approving a failed asset (HTTP 422)."""


class DeliveryError(AssetlineError):
    """A delivery bundle could not be written or read back intact (bad item, folder in the way, tampered file)."""


class ProvenanceError(AssetlineError):
    """Signing keys, C2PA manifests or watermarks: missing or bad keys, a file that cannot be signed or read."""
