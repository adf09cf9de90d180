"""batch.diversity: warns when a batch collapses onto one look, passes a diverse campaign."""

from __future__ import annotations

from qc_text_helpers import PHOTOS, ad, gradient, near_copies

from assetline.qc.base import AssetUnderCheck, BatchCheck, CheckContext
from assetline.qc.homogenisation import DiversityCheck

CHECK = DiversityCheck()


def batch(images, copies=None) -> list[AssetUnderCheck]:
    return [
        AssetUnderCheck(image=im, asset_id=f"a{i}", copy=copies[i] if copies else None)
        for i, im in enumerate(images)
    ]


def test_protocol() -> None:
    assert isinstance(CHECK, BatchCheck)


def test_near_identical_batch_warns() -> None:
    base = ad("coffee")
    results = CHECK.run_batch(batch([base, *near_copies(base).values()]), CheckContext())
    assert {r.status for r in results} == {"warn"}
    ev = results[0].evidence
    assert ev["visual_distance"]["median"] < 0.2
    assert ev["largest_cluster"]["size"] == 9 and ev["same_look_share"] > 0.5
    assert ev["in_largest_cluster"] is True and ev["reasons"]


def test_same_photo_with_different_headlines_is_one_look() -> None:
    texts = ["Fuel your morning launch", "Every great day", "Lift-off", "Ready?", "Meet Nebula", "Taste it"]
    results = CHECK.run_batch(batch([ad("coffee", t) for t in texts]), CheckContext())
    assert results[0].status == "warn"


def test_diverse_campaign_passes() -> None:
    images = [ad(p) for p in PHOTOS[:6]]
    images += [gradient((20, 33, 61), (252, 163, 17)), gradient((247, 241, 229), (111, 78, 55), angle=90)]
    # concepts repeat a little, as campaigns do (two variants of the coffee and rocket cells)
    images += [ad("coffee", "Every great day starts"), ad("rocket", "Ready for lift-off?")]
    results = CHECK.run_batch(batch(images), CheckContext())
    assert {r.status for r in results} == {"pass"}, results[0].message
    ev = results[0].evidence
    assert ev["visual_distance"]["median"] > 0.4
    assert ev["largest_cluster"]["size"] == 2
    assert ev["phash_distance"]["median"] > 20


def test_copy_collapse_warns_even_with_diverse_images() -> None:
    images = [ad(p) for p in PHOTOS[:5]]
    same = [{"headline": "Fuel your morning launch", "body": "Small-batch coffee, roasted this week."}] * 5
    results = CHECK.run_batch(batch(images, same), CheckContext())
    assert results[0].status == "warn"
    assert results[0].evidence["copy"]["median_similarity"] == 1.0
    varied = [
        {"headline": h}
        for h in (
            "Fuel your morning launch",
            "Lift-off in every cup",
            "Meet Nebula",
            "Our whole crew runs on Orbit",
            "Notes of cocoa and cherry",
        )
    ]
    assert CHECK.run_batch(batch(images, varied), CheckContext())[0].status == "pass"


def test_small_batches_are_na_and_big_ones_sampled() -> None:
    assert [r.status for r in CHECK.run_batch(batch([ad("coffee"), ad("rocket")]), CheckContext())] == [
        "na"
    ] * 2
    images = [
        gradient(
            (i * 9 % 255, (i * 37) % 255, (i * 71) % 255),
            ((i * 53) % 255, 90, (i * 13) % 255),
            size=32,
            angle=(0, 90, 45)[i % 3],
        )
        for i in range(60)
    ]
    ctx = CheckContext(settings={"batch.diversity": {"max_sample": 25}})
    results = CHECK.run_batch(batch(images), ctx)
    assert len(results) == 60 and results[0].evidence["sampled"] == 25
