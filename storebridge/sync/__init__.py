"""Sync of Domeggook items to Naver, exactly once: the pipeline (register/update), the idempotency
protocol of a create (reconcile), change detection, the cheapest Naver write for a change, and the
result of one item's sync.
"""

from storebridge.sync.changes import ChangeKind
from storebridge.sync.pipeline import Syncer, SyncSettings
from storebridge.sync.reconcile import Reconciler, Reconciliation
from storebridge.sync.result import (
    COMPLETED_SUCCESS_CODES,
    FAILURE_OUTCOMES,
    RETRY_OUTCOMES,
    SUCCESS_OUTCOMES,
    Outcome,
    SyncResult,
)
from storebridge.sync.snapshot import ListingSnapshot

__all__ = [
    "COMPLETED_SUCCESS_CODES",
    "FAILURE_OUTCOMES",
    "RETRY_OUTCOMES",
    "SUCCESS_OUTCOMES",
    "ChangeKind",
    "ListingSnapshot",
    "Outcome",
    "Reconciler",
    "Reconciliation",
    "SyncResult",
    "SyncSettings",
    "Syncer",
]
