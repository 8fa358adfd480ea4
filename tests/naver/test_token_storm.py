"""A Naver token expired or revoked mid-call is waited out, whatever the endpoint (issue 9).

The simulator's ``POST /_sandbox/tokens/expire`` revokes every token at once, as the gateway does in
``make chaos``'s storm. A ``Limiter`` hook fires it right before chosen API sends, which is when it
bites in production: a request holding a token waits for its slot in the limiter while the token is
revoked, so even the send that follows a re-auth can be refused. Such a call must get its answer
with yet another token, never end as an error that parks the item. Everything is real: the sandbox
over HTTP and PostgreSQL for the reference-data cache.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

import pytest

from storebridge.http import RequestKey
from storebridge.naver import ImageFile, NaverClient
from storebridge.naver.endpoints import TOKEN
from storebridge.reference.gates import ReferenceGates
from storebridge.reference.naver_rules import NaverRules
from storebridge.sandbox.runner import Sandbox
from storebridge.store import StateStore
from tests.naver.test_client import (
    PLAIN_LEAF_CATEGORY,
    make_client,
    naver_stats,
    png,
    product_payload,
    sandbox_post,
)


class TokenRevoker:
    """A ``Limiter`` hook that revokes every sandbox token right before the next ``revocations`` API sends.

    ``revocations=None``: before every API send, for ever (a gateway that refuses each fresh token).
    Token requests themselves pass untouched.
    """

    def __init__(self, sandbox: Sandbox, revocations: int | None) -> None:
        self.sandbox, self.left = sandbox, revocations
        self.api_sends = 0

    async def before_request(self, key: RequestKey) -> None:
        """Revoke the tokens if this is an API send and revocations are left."""
        if key == TOKEN.key:
            return
        self.api_sends += 1
        if self.left is None or self.left > 0:
            self.left = None if self.left is None else self.left - 1
            await sandbox_post(self.sandbox.naver_origin, "/_sandbox/tokens/expire")

    async def after_response(self, key: RequestKey, status: int, headers: Mapping[str, str]) -> None:
        """Nothing to observe."""


#: The reference reads the pipeline makes before a create (issue 9: the ones that parked items).
REFERENCE_READS: dict[str, Callable[[NaverClient], Awaitable[object]]] = {
    "category": lambda naver: naver.get_category(PLAIN_LEAF_CATEGORY),
    "origin areas": lambda naver: naver.get_origin_areas(),
    "restricted tags": lambda naver: naver.check_tags(["수납함", "정리함"]),
    "notice types": lambda naver: naver.get_notice_types(),
}


@pytest.mark.parametrize("read", list(REFERENCE_READS.values()), ids=list(REFERENCE_READS))
async def test_a_token_revoked_again_during_the_reauth_is_waited_out(
    sb: Sandbox, read: Callable[[NaverClient], Awaitable[object]]
) -> None:
    # Given a gateway that revokes every token right before the first send and again right before
    # the send that follows the re-auth
    revoker = TokenRevoker(sb, revocations=2)
    async with make_client(sb, limiter=revoker) as naver:
        # When a reference read is made
        answer = await read(naver)

    # Then it gets its answer with a third token, after two refusals
    assert answer is not None
    stats = await naver_stats(sb)
    assert (stats["auth_failures"], stats["tokens_issued"]) == (2, 3)


async def test_the_category_gate_does_not_review_an_item_because_of_a_revoked_token(
    sb: Sandbox, store: StateStore
) -> None:
    async with make_client(sb, limiter=TokenRevoker(sb, revocations=2)) as naver:
        gates = ReferenceGates(NaverRules(naver, store, ttl_s=3600))

        leaf = await gates.leaf(PLAIN_LEAF_CATEGORY)

    assert leaf.problem == ""
    assert leaf.whole_name


async def test_a_create_refused_twice_for_its_token_is_sent_again_and_made_once(sb: Sandbox) -> None:
    async with make_client(sb) as naver:
        [url] = await naver.upload_images([ImageFile("main.png", png(1))])
    async with make_client(sb, limiter=TokenRevoker(sb, revocations=2)) as naver:
        created = await naver.create_product(product_payload(url, "DG-dome-990077"))

    stats = await naver_stats(sb)
    assert created.origin_product_no
    assert (stats["products"], stats["duplicates"], stats["auth_failures"]) == (1, 0, 2)
