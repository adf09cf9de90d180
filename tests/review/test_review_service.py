"""ReviewService on a real reviewed workspace: visibility, decisions, conflicts, bulk, comments, revisions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from assetline import api
from assetline.access.roles import Actor
from assetline.errors import ConflictError, InvalidRequestError, NotFoundError, PermissionDeniedError
from assetline.review.direction import ChangeOptions
from assetline.review.service import BoardFilter, ReviewService
from assetline.store.blobs import BlobStore
from assetline.store.db import Database
from assetline.store.models import Asset, Decision, Event
from reviewkit import ReviewWorkspace


@pytest.fixture
def ws(review_base: ReviewWorkspace, tmp_path: Path) -> ReviewWorkspace:
    return review_base.copy_to(tmp_path / "ws")


@pytest.fixture
def db(ws: ReviewWorkspace) -> Iterator[Database]:
    database = Database(ws.settings().db_url)
    yield database
    database.dispose()


def actor(role: str, tenant: str = "acme") -> Actor:
    return Actor(tenant_id=tenant, user_id=None, email=f"{role}@{tenant}.example", role=role)


def service(session, ws: ReviewWorkspace, role: str = "reviewer", tenant: str = "acme") -> ReviewService:  # type: ignore[no-untyped-def]
    return ReviewService(session, actor(role, tenant), BlobStore(ws.settings().blob_dir))


def test_everything_was_routed_to_review_and_tenants_are_separate(ws: ReviewWorkspace, db: Database) -> None:
    with db.session() as s:
        acme = service(s, ws)
        board = acme.board("acme-launch")
        assert board.total == 16 and {a.status for a in board.items} == {"in_review"}
        with pytest.raises(NotFoundError):
            acme.board("globex-launch")
        globex_asset = service(s, ws, tenant="globex").board("globex-launch").items[0]
        with pytest.raises(NotFoundError):
            acme.asset(globex_asset.id)


def test_board_filters_and_paging(ws: ReviewWorkspace, db: Database) -> None:
    with db.session() as s:
        svc = service(s, ws)
        page = svc.board("acme-launch", BoardFilter(format="meta-feed-1x1"), page=1, per_page=5)
        assert page.total == 8 and len(page.items) == 5 and page.pages == 2
        second = svc.board("acme-launch", BoardFilter(format="meta-feed-1x1"), page=2, per_page=5)
        assert len(second.items) == 3 and not {a.id for a in page.items} & {a.id for a in second.items}
        assert svc.board("acme-launch", BoardFilter(qc_flag="no.such.check")).total == 0
        assert set(page.facets["format"]) == {"iab-300x250", "meta-feed-1x1"}
        with pytest.raises(InvalidRequestError):
            svc.board("acme-launch", page=0)
        with pytest.raises(InvalidRequestError):
            svc.board("acme-launch", per_page=10_000)


def test_client_sees_only_reviewed_assets(ws: ReviewWorkspace, db: Database) -> None:
    with db.session() as s:
        first = s.scalars(select(Asset).where(Asset.tenant_id == "acme").order_by(Asset.id)).first()
        assert first is not None
        first.status = "flagged"  # as if not yet routed
    with db.session() as s:
        client = service(s, ws, "client")
        assert client.board("acme-launch").total == 15
        with pytest.raises(NotFoundError):
            client.asset(first.id)
        with pytest.raises(PermissionDeniedError):
            client.bulk_decide([first.id], "approve")


def test_decision_on_stale_version_conflicts_and_changes_nothing(ws: ReviewWorkspace, db: Database) -> None:
    with db.session() as s:
        asset = service(s, ws).board("acme-launch").items[0]
        asset_id, version = asset.id, asset.version
    with db.session() as s:
        service(s, ws).decide(asset_id, "approve", version, "looks right")
    with pytest.raises(ConflictError), db.session() as s:
        service(s, ws, "producer").decide(asset_id, "reject", version, "too late")
    with db.session() as s:
        asset = s.get(Asset, asset_id)
        assert asset is not None and asset.status == "approved"
        rows = s.scalars(select(Decision).where(Decision.asset_id == asset_id)).all()
        assert [(d.decision, d.actor) for d in rows] == [("approve", "reviewer@acme.example")]


def test_bad_decisions_are_refused(ws: ReviewWorkspace, db: Database) -> None:
    with db.session() as s:
        svc = service(s, ws)
        asset = svc.board("acme-launch").items[0]
        with pytest.raises(InvalidRequestError):
            svc.decide(asset.id, "maybe", asset.version)
        with pytest.raises(InvalidRequestError):
            svc.decide(asset.id, "request_changes", asset.version, "")
        with pytest.raises(InvalidRequestError):
            svc.decide(asset.id, "request_changes", asset.version, "x", ChangeOptions(layout="collage"))
        with pytest.raises(InvalidRequestError):
            svc.comment(asset.id, "   ")
        with pytest.raises(InvalidRequestError):
            svc.bulk_decide([], "approve")
        with pytest.raises(InvalidRequestError):
            svc.bulk_decide([asset.id], "request_changes", "n")


def test_bulk_approve_reports_what_it_skipped(ws: ReviewWorkspace, db: Database) -> None:
    with db.session() as s:
        ids = [a.id for a in service(s, ws).board("acme-launch", per_page=4).items]
        result = service(s, ws, "producer").bulk_decide([*ids, 999_999], "approve", "batch ok")
        assert result.decided == ids and [x["id"] for x in result.skipped] == [999_999]
    with db.session() as s:
        statuses = {a.status for a in s.scalars(select(Asset).where(Asset.id.in_(ids)))}
        assert statuses == {"approved"}
        logged = s.scalars(select(Event).where(Event.kind == "review.decision", Event.asset_id.in_(ids))).all()
        assert len(logged) == 4 and {e.actor for e in logged} == {"producer@acme.example"}


def test_request_changes_makes_a_new_revision_on_the_next_run(ws: ReviewWorkspace, db: Database) -> None:
    with db.session() as s:
        svc = service(s, ws)
        asset = svc.board("acme-launch", BoardFilter(format="meta-feed-1x1")).items[0]
        old_render = svc.render(asset)
        assert old_render is not None
        old_headline = old_render.meta["copy"]["headline"]
        asset_id, old_key, old_rev = asset.id, asset.content_key, asset.revision
        svc.decide(asset.id, "request_changes", asset.version, "New headline please, layout: split")
        assert asset.direction["layout"] == "split" and asset.direction["exclude"] == [old_headline]
        svc.comment(asset.id, "the headline feels flat")
    summary = api.run_campaign(ws.root / "brief-acme" / "campaign.yaml", ws.root, tenant="acme",
                               executor="inline")
    assert summary.rendered == 1  # exactly the changed cell
    with db.session() as s:
        svc = service(s, ws)
        asset = svc.asset(asset_id)
        assert asset.revision == old_rev + 1 and asset.content_key != old_key
        assert asset.status == "in_review"  # a requested revision always comes back to review
        render = svc.render(asset)
        assert render is not None and render.meta["layout"] == "split"
        assert render.meta["copy"]["headline"] != old_headline
        assert [r.revision for r in svc.revisions(asset)] == [old_rev, old_rev + 1]
        kinds = [e.kind for e in svc.history(asset)]
        assert "review.decision" in kinds and "review.comment" in kinds and kinds.count("asset.revised") == 2
    # A further run keeps the revision (the direction is applied on every run).
    again = api.run_campaign(ws.root / "brief-acme" / "campaign.yaml", ws.root, tenant="acme", executor="inline")
    assert again.rendered == 0
