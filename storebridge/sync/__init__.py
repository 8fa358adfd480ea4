"""Sync of Domeggook items to Naver, exactly once: pipeline, change detection, the cheapest Naver
write for a change, and the result of one item's sync.
"""

from storebridge.sync.pipeline import Syncer, SyncSettings
from storebridge.sync.result import RETRY_OUTCOMES, Outcome, SyncResult

__all__ = ["RETRY_OUTCOMES", "Outcome", "SyncResult", "SyncSettings", "Syncer"]
