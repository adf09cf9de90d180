"""Motion QC gates: the delivered video against the platform spec, loudness, captions, readability, flashing.

Every check here looks at ``asset.motion`` (qc.base.MotionUnderCheck) and answers 'na' for stills. Each one
decodes the video through ``qc.motion.decode`` — cached by the sha256 of the bytes, so the five checks of
one asset decode it once — and a corrupt or truncated file makes each of them fail with the decoder's
reason instead of raising. The measuring lives in ``qc.motion``; these classes set thresholds from the
format and the QC policy (``context.for_check(id)``) and turn measurements into verdicts.

- motion.spec: container, codec, fps, frame size, duration (range and target), bitrate, audio, faststart.
- motion.audio: integrated loudness and true peak of the decoded audio (settings: loudness_lufs,
  loudness_tolerance_lu = 1, true_peak_dbtp, true_peak_tolerance_db = 0.1).
- motion.captions: cues carry the speech, in order, readable (max_cps = 20, gap_tolerance_s = 0.2); burned
  captions inside the safe zone and clear of visible elements (element_kinds).
- motion.readability: text settled ≥ seconds_per_word (0.3) × words; safe zone over time (min_opacity = 0).
- motion.flashing: WCAG 2.3.1 general and red flashes (max_flashes = 3, area_share = 0.25).
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

from assetline.qc.base import AssetUnderCheck, CheckContext, CheckResult, MotionUnderCheck, Status, worst
from assetline.qc.motion.captions import assess_burned, assess_cues, parse_cues
from assetline.qc.motion.decode import DecodeCache, DecodedVideo, UnreadableVideoError, decode_video
from assetline.qc.motion.flashing import FlashSettings, analyse_flashes
from assetline.qc.motion.loudness import measure_loudness
from assetline.qc.motion.onscreen import SAFE_ZONE_KINDS, assess_reading_time, assess_safe_zone_over_time
from assetline.qc.motion.spec import assess_spec, sub
from assetline.qc.motion.timeline import MalformedTimelineError, parse_timeline

CACHE_RESOURCE = "motion_decode_cache"
"""``CheckContext.resources`` key for a DecodeCache scoped to a run (else the process-wide one)."""


def _json_number(value: float, digits: int = 2) -> float | None:
    """Rounded, with ±inf and nan as None (evidence must be plain JSON)."""
    return None if math.isinf(value) or math.isnan(value) else round(value, digits)


class _MotionCheck:
    """Shared steps: 'na' for stills, one cached decode, 'fail' for unreadable files, sub-check verdicts."""

    id: ClassVar[str]
    version: ClassVar[str]

    def _result(self, status: Status, message: str, score: float | None = None, **evidence: Any) -> CheckResult:
        return CheckResult(self.id, self.version, status, message, score, evidence)

    def _decode(
        self, asset: AssetUnderCheck, context: CheckContext
    ) -> tuple[MotionUnderCheck, DecodedVideo] | CheckResult:
        if asset.motion is None:
            return self._result("na", "Not a video: motion checks apply to motion formats only.")
        cache = context.resources.get(CACHE_RESOURCE)
        try:
            video = decode_video(asset.motion.data, cache if isinstance(cache, DecodeCache) else None)
        except UnreadableVideoError as exc:
            return self._result("fail", f"The video cannot be read: {exc.message}.", error=exc.message,
                                file_kb=round(len(asset.motion.data) / 1024.0, 1))
        return asset.motion, video

    def _verdict(self, checks: dict[str, dict[str, Any]], ok: str, **evidence: Any) -> CheckResult:
        """Worst sub-check wins; the message lists every failing and warning sub-check."""
        status = worst([c["status"] for c in checks.values()])
        bad = [f"{name}: {c['message']}" for name, c in checks.items() if c["status"] in ("fail", "warn")]
        if status in ("pass", "na"):
            message = ok
        else:
            message = ("Fails — " if status == "fail" else "Warning — ") + "; ".join(bad) + "."
        return self._result(status, message, float(len(bad)), checks=checks, **evidence)


class MotionSpecCheck(_MotionCheck):
    id: ClassVar[str] = "motion.spec"
    version: ClassVar[str] = "1"
    description: ClassVar[str] = (
        "Video container, codec, fps, frame size, duration, bitrate, audio stream and faststart match the format."
    )

    def run(self, asset: AssetUnderCheck, context: CheckContext) -> CheckResult:
        # 1. Decode (or 'na' / 'fail').
        decoded = self._decode(asset, context)
        if isinstance(decoded, CheckResult):
            return decoded
        motion, video = decoded
        fmt = asset.format
        if fmt is None or fmt.video is None:
            return self._result("na", "No motion format given: nothing to compare the video with.",
                                video=video.summary())
        # 2. Sub-checks against format.video.
        checks = assess_spec(video, motion, fmt, fmt.video)
        ok = (f"Meets the {fmt.id} video spec: {video.width}×{video.height}, {video.fps:g} fps, "
              f"{video.duration:.2f} s, {video.bitrate_kbps:,.0f} kbit/s.")
        return self._verdict(checks, ok, format=fmt.id, video=video.summary())


class MotionAudioCheck(_MotionCheck):
    id: ClassVar[str] = "motion.audio"
    version: ClassVar[str] = "1"
    description: ClassVar[str] = (
        "Integrated loudness (ITU-R BS.1770) and 4× oversampled true peak of the decoded audio meet the format."
    )

    def run(self, asset: AssetUnderCheck, context: CheckContext) -> CheckResult:
        # 1. Decode; settings from the policy, else the format, else EBU-style defaults.
        decoded = self._decode(asset, context)
        if isinstance(decoded, CheckResult):
            return decoded
        motion, video = decoded
        cfg = context.for_check(self.id)
        spec = asset.format.video if asset.format is not None else None
        target = float(cfg.get("loudness_lufs", spec.loudness_lufs if spec else -16.0))
        tolerance = float(cfg.get("loudness_tolerance_lu", 1.0))
        ceiling = float(cfg.get("true_peak_dbtp", spec.true_peak_dbtp if spec else -1.0))
        peak_tolerance = float(cfg.get("true_peak_tolerance_db", 0.1))
        if video.audio is None or video.audio_rate is None:
            if motion.speech:
                return self._result("fail", "The voice-over is missing: the video has no audio stream.",
                                    speech_intervals=len(motion.speech))
            return self._result("na", "Silent video without voice-over: no loudness to measure.")

        # 2. Measure what a viewer hears.
        m = measure_loudness(video.audio, video.audio_rate)
        evidence: dict[str, Any] = {"integrated_lufs": _json_number(m.integrated_lufs), "target_lufs": target,
                    "tolerance_lu": tolerance, "true_peak_dbtp": _json_number(m.true_peak_dbtp),
                    "true_peak_limit_dbtp": ceiling, "sample_peak_dbfs": _json_number(m.sample_peak_dbfs),
                    "seconds": round(m.seconds, 3), "rate": video.audio_rate,
                    "channels": int(video.audio.shape[1]), "codec": video.audio_codec}
        if not m.measurable:
            return self._result("fail", f"The audio is {m.seconds:.2f} s long, too short to measure loudness "
                                        "(BS.1770 needs 0.4 s).", **evidence)
        if m.silent:
            status: Status = "fail" if motion.speech else "warn"
            return self._result(status, "The audio track is silent" + (" although a voice-over was planned."
                                                                       if motion.speech else "."), **evidence)

        # 3. Verdict.
        off = m.integrated_lufs - target
        checks = {
            "loudness": sub("pass" if abs(off) <= tolerance + 1e-9 else "fail",
                            f"{m.integrated_lufs:.1f} LUFS, target {target:g} ± {tolerance:g} LU",
                            off_lu=round(off, 2)),
            "true_peak": sub("pass" if m.true_peak_dbtp <= ceiling + peak_tolerance else "fail",
                             f"true peak {m.true_peak_dbtp:.1f} dBTP, limit {ceiling:g} dBTP"),
        }
        ok = f"Loudness {m.integrated_lufs:.1f} LUFS (target {target:g}), true peak {m.true_peak_dbtp:.1f} dBTP."
        result = self._verdict(checks, ok, **evidence)
        return CheckResult(result.check_id, result.version, result.status, result.message, round(off, 2),
                           result.evidence)


class MotionCaptionsCheck(_MotionCheck):
    id: ClassVar[str] = "motion.captions"
    version: ClassVar[str] = "1"
    description: ClassVar[str] = (
        "Captions cover the voice-over, in order, inside the video, ≤ 20 chars/s; burned captions in the safe "
        "zone and clear of on-screen elements."
    )

    def run(self, asset: AssetUnderCheck, context: CheckContext) -> CheckResult:
        # 1. Decode, read the cues.
        decoded = self._decode(asset, context)
        if isinstance(decoded, CheckResult):
            return decoded
        motion, video = decoded
        cfg = context.for_check(self.id)
        max_cps = float(cfg.get("max_cps", 20.0))
        gap_tolerance = float(cfg.get("gap_tolerance_s", 0.2))
        kinds = tuple(cfg.get("element_kinds", SAFE_ZONE_KINDS))
        if not motion.speech and not motion.cues:
            return self._result("na", "No voice-over and no captions: nothing to caption.")
        try:
            cues = parse_cues(motion.cues)
            timeline = parse_timeline(motion.timeline)
        except MalformedTimelineError as exc:
            return self._result("fail", f"The captions cannot be checked: {exc.message}.", error=exc.message)
        if not cues:
            return self._result("fail", f"The voice-over ({len(motion.speech)} spoken interval(s)) has no captions; "
                                        "feeds play muted.", captions_mode=motion.captions_mode)

        # 2. Timing, then placement when they are drawn on the frames.
        checks = assess_cues(cues, motion.speech, video.duration, max_cps, gap_tolerance)
        burned = motion.captions_mode in ("burned", "both")
        if burned:
            checks.update(assess_burned(timeline, asset.format, video.fps, kinds))
        ok = (f"{len(cues)} caption cue(s) cover the voice-over, at most "
              f"{checks['reading_speed']['fastest_cps']:g} chars/s" + ("; placed clear of the UI and the copy."
                                                                       if burned else "."))
        return self._verdict(checks, ok, captions_mode=motion.captions_mode, cues=len(cues),
                             speech_intervals=len(motion.speech))


class MotionReadabilityCheck(_MotionCheck):
    id: ClassVar[str] = "motion.readability"
    version: ClassVar[str] = "1"
    description: ClassVar[str] = (
        "Each text element stays settled long enough to read (0.3 s per word); visible boxes stay in the safe zone."
    )

    def run(self, asset: AssetUnderCheck, context: CheckContext) -> CheckResult:
        # 1. Decode (the verdict is about the delivered file), read the timeline.
        decoded = self._decode(asset, context)
        if isinstance(decoded, CheckResult):
            return decoded
        motion, _video = decoded
        cfg = context.for_check(self.id)
        seconds_per_word = float(cfg.get("seconds_per_word", 0.3))
        min_opacity = float(cfg.get("min_opacity", 0.0))
        try:
            timeline = parse_timeline(motion.timeline)
        except MalformedTimelineError as exc:
            return self._result("fail", f"The timeline cannot be read: {exc.message}.", error=exc.message)
        if not timeline.elements:
            return self._result("na", "The timeline records no animated elements to check.")

        # 2. Reading time and safe zone over time.
        checks = {
            "reading_time": assess_reading_time(timeline, seconds_per_word),
            "safe_zone": assess_safe_zone_over_time(timeline, asset.format, min_opacity),
        }
        ok = "Every text stays settled long enough to read and clear of the platform UI while visible."
        return self._verdict(checks, ok, elements=len(timeline.elements))


class MotionFlashingCheck(_MotionCheck):
    id: ClassVar[str] = "motion.flashing"
    version: ClassVar[str] = "1"
    description: ClassVar[str] = (
        "WCAG 2.3.1: no more than three general or red flashes in any second over 25 % of a 10° visual field."
    )

    def run(self, asset: AssetUnderCheck, context: CheckContext) -> CheckResult:
        # 1. Decode, settings.
        decoded = self._decode(asset, context)
        if isinstance(decoded, CheckResult):
            return decoded
        _motion, video = decoded
        cfg = context.for_check(self.id)
        settings = FlashSettings(max_flashes=float(cfg.get("max_flashes", 3.0)),
                                 area_share=float(cfg.get("area_share", 0.25)))

        # 2. Analyse every frame.
        report = analyse_flashes(video.frames, video.frame_times, video.fps, (video.width, video.height), settings)
        w = report.worst
        evidence = {"general": report.general.as_dict(), "red": report.red.as_dict(),
                    "field_px": list(report.field_px), "frames": video.frame_count, "fps": round(video.fps, 3),
                    "max_flashes": settings.max_flashes, "area_share": settings.area_share}

        # 3. Verdict.
        if report.fails:
            what = "Red flashing" if w.kind == "red" else "Flashing"
            msg = (f"{what} at {w.flashes:g} flashes/s between {w.start:.2f} and {w.end:.2f} s over "
                   f"{w.area_share:.0%} of a 10° visual field; WCAG 2.3.1 allows {settings.max_flashes:g} per second "
                   "(photosensitive seizure risk).")
            return self._result("fail", msg, w.flashes, **evidence)
        over = max(report.general.over_limit_share, report.red.over_limit_share)
        msg = f"No flashing above the WCAG 2.3.1 thresholds (worst {w.flashes:g} flashes/s over the threshold area"
        msg += f"; faster flashing covers only {over:.0%} of a 10° field)." if over > 0 else ")."
        return self._result("pass", msg, w.flashes, **evidence)
