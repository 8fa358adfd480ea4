"""The SSRF guard on real connections: DNS answers, rebinding, redirects, literals, the peer check.

Real servers on loopback: an image host on 127.0.0.1 (the allowed address here, as in the sandbox)
and a trap on 127.0.0.2 (and ``::1``) that counts every TCP connection it accepts. Names are
resolved by a stub ``AbstractResolver`` (aiohttp's interface, not our code) that answers what a
hostile or rebinding DNS server would; the guard wraps it exactly as it wraps aiohttp's default.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from ipaddress import ip_network

import aiohttp
import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult
from PIL import Image

from storebridge.images.connector import GuardedConnector, refused_by_policy
from storebridge.images.fetch import Downloaded, download_image
from storebridge.images.guard import AddressPolicy
from storebridge.images.types import (
    BLOCKED_ADDRESS,
    HOST_NOT_ALLOWED,
    INVALID_URL,
    TOO_MANY_REDIRECTS,
    ImageProblem,
)
from storebridge.serve import ServedApp

MAX_BYTES = 1024 * 1024
#: Names the stub resolver knows; both match the policy's allow-list (``*.domeggook.com``).
CDN = "img.domeggook.com"
OTHER_CDN = "img2.domeggook.com"


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (600, 600), (200, 30, 30)).save(buffer, format="JPEG")
    return buffer.getvalue()


JPEG = _jpeg()


class StubResolver(AbstractResolver):
    """Answers from a table that tests change between calls (a rebinding DNS server)."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers
        self.calls = 0

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.calls += 1
        if host not in self.answers:
            raise OSError(f"stub resolver: unknown host {host}")
        return [
            ResolveResult(
                hostname=host,
                host=address,
                port=port,
                family=socket.AF_INET6 if ":" in address else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for address in self.answers[host]
        ]

    async def close(self) -> None:
        return None


class Trap:
    """A TCP server that counts connections and, if asked, starts an image answer and holds it."""

    def __init__(self) -> None:
        self.connections = 0
        self.received = b""
        self._server: asyncio.Server | None = None

    async def start(self, host: str, port: int) -> Trap:
        self._server = await asyncio.start_server(self._handle, host, port)
        return self

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        with contextlib.suppress(Exception):
            self.received += await reader.readuntil(b"\r\n\r\n")
            head = b"HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: 500000\r\n\r\n"
            writer.write(head + JPEG[:2048])  # an image that never completes: the body is held
            await writer.drain()
            await reader.read()  # until the client goes away
        writer.close()

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()


@dataclass
class Net:
    """The image host (127.0.0.1:port), the traps on the same port elsewhere, and the policy."""

    port: int
    origin: str
    requests: list[str]
    trap: Trap
    trap6: Trap | None
    policy: AddressPolicy


def image_host_app(requests: list[str]) -> web.Application:
    @web.middleware
    async def count(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        requests.append(request.path_qs)
        return await handler(request)

    async def image(request: web.Request) -> web.Response:
        return web.Response(body=JPEG, content_type="image/jpeg")

    async def redirect(request: web.Request) -> web.Response:
        raise web.HTTPFound(request.query["to"])

    async def loop(request: web.Request) -> web.Response:
        raise web.HTTPFound("/loop")

    app = web.Application(middlewares=[count])
    app.router.add_get("/img.jpg", image)
    app.router.add_get("/redirect", redirect)
    app.router.add_get("/loop", loop)
    return app


@pytest.fixture
async def net() -> AsyncIterator[Net]:
    requests: list[str] = []
    async with ServedApp(image_host_app(requests)) as served:
        port = served.port
        trap = await Trap().start("127.0.0.2", port)
        trap6: Trap | None = None
        with contextlib.suppress(OSError):  # no IPv6 loopback on this machine: those cases skip
            trap6 = await Trap().start("::1", port)
        policy = AddressPolicy(
            allowed_hosts=("127.0.0.1", "*.domeggook.com"),
            allowed_networks=(ip_network("127.0.0.1/32"),),
            allowed_ports=frozenset({port}),
        )
        try:
            yield Net(port, served.base_url, requests, trap, trap6, policy)
        finally:
            await trap.close()
            if trap6 is not None:
                await trap6.close()


@contextlib.asynccontextmanager
async def guarded(policy: AddressPolicy, resolver: AbstractResolver) -> AsyncIterator[aiohttp.ClientSession]:
    """A session as the pipeline builds it, with the stub under the guard and no DNS cache or pool."""
    connector = GuardedConnector(policy, inner_resolver=resolver, use_dns_cache=False, force_close=True)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=5)) as session:
        yield session


async def fetch(
    session: aiohttp.ClientSession, url: str, policy: AddressPolicy, *, detail: bool = False
) -> Downloaded | ImageProblem:
    return await download_image(session, url, max_bytes=MAX_BYTES, policy=policy, any_public_host=detail)


def problem(result: Downloaded | ImageProblem) -> ImageProblem:
    assert isinstance(result, ImageProblem), "the fetch should have been refused"
    return result


@pytest.mark.parametrize("detail", [False, True])
async def test_an_allowed_name_resolving_to_loopback_is_never_connected(net: Net, detail: bool) -> None:
    stub = StubResolver({CDN: ["127.0.0.2"]})
    async with guarded(net.policy, stub) as session:
        result = problem(await fetch(session, f"http://{CDN}:{net.port}/img.jpg", net.policy, detail=detail))
    assert result.code == BLOCKED_ADDRESS
    assert not result.transient
    assert result.detail == f"{CDN} resolves to 127.0.0.2, a loopback address"
    assert stub.calls == 1
    assert net.trap.connections == 0


