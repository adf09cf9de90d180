"""copy.rules: term matching (word boundaries, inflections), lengths, disclaimers, profanity, shouting,
readability."""

from __future__ import annotations

import pytest
from qc_text_helpers import brand, copy_asset

from assetline.qc.base import Check, CheckContext
from assetline.qc.copy_rules import CopyRulesCheck
from assetline.qc.readability import flesch_kincaid, syllables
from assetline.spec.formats import get_format
from assetline.text.term_match import TermMatcher, inflections

CHECK = CopyRulesCheck()
DISCLAIMER = "Offer valid while stocks last."


def run(copy: dict[str, str], segment: str = "london", settings: dict | None = None, **kw):
    copy = {**copy}
    copy.setdefault("disclaimer", DISCLAIMER)
    ctx = CheckContext(settings={"copy.rules": settings or {}})
    return CHECK.run(copy_asset(copy, segment=segment, **kw), ctx)


def rules(result) -> dict[str, str]:
    return result.evidence["rules"]


def test_protocol_and_clean_copy_passes() -> None:
    assert isinstance(CHECK, Check)
    r = run(
        {
            "headline": "Fuel your morning launch",
            "body": "Small-batch coffee, roasted this week in London.",
            "cta": "Order now",
        },
        fmt=get_format("meta-feed-1x1"),
    )
    assert r.status == "pass", r.message
    assert r.evidence["findings"] == []
    assert r.to_dict()["check"] == "copy.rules"


def test_no_copy_is_na() -> None:
    assert CHECK.run(copy_asset({}), CheckContext()).status == "na"


@pytest.mark.parametrize("word", ["cure", "cures", "cured", "curing", "Cures", "CURED"])
def test_inflections_of_banned_claim(word: str) -> None:
    r = run({"body": f"Our roast {word} Monday blues."})
    assert rules(r)["banned_claim"] == "fail"
    hit = next(f for f in r.evidence["findings"] if f["rule"] == "banned_claim")
    assert hit["term"] == "cures" and hit["field"] == "body"
    start, end = hit["span"]
    assert f"Our roast {word} Monday blues."[start:end] == word


@pytest.mark.parametrize(
    "text",
    [
        "secure checkout",
        "procure beans",
        "curious minds",
        "a curator's pick",
        "Cheapside market",
        "cheapskate deals",
        "a miraculous morning",
    ],
)
def test_word_boundaries_do_not_overmatch(text: str) -> None:
    r = run({"body": text})
    assert rules(r)["banned_claim"] == "pass" and rules(r)["banned_term"] == "pass", r.evidence["findings"]


@pytest.mark.parametrize(
    "text,term",
    [
        ("The cheapest beans", "cheap"),
        ("Cheaper than ever", "cheap"),
        ("Miracles in a cup", "miracle"),
        ("Miracle-working roast", "miracle"),
        ("The world's best brew", "world's best"),
        ("The world’s best brew", "world's best"),
        ("worlds best coffee", "world's best"),
        ("Guaranteed weight-loss", "guaranteed weight loss"),
        ("guaranteed  weight loss", "guaranteed weight loss"),
        ("guarantees rapid weight loss", "guaranteed weight loss"),
        ("guaranteed weightloss", "guaranteed weight loss"),
        ("Clinically-proven energy", "clinically proven"),
    ],
)
def test_banned_terms_and_phrases(text: str, term: str) -> None:
    r = run({"headline": text})
    assert r.status == "fail"
    assert term in [f.get("term") for f in r.evidence["findings"]]


def test_sentence_break_stops_a_phrase() -> None:
    r = run({"body": "Results guaranteed. Weight loss is not our thing."})
    assert rules(r)["banned_claim"] == "pass"


def test_inflection_generator() -> None:
    assert {"cure", "cures", "cured", "curing"} <= inflections("cure")
    assert {"cry", "cries", "cried", "crying"} <= inflections("cry")
    assert {"stop", "stops", "stopped", "stopping"} <= inflections("stop")
    assert {"cure", "cured", "curing"} <= inflections("cures")
    assert "cheapside" not in inflections("cheap")


