"""Naver access tokens: the bcrypt signature and one cached token shared by every coroutine.

Reference §1: ``POST /v1/oauth2/token`` with all parameters in a form body (a query string earns a
1-call-per-hour penalty the next day), ``type=SELF``, a 13-digit millisecond timestamp no older
than 5 minutes and not in the future, ``client_secret_sign = Base64(bcrypt(client_id_timestamp,
secret))``. Tokens live 3 hours; Naver hands back the *same* token while 30 minutes or more remain,
so the refresh margin must stay below 30 minutes or every refresh would return the token we
already hold.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import bcrypt
from pydantic import SecretStr

from storebridge.errors import TransientError
from storebridge.naver.errors import CREDENTIALS_RETRY_S, NaverUnauthorized

#: Refresh this long before expiry (the PHP reference client uses 60 s; Naver re-issues below 1800 s).
DEFAULT_REFRESH_MARGIN_S = 300.0
#: Sign with a timestamp this far in the past, so a clock slightly ahead of Naver's is not "future".
DEFAULT_CLOCK_SKEW_S = 5.0
#: Naver re-issues a token only when less than this remains (reference §1.4).
NAVER_REUSE_THRESHOLD_S = 1800.0
#: During a token-endpoint outage keep using a still-valid token if it has at least this much life.
MIN_FALLBACK_LIFE_S = 30.0

logger = logging.getLogger(__name__)

#: ``fetch(form) -> (access_token, expires_in_s)``: posts the form and maps errors (the client's job).
TokenFetcher = Callable[[dict[str, str]], Awaitable[tuple[str, float]]]


def client_secret_sign(client_id: str, timestamp_ms: int, client_secret: str) -> str:
    """``Base64(bcrypt.hashpw(f"{client_id}_{timestamp_ms}", client_secret))`` (reference §1.3).

    bcrypt output is 60 characters of ``$ . / 0-9 A-Z a-z``, so standard and URL-safe Base64 agree
    and the value needs no escaping in a form body. CPU-bound: call it in a thread.
    """
    hashed = bcrypt.hashpw(f"{client_id}_{timestamp_ms}".encode(), client_secret.encode("ascii"))
    return base64.b64encode(hashed).decode("ascii")


@dataclass(frozen=True)
class _Token:
    value: str = field(repr=False)
    refresh_at_s: float
    expires_at_s: float


class NaverTokenManager:
    """One access token per client, fetched on demand, shared and refreshed under a lock (single flight).

    ``get()`` returns the cached token until ``refresh_margin_s`` before expiry. ``refresh(stale)``
    is for a 401 ``GW.AUTHN``: when several coroutines hit the same expired token, only the first
    fetches; the others receive the token it got. ``tokens_fetched`` counts successful fetches.
    """

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: SecretStr,
        fetch: TokenFetcher,
        refresh_margin_s: float = DEFAULT_REFRESH_MARGIN_S,
        clock_skew_s: float = DEFAULT_CLOCK_SKEW_S,
        wall_clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 0 <= refresh_margin_s < NAVER_REUSE_THRESHOLD_S:
            raise ValueError(
                f"refresh_margin_s must be in [0, {NAVER_REUSE_THRESHOLD_S:g}), got {refresh_margin_s}"
            )
        if not 0 <= clock_skew_s < 240:
            raise ValueError(
                f"clock_skew_s must be in [0, 240) (the timestamp is valid 300 s), got {clock_skew_s}"
            )
        self._client_id = client_id
        self._secret = client_secret
        self._fetch = fetch
        self._refresh_margin_s = refresh_margin_s
        self._clock_skew_s = clock_skew_s
        self._wall_clock = wall_clock
        self._monotonic = monotonic
        self._token: _Token | None = None
        self._lock = asyncio.Lock()
        self.tokens_fetched = 0

    def __repr__(self) -> str:
        state = (
            "none"
            if self._token is None
            else f"expires in {self._token.expires_at_s - self._monotonic():.0f}s"
        )
        return f"NaverTokenManager(client_id={self._client_id!r}, token={state})"

    def _fresh(self) -> _Token | None:
        token = self._token
        return token if token is not None and self._monotonic() < token.refresh_at_s else None

    async def get(self) -> str:
        """A usable access token, fetching one only when none is cached or it is about to expire."""
        token = self._fresh()
        if token is not None:
            return token.value
        async with self._lock:
            token = self._fresh()
            if token is not None:
                return token.value
            return await self._fetch_new(allow_fallback=True)

    async def refresh(self, stale: str) -> str:
        """A token other than ``stale`` (which the API just refused); one fetch for all waiters."""
        async with self._lock:
            token = self._fresh()
            if token is not None and token.value != stale:
                return token.value
            self._token = None
            return await self._fetch_new(allow_fallback=False)

    def form(self, timestamp_ms: int, sign: str) -> dict[str, str]:
        """The token request's form fields (``type=SELF``: a seller's own-store application)."""
        return {
            "client_id": self._client_id,
            "timestamp": str(timestamp_ms),
            "client_secret_sign": sign,
            "grant_type": "client_credentials",
            "type": "SELF",
        }

    async def _fetch_new(self, *, allow_fallback: bool) -> str:
        timestamp_ms = int((self._wall_clock() - self._clock_skew_s) * 1000)
        try:
            sign = await asyncio.to_thread(
                client_secret_sign, self._client_id, timestamp_ms, self._secret.get_secret_value()
            )
        except ValueError:
            raise NaverUnauthorized(
                "NAVER_CLIENT_SECRET is not a valid bcrypt salt ('$2a$' + cost + '$' + 22 characters)",
                retry_after_s=CREDENTIALS_RETRY_S,
            ) from None
        previous = self._token
        try:
            value, expires_in_s = await self._fetch(self.form(timestamp_ms, sign))
        except TransientError:
            now = self._monotonic()
            if allow_fallback and previous is not None and previous.expires_at_s - now >= MIN_FALLBACK_LIFE_S:
                logger.warning(
                    "naver.token.refresh_failed_using_cached",
                    extra={"remaining_s": previous.expires_at_s - now},
                )
                return previous.value
            raise
        now = self._monotonic()
        # A token with less life than the margin (Naver re-using one) is still used for half its life,
        # so a short expires_in can never make us fetch on every call.
        refresh_in_s = max(expires_in_s - self._refresh_margin_s, expires_in_s / 2)
        self._token = _Token(value, now + refresh_in_s, now + expires_in_s)
        self.tokens_fetched += 1
        logger.info(
            "naver.token.fetched",
            extra={"expires_in_s": expires_in_s, "reused": previous is not None and previous.value == value},
        )
        return value
