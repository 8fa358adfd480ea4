"""The Naver token manager on its own: signature, form fields, caching, refresh timing, single flight.

The manager takes its HTTP call as an injected ``fetch`` function and its clocks as arguments, so
these tests drive time directly; the HTTP side is covered against the simulator in
``test_naver_client.py``.
"""

from __future__ import annotations

import asyncio
import base64

import bcrypt
import pytest
from pydantic import SecretStr

from storebridge.naver import NaverTokenManager, NaverTransient, NaverUnauthorized, client_secret_sign

SECRET = "$2a$04$abcdefghijklmnopqrstuu"
WALL_S = 1_800_000_000.0


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now_s = 1000.0

    def __call__(self) -> float:
        return self.now_s


class Issuer:
    """Stands in for the token endpoint: hands out t1, t2, ... and records every form it got."""

    def __init__(self, expires_in_s: float = 10800.0, delay_s: float = 0.0) -> None:
        self.forms: list[dict[str, str]] = []
        self.expires_in_s = expires_in_s
        self.delay_s = delay_s
        self.fail_with: Exception | None = None

    async def __call__(self, form: dict[str, str]) -> tuple[str, float]:
        self.forms.append(form)
        await asyncio.sleep(self.delay_s)
        if self.fail_with is not None:
            raise self.fail_with
        return f"t{len(self.forms)}", self.expires_in_s


def manager(issuer: Issuer, clock: Clock, **options: float) -> NaverTokenManager:
    return NaverTokenManager(
        client_id="app-id",
        client_secret=SecretStr(SECRET),
        fetch=issuer,
        wall_clock=lambda: WALL_S,
        monotonic=clock,
        **options,
    )


def test_signature_matches_the_official_test_vector() -> None:
    # Reference §1.3 with the canonical salt (the documented "...stuv" is refused by bcrypt 5).
    expected = "JDJhJDEwJGFiY2RlZmdoaWprbG1ub3BxcnN0dXVCVldZSk42T0VPdEx1OFY0cDQxa2IuTnpVaUEzbmsy"

    assert client_secret_sign("aaaabbbbcccc", 1643961623299, "$2a$10$abcdefghijklmnopqrstuu") == expected


async def test_token_form_has_exactly_the_self_fields_and_a_slightly_past_timestamp() -> None:
    issuer = Issuer()
    tokens = manager(issuer, Clock(), clock_skew_s=5.0)

    assert await tokens.get() == "t1"

    [form] = issuer.forms
    assert set(form) == {"client_id", "timestamp", "client_secret_sign", "grant_type", "type"}
    assert (form["grant_type"], form["type"], form["client_id"]) == ("client_credentials", "SELF", "app-id")
    assert form["timestamp"] == str(int((WALL_S - 5.0) * 1000))
    assert len(form["timestamp"]) == 13
    hashed = base64.b64decode(form["client_secret_sign"])
    assert bcrypt.checkpw(f"app-id_{form['timestamp']}".encode(), hashed)


async def test_token_is_reused_until_the_refresh_margin_then_replaced() -> None:
    issuer, clock = Issuer(expires_in_s=3600), Clock()
    tokens = manager(issuer, clock, refresh_margin_s=300)

    first = await tokens.get()
    clock.now_s += 3600 - 300 - 1
    still = await tokens.get()
    clock.now_s += 2
    replaced = await tokens.get()

    assert (first, still, replaced) == ("t1", "t1", "t2")
    assert tokens.tokens_fetched == 2


async def test_short_lived_reused_token_is_kept_for_half_its_life_not_refetched_every_call() -> None:
    issuer, clock = Issuer(expires_in_s=400), Clock()
    tokens = manager(issuer, clock, refresh_margin_s=300)

    await tokens.get()
    clock.now_s += 199
    await tokens.get()

    assert len(issuer.forms) == 1


async def test_concurrent_callers_share_one_fetch() -> None:
    issuer = Issuer(delay_s=0.05)
    tokens = manager(issuer, Clock())

    values = await asyncio.gather(*(tokens.get() for _ in range(10)))

    assert set(values) == {"t1"}
    assert len(issuer.forms) == 1


async def test_refresh_after_a_rejection_fetches_once_for_all_waiters() -> None:
    issuer = Issuer(delay_s=0.05)
    tokens = manager(issuer, Clock())
    stale = await tokens.get()

    values = await asyncio.gather(*(tokens.refresh(stale) for _ in range(5)))

    assert set(values) == {"t2"}
    assert len(issuer.forms) == 2


async def test_token_endpoint_outage_keeps_using_a_still_valid_token() -> None:
    issuer, clock = Issuer(expires_in_s=3600), Clock()
    tokens = manager(issuer, clock, refresh_margin_s=300)
    await tokens.get()
    clock.now_s += 3400  # inside the margin, 200 s of life left
    issuer.fail_with = NaverTransient("POST /v1/oauth2/token -> HTTP 503")

    assert await tokens.get() == "t1"
    clock.now_s += 190  # 10 s left: too little to lean on
    with pytest.raises(NaverTransient):
        await tokens.get()


async def test_invalid_secret_is_refused_credentials_without_a_request() -> None:
    issuer = Issuer()
    tokens = NaverTokenManager(client_id="app-id", client_secret=SecretStr("not-a-salt"), fetch=issuer)

    with pytest.raises(NaverUnauthorized) as caught:
        await tokens.get()

    assert issuer.forms == []
    assert "not-a-salt" not in str(caught.value)
    assert "NAVER_CLIENT_SECRET" in str(caught.value)
    assert (caught.value.retry_after_s or 0) > 0, "items wait for the operator, none is parked"


def test_refresh_margin_must_stay_below_naver_reuse_threshold() -> None:
    with pytest.raises(ValueError, match="refresh_margin_s"):
        manager(Issuer(), Clock(), refresh_margin_s=1800)


def test_repr_shows_no_token() -> None:
    tokens = manager(Issuer(), Clock())

    assert SECRET not in repr(tokens)
    assert "app-id" in repr(tokens)