def test_matcher_other_scripts_exact_words() -> None:
    m = TermMatcher(["رخيص", "सस्ता"])
    assert [x.text for x in m.find("قهوة رخيصة جدا رخيص")] == ["رخيص"]
    assert [x.text for x in m.find("यह सस्ता है")] == ["सस्ता"]


def test_length_limits_from_format_and_settings() -> None:
    fmt = get_format("google-display-1.91x1")  # headline ≤ 30
    r = run({"headline": "A" * 10 + " morning launch for every crew"}, fmt=fmt)
    assert rules(r)["length"] == "fail"
    assert r.evidence["lengths"]["headline"]["limit"] == 30
    r = run({"headline": "Fuel your morning"}, settings={"text_limits": {"headline": 10}})
    assert rules(r)["length"] == "fail"
    r = run({"headline": "Fuel your morning"}, settings={"text_limits": {"headline": 40}})
    assert rules(r)["length"] == "pass"


def test_disclaimers_per_segment_and_language() -> None:
    copy = {"headline": "Fuel your morning launch"}
    assert rules(run({**copy, "disclaimer": ""}))["disclaimer"] == "fail"
    assert rules(run(copy))["disclaimer"] == "pass"
    # normalised: case, punctuation and spacing do not matter; any field counts
    assert (
        rules(run({**copy, "disclaimer": "", "body": "Roasted fresh. offer valid  while stocks last"}))[
            "disclaimer"
        ]
        == "pass"
    )
    # the uk-adults segment needs a second disclaimer (English only)
    assert rules(run(copy, segment="uk-adults"))["disclaimer"] == "fail"
    assert (
        rules(run({**copy, "disclaimer": DISCLAIMER + " Alcohol free — 18+ only."}, segment="uk-adults"))[
            "disclaimer"
        ]
        == "pass"
    )
    r = run(copy, segment="uk-adults")
    assert [d["present"] for d in r.evidence["disclaimers"]] == [True, False]


def test_language_scoped_disclaimer_skips_other_languages() -> None:
    kit = brand(required_disclaimers=[{"text": "Offer valid while stocks last.", "languages": ["en"]}])
    r = CHECK.run(copy_asset({"headline": "ابدأ صباحك بانطلاقة"}, segment="dubai", kit=kit), CheckContext())
    assert rules(r)["disclaimer"] == "pass"
    r = CHECK.run(copy_asset({"headline": "Fuel your morning"}, segment="london", kit=kit), CheckContext())
    assert rules(r)["disclaimer"] == "fail"


@pytest.mark.parametrize(
    "text",
    [
        "This shit is great",
        "Bullshit-free coffee",
        "fucking good coffee",
        "What the f*ck",
        "sh!t happens",
        "Don't be a bastard",
        "Stop being an a$$hole",
    ],
)
def test_profanity_fails(text: str) -> None:
    r = run({"body": text})
    assert rules(r)["profanity"] == "fail", r.evidence["findings"]


@pytest.mark.parametrize(
    "text",
    [
        "Scunthorpe roastery",
        "A classic cocktail",
        "Assess your options",
        "Shiitake and coffee",
        "Hello there",
        "Passionate baristas",
    ],
)
def test_profanity_word_boundaries(text: str) -> None:
    assert rules(run({"body": text}))["profanity"] == "pass"


def test_mild_profanity_warns_and_settings_extend_and_allow() -> None:
    assert rules(run({"body": "Bloody good coffee"}))["profanity"] == "warn"
    assert rules(run({"body": "Frak this"}, settings={"profanity_extra": ["frak"]}))["profanity"] == "fail"
    assert (
        rules(run({"body": "Bloody good coffee"}, settings={"profanity_allow": ["bloody"]}))["profanity"]
        == "pass"
    )


@pytest.mark.parametrize("text", ["BUY NOW AND SAVE", "AMAZING coffee", "Get it TODAY", "HOT NEW ROAST"])
def test_shouting_warns(text: str) -> None:
    r = run({"headline": text})
    assert rules(r)["shouting"] == "warn"
    assert r.status == "warn"


