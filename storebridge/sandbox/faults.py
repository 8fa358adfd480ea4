"""Fault injection shared by both simulators: latency, 5xx, timeouts, 429s and lost answers.

Each simulator owns one ``Faults`` instance, adjustable at run time through its sandbox-only
``POST /_sandbox/faults`` endpoint (``Faults.update``). The decision is drawn here from a seeded
RNG so a run is repeatable; *how* a fault is rendered (which error body, which headers) stays with
the simulator, because the two APIs answer faults differently.

No provider rule lives here: this is the sandbox's own test instrument. How each API renders a
fault (its status codes and bodies) is sourced in the simulator that renders it.
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
    seed: int = field(default=0, metadata={"help": "seed of the fault RNG"})

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self.validate()

    def validate(self) -> None:
        """Raise ``ValueError`` naming the field when a value is out of range."""
        if self.latency_ms < 0:
            raise ValueError("latency_ms must be >= 0")
        for name in ("error_rate", "timeout_rate", "rate_limit_rate", "lost_answer_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {value}")

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
        ):
            if roll < rate:
                return fault
            roll -= rate
        return Fault.NONE
