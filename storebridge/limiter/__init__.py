"""The global rate limiter: one GCRA budget per provider bucket in Redis, shared by every process.

- ``gcra``: ``RateLimiter`` (reserve, pause, penalise, observe Naver's headers; ``from_settings``)
- ``buckets``: ``BucketConfig`` and the default budgets (``buckets_from_settings``), ``RateLimitWait``
- ``quota``: daily quotas per KST date (Domeggook's 15,000/day)
- ``routes``: which bucket a request (its ``RequestKey``) belongs to
- ``hook``: the clients' limiter hook
- ``scripts`` + ``lua/``: the Lua scripts with their shared ``prelude.lua``, loaded once
"""

from storebridge.limiter.buckets import BucketConfig, RateLimitWait, buckets_from_settings, default_buckets
from storebridge.limiter.gcra import RateLimiter
from storebridge.limiter.hook import LimiterHook, LocalLimiterHook
from storebridge.limiter.quota import DailyQuota, QuotaConfig, QuotaExhausted
from storebridge.limiter.routes import ALL_BUCKETS, DOMEGGOOK, bucket_for, naver_bucket_for

__all__ = [
    "ALL_BUCKETS",
    "DOMEGGOOK",
    "BucketConfig",
    "DailyQuota",
    "LimiterHook",
    "LocalLimiterHook",
    "QuotaConfig",
    "QuotaExhausted",
    "RateLimitWait",
    "RateLimiter",
    "bucket_for",
    "buckets_from_settings",
    "default_buckets",
    "naver_bucket_for",
]