@pytest.mark.parametrize(
    "text",
    ["Flown by NASA crews", "Now in the UK and USA", "Orbit Coffee, est. 2024", "Meet our FAQ", "OK, coffee"],
)
def test_acronyms_are_not_shouting(text: str) -> None:
    assert rules(run({"headline": text}))["shouting"] == "pass"


def test_exclamations() -> None:
    assert rules(run({"headline": "Lift-off!"}))["exclamations"] == "pass"
    assert rules(run({"headline": "Lift-off!!"}))["exclamations"] == "warn"
    assert rules(run({"headline": "Lift-off!", "body": "Order today!"}))["exclamations"] == "pass"
    two = run({"headline": "Lift-off!", "body": "Order today!"}, settings={"exclamation_scope": "asset"})
    assert rules(two)["exclamations"] == "warn"
    assert rules(run({"body": "New roast! Order today!"}))["exclamations"] == "warn"
    assert rules(run({"headline": "Really?!"}))["exclamations"] == "warn"


def test_severity_override() -> None:
    r = run({"headline": "AMAZING coffee"}, settings={"severity": {"shouting": "fail"}})
    assert r.status == "fail"


def test_readability_grade() -> None:
    easy = run(
        {
            "headline": "Fuel your morning launch",
            "body": "Small-batch coffee, roasted this week. Bold and bright, made for busy days.",
        }
    )
    assert rules(easy)["readability"] == "pass"
    assert easy.evidence["reading"]["grade"] < 8
    hard = run(
        {
            "body": "Our revolutionary, scientifically formulated beverage optimisation methodology "
            "facilitates unprecedented organisational productivity enhancements."
        }
    )
    assert rules(hard)["readability"] == "warn"
    assert hard.evidence["reading"]["grade"] > 12
    arabic = CHECK.run(
        copy_asset(
            {"headline": "قهوة جريئة ومشرقة ليومك الطويل وهي الأفضل في كل مكان وزمان"}, segment="dubai"
        ),
        CheckContext(),
    )
    assert arabic.evidence["reading"]["status"] == "na"


def test_syllables_and_grade_formula() -> None:
    assert [syllables(w) for w in ("coffee", "roasted", "delivered", "the", "idea", "beautiful")] == [
        2,
        2,
        3,
        1,
        3,
        3,
    ]
    r = flesch_kincaid(["The cat sat on the mat."])
    assert r.words == 6 and r.sentences == 1
    assert r.grade == pytest.approx(0.39 * 6 + 11.8 * 1 - 15.59, abs=0.01)


def test_demo_copy_in_three_languages_passes() -> None:
    for seg, copy in (
        (
            "london",
            {
                "headline": "Every great day starts with a launch",
                "body": "Freshly roasted beans, delivered across London.",
                "cta": "Start your order",
            },
        ),
        (
            "dubai",
            {
                "headline": "كل يوم عظيم يبدأ بانطلاقة",
                "body": "قهوة محمّصة طازجة هذا الأسبوع في دبي.",
                "cta": "اطلب الآن",
            },
        ),
        (
            "mumbai",
            {
                "headline": "हर शानदार दिन एक उड़ान से शुरू होता है",
                "body": "मुंबई में इसी हफ़्ते भुनी ताज़ा कॉफ़ी।",
                "cta": "अभी ऑर्डर करें",
            },
        ),
    ):
        r = run(copy, segment=seg, fmt=get_format("meta-feed-1x1"))
        assert r.status == "pass", (seg, r.message)


def test_phrases_with_symbols_and_clause_breaks() -> None:
    kit = brand(banned_claims=["100% natural", "no. 1 coffee"])
    hit = CHECK.run(
        copy_asset({"headline": "100% natural energy", "disclaimer": DISCLAIMER}, kit=kit), CheckContext()
    )
    assert hit.evidence["rules"]["banned_claim"] == "fail"
    miss = CHECK.run(
        copy_asset({"headline": "Rated 100, natural light", "disclaimer": DISCLAIMER}, kit=kit),
        CheckContext(),
    )
    assert miss.evidence["rules"]["banned_claim"] == "pass"
