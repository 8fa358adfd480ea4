"""The global rate limiter: one GCRA budget per provider bucket in Redis, shared by every process.

- ``gcra``: ``RateLimiter`` (reserve, pause, penalise, observe Naver's headers)
- ``buckets``: ``BucketConfig`` and the default budgets, ``RateLimitWait``
- ``quota``: daily quotas per KST date (Domeggook's 15,000/day)
- ``routes``: which bucket a request belongs to
- ``hook``: the clients' limiter hook
- ``scripts`` + ``lua/``: the Lua scripts, loaded once
"""

from storebridge.limiter.buckets import BucketConfig, RateLimitWait, default_buckets
from storebridge.limiter.gcra import RateLimiter
from storebridge.limiter.headers import parse_rate_headers
from storebridge.limiter.hook import LimiterHook, LocalLimiterHook, limiter_bucket
from storebridge.limiter.quota import DailyQuota, QuotaConfig, QuotaExhausted
from storebridge.limiter.routes import ALL_BUCKETS, DOMEGGOOK, naver_bucket_for

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
    "default_buckets",
    "limiter_bucket",
    "naver_bucket_for",
    "parse_rate_headers",
]
