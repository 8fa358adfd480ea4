"""The Naver Commerce API simulator: ``create_naver_app(config)`` → aiohttp app.

A simulated gateway (``gateway``: trace IDs, per-API token buckets in ``ratelimit``, Bearer check,
faults) sits in front of the token service (``auth``, ``tokens``), the image upload and host
(``images``, ``image_store``), the product service (``products/``) with its validation
(``validation/``) and the category tree (``categories``). Everything mutable hangs off one
``NaverState`` per app. Rules come from ``shared/reference/naver-commerce-api.md`` and carry its
evidence tags: [OFF] Naver's documentation, [NAV] Naver staff answers, [OBS] observed in
integrators' code, [INF] our inference, [UNK] no evidence (the simulator picks the stricter reading).
"""

from storebridge.sandbox.naver.app import create_naver_app
from storebridge.sandbox.naver.categories import SimNaverCategory
from storebridge.sandbox.naver.config import NaverSimConfig
from storebridge.sandbox.naver.image_store import SimNaverImageHost
from storebridge.sandbox.naver.state import NAVER_STATE, NaverState
from storebridge.sandbox.naver.wire import SimInvalidInput

__all__ = [
    "NAVER_STATE",
    "NaverSimConfig",
    "NaverState",
    "SimInvalidInput",
    "SimNaverCategory",
    "SimNaverImageHost",
    "create_naver_app",
]
