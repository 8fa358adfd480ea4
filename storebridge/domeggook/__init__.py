"""Domeggook Open API: the async client and its errors, named for the caller's decision.

The client parses every answer with ``schemas.domeggook``; ``errors`` maps Domeggook's ``errors``
bodies (sent with HTTP 200 or 404) to ``TransientError`` / ``PermanentError`` leaves.
"""

from storebridge.domeggook.client import DomeggookClient
from storebridge.domeggook.errors import (
    DomeggookApiError,
    DomeggookError,
    DomeggookInvalidItem,
    DomeggookRateLimited,
    DomeggookUnavailable,
    ItemGone,
)

__all__ = [
    "DomeggookApiError",
    "DomeggookClient",
    "DomeggookError",
    "DomeggookInvalidItem",
    "DomeggookRateLimited",
    "DomeggookUnavailable",
    "ItemGone",
]
