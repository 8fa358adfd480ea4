"""Fault injection shared by both simulators: latency, 5xx, timeouts, 429s and lost answers.

Each simulator owns one ``Faults`` instance, adjustable at run time through its sandbox-only
``POST /_sandbox/faults`` endpoint (``Faults.update``). The decision is drawn here from a seeded
RNG so a run is repeatable; *how* a fault is rendered (which error body, which headers) stays with
the simulator, because the two APIs answer faults differently.

No provider rule lives here: this is the sandbox's own test instrument. How each API renders a
fault (its status codes and bodies) is sourced in the simulator that renders it; each gateway
fault's ``evidence`` metadata names the source of the condition it produces (docs/SANDBOX.md).
The quota, IP and maintenance faults are Naver's gateway conditions (the Domeggook simulator never
draws them); ``block_http_status`` is the Domeggook simulator's.
"""

from __future__ import annotations

import enum
import random
from dataclasses import asdict, dataclass, field, fields
from typing import Any


class Fault(enum.Enum):
    """What to do with one request instead of (or after) answering it normally."""

    NONE = "none"
    #: Answer 5xx before doing the work.
    SERVER_ERROR = "server_error"
    #: Hold the request open and never answer (the client's own timeout must fire).
    TIMEOUT = "timeout"
    #: Answer 429 as if the gateway throttled the call.
    RATE_LIMITED = "rate_limited"
    #: Do the work (e.g. apply a create), then drop the connection without an answer.
    LOST_ANSWER = "lost_answer"
    #: Naver: 429 ``GW.QUOTA_LIMIT`` with ``GNCP-GW-Quota-*`` headers (Remaining 0).
    QUOTA_LIMITED = "quota_limited"
    #: Naver: 403 ``GW.IP_NOT_ALLOWED`` (the caller's IP is not registered).
    IP_NOT_ALLOWED = "ip_not_allowed"
    #: Naver: 503 ``GW.BLOCK.02`` (maintenance), before doing the work.
    MAINTENANCE = "maintenance"


#: ``GNCP-GW-Quota-Period`` values the quota fault may announce: SECONDS and ROUND documented,
#: HOURS observed (the token-spec penalty, D-3751/D-3753).
QUOTA_PERIODS = ("SECONDS", "HOURS", "ROUND")
#: HTTP statuses the Domeggook simulator may answer a block with: 429, or 200 with an ``errors`` body.
BLOCK_HTTP_STATUSES = (429, 200)


#: Fields that are probabilities (0..1).
RATE_FIELDS = (
    "error_rate",
    "timeout_rate",
    "rate_limit_rate",
    "lost_answer_rate",
    "quota_limit_rate",
    "ip_not_allowed_rate",
    "maintenance_rate",
)


@dataclass
class Faults:
    """Probabilities (0..1) of each fault per request, plus added latency.

    ``lost_answer_rate`` only applies to writes that opt in (Naver's product create/update), which is
    exactly the case that produces duplicate products in a careless client.
    """

    latency_ms: int = field(default=0, metadata={"help": "added latency per request, ms"})
    error_rate: float = field(default=0.0, metadata={"help": "probability of a 5xx answer"})
    timeout_rate: float = field(default=0.0, metadata={"help": "probability of never answering"})
    rate_limit_rate: float = field(default=0.0, metadata={"help": "probability of a forced 429"})
    lost_answer_rate: float = field(
        default=0.0, metadata={"help": "probability that a write is applied but its answer is lost"}
    )
    quota_limit_rate: float = field(
        default=0.0,
        metadata={
            "help": "Naver: probability of a 429 GW.QUOTA_LIMIT with GNCP-GW-Quota-* headers",
            "evidence": "DOC restriction (Quota Limit, SECONDS/ROUND); OBSERVED D-3753 body, HOURS period",
        },
    )
    quota_period: str = field(
        default="SECONDS",
        metadata={"help": "Naver: GNCP-GW-Quota-Period of the quota fault (SECONDS, HOURS, ROUND)"},
    )
    ip_not_allowed_rate: float = field(
        default=0.0,
        metadata={
            "help": "Naver: probability of a 403 GW.IP_NOT_ALLOWED (1.0 = an unregistered server IP)",
            "evidence": "DOC trouble-shooting table (reference §6)",
        },
    )
    maintenance_rate: float = field(
        default=0.0,
        metadata={
            "help": "Naver: probability of a 503 GW.BLOCK.02 (maintenance) before the work",
            "evidence": "DOC trouble-shooting table (reference §6); research §5.3",
        },
    )
    block_http_status: int = field(
        default=429,
        metadata={
            "help": "Domeggook: HTTP status of a rate-limit block answer, 429 or 200 (an errors body)",
            "evidence": "INFERRED: status undocumented, errors often come as HTTP 200 (research S11/S16/S18)",
        },
    )
    seed: int = field(default=0, metadata={"help": "seed of the fault RNG"})

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self.validate()

    def validate(self) -> None:
        """Raise ``ValueError`` naming the field when a value is out of range."""
        if self.latency_ms < 0:
            raise ValueError("latency_ms must be >= 0")
        for name in RATE_FIELDS:
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {value}")
        if self.quota_period not in QUOTA_PERIODS:
            raise ValueError(f"quota_period must be one of {', '.join(QUOTA_PERIODS)}")
        if self.block_http_status not in BLOCK_HTTP_STATUSES:
            raise ValueError("block_http_status must be 429 or 200")

    def update(self, changes: dict[str, Any]) -> None:
        """Apply a partial update from the control endpoint; unknown keys or bad values raise ValueError.

        The update is all-or-nothing: a bad value leaves the previous settings in force.
        """
        known = {f.name: f.type for f in fields(self)}
        unknown = sorted(set(changes) - set(known))
        if unknown:
            raise ValueError(f"unknown fault setting(s): {', '.join(unknown)}")
        before = asdict(self)
        try:
            for name, value in changes.items():
                current = getattr(self, name)
                if isinstance(current, str):
                    if not isinstance(value, str):
                        raise ValueError(f"{name} must be a string")
                    setattr(self, name, value.strip().upper())
                    continue
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise ValueError(f"{name} must be a number")
                setattr(self, name, type(current)(value))
            self.validate()
        except ValueError:
            for name, value in before.items():
                setattr(self, name, value)
            raise
        if "seed" in changes:
            self._rng = random.Random(self.seed)

    @classmethod
    def evidence(cls) -> dict[str, str]:
        """Where each provider condition a fault produces comes from (DOC / OBSERVED / INFERRED)."""
        return {f.name: f.metadata["evidence"] for f in fields(cls) if "evidence" in f.metadata}

    def as_dict(self) -> dict[str, Any]:
        """Current settings, as served by ``GET /_sandbox/faults``."""
        return asdict(self)

    def draw(self, *, write: bool = False) -> Fault:
        """Pick the fault for one request (``write=True`` enables ``LOST_ANSWER``)."""
        roll = self._rng.random()
        for fault, rate in (
            (Fault.SERVER_ERROR, self.error_rate),
            (Fault.TIMEOUT, self.timeout_rate),
            (Fault.RATE_LIMITED, self.rate_limit_rate),
            (Fault.LOST_ANSWER, self.lost_answer_rate if write else 0.0),
            (Fault.QUOTA_LIMITED, self.quota_limit_rate),
            (Fault.IP_NOT_ALLOWED, self.ip_not_allowed_rate),
            (Fault.MAINTENANCE, self.maintenance_rate),
        ):
            if roll < rate:
                return fault
            roll -= rate
        return Fault.NONE
