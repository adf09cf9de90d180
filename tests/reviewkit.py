"""A reviewed workspace for web, review and browser tests: two tenants, every role, tokens and passwords.

Tenant "acme" runs a small campaign (2 concepts × 2 segments × 2 formats × 2 variants = 16 assets, inline
executor, every asset routed to review); tenant "globex" runs a 1-concept campaign of its own. Built once
per test module with ``build_review_workspace`` and copied per test when a test writes.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML
from sqlalchemy import func, update

from assetline import api
from assetline.access.users import create_token, create_user
from assetline.api import example_dir
from assetline.config import Settings, load_settings
from assetline.store.db import Database
from assetline.store.models import Campaign

PASSWORD = "correct-horse-battery"
ROLES = ("admin", "producer", "reviewer", "client")
TENANTS = ("acme", "globex")


@dataclass
class ReviewWorkspace:
    root: Path
    campaigns: dict[str, str] = field(default_factory=dict)
    """tenant → campaign slug."""
    tokens: dict[tuple[str, str], str] = field(default_factory=dict)
    """(tenant, role) → bearer token."""
    emails: dict[tuple[str, str], str] = field(default_factory=dict)
    """(tenant, role) → login e-mail (password: PASSWORD)."""

    def settings(self, tenant: str = "acme", db_url: str | None = None) -> Settings:
        return load_settings(self.root, tenant=tenant, executor="inline", database_url=db_url)

    def copy_to(self, target: Path) -> ReviewWorkspace:
        """A private copy (SQLite file, blobs, briefs) for a test that writes."""
        shutil.copytree(self.root, target)
        for brief in target.glob("brief-*/campaign.yaml"):
            text = brief.read_text(encoding="utf-8").replace(str(self.root), str(target))
            brief.write_text(text, encoding="utf-8")
        db = Database(f"sqlite:///{target / 'assetline.db'}")
        with db.session() as s:  # the stored spec paths follow the copy
            s.execute(update(Campaign).values(spec_path=func.replace(Campaign.spec_path, str(self.root),
                                                                     str(target))))
        db.dispose()
        return ReviewWorkspace(target, dict(self.campaigns), dict(self.tokens), dict(self.emails))


def _brief(root: Path, tenant: str, concepts: int, formats: tuple[str, ...], variants: int) -> Path:
    target = root / f"brief-{tenant}"
    shutil.copytree(example_dir(), target, ignore=shutil.ignore_patterns("__pycache__", "make_*.py"))
    path = target / "campaign.yaml"
    yaml = YAML()
    data = yaml.load(path.read_text(encoding="utf-8"))
    data["id"] = f"{tenant}-launch"
    data["name"] = f"{tenant.title()} launch"
    data["concepts"] = data["concepts"][:concepts]
    data["segments"] = data["segments"][:2]
    data["formats"] = list(formats)
    data["variants"] = variants
    data["review"] = {"mode": "all"}
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(data, fh)
    return path


def build_review_workspace(root: Path, db_url: str | None = None) -> ReviewWorkspace:
    ws = ReviewWorkspace(root)
    root.mkdir(parents=True, exist_ok=True)
    shape = {"acme": (2, ("iab-300x250", "meta-feed-1x1"), 2), "globex": (1, ("iab-300x250",), 1)}
    for tenant in TENANTS:
        concepts, formats, variants = shape[tenant]
        brief = _brief(root, tenant, concepts, formats, variants)
        api.run_campaign(brief, root, tenant=tenant, executor="inline", database_url=db_url)
        ws.campaigns[tenant] = f"{tenant}-launch"
    db = Database(ws.settings(db_url=db_url).db_url)
    with db.session() as s:
        for tenant in TENANTS:
            for role in ROLES:
                email = f"{role}@{tenant}.example"
                create_user(s, tenant, email, role, name=f"{role.title()} of {tenant}", password=PASSWORD)
                ws.emails[(tenant, role)] = email
                ws.tokens[(tenant, role)] = create_token(s, email, name="tests").token
    db.dispose()
    return ws
