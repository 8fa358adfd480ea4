"""Access tokens of the simulated Naver auth service: signature check, issue and re-use rules.

Reference §1.3/§1.4: the signature is ``Base64(bcrypt(client_id + "_" + timestamp, secret))`` and is
deterministic, so the simulator checks it by recomputation. One token exists per resource
(``type`` + ``account_id``): the same token comes back while at least 30 minutes remain; with less,
a new one is issued and the old one keeps working until it expires.
"""

from __future__ import annotations

import base64
import hmac
import random
import string
from dataclasses import dataclass

import bcrypt

#: Alphabet and length of the opaque token value (real values are opaque strings).
_TOKEN_ALPHABET = string.ascii_letters + string.digits
_TOKEN_LENGTH = 32


def client_secret_sign(client_id: str, timestamp_ms: str, client_secret: str) -> str:
    """The signature Naver expects for ``client_id`` at ``timestamp_ms`` (standard Base64, no padding).

    bcrypt output uses only ``$ . / 0-9 A-Z a-z`` and is 60 bytes long, so standard and URL-safe
    Base64 agree and there is never padding (reference §1.3).
    """
    password = f"{client_id}_{timestamp_ms}".encode()
    hashed = bcrypt.hashpw(password, client_secret.encode("ascii"))
    return base64.b64encode(hashed).decode("ascii")


def signature_matches(sign: str, client_id: str, timestamp_ms: str, client_secret: str) -> bool:
    """Constant-time comparison of a received ``client_secret_sign`` with the recomputed one.

    A string comparison is exact: for bcrypt output standard and URL-safe Base64 are identical, so
    the only way to differ is a wrong secret, a wrong password string or a skipped Base64 step.
    """
    expected = client_secret_sign(client_id, timestamp_ms, client_secret)
    return hmac.compare_digest(sign.encode("utf-8"), expected.encode("ascii"))


@dataclass(frozen=True)
class IssuedToken:
    """A token value and the clock time (epoch seconds) after which it is refused."""

    value: str
    expires_at_s: float

    def remaining_s(self, now_s: float) -> float:
        """Seconds of life left (negative once expired)."""
        return self.expires_at_s - now_s


class TokenStore:
    """Every token ever issued that has not expired, plus the current one per resource."""

    def __init__(self, *, rng: random.Random, ttl_s: int, reuse_min_remaining_s: int) -> None:
        self._rng = rng
        self._ttl_s = ttl_s
        self._reuse_min_remaining_s = reuse_min_remaining_s
        self._current: dict[tuple[str, str, str], IssuedToken] = {}
        self._valid: dict[str, IssuedToken] = {}

    def issue(self, resource: tuple[str, str, str], now_s: float) -> tuple[IssuedToken, bool]:
        """The token for ``resource`` (client_id, type, account_id); the flag says it is new.

        Re-use keeps a client that asks for a token before every call on one token, as Naver does.
        """
        current = self._current.get(resource)
        if current is not None and current.remaining_s(now_s) >= self._reuse_min_remaining_s:
            return current, False
        token = IssuedToken(self._new_value(), now_s + self._ttl_s)
        self._current[resource] = token
        self._valid[token.value] = token
        self._prune(now_s)
        return token, True

    def is_valid(self, value: str, now_s: float) -> bool:
        """True while ``value`` was issued here and has not expired."""
        token = self._valid.get(value)
        return token is not None and token.remaining_s(now_s) > 0

    def clear(self) -> None:
        """Revoke everything (sandbox reset)."""
        self._current.clear()
        self._valid.clear()

    def _new_value(self) -> str:
        while True:
            value = "".join(self._rng.choices(_TOKEN_ALPHABET, k=_TOKEN_LENGTH))
            if value not in self._valid:
                return value

    def _prune(self, now_s: float) -> None:
        expired = [value for value, token in self._valid.items() if token.remaining_s(now_s) <= 0]
        for value in expired:
            del self._valid[value]
