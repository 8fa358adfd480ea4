"""The Domeggook Open API simulator: ``create_domeggook_app(catalog, config)`` → aiohttp app.

One module per concern: ``app`` (routing and the order of checks), ``listing`` and ``render``
(``getItemList`` / ``getItemView`` / ``getCategoryList`` bodies with the real API's quirks),
``errors`` (the ``errors`` bodies), ``limits`` (``SimKeyQuota``: 180 calls/minute, 15,000/day per
key), ``control`` (the sandbox-only ``/_sandbox`` endpoints), ``config`` and ``state``. Rules come
from ``shared/reference/domeggook-api.md`` and carry its evidence tags where they are not [DOC].
"""

from storebridge.sandbox.domeggook.app import API_PATH, create_domeggook_app
from storebridge.sandbox.domeggook.config import DomeggookSimConfig
from storebridge.sandbox.domeggook.errors import SimDomeggookError
from storebridge.sandbox.domeggook.limits import SimKeyQuota, SimQuotaVerdict
from storebridge.sandbox.domeggook.state import STATE_KEY, DomeggookSimState

__all__ = [
    "API_PATH",
    "STATE_KEY",
    "DomeggookSimConfig",
    "DomeggookSimState",
    "SimDomeggookError",
    "SimKeyQuota",
    "SimQuotaVerdict",
    "create_domeggook_app",
]
