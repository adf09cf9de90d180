"""Planted defects: recall and false-flag rate of the copy, bias and originality checks.

Each defect case plants one defect of a class into otherwise clean copy (or an image/copy pair);
clean cases are ordinary ad copy in English, Arabic and Hindi that must pass every text check. The
test prints per-class recall and the false-flag rate (run with ``-s`` to see them) and asserts
recall ≥ 0.95 and false flags ≤ 0.05. The cases were written before looking at the checks' numbers;
none of these strings appears in the unit tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PIL import ImageEnhance
from qc_text_helpers import ad, copy_asset, hue_shift, jpeg

from assetline.qc.base import AssetUnderCheck, CheckContext
from assetline.qc.bias import BiasCheck
from assetline.qc.copy_originality import CopyOriginalityCheck
from assetline.qc.copy_rules import CopyRulesCheck
from assetline.qc.originality import ImageOriginalityCheck
from assetline.spec.formats import get_format

D = "Offer valid while stocks last."
FMT = get_format("meta-feed-1x1")  # headline ≤ 40, body ≤ 125, cta ≤ 20
RULES, BIAS, COPY_DUP, IMG_DUP = (
    CopyRulesCheck(),
    BiasCheck(),
    CopyOriginalityCheck(),
    ImageOriginalityCheck(),
)
LEXICAL = CheckContext(settings={"originality.copy": {"method": "lexical"}})


@dataclass
class Case:
    klass: str
    copy: dict[str, str] = field(default_factory=dict)
    segment: str = "london"
    pair: tuple[Any, Any] | None = None  # copy dicts or images for near-duplicate classes


def c(
    klass: str,
    headline: str,
    body: str = "Roasted this week, delivered to your door.",
    cta: str = "Order now",
    disclaimer: str = D,
    segment: str = "london",
) -> Case:
    copy = {"headline": headline, "body": body, "cta": cta}
    if disclaimer:
        copy["disclaimer"] = disclaimer
    return Case(klass, copy, segment)


DEFECTS: list[Case] = [
    # banned claims, with inflections and phrase variants
    c("banned_claim", "The roast that cured my Mondays"),
    c("banned_claim", "Coffee that cures tiredness"),
    c("banned_claim", "Nebula: curing grey mornings since 2024"),
    c("banned_claim", "Brewed for calm", "Guaranteed weight-loss in every bag."),
    c("banned_claim", "Lighter mornings", "Our blend guarantees weight loss."),
    c("banned_claim", "Slim down with Orbit", "Guaranteed fast weight loss, naturally."),
    c("banned_claim", "Clinically-proven focus"),
    c("banned_claim", "Smoother, brighter", "Clinically proven to lift your mood."),
    # banned terms
    c("banned_term", "Cheap thrills, fresh beans"),
    c("banned_term", "The cheapest cup in London"),
    c("banned_term", "A small miracle in a mug"),
    c("banned_term", "Miracles before 9 a.m."),
    c("banned_term", "The World's Best espresso, now in London"),
    # missing disclaimers
    c("missing_disclaimer", "Fresh roast, fresh start", disclaimer=""),
    c("missing_disclaimer", "Lift-off in every mug", disclaimer="Offer valid while supplies last."),
    c("missing_disclaimer", "Taste the new roast", disclaimer="Terms apply."),
    c("missing_disclaimer", "Night-shift fuel", disclaimer=D, segment="uk-adults"),
    c(
        "missing_disclaimer",
        "ابدأ يومك مع نيبولا",
        "قهوة طازجة في دبي.",
        "اطلب الآن",
        disclaimer="",
        segment="dubai",
    ),
    # profanity (plain, inflected, disguised)
    c("profanity", "Damn fine coffee, no bullshit"),
    c("profanity", "Wake the f*ck up"),
    c("profanity", "Stop drinking shitty coffee"),
    c("profanity", "Fucking delicious"),
    c("profanity", "Roasted, not half-assed", "No more sh!t brews."),
    c("profanity", "Don't be a dickhead, drink better"),
    # gender-coded copy
    c(
        "gender_coded",
        "Built for ambitious leaders",
        "A decisive, competitive roast for driven professionals.",
    ),
    c("gender_coded", "Dominate your morning", "Fearless flavour for the independent and determined."),
    c("gender_coded", "The champion's cup", "Aggressively bold. Confident. Made for those who lead."),
    c("gender_coded", "Gentle, warm and kind", "A compassionate, nurturing blend to share together."),
    c(
        "gender_coded",
        "Your loyal morning companion",
        "Sympathetic, supportive and tender: coffee that understands.",
    ),
    c(
        "gender_coded",
        "Analytical minds, assertive taste",
        "For the self-reliant, the outspoken, the competitive.",
    ),
    # inclusive-language
    c("inclusive", "Coffee for the chairman in you"),
    c("inclusive", "Hey guys, Nebula is here"),
    c("inclusive", "Crazy good cold brew"),
    c("inclusive", "Made for digital natives"),
    # shouting
    c("shouting", "HUGE SAVINGS ON NEBULA"),
    c("shouting", "Fresh roast, INCREDIBLE taste"),
    c("shouting", "Try it today", cta="SHOP THE ROAST"),
    c("shouting", "Lift-off!!!"),
    c("shouting", "Best morning ever! Order by Friday!"),
    c("shouting", "GET YOUR CUP NOW"),
    # over-length (meta-feed-1x1: headline 40, body 125, cta 20)
    c("over_length", "A long, slow, beautifully balanced roast for every single morning"),
    c(
        "over_length",
        "Nebula",
        "Notes of cocoa and cherry, roasted in small batches every week in our London roastery, "
        "then packed the same afternoon and sent out by bike to your door.",
    ),
    c("over_length", "Taste Nebula", cta="Start your first order today"),
    c(
        "over_length",
        "مرحبًا بك في نيبولا، أغمق تحميصة لدينا على الإطلاق",
        "قهوة طازجة.",
        "اطلب",
        segment="dubai",
    ),
    c(
        "over_length",
        "मिलिए नेबुला से, हमारा अब तक का सबसे गहरा और सबसे बेहतरीन रोस्ट",
        "ताज़ा कॉफ़ी।",
        "ऑर्डर करें",
        segment="mumbai",
    ),
    # near-identical copy across concepts
    Case(
        "near_dup_copy",
        pair=(
            {"headline": "Meet Nebula, our darkest roast yet"},
            {"headline": "Meet Nebula — our darkest roast so far!"},
        ),
    ),
    Case(
        "near_dup_copy",
        pair=(
            {"headline": "Freshly roasted beans, delivered across London"},
            {"headline": "Fresh-roasted beans delivered across London."},
        ),
    ),
    Case(
        "near_dup_copy",
        pair=(
            {"body": "Notes of cocoa and cherry. Limited launch in London."},
            {"body": "Notes of cocoa & cherry — limited launch, London."},
        ),
    ),
    Case(
        "near_dup_copy",
        pair=(
            {"headline": "قهوة جريئة ومشرقة ليومك الطويل"},
            {"headline": "قهوة جريئة ومشرقة ليومك الطويل!"},
        ),
    ),
    # near-identical images
    Case("near_dup_image", pair=("coffee", "jpeg")),
    Case("near_dup_image", pair=("rocket", "resize")),
    Case("near_dup_image", pair=("astronaut", "hue")),
    Case("near_dup_image", pair=("chelsea", "brighter")),
    Case("near_dup_image", pair=("coffee", "mirror")),
]

CLEAN: list[Case] = [
    c("clean", "Fuel your morning launch", "Small-batch coffee, roasted this week in London."),
    c("clean", "Every great day starts with a launch", "Freshly roasted beans, delivered across London."),
    c("clean", "Lift-off in every cup", "Bold, bright and roasted for the long haul.", "Try it today"),
    c("clean", "Ready for lift-off?", "A roast with real thrust, for busy days in London.", "Shop the roast"),
    c(
        "clean",
        "“The best cup this side of orbit.”",
        "— Ana, night-shift engineer in London",
        "Read the reviews",
    ),
    c(
        "clean",
        "Meet Nebula, our darkest roast yet",
        "Notes of cocoa and cherry. Limited launch in London.",
        "Pre-order Nebula",
    ),
    c(
        "clean",
        "Nebula: dark roast, bright finish",
        "Slow-roasted, smooth, out of this world.",
        "Taste Nebula",
    ),
    c("clean", "Your commute just got better", "Grab a cup at any of our 12 London cafés."),
    c("clean", "Cold brew season is here", "Steeped for 18 hours. Poured over ice. Gone by noon."),
    c("clean", "New: oat milk flat white", "Creamy, nutty and made with oats from British farms."),
    c("clean", "A warm cup for cold platforms", "Hot coffee waiting at King's Cross from 6 a.m."),
    c("clean", "Beans from Huila, Colombia", "Grown at 1,700 metres by the Ortiz family."),
    c("clean", "Decaf that tastes like coffee", "Swiss Water processed. Nothing added, nothing lost."),
    c("clean", "Two cups, one price", "Bring a friend before 10 a.m. this week.", "Find a café"),
    c("clean", "Coffee, delivered by bike", "Order by 8 p.m. and wake up to fresh beans."),
    c("clean", "Say hello to our spring blend", "Bright citrus, soft caramel, a clean finish."),
    c("clean", "Roasted in London since 2019", "We roast on Mondays and ship on Tuesdays."),
    c("clean", "The roast for slow Sundays", "Brew a pot, open a book, take your time."),
    c("clean", "Now at UK stations", "Look for the navy cart at Euston and Paddington."),
    c(
        "clean",
        "Your first bag is on us",
        "Subscribe today and pay nothing for the first month.",
        "Start subscription",
    ),
    c("clean", "Espresso, but make it orbit", "Our house espresso blend, pulled short and sweet."),
    c("clean", "Meet the roasters", "Come see how Nebula is made every Saturday at 11."),
    c("clean", "Fair prices, fair trade", "Every farm we buy from is paid above market rate."),
    c("clean", "Flat white, done right", "Double ristretto, silky milk, nothing more."),
    c("clean", "Pack your cup for the road", "Our steel travel mug keeps coffee hot for six hours."),
    c("clean", "Good mornings start here", "A fresh cup is ready when you are."),
    c("clean", "Brew it your way", "Whole beans or ground for filter, cafetière or espresso."),
    c("clean", "Made for night owls too", "Nebula decaf: all the depth, none of the buzz."),
    c("clean", "Light roast, big flavour", "Floral, juicy and sweet, like a cup of tea that grew up."),
    c("clean", "A roast worth waking up for", "Limited batch. When it's gone, it's gone."),
    c("clean", "Our crew's favourite", "Picked by the baristas who taste 40 cups a day."),
    c("clean", "Fuel for the 7:15", "Pre-order in the app and skip the queue."),
    c("clean", "Nebula is back", "The roast you asked for returns on 3 March.", "Set a reminder"),
    c("clean", "Stay curious, drink well", "Tasting notes, brew guides and stories in every box."),
    c("clean", "ابدأ صباحك بانطلاقة", "قهوة محمّصة طازجة هذا الأسبوع في دبي.", "اطلب الآن", segment="dubai"),
    c("clean", "انطلاقة في كل فنجان", "قهوة جريئة ومشرقة ليومك الطويل.", "جرّبها اليوم", segment="dubai"),
    c("clean", "تعرّف على نيبولا", "نكهات الكاكاو والكرز. إطلاق محدود في دبي.", "اطلب مسبقًا", segment="dubai"),
    c("clean", "अपनी सुबह को उड़ान दें", "मुंबई में इसी हफ़्ते भुनी ताज़ा कॉफ़ी।", "अभी ऑर्डर करें", segment="mumbai"),
    c("clean", "हर कप में नई उड़ान", "लंबे दिन के लिए दमदार और ताज़ा रोस्ट।", "आज ही आज़माएँ", segment="mumbai"),
    c("clean", "मिलिए नेबुला से", "कोको और चेरी का स्वाद। मुंबई में सीमित लॉन्च।", "प्री-ऑर्डर करें", segment="mumbai"),
    c("clean", "Night-shift fuel", disclaimer=D + " Alcohol-free. 18+ only.", segment="uk-adults"),
    Case(
        "clean_pair_copy", pair=({"headline": "Lift-off in every cup"}, {"headline": "Ready for lift-off?"})
    ),
    Case(
        "clean_pair_copy",
        pair=(
            {"headline": "Meet Nebula, our darkest roast yet"},
            {"headline": "Nebula: dark roast, bright finish"},
        ),
    ),
    Case(
        "clean_pair_copy",
        pair=(
            {"body": "Small-batch coffee, roasted this week in London."},
            {"body": "Freshly roasted beans, delivered across London."},
        ),
    ),
    Case("clean_pair_image", pair=("coffee", "other-headline")),
    Case("clean_pair_image", pair=("coffee", "bar")),
    Case("clean_pair_image", pair=("rocket", "other-photo")),
    Case("clean_pair_image", pair=("astronaut", "moved-headline")),
]


def edited(name: str, edit: str):
    base = ad(name)
    return base, {
        "jpeg": lambda: jpeg(base, 45),
        "resize": lambda: base.resize((300, 300)),
        "hue": lambda: hue_shift(base, 15),
        "brighter": lambda: ImageEnhance.Brightness(base).enhance(1.1),
        "mirror": lambda: base.transpose(0),
        "other-headline": lambda: ad(name, "Taste the new roast"),
        "bar": lambda: ad(name, bar=(20, 33, 61)),
        "other-photo": lambda: ad("camera"),
        "moved-headline": lambda: ad(name, pos=(30, 40)),
    }[edit]()


RULE_OF = {
    "banned_claim": ("banned_claim",),
    "banned_term": ("banned_term",),
    "missing_disclaimer": ("disclaimer",),
    "profanity": ("profanity",),
    "shouting": ("shouting", "exclamations"),
    "over_length": ("length",),
}


def flagged(case: Case) -> bool:
    """Clean cases: flagged by any text check. Defects: flagged by the rule that targets their class."""
    if case.pair is None:
        asset = copy_asset(case.copy, segment=case.segment, fmt=FMT)
        ctx = CheckContext()
        rules, bias = RULES.run(asset, ctx), BIAS.run(asset, ctx)
        if case.klass in RULE_OF:
            return any(rules.evidence["rules"][r] in ("warn", "fail") for r in RULE_OF[case.klass])
        if case.klass == "gender_coded":
            return bias.status == "warn" and bias.evidence["gender"]["coding"] not in ("neutral", "empty")
        if case.klass == "inclusive":
            return bias.status == "warn" and bool(bias.evidence["inclusive"])
        return any(r.status in ("warn", "fail") for r in (rules, bias))
    a, b = case.pair
    if isinstance(a, dict):
        assets = [copy_asset(a, asset_id="x"), copy_asset(b, asset_id="y")]
        return all(r.status == "warn" for r in COPY_DUP.run_batch(assets, LEXICAL))
    im1, im2 = edited(a, b)
    results = IMG_DUP.run_batch(
        [AssetUnderCheck(image=im1, asset_id="x"), AssetUnderCheck(image=im2, asset_id="y")], CheckContext()
    )
    return all(r.status == "warn" for r in results)


def test_planted_defects_recall_and_false_flags() -> None:
    assert len(DEFECTS) >= 40
    per_class: dict[str, list[bool]] = {}
    for case in DEFECTS:
        per_class.setdefault(case.klass, []).append(flagged(case))
    false_flags = [case for case in CLEAN if flagged(case)]
    found = sum(sum(v) for v in per_class.values())
    recall = found / len(DEFECTS)
    false_rate = len(false_flags) / len(CLEAN)
    print(
        f"\nplanted defects: {len(DEFECTS)} cases, recall {recall:.3f}; clean: {len(CLEAN)} cases, "
        f"false-flag rate {false_rate:.3f}"
    )
    for klass, hits in per_class.items():
        print(f"  {klass:20s} {sum(hits)}/{len(hits)}")
    missed = [case for case in DEFECTS if not flagged(case)]
    assert recall >= 0.95, [(m.klass, m.copy or m.pair) for m in missed]
    assert false_rate <= 0.05, [(f.copy or f.pair) for f in false_flags]
