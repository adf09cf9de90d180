"""StoryboardService on the reviewed workspace with motion assets: building from the first motion asset,
per-frame decisions and the board's roll-up, audit events, conflicts, refreshes, visibility and bad input."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select, update
from storykit import (
    CONCEPT,
    SHOT_COLOURS,
    SLUG,
    STILLS_ONLY,
    StoryWorkspace,
    add_motion_asset,
    colour_of,
    make_video,
    service,
    timeline,
)

from assetline.errors import ConflictError, InvalidRequestError, NotFoundError, PermissionDeniedError
from assetline.review.storyboard import roll_up
from assetline.store.db import Database
from assetline.store.models import Asset, Event, Storyboard, StoryboardFrame


def close(a: tuple[int, int, int], b: tuple[int, int, int], tolerance: int = 12) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


def test_roll_up() -> None:
    assert roll_up(["approved", "approved"]) == "approved"
    assert roll_up(["approved", "pending"]) == "in_review"
    assert roll_up(["approved", "changes_requested", "pending"]) == "changes_requested"
    assert roll_up([]) == "in_review"


def test_build_takes_the_first_motion_asset_and_stores_frames_as_blobs(story: StoryWorkspace, db: Database) -> None:
    with db.session() as s:
        [outcome] = service(s, story).build(SLUG)
        assert outcome.created and outcome.changed and outcome.reset == [1, 2, 3]
        board = outcome.board.storyboard
        assert (board.concept, board.asset_id, board.status, board.built_by) == (
            CONCEPT, story.ids["first"], "in_review", "producer@acme.example")
        assert [f.status for f in outcome.board.frames] == ["pending"] * 3
    blobs = story.blobs()
    with db.session() as s:
        frames = s.scalars(select(StoryboardFrame).order_by(StoryboardFrame.number)).all()
        assert [(f.start_s, f.end_s) for f in frames] == [(0.0, 1.5), (1.5, 3.0), (3.0, 4.5)]
        for frame, colour in zip(frames, SHOT_COLOURS, strict=True):
            blobs.verify(frame.image_sha)
            assert close(colour_of(Image.open(io.BytesIO(blobs.get(frame.image_sha)))), colour)
        [event] = s.scalars(select(Event).where(Event.kind == "storyboard.built")).all()
        assert event.asset_id == story.ids["first"] and event.data["frames"] == 3


def test_decisions_roll_up_and_are_audited(story: StoryWorkspace, db: Database) -> None:
    with db.session() as s:
        service(s, story).build(SLUG, CONCEPT)
    with db.session() as s:
        reviewer = service(s, story, "reviewer")
        assert reviewer.decide(SLUG, CONCEPT, 1, "approve").storyboard.status == "in_review"
        view = reviewer.decide(SLUG, CONCEPT, 2, "request_changes", "  hold the product shot longer ")
        assert view.storyboard.status == "changes_requested"
        assert view.frame(2).decision_note == "hold the product shot longer"
        assert view.counts == {"approved": 1, "changes_requested": 1, "pending": 1}
    with db.session() as s:
        client = service(s, story, "client")
        client.decide(SLUG, CONCEPT, 2, "approve")
        view = client.decide(SLUG, CONCEPT, 3, "approve", "lovely")
        assert view.storyboard.status == "approved" and view.frame(3).decided_by == "client@acme.example"
    with db.session() as s:
        events = s.scalars(select(Event).where(Event.kind == "storyboard.decision").order_by(Event.id)).all()
        assert [(e.data["frame"], e.from_status, e.to_status, e.actor) for e in events] == [
            (1, "pending", "approved", "reviewer@acme.example"),
            (2, "pending", "changes_requested", "reviewer@acme.example"),
            (2, "changes_requested", "approved", "client@acme.example"),
            (3, "pending", "approved", "client@acme.example")]
        assert events[1].reason == "hold the product shot longer"
        assert [e.data["board_status"] for e in events[1:]] == [
            {"from": "in_review", "to": "changes_requested"}, {"from": "changes_requested", "to": "in_review"},
            {"from": "in_review", "to": "approved"}]
        assert {e.asset_id for e in events} == {story.ids["first"]} and {e.tenant_id for e in events} == {"acme"}


def test_a_stale_decision_is_a_conflict_and_changes_nothing(story: StoryWorkspace, db: Database) -> None:
    with db.session() as s:
        [outcome] = service(s, story).build(SLUG)
        seen = outcome.board.frame(1).version
    with db.session() as s:
        service(s, story, "reviewer").decide(SLUG, CONCEPT, 1, "approve", expected_version=seen)
    with db.session() as s, pytest.raises(ConflictError, match="changed since you loaded it"):
        service(s, story, "client").decide(SLUG, CONCEPT, 1, "request_changes", "no", expected_version=seen)
    with db.session() as s:
        frame = service(s, story).board(SLUG, CONCEPT).frame(1)
        assert (frame.status, frame.decided_by) == ("approved", "reviewer@acme.example")


def test_interleaved_decisions_on_one_board_conflict(story: StoryWorkspace, db: Database) -> None:
    """Both sessions read the board; the first decides frame 2 and commits; the second's decision on frame 1
    would roll up stale frames, so the board's version check refuses it."""
    with db.session() as s:
        service(s, story).build(SLUG)
    with db.session() as s1, db.session() as s2:
        one, two = service(s1, story, "reviewer"), service(s2, story, "client")
        seen = one.board(SLUG, CONCEPT)  # held, as a request holds what it read
        assert seen.storyboard.version == two.board(SLUG, CONCEPT).storyboard.version == 1
        two.decide(SLUG, CONCEPT, 2, "request_changes", "warmer light")
        s2.commit()
        with pytest.raises(ConflictError, match="at the same time"):
            one.decide(SLUG, CONCEPT, 1, "approve")
        s1.rollback()
    with db.session() as s:
        view = service(s, story).board(SLUG, CONCEPT)
        assert [f.status for f in view.frames] == ["pending", "changes_requested", "pending"]
        assert view.storyboard.status == "changes_requested"


