"""Exceptions named for the caller's decision (style principle 4).

``TransientError``: try again later (429, 5xx, timeouts, dropped connections, quota exhausted).
``PermanentError``: retrying cannot help (validation, unmapped category, banned word, 4xx).
API-specific leaves inherit their API family *and* exactly one decision base, so retry policies
refer only to the two bases. Messages name the item and the cause; they never contain secrets.
"""

from __future__ import annotations


class StoreBridgeError(Exception):
    """Root of every StoreBridge error."""


class TransientError(StoreBridgeError):
    """Retry later; ``retry_after_s`` is the earliest sensible retry, when known."""

    def __init__(self, message: str, *, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class PermanentError(StoreBridgeError):
    """Do not retry: the input or the request is wrong, a person must look (manual review)."""

    def __init__(self, message: str, *, code: str = "PERMANENT") -> None:
        super().__init__(message)
        self.code = code
