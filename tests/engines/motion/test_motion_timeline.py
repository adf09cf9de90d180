"""The motion plan on synthetic layouts: frame accuracy, camera, staggered entrances, safe zone, shots."""

from __future__ import annotations

import itertools

import pytest

from assetline.engines.base import Element
from assetline.engines.motion.timeline import KINETIC_KINDS, START_SCALE, Timeline, plan_timeline
from assetline.engines.storyboard.shots import parse_shots
from assetline.qc.motion.onscreen import assess_safe_zone_over_time
from assetline.qc.motion.timeline import parse_timeline
from assetline.spec.formats import ChannelFormat, SafeZone, VideoSpec

W, H = 1080, 1920
SAFE = (65, 270, W - 130, H - 670)


def layout(headline_bottom: int = 900, button_box: tuple[int, int, int, int] = (83, 1079, 389, 1178)) -> tuple[
        Element, ...]:
    """A hero layout like the composer's on 9:16: scrim, button + label, headline, body, legal, logo."""
    return (
        Element("scrim", (0, 130, W, H), background="#14213D", extra={"alpha": 0.6, "fade": "top",
                                                                       "purpose": "layout"}),
        Element("button", button_box, colour="#FCA311", background="#FCA311", extra={"radius": 20}),
        Element("headline", (83, headline_bottom - 330, 780, headline_bottom), text="Every great day starts",
                colour="#FFFFFF"),
        Element("body", (83, 950, 640, 1030), text="Freshly roasted beans.", colour="#F7F1E5"),
        Element("legal", (83, 1214, 385, 1232), text="Offer valid while stocks last.", colour="#FFFFFF"),
        Element("cta", (button_box[0] + 40, button_box[1] + 30, button_box[2] - 40, button_box[3] - 30),
                text="Order now", colour="#0B0F1A", background="#FCA311"),
        Element("logo", (83, 288, 332, 346), extra={"logo_id": "primary"}),
    )


def plan(elements: tuple[Element, ...] | None = None, duration: float = 10.0, end_card: float = 2.0, fps: int = 30,
         seed: int = 1, safe: tuple[int, int, int, int] = SAFE) -> Timeline:
    return plan_timeline(elements or layout(), W, H, fps, duration, end_card, safe, seed, (0, 0, W, H), None)


def reels_format() -> ChannelFormat:
    return ChannelFormat(id="test-reels", name="Reels", channel="meta", width=W, height=H, max_file_kb=4_194_304,
                         file_types=["mp4"], safe_zone=SafeZone(top=270, bottom=670, left=65, right=130),
                         video=VideoSpec(fps=30, duration=10, max_duration=60))


@pytest.mark.parametrize(("duration", "fps"), [(6.0, 30), (10.0, 30), (2.5, 25), (7.37, 24)])
def test_frame_count_is_duration_times_fps_rounded(duration: float, fps: int) -> None:
    timeline = plan(duration=duration, end_card=1.0, fps=fps)
    assert timeline.frames == round(duration * fps)
    assert timeline.to_dict([])["frames"] == round(duration * fps)
    assert timeline.time_of(fps) == 1.0  # frame i shows t = i / fps


def test_camera_eases_from_start_scale_to_exactly_one_at_the_end_card() -> None:
    timeline = plan()
    camera = timeline.camera
    assert camera.scale_at(0.0) == pytest.approx(START_SCALE)
    scales = [camera.scale_at(t / 10) for t in range(0, 81)]
    assert all(a >= b - 1e-12 for a, b in itertools.pairwise(scales)), "the camera only pulls back"
    assert camera.crop_at(timeline.end_card_start) == (0.0, 0.0, float(W), float(H))
    assert camera.scale_at(timeline.end_card_start) == 1.0
    assert camera.crop_at(timeline.end_card_start - 1 / 30) != (0.0, 0.0, float(W), float(H))


def test_camera_starts_on_the_subject_inside_the_frame() -> None:
    timeline = plan_timeline(layout(), W, H, 30, 10.0, 2.0, SAFE, 1, (0, 0, W, H), (700, 1400, 1000, 1800))
    left, top, right, bottom = timeline.camera.crop_at(0.0)
    assert right <= W and bottom <= H and left >= 0 and top >= 0
    assert (right - left) == pytest.approx(W / START_SCALE)
    assert right == pytest.approx(W) and bottom == pytest.approx(H), "clamped to the frame corner nearest the subject"