@pytest.mark.parametrize(("decision", "note", "message"), [
    ("request_changes", "   ", "say what should change"),
    ("reject", "", "unknown frame decision"),
    ("approve", "x" * 5001, "note too long"),
])
def test_bad_decisions_are_refused(story: StoryWorkspace, db: Database, decision: str, note: str,
                                   message: str) -> None:
    with db.session() as s:
        service(s, story).build(SLUG)
    with db.session() as s, pytest.raises(InvalidRequestError, match=message):
        service(s, story, "reviewer").decide(SLUG, CONCEPT, 1, decision, note)


def test_unknown_campaign_concept_frame_and_missing_board(story: StoryWorkspace, db: Database) -> None:
    with db.session() as s:
        svc = service(s, story)
        with pytest.raises(NotFoundError, match="no storyboard yet"):
            svc.board(SLUG, CONCEPT)
        svc.build(SLUG)
        with pytest.raises(NotFoundError, match="no campaign"):
            svc.board("no-such-campaign", CONCEPT)
        with pytest.raises(NotFoundError, match="has no concept 'nope'"):
            svc.board(SLUG, "nope")
        with pytest.raises(NotFoundError, match="has no frame 4"):
            svc.decide(SLUG, CONCEPT, 4, "approve")
        with pytest.raises(NotFoundError, match="has no concept"):
            svc.build(SLUG, "nope")


def test_a_concept_without_motion_assets_says_so(story: StoryWorkspace, db: Database) -> None:
    with db.session() as s, pytest.raises(InvalidRequestError, match="no motion asset") as info:
        service(s, story).build(SLUG, STILLS_ONLY)
    assert info.value.hint and "motion format" in info.value.hint
    with db.session() as s:  # a campaign with no video at all
        s.execute(update(Asset).where(Asset.tenant_id == "acme", Asset.format.like("%-video")).values(
            status="retired", version=Asset.version + 1))
    with db.session() as s, pytest.raises(InvalidRequestError, match="campaign 'acme-launch' has no motion asset"):
        service(s, story).build(SLUG)


def test_a_broken_motion_asset_is_a_clear_error(story: StoryWorkspace, db: Database) -> None:
    tl = timeline()
    tl["shots"] = []
    with db.session() as s:
        s.execute(update(Asset).where(Asset.id.in_([story.ids["first"], story.ids["second"]])).values(
            status="retired", version=Asset.version + 1))
        add_motion_asset(s, story.blobs(), "acme", SLUG, CONCEPT, "london-commuters", variant=5,
                         motion={"timeline": tl, "cues": []})
    with db.session() as s, pytest.raises(InvalidRequestError, match=r"motion asset #\d+: the motion timeline "
                                                                      "lists no shots"):
        service(s, story).build(SLUG)


def test_refresh_of_an_unchanged_video_writes_nothing(story: StoryWorkspace, db: Database) -> None:
    with db.session() as s:
        service(s, story).build(SLUG)
        service(s, story, "reviewer").decide(SLUG, CONCEPT, 1, "approve")
    with db.session() as s:
        version = service(s, story).board(SLUG, CONCEPT).storyboard.version
        [outcome] = service(s, story).build(SLUG, CONCEPT)
        assert not outcome.created and not outcome.changed
    with db.session() as s:
        view = service(s, story).board(SLUG, CONCEPT)
        assert view.storyboard.version == version and view.frame(1).status == "approved"
        assert not s.scalars(select(Event).where(Event.kind == "storyboard.refreshed")).all()