async def test_dns_rebinding_between_two_fetches_never_reaches_the_new_address(net: Net) -> None:
    stub = StubResolver({CDN: ["127.0.0.1"]})
    url = f"http://{CDN}:{net.port}/img.jpg"
    async with guarded(net.policy, stub) as session:
        first = await fetch(session, url, net.policy)
        assert isinstance(first, Downloaded)
        assert first.data == JPEG
        stub.answers[CDN] = ["127.0.0.2"]  # the name now points inside
        second = problem(await fetch(session, url, net.policy))
    assert second.code == BLOCKED_ADDRESS
    assert stub.calls == 2
    assert net.trap.connections == 0
    assert net.requests == ["/img.jpg"]


async def test_a_mixed_answer_keeps_only_the_allowed_addresses(net: Net) -> None:
    stub = StubResolver({CDN: ["127.0.0.2", "169.254.169.254", "127.0.0.1"]})
    async with guarded(net.policy, stub) as session:
        for _ in range(3):
            result = await fetch(session, f"http://{CDN}:{net.port}/img.jpg", net.policy)
            assert isinstance(result, Downloaded)
    assert net.trap.connections == 0
    assert len(net.requests) == 3


async def test_a_redirect_from_an_allowed_host_to_loopback_is_refused_before_it_is_followed(net: Net) -> None:
    stub = StubResolver({CDN: ["127.0.0.1"], OTHER_CDN: ["127.0.0.2"]})
    targets = {
        f"http://127.0.0.2:{net.port}/x.jpg": BLOCKED_ADDRESS,  # a loopback literal
        f"http://{OTHER_CDN}:{net.port}/x.jpg": BLOCKED_ADDRESS,  # an allowed name resolving inside
        f"http://169.254.169.254:{net.port}/latest/meta-data/": BLOCKED_ADDRESS,
        f"http://elsewhere.example:{net.port}/x.jpg": HOST_NOT_ALLOWED,
        "file:///etc/passwd": INVALID_URL,
    }
    async with guarded(net.policy, stub) as session:
        for target, code in targets.items():
            url = str(aiohttp.client.URL(f"http://{CDN}:{net.port}/redirect").with_query(to=target))
            result = problem(await fetch(session, url, net.policy))
            assert result.code == code, (target, result)
            assert "meta-data" not in result.detail
            assert "passwd" not in result.detail
    assert net.trap.connections == 0
    assert len(net.requests) == len(targets)  # only the redirecting host was ever asked


async def test_redirects_within_the_policy_are_followed_and_loops_are_bounded(net: Net) -> None:
    stub = StubResolver({CDN: ["127.0.0.1"]})
    async with guarded(net.policy, stub) as session:
        hop = str(aiohttp.client.URL(f"http://{CDN}:{net.port}/redirect").with_query(to="/img.jpg"))
        result = await fetch(session, hop, net.policy)
        assert isinstance(result, Downloaded)
        assert result.data == JPEG
        assert result.allow_listed
        looped = problem(await fetch(session, f"http://{CDN}:{net.port}/loop", net.policy))
    assert looped.code == TOO_MANY_REDIRECTS


async def test_ipv6_loopback_literals_are_refused_without_a_connection(net: Net) -> None:
    async with guarded(net.policy, StubResolver({})) as session:
        for host in ("[::1]", "[::ffff:127.0.0.2]", "[0:0:0:0:0:0:0:1]"):
            result = problem(
                await fetch(session, f"http://{host}:{net.port}/img.jpg", net.policy, detail=True)
            )
            assert result.code == BLOCKED_ADDRESS, host
    if net.trap6 is not None:
        assert net.trap6.connections == 0
    assert net.trap.connections == 0


@pytest.mark.parametrize("host", ["2130706433", "0x7f000002", "127.2", "017700000002"])
async def test_legacy_numeric_ipv4_spellings_are_refused(net: Net, host: str) -> None:
    # What getaddrinfo would turn into 127.0.0.x; the stub answers like the system resolver would.
    stub = StubResolver({host: ["127.0.0.2"]})
    async with guarded(net.policy, stub) as session:
        result = problem(await fetch(session, f"http://{host}:{net.port}/img.jpg", net.policy, detail=True))
    assert result.code in (BLOCKED_ADDRESS, INVALID_URL)
    assert net.trap.connections == 0


async def test_the_connected_peer_is_checked_before_the_body_is_read_even_without_the_guarded_connector(
    net: Net,
) -> None:
    # A session built without GuardedConnector (a mistake the last check must survive): aiohttp
    # connects to whatever the resolver says, and download_image must still refuse the answer.
    stub = StubResolver({CDN: ["127.0.0.2"]})
    connector = aiohttp.TCPConnector(resolver=stub, use_dns_cache=False, force_close=True)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=5)) as session:
        result = problem(await fetch(session, f"http://{CDN}:{net.port}/img.jpg", net.policy))
    assert result.code == BLOCKED_ADDRESS
    assert net.trap.connections == 1  # it did connect (no guard), but nothing was read or returned


async def test_the_connector_refuses_a_forbidden_peer_before_a_byte_is_sent(net: Net) -> None:
    # IP literals bypass every resolver, so this reaches the connector's own peer check.
    async with guarded(net.policy, StubResolver({})) as session:
        with pytest.raises(aiohttp.ClientConnectorError) as caught:
            await session.get(f"http://127.0.0.2:{net.port}/img.jpg")
    refusal = refused_by_policy(caught.value)
    assert refusal is not None
    assert refusal.code == BLOCKED_ADDRESS
    await asyncio.sleep(0.05)  # let the trap see the close
    assert net.trap.connections == 1
    assert net.trap.received == b""
