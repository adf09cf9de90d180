"""Which arms of a DCO experiment may be shown for one request, and why the others may not.

An :class:`Arm` is one approved creative asset in an experiment, with everything needed to decide whether it may
be shown *now*: the channel and formats it was made for, the segment it targets, the licences of its inputs, its
flight dates, its review/delivery status and an optional per-user frequency cap. :func:`check_eligibility`
returns the eligible arms plus one :class:`Exclusion` per excluded arm listing *every* reason; :func:`eligible`
is the same without the reasons.

    log = ImpressionLog(max_users=100_000)
    arm = Arm(asset_id="a-17", arm_id="blue", channel="meta", formats=frozenset({"1080x1080"}),
              countries=frozenset({"GB"}), licences=(photo_input,), flight_start=date(2026, 12, 1),
              cap=FrequencyCap(max_impressions=3, per_seconds=86_400))
    request = DecisionRequest(channel="meta", format="1080x1080", user_key="u-42", country="GB", language="en")
    result = check_eligibility([arm, ...], request, date.today(), log)
    result.arms        # arms that may be shown
    result.excluded    # (Exclusion(arm_id="blue", asset_id="a-17", reasons=(Reason("frequency_cap", "..."),)), ...)
    log.record("u-42", "a-17")   # after the asset was served

Rules (all compared case-insensitively; dates are inclusive at both ends):

- status: the asset must be approved *and* delivered;
- channel and format: the request's channel must be the arm's, its format one of the arm's formats;
- segment: an empty constraint matches anything; ``countries`` must contain the request's country, ``languages``
  its language (``'en'`` matches a request for ``'en-GB'``; ``'en-GB'`` only matches ``'en-GB'``), and every
  ``attributes`` key must be present in the request with one of the listed values;
- licences: each input's licence must allow the channel, the request's country and today's date, by the same
  rules as the delivery gate (:func:`assetline.delivery.licence_gate.check_usage`: ``'*'``, region groups such as
  ``EU``, an input without a licence record is excluded);
- flight: ``flight_start <= today <= flight_end`` (``None`` is open-ended);
- frequency cap: fewer than ``cap.max_impressions`` impressions of this asset for this user key in the last
  ``cap.per_seconds`` seconds, as recorded in the :class:`ImpressionLog`.

:class:`ImpressionLog` keeps memory bounded: at most ``max_users`` user keys (least recently used dropped
first) and at most ``max_per_user`` timestamps per user (oldest dropped first); its clock is injectable for tests.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from assetline.delivery.licence_gate import LicensedInput, Usage, check_usage
from assetline.errors import InvalidRequestError


class DecisionInputError(InvalidRequestError, ValueError):
    """Bad input to the decision core (duplicate arm ids, negative counts, ...). Also a ``ValueError``."""


class ReasonCode(StrEnum):
    """Why an arm was excluded from one decision."""

    NOT_APPROVED = "not_approved"
    NOT_DELIVERED = "not_delivered"
    WRONG_CHANNEL = "wrong_channel"
    WRONG_FORMAT = "wrong_format"
    SEGMENT = "segment"
    LICENCE_MISSING = "licence_missing"
    LICENCE_CHANNEL = "licence_channel"
    LICENCE_TERRITORY = "licence_territory"
    LICENCE_NOT_YET_VALID = "licence_not_yet_valid"
    LICENCE_EXPIRED = "licence_expired"
    LICENCE_COMMERCIAL = "licence_commercial"
    BEFORE_FLIGHT = "before_flight"
    AFTER_FLIGHT = "after_flight"
    FREQUENCY_CAP = "frequency_cap"


_LICENCE_CODES: dict[str, ReasonCode] = {
    "missing": ReasonCode.LICENCE_MISSING,
    "channel": ReasonCode.LICENCE_CHANNEL,
    "territory": ReasonCode.LICENCE_TERRITORY,
    "not_yet_valid": ReasonCode.LICENCE_NOT_YET_VALID,
    "expired": ReasonCode.LICENCE_EXPIRED,
    "commercial": ReasonCode.LICENCE_COMMERCIAL,
}


@dataclass(frozen=True)
class Reason:
    """One reason an arm may not be shown: a stable code and a sentence for people."""

    code: ReasonCode
    detail: str


@dataclass(frozen=True)
class Exclusion:
    """An arm left out of a decision, with every reason that applies."""

    arm_id: str
    asset_id: str
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class FrequencyCap:
    """At most ``max_impressions`` impressions of one asset per user key in any ``per_seconds`` window."""

    max_impressions: int
    per_seconds: float

    def __post_init__(self) -> None:
        if self.max_impressions < 1:
            raise DecisionInputError(f"frequency cap max_impressions must be >= 1, got {self.max_impressions}",
                                     hint="leave cap=None for an arm without a frequency cap")
        if not self.per_seconds > 0:
            raise DecisionInputError(f"frequency cap per_seconds must be > 0, got {self.per_seconds}",
                                     hint="give the window in seconds, e.g. 86400 for a day")


def _norm_set(values: Iterable[str], upper: bool) -> frozenset[str]:
    return frozenset(v.strip().upper() if upper else v.strip().lower() for v in values)


@dataclass(frozen=True)
class Arm:
    """One creative asset competing in a DCO experiment. Empty segment constraints match any request."""

    asset_id: str
    arm_id: str
    channel: str
    formats: frozenset[str]
    countries: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    attributes: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Segment attribute constraints, e.g. ``{"age_band": frozenset({"18-24", "25-34"})}``."""
    licences: tuple[LicensedInput, ...] = ()
    """The inputs that went into the asset with their licences; all must allow the use."""
    flight_start: date | None = None
    flight_end: date | None = None
    approved: bool = True
    delivered: bool = True
    cap: FrequencyCap | None = None

    def __post_init__(self) -> None:
        for name in ("asset_id", "arm_id", "channel"):
            if not str(getattr(self, name)).strip():
                raise DecisionInputError(f"arm {name} must not be empty", hint="give every arm an id and channel")
        if not self.formats:
            raise DecisionInputError(f"arm '{self.arm_id}' has no formats",
                                     hint="list the channel format ids the asset was rendered for")
        if self.flight_start and self.flight_end and self.flight_start > self.flight_end:
            raise DecisionInputError(
                f"arm '{self.arm_id}' flight_start {self.flight_start} is after flight_end {self.flight_end}",
                hint="swap the dates or fix the flight plan")
        object.__setattr__(self, "channel", self.channel.strip().lower())
        object.__setattr__(self, "formats", _norm_set(self.formats, upper=False))
        object.__setattr__(self, "countries", _norm_set(self.countries, upper=True))
        object.__setattr__(self, "languages", _norm_set(self.languages, upper=False))
        object.__setattr__(self, "attributes", {k.strip().lower(): _norm_set(v, upper=False)
                                                for k, v in self.attributes.items()})