def test_entrances_follow_reading_order_and_the_logo_stings_last() -> None:
    timeline = plan()
    first = {t.kinds[-1]: t for t in timeline.tracks}
    assert first["scrim"].enter == 0.0
    order = [first[k].enter for k in ("headline", "body", "cta", "legal", "logo")]
    assert order == sorted(order) and len(set(order)) == len(order)
    assert first["cta"].kinds == ("button", "cta"), "the CTA label pops in with its button"
    assert first["logo"].animation == "sting"
    assert first["logo"].enter == pytest.approx(timeline.end_card_start - 0.5)
    for track in timeline.tracks:
        assert track.settled <= timeline.end_card_start + 1e-9
        if track.kinds[-1] != "scrim":
            assert 0.3 <= track.duration <= 0.5


def test_a_short_animation_compresses_the_sequence_to_fit() -> None:
    timeline = plan(duration=1.5, end_card=0.5)
    texts = [t for t in timeline.tracks if "logo" not in t.kinds]
    logo = next(t for t in timeline.tracks if "logo" in t.kinds)
    assert max(t.settled for t in timeline.tracks) <= timeline.end_card_start + 1e-9
    assert logo.enter >= max(t.settled for t in texts) - 1e-9


def test_keyframes_sample_every_movement_at_least_every_tenth_of_a_second() -> None:
    for entry in plan().to_dict([])["elements"]:
        times = [k[0] for k in entry["keyframes"]]
        moving = [t for t in times if entry["enter"] <= t <= entry["settled"]]
        assert moving[0] == entry["enter"] and moving[-1] == entry["settled"]
        assert all(b - a <= 0.1 + 1e-9 for a, b in itertools.pairwise(moving))
        assert entry["keyframes"][-1][2] == 1.0, "every element ends fully opaque"


def test_no_visible_keyframe_box_leaves_the_safe_zone() -> None:
    # The headline ends 2 px above the safe zone's bottom edge: no room to slide up.
    elements = layout(headline_bottom=SAFE[3] - 2, button_box=(SAFE[0], 1079, SAFE[0] + 306, 1178))
    timeline = plan(elements)
    headline = next(t for t in timeline.tracks if "headline" in t.kinds)
    assert headline.animation == "fade"
    data = timeline.to_dict([])
    for entry in data["elements"]:
        if entry["kind"] not in KINETIC_KINDS:
            continue
        for _, (left, top, right, bottom), opacity in entry["keyframes"]:
            if opacity > 0:
                assert left >= SAFE[0] and top >= SAFE[1] and right <= SAFE[2] and bottom <= SAFE[3], entry["kind"]
    verdict = assess_safe_zone_over_time(parse_timeline(data), reels_format(), min_opacity=0.0)
    assert verdict["status"] == "pass", verdict


def test_the_seed_picks_the_motion_style_deterministically() -> None:
    styles = {plan(seed=s).style for s in range(12)}
    assert styles == {0, 1}
    assert plan(seed=5).to_dict([]) == plan(seed=5).to_dict([])
    down = next(s for s in range(12) if plan(seed=s).style == 1)
    headline = next(t for t in plan(seed=down).tracks if "headline" in t.kinds)
    assert headline.animation == "slide-down" and headline.placed(headline.box, headline.enter)[1] < headline.box[1]


def test_the_timeline_follows_the_documented_contract() -> None:
    data = plan().to_dict([{"start": 0.4, "end": 2.0, "text": "Hello", "box": [100, 500, 600, 560]}])
    parsed = parse_timeline(data)  # the motion gates' reader
    assert parsed.fps == 30 and parsed.duration == 10.0 and len(parsed.elements) == len(layout())
    assert {"fps", "frames", "duration", "width", "height", "end_card_start", "camera", "elements", "captions",
            "shots"} <= set(data)
    assert data["camera"]["kind"] == "ken-burns" and data["camera"]["to"]["scale"] == 1.0
    shots = parse_shots(data, [])  # the storyboard's reader
    assert shots[0].start == 0.0 and shots[-1].end == pytest.approx(10.0)
    assert all(a.end == pytest.approx(b.start) for a, b in itertools.pairwise(shots))
    assert "End card" in shots[-1].note and "Logo sting" in shots[-2].note
