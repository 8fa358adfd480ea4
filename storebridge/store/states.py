"""The product state machine: states, the allowed transitions, and the check (pure, no I/O).

The same table is seeded into PostgreSQL (``storebridge/store/migrations/0001_initial.sql``,
``state_transitions``) and enforced there by a trigger, so a buggy caller cannot bypass this code;
``tests/store/test_transitions.py`` asserts that the two tables are identical.

Design choices beyond business-rules §2 (written down because they are ours):

- **No FETCHED state.** Fetching is a read that is safe to repeat, and it happens in the same
  worker step as validation, so ``PENDING → VALIDATED`` means "fetched and validated". A separate
  state would cost one write per item and recover nothing.
- **Transient failures before registration may go to RETRYING** from PENDING and VALIDATED too (a
  Domeggook 5xx or 429 while fetching), and the item being deleted at Domeggook (``ITEM_ERROR``)
  may end a not-yet-registered item as FAILED from PENDING, VALIDATED or UPLOADING.
- **UNKNOWN → MANUAL_REVIEW** when reconciliation is ambiguous (several Naver products carry our
  seller management code): a person must choose; re-posting could only make it worse.
- **Post-registration lifecycle**: COMPLETED ⇄ UPDATING, COMPLETED/UPDATING → SUSPENDED,
  SUSPENDED → UPDATING/COMPLETED. An update that fails transiently stays in UPDATING with
  ``next_retry_at`` set (a registered product never enters RETRYING, because RETRYING leads to
  REGISTERING, i.e. a create); a permanent update failure goes to MANUAL_REVIEW.
- **Operator-only transitions** (re-drive): FAILED/MANUAL_REVIEW → PENDING for items never
  registered, FAILED/MANUAL_REVIEW → UPDATING for items that already have a Naver number (so a
  re-drive can never lead to a second create). Ordinary callers get ``IllegalTransition``.
- An unchanged re-sync is an event (code ``UNCHANGED``), not a transition: X → X is illegal.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

from storebridge.errors import PermanentError


class State(enum.StrEnum):
    """Where one product is in its life; stored as this exact text in ``products.state``."""

    PENDING = "PENDING"  #: claimed, nothing fetched yet (or re-driven by an operator)
    VALIDATED = "VALIDATED"  #: fetched from Domeggook and passed every validation rule
    UPLOADING = "UPLOADING"  #: images being downloaded, normalised, stored and uploaded to Naver
    REGISTERING = "REGISTERING"  #: create in flight; the attempt id was recorded before the POST
    UNKNOWN = "UNKNOWN"  #: create outcome not known (timeout, 5xx, dropped connection)
    COMPLETED = "COMPLETED"  #: registered on Naver; the Naver product numbers are stored
    UPDATING = "UPDATING"  #: a registered product's price/stock/status/content sync is in flight
    SUSPENDED = "SUSPENDED"  #: sold out, ended or deleted at Domeggook; sale suspended on Naver
    RETRYING = "RETRYING"  #: a transient failure before registration; retried at next_retry_at
    MANUAL_REVIEW = "MANUAL_REVIEW"  #: a person must look (validation, 400, ambiguous reconcile)
    FAILED = "FAILED"  #: given up; only an operator re-drive brings it back


#: Every allowed ``from → {to}``; anything else raises ``IllegalTransition``.
TRANSITIONS: Mapping[State, frozenset[State]] = {
    State.PENDING: frozenset({State.VALIDATED, State.RETRYING, State.MANUAL_REVIEW, State.FAILED}),
    State.VALIDATED: frozenset({State.UPLOADING, State.RETRYING, State.MANUAL_REVIEW, State.FAILED}),
    State.UPLOADING: frozenset({State.REGISTERING, State.RETRYING, State.MANUAL_REVIEW, State.FAILED}),
    State.REGISTERING: frozenset({State.COMPLETED, State.UNKNOWN, State.RETRYING, State.MANUAL_REVIEW}),
    State.UNKNOWN: frozenset({State.COMPLETED, State.REGISTERING, State.MANUAL_REVIEW}),
    State.RETRYING: frozenset({State.UPLOADING, State.REGISTERING, State.MANUAL_REVIEW, State.FAILED}),
    State.COMPLETED: frozenset({State.UPDATING, State.SUSPENDED}),
    State.UPDATING: frozenset({State.COMPLETED, State.SUSPENDED, State.MANUAL_REVIEW}),
    State.SUSPENDED: frozenset({State.UPDATING, State.COMPLETED}),
    State.MANUAL_REVIEW: frozenset({State.PENDING, State.UPDATING, State.FAILED}),
    State.FAILED: frozenset({State.PENDING, State.UPDATING}),
}

#: Transitions only an explicit operator re-drive may make (``StateStore.redrive``).
OPERATOR_ONLY: frozenset[tuple[State, State]] = frozenset(
    {
        (State.MANUAL_REVIEW, State.PENDING),
        (State.MANUAL_REVIEW, State.UPDATING),
        (State.FAILED, State.PENDING),
        (State.FAILED, State.UPDATING),
    }
)

#: The state every new product row starts in.
INITIAL_STATE = State.PENDING

#: States in which the product exists on Naver: the origin product number is required.
REGISTERED_STATES: frozenset[State] = frozenset({State.COMPLETED, State.UPDATING, State.SUSPENDED})

#: States in which the product must not yet have a Naver number (a create may still happen).
UNREGISTERED_STATES: frozenset[State] = frozenset(
    {State.PENDING, State.VALIDATED, State.UPLOADING, State.REGISTERING, State.UNKNOWN, State.RETRYING}
)

#: States that record a create attempt: the attempt id is required.
CREATE_ATTEMPT_STATES: frozenset[State] = frozenset({State.REGISTERING, State.UNKNOWN})

#: States an operator may re-drive from.
REDRIVABLE_STATES: frozenset[State] = frozenset({State.MANUAL_REVIEW, State.FAILED})

#: States that mean "something went wrong" (dashboards, ``recent_failures``, ``last_error_*``).
FAILURE_STATES: frozenset[State] = frozenset(
    {State.UNKNOWN, State.RETRYING, State.MANUAL_REVIEW, State.FAILED}
)


class IllegalTransition(PermanentError):
    """A caller asked for a transition the state machine forbids: a bug, retrying cannot help.

    Raised by ``check_transition`` before any I/O, and by the state store when PostgreSQL's
    trigger refuses the change (for example a raw UPDATE that bypassed this module).
    """

    def __init__(self, from_state: State | str, to_state: State | str, reason: str = "not allowed") -> None:
        super().__init__(
            f"illegal transition {from_state} -> {to_state}: {reason}", code="ILLEGAL_TRANSITION"
        )
        self.from_state = from_state
        self.to_state = to_state


def allowed_targets(from_state: State) -> frozenset[State]:
    """The states ``from_state`` may move to (operator-only targets included)."""
    return TRANSITIONS[from_state]


def is_operator_only(from_state: State, to_state: State) -> bool:
    """True when only an explicit operator re-drive may make this transition."""
    return (from_state, to_state) in OPERATOR_ONLY


def check_transition(from_state: State, to_state: State, *, operator: bool = False) -> None:
    """Raise ``IllegalTransition`` unless ``from_state → to_state`` is allowed.

    ``operator=True`` is passed only by the re-drive path; every other caller is refused the
    operator-only transitions, so a worker can never silently resurrect a FAILED item. X → X is
    refused: a no-change outcome is an event (``StateStore.record_event``), not a transition.
    """
    from_state, to_state = State(from_state), State(to_state)
    if from_state == to_state:
        raise IllegalTransition(from_state, to_state, "same state; record an event instead")
    if to_state not in TRANSITIONS[from_state]:
        raise IllegalTransition(from_state, to_state)
    if is_operator_only(from_state, to_state) and not operator:
        raise IllegalTransition(from_state, to_state, "only an operator re-drive may do this")


def redrive_target(*, registered: bool) -> State:
    """Where a re-driven product goes: UPDATING if it exists on Naver, else PENDING (a fresh start).

    Sending a registered product back to PENDING would lead it to REGISTERING, i.e. to a second
    create; the database refuses that too (a PENDING row may not carry a Naver number).
    """
    return State.UPDATING if registered else State.PENDING
