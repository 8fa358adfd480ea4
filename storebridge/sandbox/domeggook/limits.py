"""Per-key rate limits of the simulated Domeggook: 180 calls/minute and 15,000 calls/day.

Reference §4: "분당 180회 이상 접속 시 3분, 일 15,000회 이상 접속 시 자정까지 차단됩니다". What exactly
counts as "a minute" is not documented; the simulator uses a **sliding** 60 s window, the stricter
reading (a client that paces itself per calendar minute can burst 2x across a minute boundary and
must be caught here). The call that breaks a limit is refused (429) and starts the block; refused
calls are not counted and do not extend a block ([GUESS]). All times come from the injected clock.

How a block is *answered* is undocumented (fidelity-evidence #20): several clients expect HTTP 429,
and Domeggook sends its other errors with HTTP 200. ``block_answer`` renders either, chosen by the
``block_http_status`` fault setting (``POST /_sandbox/faults``): with 200 the ``errors`` body also
drops the ``429`` code and the invented dcode, so only the documented text ("…차단됩니다", S16) says
it is a block — the one signal a client can rely on [INFERRED].
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field, replace

from aiohttp import web

from storebridge.sandbox.domeggook.errors import SimDomeggookError, error_response

MINUTE_WINDOW_S = 60.0
DAY_WINDOW_S = 86_400.0
KST_OFFSET_S = 9 * 3600


#: ``errors`` fields of a block answered with HTTP 200 [INFERRED: real code/dcode unknown].
BLOCK_AS_200_CODE = "-1"
BLOCK_AS_200_DCODE = "ACCESS_BLOCKED"


def block_answer(error: SimDomeggookError, now_ts: float, http_status: int) -> web.Response:
    """The answer to a blocked call: ``error`` with HTTP 429, or as an HTTP 200 ``errors`` body."""
    if http_status == 200:
        error = replace(error, code=BLOCK_AS_200_CODE, message="Blocked", dcode=BLOCK_AS_200_DCODE)
    return error_response(error, now_ts, http_status)


def kst_day(ts: float) -> int:
    """Day number of ``ts`` in Korean time (UTC+9, no DST)."""
    return int((ts + KST_OFFSET_S) // DAY_WINDOW_S)


def next_kst_midnight(ts: float) -> float:
    """Epoch seconds of the first KST midnight strictly after ``ts``."""
    return (kst_day(ts) + 1) * DAY_WINDOW_S - KST_OFFSET_S


@dataclass
class _KeyUsage:
    minute_calls: deque[float] = field(default_factory=deque)
    day_calls: deque[float] = field(default_factory=deque)
    day: int = -1
    day_count: int = 0
    blocked_until: float = 0.0
    block_reason: str = ""


@dataclass(frozen=True)
class SimQuotaVerdict:
    """Outcome of one admission: allowed, or refused with the reason (``minute``/``day``)."""

    allowed: bool
    reason: str = ""
    blocked_until: float = 0.0


class SimKeyQuota:
    """Counts calls per API key and decides 429s; not thread-safe (one event loop owns it)."""

    def __init__(
        self, *, per_minute: int, per_day: int, minute_block_s: float, daily_block_until_midnight: bool
    ) -> None:
        self.per_minute = per_minute
        self.per_day = per_day
        self.minute_block_s = minute_block_s
        self.daily_block_until_midnight = daily_block_until_midnight
        self._usage: dict[str, _KeyUsage] = {}

    def admit(self, key: str, now: float) -> SimQuotaVerdict:
        """Count one call by ``key`` at ``now`` if allowed; refuse (and maybe block) otherwise."""
        usage = self._usage.setdefault(key, _KeyUsage())
        if now < usage.blocked_until:
            return SimQuotaVerdict(False, usage.block_reason, usage.blocked_until)
        self._prune(usage, now)
        if self.daily_block_until_midnight and usage.day_count >= self.per_day:
            usage.blocked_until, usage.block_reason = next_kst_midnight(now), "day"
            return SimQuotaVerdict(False, "day", usage.blocked_until)
        if not self.daily_block_until_midnight and len(usage.day_calls) >= self.per_day:
            return SimQuotaVerdict(False, "day", usage.day_calls[0] + DAY_WINDOW_S)
        if len(usage.minute_calls) >= self.per_minute:
            usage.blocked_until, usage.block_reason = now + self.minute_block_s, "minute"
            return SimQuotaVerdict(False, "minute", usage.blocked_until)
        usage.minute_calls.append(now)
        usage.day_count += 1
        if not self.daily_block_until_midnight:
            usage.day_calls.append(now)
        return SimQuotaVerdict(True)

    def _prune(self, usage: _KeyUsage, now: float) -> None:
        while usage.minute_calls and usage.minute_calls[0] <= now - MINUTE_WINDOW_S:
            usage.minute_calls.popleft()
        while usage.day_calls and usage.day_calls[0] <= now - DAY_WINDOW_S:
            usage.day_calls.popleft()
        today = kst_day(now)
        if usage.day != today:
            usage.day, usage.day_count = today, 0

    def daily_used(self, key: str, now: float) -> int:
        """Calls ``key`` made that count toward today's (or the rolling day's) quota."""
        usage = self._usage.get(key)
        if usage is None:
            return 0
        self._prune(usage, now)
        return usage.day_count if self.daily_block_until_midnight else len(usage.day_calls)

    def set_daily_used(self, key: str, used: int, now: float) -> None:
        """Pretend ``key`` made ``used`` calls today (sandbox control: run the quota out, or "midnight").

        At or above the limit the next call is refused as over the daily quota; below it, a daily
        block is lifted (a minute block stays). Only the midnight-KST mode has a settable counter.
        """
        usage = self._usage.setdefault(key, _KeyUsage())
        self._prune(usage, now)
        usage.day_count = max(0, used)
        if usage.block_reason == "day" and usage.day_count < self.per_day:
            usage.blocked_until, usage.block_reason = 0.0, ""

    def snapshot(self, now: float) -> dict[str, dict[str, float | int | str | bool]]:
        """Per-key usage for ``/_sandbox/stats``."""
        out: dict[str, dict[str, float | int | str | bool]] = {}
        for key, usage in self._usage.items():
            self._prune(usage, now)
            blocked = now < usage.blocked_until
            out[key] = {
                "minute_used": len(usage.minute_calls),
                "daily_used": self.daily_used(key, now),
                "blocked": blocked,
                "blocked_for_s": round(usage.blocked_until - now, 3) if blocked else 0,
                "block_reason": usage.block_reason if blocked else "",
            }
        return out
