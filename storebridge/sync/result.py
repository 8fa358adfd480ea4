"""What one sync of one item did, for the CLI, the actors, metrics and logs."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Outcome(enum.StrEnum):
    """The result of syncing one item; also the ``outcome`` label of ``storebridge_registrations_total``."""

    CREATED = "created"  #: a new Naver product was registered
    ADOPTED = "adopted"  #: a create whose answer was lost turned out to have worked (found by seller code)
    UPDATED = "updated"  #: structural change: full GET → PUT
    PRICE_STOCK = "price_stock"  #: only price/stock changed: the cheapest Naver call
    UNCHANGED = "unchanged"  #: source hash equal: no Naver call at all
    SUSPENDED = "suspended"  #: ended or deleted at Domeggook: sale suspended on Naver
    RESUMED = "resumed"  #: back on sale after a suspension
    MANUAL_REVIEW = "manual_review"  #: a person must look (rejected by rules or by Naver)
    FAILED = "failed"  #: given up (e.g. deleted before it was ever registered, retries exhausted)
    RETRY = "retry"  #: transient failure or outage (``REDIS_UNAVAILABLE`` …); again after ``retry_after_s``
    DEFERRED = "deferred"  #: waiting is not failing (rate limit, daily quota, search grace period)
    SKIPPED = "skipped"  #: in MANUAL_REVIEW / FAILED: only an operator re-drive brings it back


#: Outcomes after which the message should be handed back to the queue later.
RETRY_OUTCOMES = frozenset({Outcome.RETRY, Outcome.DEFERRED})
#: Outcomes that count as success in ``storebridge_registration_success_rate``.
SUCCESS_OUTCOMES = frozenset(
    {
        Outcome.CREATED,
        Outcome.ADOPTED,
        Outcome.UPDATED,
        Outcome.PRICE_STOCK,
        Outcome.UNCHANGED,
        Outcome.SUSPENDED,
        Outcome.RESUMED,
    }
)
#: Finished outcomes that are not a success (the rate's denominator adds these to ``SUCCESS_OUTCOMES``).
FAILURE_OUTCOMES = frozenset({Outcome.MANUAL_REVIEW, Outcome.FAILED})
#: Event codes of the COMPLETED transition that ends a successful sync (the pipeline codes it with
#: the outcome's name). ADOPTED is not among them: the update or UNCHANGED event that follows an
#: adoption is the one the pipeline reports; UNCHANGED and SUSPENDED are events of their own.
COMPLETED_SUCCESS_CODES = tuple(
    o.value.upper() for o in (Outcome.CREATED, Outcome.UPDATED, Outcome.PRICE_STOCK, Outcome.RESUMED)
)


@dataclass(frozen=True, kw_only=True)
class SyncResult:
    """One item's outcome: where it ended and why (keyword-only: most fields are optional)."""

    market: str
    item_no: int
    outcome: Outcome
    state: str | None
    code: str | None = None
    message: str | None = None
    retry_after_s: float | None = None
    origin_product_no: int | None = None
    #: Retries so far (the row's ``retry_count``): the "attempt" in logs.
    attempt: int = 0
    #: Naver ``GNCP-GW-Trace-ID`` of the write that produced this outcome, when there was one.
    trace_id: str | None = None

    def line(self) -> str:
        """One human line for the CLI: ``46072413 created (COMPLETED) #1234``."""
        text = f"{self.item_no} {self.outcome.value}"
        if self.state:
            text += f" ({self.state})"
        if self.origin_product_no:
            text += f" naver #{self.origin_product_no}"
        if self.code:
            text += f" {self.code}"
        if self.message:
            text += f": {self.message}"
        if self.retry_after_s is not None:
            text += f" [retry in {self.retry_after_s:.0f}s]"
        return text
