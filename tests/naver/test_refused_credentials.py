"""Credentials Naver refuses are one operator state: items wait, one ERROR names the fix (issue 9).

Two ways to get there: the token request itself is refused (a wrong or regenerated secret), or a 401
persists on every retry of a call although each send carried a freshly fetched token. Either is a
deployment fault, ``NaverUnauthorized``: transient with a long wait, so the pipeline re-queues items
without counting an attempt instead of parking them one by one; the transport logs
``naver.credentials_refused`` once and holds further calls for a while without sending them.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest

from storebridge.errors import PermanentError, TransientError
from storebridge.naver import NaverClient
from storebridge.naver.errors import CREDENTIALS_RETRY_S, NaverUnauthorized
from storebridge.sandbox.runner import Sandbox
from storebridge.store import State
from storebridge.sync import Syncer
from storebridge.sync.result import RETRY_OUTCOMES
from tests.naver.test_client import FAST_RETRY, PLAIN_LEAF_CATEGORY, make_client, naver_stats
from tests.naver.test_token_storm import TokenRevoker
from tests.sync.harness import Harness, running

#: Attempts of a call with ``FAST_RETRY`` (its ``max_retries`` plus the first).
ATTEMPTS = FAST_RETRY.max_retries + 1
#: The operator's alert when Naver refuses the credentials.
ALERT = "naver.credentials_refused"
#: A secret of the right shape that is not the application's.
WRONG_SECRET = "$2a$04$abcdefghijklmnopqrstuu"


async def test_401_on_every_attempt_is_refused_credentials_held_and_reported_once(
    sb: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="storebridge.naver.transport")
    revoker = TokenRevoker(sb, revocations=None)
    async with make_client(sb, limiter=revoker) as naver:
        with pytest.raises(NaverUnauthorized) as caught:
            await naver.get_origin_areas()
        sent = revoker.api_sends
        with pytest.raises(NaverUnauthorized) as held:
            await naver.get_category(PLAIN_LEAF_CATEGORY)

    error = caught.value
    assert isinstance(error, TransientError)
    assert not isinstance(error, PermanentError), "an item must never be parked for it"
    assert error.retry_after_s == CREDENTIALS_RETRY_S
    assert (error.status, error.api_code) == (401, "GW.AUTHN")
    assert "NAVER_CLIENT_SECRET" in str(error)
    # The first attempt is re-sent at once, each later attempt once: every send with a new token.
    stats = await naver_stats(sb)
    assert sent == ATTEMPTS + 1
    assert stats["tokens_issued"] == stats["auth_failures"] == ATTEMPTS + 1
    assert revoker.api_sends == sent, "held calls must not be sent"
    assert "not sent" in str(held.value)
    assert (held.value.retry_after_s or 0) > 0
    alerts = [r for r in caplog.records if r.getMessage() == ALERT]
    assert len(alerts) == 1
    assert "NAVER_CLIENT_SECRET" in str(getattr(alerts[0], "action", ""))


async def test_refused_credentials_clear_by_themselves_once_naver_accepts_them_again(sb: Sandbox) -> None:
    revoker = TokenRevoker(sb, revocations=None)
    naver = make_client(sb, limiter=revoker, operator_hold_s=0.0)
    async with naver:
        with pytest.raises(NaverUnauthorized):
            await naver.get_origin_areas()
        revoker.left = 0  # the operator fixed it

        assert await naver.get_origin_areas()


async def test_a_wrong_client_secret_is_refused_credentials_not_a_permanent_error(
    sb: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="storebridge.naver.transport")
    async with make_client(sb, client_secret=WRONG_SECRET) as naver:
        for _ in range(3):
            with pytest.raises(NaverUnauthorized) as caught:
                await naver.get_categories()
            assert isinstance(caught.value, TransientError)
            assert "client_secret_sign" in str(caught.value)

    stats = await naver_stats(sb)
    assert stats["tokens_issued"] == 0
    assert stats["requests"]["POST /v1/oauth2/token"] == 1, "held calls must not ask for a token"
    assert [r.getMessage() for r in caplog.records] == [ALERT]
    assert WRONG_SECRET not in caplog.text


# -- what the pipeline makes of it ----------------------------------------------------------------


@pytest.fixture
async def h(service_urls: dict[str, str]) -> AsyncIterator[Harness]:
    """A 60-item sandbox and open pipeline resources (as the sync tests use)."""
    async with running(60, service_urls) as harness:
        yield harness


def syncer_with_naver(h: Harness, naver: NaverClient) -> Syncer:
    """The harness's pipeline, talking to Naver through ``naver``."""
    current = h.syncer
    return Syncer(
        domeggook=current.domeggook,
        naver=naver,
        images=current.images,
        store=current.store,
        rules=current.rules,
        settings=current.settings,
    )


async def test_items_wait_without_counting_an_attempt_when_naver_refuses_the_credentials(
    h: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    # Given credentials Naver refuses (a secret regenerated in the Commerce API center, say)
    caplog.set_level(logging.INFO)
    items = h.healthy()[:4]
    wrong = make_client(h.sandbox, client_secret=WRONG_SECRET)
    async with wrong:
        syncer = syncer_with_naver(h, wrong)
        # When the items are synced, twice
        results = [*await syncer.sync_items(items), *await syncer.sync_items(items)]

    # Then every item waits (re-queued with a delay), none is parked, no attempt is counted,
    # and the operator gets one alert naming the fix
    for result in results:
        assert result.outcome in RETRY_OUTCOMES, (result.outcome, result.code, result.message)
        assert (result.retry_after_s or 0) > 0
        assert "NAVER_CLIENT_SECRET" in (result.message or "")
    for item_no in items:
        row = await h.row(item_no)
        assert row.state not in (State.MANUAL_REVIEW, State.FAILED)
        assert row.retry_count == 0
    messages = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert messages == [ALERT]
