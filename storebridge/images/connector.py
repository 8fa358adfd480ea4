"""The SSRF guard enforced where aiohttp connects: a filtering resolver and a peer-checking connector.

Checking a URL's host before the request is not enough: a name can resolve to ``127.0.0.1``, or
to a public address at check time and a private one at connect time (DNS rebinding). So the check
sits on the addresses aiohttp actually uses:

* ``GuardedResolver`` wraps aiohttp's default resolver and drops every answer the
  ``AddressPolicy`` refuses; when none is left it raises ``AddressRefused``, so the connector has
  nothing forbidden to connect to (and caches only what was allowed);
* ``GuardedConnector`` installs that resolver and, for every connection it hands out (new or
  pooled), checks the socket's peer address before a byte of the request is written.

IP-literal hosts bypass resolvers in aiohttp; ``fetch.download_image`` checks those (and every
redirect target) with ``AddressPolicy.url_refusal`` first. The connector is only the last line.
"""

from __future__ import annotations

import logging
import socket
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

from storebridge.images.guard import AddressPolicy, Refusal
from storebridge.images.types import BLOCKED_ADDRESS

if TYPE_CHECKING:
    from aiohttp.client_reqrep import ClientRequest
    from aiohttp.connector import Connection
    from aiohttp.tracing import Trace

log = logging.getLogger(__name__)


class AddressRefused(OSError):
    """The policy refused every address of a host (an ``OSError``, so aiohttp wraps it for us).

    aiohttp raises ``ClientConnectorError`` (``ClientConnectorDNSError`` from the resolver) with
    this as ``os_error``; ``refused_by_policy`` finds it again.
    """

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.detail)
        self.refusal = refusal


def refused_by_policy(exc: BaseException) -> Refusal | None:
    """The policy's refusal behind an aiohttp connection error, or None for an ordinary failure."""
    if isinstance(exc, aiohttp.ClientConnectorError) and isinstance(exc.os_error, AddressRefused):
        return exc.os_error.refusal
    return None


class GuardedResolver(AbstractResolver):
    """Resolves with ``inner`` (aiohttp's default) and keeps only the addresses the policy allows."""

    def __init__(self, policy: AddressPolicy, inner: AbstractResolver | None = None) -> None:
        self.policy = policy
        self._inner = inner if inner is not None else DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """The allowed answers for ``host``; raises ``AddressRefused`` when there are none."""
        answers = await self._inner.resolve(host, port, family)
        allowed: list[ResolveResult] = []
        refusals: list[Refusal] = []
        for answer in answers:
            refusal = self.policy.address_refusal(answer["host"], host)
            if refusal is None:
                allowed.append(answer)
            else:
                refusals.append(refusal)
        if refusals:
            log.warning(
                "images.guard.addresses_refused",
                extra={"host": host, "refused": len(refusals), "allowed": len(allowed)},
            )
        if not allowed:
            raise AddressRefused(refusals[0] if refusals else Refusal(BLOCKED_ADDRESS, f"{host}: no address"))
        return allowed

    async def close(self) -> None:
        """Close the wrapped resolver."""
        await self._inner.close()


class GuardedConnector(aiohttp.TCPConnector):
    """A ``TCPConnector`` that resolves through ``GuardedResolver`` and checks each peer it hands out.

    ``inner_resolver`` replaces aiohttp's default resolver under the guard (tests pass a stub that
    answers what a rebinding DNS server would); other keyword arguments go to ``TCPConnector``.
    """

    def __init__(
        self, policy: AddressPolicy, *, inner_resolver: AbstractResolver | None = None, **kwargs: Any
    ) -> None:
        super().__init__(resolver=GuardedResolver(policy, inner_resolver), **kwargs)
        self.policy = policy

    async def connect(
        self,
        req: ClientRequest,
        traces: list[Trace],
        timeout: aiohttp.ClientTimeout,  # noqa: ASYNC109 - aiohttp's own signature, overridden
    ) -> Connection:
        """A connection to an allowed peer; a refused one is closed before the request is sent."""
        connection = await super().connect(req, traces, timeout)
        transport = connection.transport
        peer = transport.get_extra_info("peername") if transport is not None else None
        host = req.url.raw_host or ""
        if not peer:
            connection.close()
            raise aiohttp.ClientConnectorError(req.connection_key, OSError("peer address unknown"))
        refusal = self.policy.address_refusal(str(peer[0]), host)
        if refusal is not None:
            connection.close()
            log.warning("images.guard.peer_refused", extra={"host": host, "peer": str(peer[0])})
            raise aiohttp.ClientConnectorError(req.connection_key, AddressRefused(refusal))
        return connection