def test_a_new_render_resets_only_the_frames_that_changed(story: StoryWorkspace, db: Database) -> None:
    with db.session() as s:
        service(s, story).build(SLUG)
        reviewer = service(s, story, "reviewer")
        reviewer.decide(SLUG, CONCEPT, 1, "approve")
        reviewer.decide(SLUG, CONCEPT, 3, "request_changes", "end card too short")
    # the new revision re-renders shot 3 only (same pixels elsewhere); the voice-over is unchanged
    video = make_video(colours=[SHOT_COLOURS[0], SHOT_COLOURS[1], (250, 200, 0)])
    with db.session() as s:
        asset = s.get(Asset, story.ids["first"])
        assert asset is not None
        add_motion_asset(s, story.blobs(), "acme", SLUG, CONCEPT, asset.segment, variant=asset.variant, video=video)
    with db.session() as s:
        [outcome] = service(s, story).build(SLUG, CONCEPT)
        assert (outcome.created, outcome.changed, outcome.kept, outcome.reset) == (False, True, [1, 2], [3])
        view = outcome.board
        assert [f.status for f in view.frames] == ["approved", "pending", "pending"]
        assert view.storyboard.status == "in_review" and view.storyboard.asset_revision == 2
        assert view.frame(3).decision_note == ""
    with db.session() as s:
        [event] = s.scalars(select(Event).where(Event.kind == "storyboard.refreshed")).all()
        assert event.data["kept"] == [1, 2] and event.data["reset"] == [3]


def test_fewer_shots_after_a_new_render_drop_the_extra_frames(story: StoryWorkspace, db: Database) -> None:
    with db.session() as s:
        service(s, story).build(SLUG)
    shots = [(0.0, 2.0, "one long opening"), (2.0, 4.5, "end card")]
    with db.session() as s:
        asset = s.get(Asset, story.ids["first"])
        assert asset is not None
        add_motion_asset(s, story.blobs(), "acme", SLUG, CONCEPT, asset.segment, variant=asset.variant,
                         video=make_video(shots=shots), motion={"timeline": timeline(shots=shots), "cues": []})
    with db.session() as s:
        [outcome] = service(s, story).build(SLUG)
        assert [f.number for f in outcome.board.frames] == [1, 2] and outcome.reset == [1, 2]
        assert len(s.scalars(select(StoryboardFrame)).all()) == 2


def test_roles_tenants_and_client_visibility(story: StoryWorkspace, db: Database) -> None:
    with db.session() as s:
        for role in ("reviewer", "client"):
            with pytest.raises(PermissionDeniedError):
                service(s, story, role).build(SLUG)
        service(s, story, "admin").build(SLUG)
        service(s, story, "producer", "globex").build("globex-launch")
    with db.session() as s:
        acme, globex = service(s, story, "reviewer"), service(s, story, "reviewer", "globex")
        assert [b.storyboard.concept for b in acme.boards(SLUG)] == [CONCEPT]
        with pytest.raises(NotFoundError):
            globex.boards(SLUG)
        with pytest.raises(NotFoundError):
            globex.decide(SLUG, CONCEPT, 1, "approve")
        assert len(s.scalars(select(Storyboard)).all()) == 2
    with db.session() as s:  # the video goes back before review: clients no longer see its storyboard
        s.execute(update(Asset).where(Asset.id == story.ids["first"]).values(status="flagged",
                                                                            version=Asset.version + 1))
    with db.session() as s:
        client = service(s, story, "client")
        assert client.boards(SLUG) == []
        with pytest.raises(NotFoundError):
            client.board(SLUG, CONCEPT)
        with pytest.raises(NotFoundError):
            client.decide(SLUG, CONCEPT, 1, "approve")
        assert service(s, story, "reviewer").board(SLUG, CONCEPT).storyboard.asset_id == story.ids["first"]


def test_exports_follow_the_board(story: StoryWorkspace, db: Database) -> None:
    with db.session() as s:
        service(s, story).build(SLUG)
    with db.session() as s:
        svc = service(s, story, "reviewer")
        first_pdf, first_sheet = svc.pdf(SLUG, CONCEPT), svc.sheet(SLUG, CONCEPT)
        assert first_pdf == svc.pdf(SLUG, CONCEPT) and first_sheet == svc.sheet(SLUG, CONCEPT)
        data, sha = svc.frame_image(SLUG, CONCEPT, 2)
        assert Image.open(io.BytesIO(data)).format == "JPEG" and len(sha) == 64
    with db.session() as s:
        service(s, story, "reviewer").decide(SLUG, CONCEPT, 2, "request_changes", "warmer light")
    with db.session() as s:
        svc = service(s, story, "reviewer")
        assert svc.pdf(SLUG, CONCEPT) != first_pdf and svc.sheet(SLUG, CONCEPT) != first_sheet