@dataclass(frozen=True)
class DecisionRequest:
    """What the endpoint knows about one ad request."""

    channel: str
    format: str
    user_key: str
    country: str = ""
    """ISO 3166 code; '' when unknown (then any territory-restricted licence or country constraint excludes)."""
    language: str = ""
    attributes: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.user_key.strip():
            raise DecisionInputError("request user_key must not be empty",
                                     hint="pass a stable pseudonymous key (hashed cookie or device id)")
        object.__setattr__(self, "channel", self.channel.strip().lower())
        object.__setattr__(self, "format", self.format.strip().lower())
        object.__setattr__(self, "country", self.country.strip().upper())
        object.__setattr__(self, "language", self.language.strip().lower())
        object.__setattr__(self, "attributes", {k.strip().lower(): v.strip().lower()
                                                for k, v in self.attributes.items()})


class ImpressionLog:
    """Recent impressions per user key, bounded in memory; thread-safe.

    ``clock`` returns seconds (default ``time.monotonic``); tests inject a fake one."""

    def __init__(self, max_users: int = 100_000, max_per_user: int = 64,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if max_users < 1 or max_per_user < 1:
            raise DecisionInputError(f"ImpressionLog needs max_users >= 1 and max_per_user >= 1, "
                                     f"got {max_users} and {max_per_user}", hint="use the defaults")
        self.max_users = max_users
        self.max_per_user = max_per_user
        self.clock = clock
        self._users: OrderedDict[str, deque[tuple[float, str]]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._users)

    def record(self, user_key: str, asset_id: str, at: float | None = None) -> None:
        """Remember that ``asset_id`` was shown to ``user_key`` (now, or at ``at`` seconds on the log's clock)."""
        stamp = self.clock() if at is None else at
        with self._lock:
            events = self._users.get(user_key)
            if events is None:
                events = self._users[user_key] = deque(maxlen=self.max_per_user)
                while len(self._users) > self.max_users:
                    self._users.popitem(last=False)
            else:
                self._users.move_to_end(user_key)
            events.append((stamp, asset_id))

    def count(self, user_key: str, asset_id: str, within_seconds: float, now: float | None = None) -> int:
        """Impressions of ``asset_id`` for ``user_key`` in the last ``within_seconds`` seconds."""
        stamp = self.clock() if now is None else now
        with self._lock:
            events = self._users.get(user_key)
            if events is None:
                return 0
            self._users.move_to_end(user_key)
            return sum(1 for at, asset in events if asset == asset_id and stamp - at < within_seconds)


@dataclass(frozen=True)
class Eligibility:
    """The arms that may be shown for one request, and the excluded ones with their reasons."""

    arms: tuple[Arm, ...]
    excluded: tuple[Exclusion, ...]


def check_arm_ids(arms: Sequence[Arm]) -> None:
    """Raise DecisionInputError when two arms share an arm id."""
    seen: set[str] = set()
    for arm in arms:
        if arm.arm_id in seen:
            raise DecisionInputError(f"duplicate arm id '{arm.arm_id}'",
                                     hint="every arm of an experiment needs its own arm_id")
        seen.add(arm.arm_id)


def _language_ok(wanted: str, allowed: frozenset[str]) -> bool:
    return not allowed or wanted in allowed or wanted.split("-", 1)[0] in allowed


def _segment_reasons(arm: Arm, request: DecisionRequest) -> list[Reason]:
    reasons: list[Reason] = []
    if arm.countries and request.country not in arm.countries:
        reasons.append(Reason(ReasonCode.SEGMENT, f"targets countries {', '.join(sorted(arm.countries))}, "
                                                  f"request country is '{request.country or 'unknown'}'"))
    if not _language_ok(request.language, arm.languages):
        reasons.append(Reason(ReasonCode.SEGMENT, f"targets languages {', '.join(sorted(arm.languages))}, "
                                                  f"request language is '{request.language or 'unknown'}'"))
    for key, allowed in arm.attributes.items():
        value = request.attributes.get(key)
        if value not in allowed:
            shown = "unknown" if value is None else value
            reasons.append(Reason(ReasonCode.SEGMENT, f"targets {key} in {', '.join(sorted(allowed))}, "
                                                      f"request {key} is '{shown}'"))
    return reasons


def _arm_reasons(arm: Arm, request: DecisionRequest, today: date, history: ImpressionLog | None,
                 now: float) -> list[Reason]:
    reasons: list[Reason] = []
    # 1. Review and delivery status
    if not arm.approved:
        reasons.append(Reason(ReasonCode.NOT_APPROVED, "asset is not approved"))
    if not arm.delivered:
        reasons.append(Reason(ReasonCode.NOT_DELIVERED, "asset has not been delivered"))
    # 2. Channel, format, segment
    if arm.channel != request.channel:
        reasons.append(Reason(ReasonCode.WRONG_CHANNEL, f"made for channel '{arm.channel}', "
                                                        f"request is for '{request.channel}'"))
    if request.format not in arm.formats:
        reasons.append(Reason(ReasonCode.WRONG_FORMAT, f"rendered for formats {', '.join(sorted(arm.formats))}, "
                                                       f"request is for '{request.format}'"))
    reasons.extend(_segment_reasons(arm, request))
    # 3. Licences of every input (the delivery gate's rules)
    if arm.licences:
        blocks = check_usage(list(arm.licences), Usage(request.channel, request.country, today))
        reasons.extend(Reason(_LICENCE_CODES.get(b.reason_code, ReasonCode.LICENCE_MISSING), b.message)
                       for b in blocks)
    # 4. Flight dates
    if arm.flight_start is not None and today < arm.flight_start:
        reasons.append(Reason(ReasonCode.BEFORE_FLIGHT, f"flight starts {arm.flight_start.isoformat()}"))
    if arm.flight_end is not None and today > arm.flight_end:
        reasons.append(Reason(ReasonCode.AFTER_FLIGHT, f"flight ended {arm.flight_end.isoformat()}"))
    # 5. Frequency cap for this user key
    if arm.cap is not None and history is not None:
        seen = history.count(request.user_key, arm.asset_id, arm.cap.per_seconds, now=now)
        if seen >= arm.cap.max_impressions:
            reasons.append(Reason(ReasonCode.FREQUENCY_CAP,
                                  f"user saw it {seen} times in the last {arm.cap.per_seconds:g} s "
                                  f"(cap {arm.cap.max_impressions})"))
    return reasons


def check_eligibility(arms: Sequence[Arm], request: DecisionRequest, today: date,
                      history: ImpressionLog | None = None) -> Eligibility:
    """Split ``arms`` into those that may be shown for ``request`` on ``today`` and the excluded ones.

    ``history`` is needed only when an arm has a frequency cap (without it caps are not checked)."""
    # 1. Check inputs
    if not arms:
        raise DecisionInputError("an experiment needs at least one arm",
                                 hint="add the approved assets of the experiment as arms")
    check_arm_ids(arms)
    if history is not None:
        too_big = [a.arm_id for a in arms if a.cap is not None and a.cap.max_impressions > history.max_per_user]
        if too_big:
            raise DecisionInputError(
                f"frequency cap of arm(s) {', '.join(too_big)} exceeds the impression log's max_per_user "
                f"({history.max_per_user}), so it could never be reached",
                hint="raise ImpressionLog(max_per_user=...) to at least the largest cap")
    # 2. Check every arm, collecting every reason
    now = history.clock() if history is not None else 0.0
    ok: list[Arm] = []
    excluded: list[Exclusion] = []
    for arm in arms:
        reasons = _arm_reasons(arm, request, today, history, now)
        if reasons:
            excluded.append(Exclusion(arm.arm_id, arm.asset_id, tuple(reasons)))
        else:
            ok.append(arm)
    return Eligibility(tuple(ok), tuple(excluded))


def eligible(arms: Sequence[Arm], request: DecisionRequest, today: date,
             history: ImpressionLog | None = None) -> list[Arm]:
    """The arms that may be shown; use :func:`check_eligibility` for the reasons the others may not."""
    return list(check_eligibility(arms, request, today, history).arms)
