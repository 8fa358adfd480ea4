"""Naver Commerce API: client, endpoints (each operation's method, path and idempotency, once),
transport (one call: token, re-auth, error mapping, retries), auth (bcrypt-signed tokens), errors
and the client's result types. Every answer body is parsed with ``schemas.naver``.
"""

from storebridge.naver.auth import NaverTokenManager, client_secret_sign
from storebridge.naver.client import NaverClient
from storebridge.naver.errors import (
    NaverNotFound,
    NaverOutcomeUnknown,
    NaverRateLimited,
    NaverTransient,
    NaverUnauthorized,
    NaverValidationError,
)
from storebridge.naver.models import ImageFile, OptionStock, PriceStockChange

__all__ = [
    "ImageFile",
    "NaverClient",
    "NaverNotFound",
    "NaverOutcomeUnknown",
    "NaverRateLimited",
    "NaverTokenManager",
    "NaverTransient",
    "NaverUnauthorized",
    "NaverValidationError",
    "OptionStock",
    "PriceStockChange",
    "client_secret_sign",
]
