"""SSRF end to end: a supplier points an item's images inside, the sync refuses, nothing is fetched.

The Domeggook sandbox's control endpoint sets an item's image URLs (``images``), then the real
pipeline syncs it with the settings the sandbox hands out (``Sandbox.environment()``: its own image
host on 127.0.0.1 allowed, nothing else inside). Trap servers on 127.0.0.2 and ``::1`` count every
TCP connection; a redirector on 127.0.0.1 (allowed, like a CDN with an open redirect) sends the
fetch inside. The traps' ports are allowed on purpose, so it is the address checks that refuse.
Everything else is real: both simulators over HTTP, PostgreSQL, Redis and S3.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from yarl import URL

from storebridge.config import load_settings
from storebridge.resources import Resources
from storebridge.sandbox.images import detail_image_urls
from storebridge.sandbox.runner import Sandbox
from storebridge.serve import ServedApp
from storebridge.store import State
from storebridge.sync import Outcome
from storebridge.transform import Transformed, build_product, image_sources
from tests.sync.harness import FAST_SETTINGS, Harness, fast_sandbox_options


class Trap:
    """Counts every TCP connection to ``host:port`` and answers nothing."""

    def __init__(self) -> None:
        self.connections = 0
        self._server: asyncio.Server | None = None

    async def start(self, host: str, port: int) -> Trap:
        self._server = await asyncio.start_server(self._handle, host, port)
        return self

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        writer.close()

    def close(self) -> None:
        if self._server is not None:
            self._server.close()


def redirector_app(hits: list[str]) -> web.Application:
    async def redirect(request: web.Request) -> web.Response:
        hits.append(request.query["to"])
        raise web.HTTPFound(request.query["to"])

    app = web.Application()
    app.router.add_get("/redirect", redirect)
    return app


@dataclass
class World:
    h: Harness
    trap: Trap
    trap6: Trap | None
    trap_port: int
    redirector: str
    redirects: list[str]
    redis_port: int


@pytest.fixture
async def world(redis_url: str, service_urls: dict[str, str]) -> AsyncIterator[World]:
    redirects: list[str] = []
    async with (
        Sandbox(fast_sandbox_options(40, instant_search=True)) as sandbox,
        ServedApp(redirector_app(redirects)) as redirector,
        contextlib.AsyncExitStack() as stack,
    ):
        trap = await Trap().start("127.0.0.2", 0)
        stack.callback(trap.close)
        trap_port = trap._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        trap6: Trap | None = None
        with contextlib.suppress(OSError):  # no IPv6 loopback here: the literal is still refused
            trap6 = await Trap().start("::1", trap_port)
            stack.callback(trap6.close)
        env = sandbox.environment()
        env["IMAGE_ALLOWED_PORTS"] += f",{trap_port},{redirector.port}"
        settings = load_settings(**env, **service_urls, **FAST_SETTINGS)
        resources = await stack.enter_async_context(Resources(settings))
        http = await stack.enter_async_context(aiohttp.ClientSession())
        yield World(
            Harness(sandbox, resources, http),
            trap,
            trap6,
            trap_port,
            redirector.base_url,
            redirects,
            int(URL(redis_url).port or 6379),
        )


async def registrable_items(h: Harness, count: int) -> list[int]:
    """``count`` healthy items the transform accepts with their own images (licensed detail)."""
    batch = await h.syncer.domeggook.get_items(h.healthy())
    found = [
        item.no
        for item in batch.items
        if isinstance(
            build_product(item, h.syncer.rules, {u: u for u in image_sources(item).all}), Transformed
        )
        and image_sources(item).detail
    ]
    assert len(found) >= count, "the sandbox catalog should yield enough registrable items"
    return found[:count]


async def image_host_stats(h: Harness) -> dict[str, int]:
    async with h.http.get(f"{h.sandbox.domeggook_origin}/_sandbox/stats") as response:
        stats: dict[str, Any] = await response.json()
    return dict(stats["images"])


async def test_representative_images_pointing_inside_end_in_review_and_nothing_is_fetched(
    world: World,
) -> None:
    h, port = world.h, world.trap_port
    inside = f"http://127.0.0.2:{port}/img.jpg"
    cases = {
        f"http://127.0.0.1:{world.redis_port}/": "PORT_NOT_ALLOWED",  # Redis, on the sandbox's own address
        "http://169.254.169.254/latest/meta-data/": "BLOCKED_ADDRESS",
        "http://[::ffff:169.254.169.254]/latest/meta-data/": "BLOCKED_ADDRESS",
        inside: "BLOCKED_ADDRESS",
        f"http://[::1]:{port}/img.jpg": "BLOCKED_ADDRESS",
        str(URL(f"{world.redirector}/redirect").with_query(to=inside)): "BLOCKED_ADDRESS",
        # A name resolving (through the system resolver, /etc/hosts) to the allowed 127.0.0.1,
        # right at the sandbox's image host: not allow-listed, so it may not use the exemption.
        f"http://localhost:{URL(h.sandbox.domeggook_origin).port}/_img/x.jpg": "HOST_NOT_ALLOWED",
        "http://cdn1.domeggook.com.internal.example/a.jpg": "HOST_NOT_ALLOWED",
    }
    items = await registrable_items(h, len(cases) + 1)
    control, hostile = items[0], dict(zip(items[1:], cases.items(), strict=False))
    for no, (url, _) in hostile.items():
        # No detail images: their downloads would race the refusal and blur the count below.
        await h.change_item(no, {"images": {"representative": url, "detail": []}})
    served_before = (await image_host_stats(h))["served"]

    results = {r.item_no: r for r in await h.syncer.sync_items(items)}

    assert results[control].outcome is Outcome.CREATED, results[control].line()  # the guard lets it through
    for no, (url, code) in hostile.items():
        result = results[no]
        assert result.outcome is Outcome.MANUAL_REVIEW, (url, result.line())
        assert result.code == code, (url, result.line())
        row = await h.row(no)
        assert row.state is State.MANUAL_REVIEW
        assert row.last_error_code == code
        assert await h.listed(no) == [], "nothing may be registered for a refused item"
    assert world.trap.connections == 0
    assert world.trap6 is None or world.trap6.connections == 0
    assert world.redirects == [inside]  # the allowed redirector was asked once; its target never
    # Only the control item's own images reached the sandbox's image host (not the localhost URL).
    control_images = 1 + len(image_sources((await h.syncer.domeggook.get_items([control])).items[0]).detail)
    assert (await image_host_stats(h))["served"] - served_before == control_images


async def test_detail_images_pointing_inside_are_skipped_while_the_item_is_listed(world: World) -> None:
    h, port = world.h, world.trap_port
    (no,) = await registrable_items(h, 1)
    item = h.sandbox.catalog.get(no)
    assert item is not None
    good = detail_image_urls(h.sandbox.domeggook_origin, item)[0]
    inside = f"http://127.0.0.2:{port}/detail.jpg"
    hostile = [
        inside,
        f"http://[::1]:{port}/detail.jpg",
        "http://169.254.169.254/latest/meta-data/iam/",
        str(URL(f"{world.redirector}/redirect").with_query(to=inside)),
        # Detail images may come from any public host, but a name resolving to loopback is not public.
        good.replace("127.0.0.1", "localhost", 1),
    ]
    await h.change_item(no, {"images": {"detail": [*hostile, good]}})
    served_before = (await image_host_stats(h))["served"]

    result = await h.syncer.sync_item(no)

    assert result.outcome is Outcome.CREATED, result.line()
    assert world.trap.connections == 0
    assert world.trap6 is None or world.trap6.connections == 0
    assert world.redirects == [inside]
    # The representative and the one good detail image; the localhost spelling was never fetched.
    assert (await image_host_stats(h))["served"] - served_before == 2
    product = await h.product(no)
    content = product["originProduct"]["detailContent"]
    for url in hostile:
        assert URL(url).raw_host not in content or URL(url).raw_host == "127.0.0.1", url
    assert "127.0.0.2" not in content
    assert "169.254" not in content
    assert "localhost" not in content
    optional = product["originProduct"]["images"].get("optionalImages") or []
    assert len(optional) == 1, "only the good detail image becomes an optional image"


@pytest.mark.parametrize(
    "images",
    [
        "http://x/",
        {},
        {"thumb": "http://x/"},
        {"representative": ""},
        {"representative": 7},
        {"representative": "http://x/" + "a" * 2048},
        {"detail": "http://x/"},
        {"detail": [""]},
        {"detail": ["http://x/"] * 51},
    ],
)
async def test_the_control_endpoint_refuses_bad_image_overrides(sandbox: Sandbox, images: object) -> None:
    no = sandbox.catalog.items[0].no
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{sandbox.domeggook_origin}/_sandbox/items/{no}", json={"images": images}) as response,
    ):
        assert response.status == 400
        assert "images" in (await response.json())["error"]
    item = sandbox.catalog.get(no)
    assert item is not None
    assert item.representative_image_url is None
    assert item.detail_image_url_overrides is None


async def test_image_overrides_are_served_by_getitemview_and_null_restores_them(sandbox: Sandbox) -> None:
    item = sandbox.catalog.items[0]
    control = f"{sandbox.domeggook_origin}/_sandbox/items/{item.no}"
    view = URL(sandbox.domeggook_api_url).with_query(
        ver="4.5", mode="getItemView", aid=sandbox.options.domeggook.api_key, no=str(item.no), om="json"
    )
    override = {"representative": "http://169.254.169.254/a.jpg", "detail": ["http://[::1]/d.jpg"]}
    async with aiohttp.ClientSession() as http:
        async with http.post(control, json={"images": override}) as response:
            assert response.status == 200
            assert (await response.json())["images"] == override
        async with http.get(view) as response:
            body = (await response.json())["domeggook"]
        assert {body["thumb"][k] for k in ("small", "large", "original")} == {override["representative"]}
        assert "http://[::1]/d.jpg" in body["desc"]["contents"]["item"]
        assert "/_img/supplier/" not in body["desc"]["contents"]["item"]
        async with http.post(control, json={"images": {"representative": None, "detail": None}}) as response:
            assert (await response.json())["images"] == {"representative": None, "detail": None}
        async with http.get(view) as response:
            body = (await response.json())["domeggook"]
        assert "/_img/upload/item/" in body["thumb"]["original"]
