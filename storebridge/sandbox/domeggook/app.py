"""The Domeggook Open API simulator: ``create_domeggook_app(catalog, config)`` → aiohttp app.

Serves ``/ssl/api/`` like ``https://domeggook.com/ssl/api/`` (reference ``domeggook-api.md``):
``getItemList`` 4.0/4.1, ``getItemView`` 4.0/4.1/4.4/4.5/4.6 (``multiple=true`` included) and
``getCategoryList`` 1.0, chosen by ``mode`` + ``ver``; key in ``aid``; ``om=json`` required.

Order of checks for one API request (middleware, then handler):

1. count it in the stats, draw a fault from ``Faults`` and add ``latency_ms``;
2. per-key rate limit (valid keys only): refused → 429 ``errors`` body, no ``Retry-After`` header
   (none was ever captured, so a client must not depend on one);
3. the drawn fault: 5xx with an HTML body (500/502/503 in turn), a request held open until the
   client gives up (the handler is cancelled on disconnect), or a forced 429 without a block;
4. unknown ``mode``/``ver`` → ``UNKNOWN_SERVICE`` (HTTP 404); bad ``aid`` → ``INVALID_AID``;
   ``om`` other than ``json`` → the error as XML (the old default format, [GUESS]);
5. the mode's own parameters; every other error is an ``errors`` body with ``error_http_status``
   (HTTP 200 by default, as the real API does).

Faulted and erroring calls still count against the quota: the defensive assumption.
Images live under ``/_img/`` (``images.py``), sandbox controls under ``/_sandbox/``.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Mapping
from typing import Any

from aiohttp import web

from storebridge.sandbox.catalog.model import Catalog, ItemStatus
from storebridge.sandbox.domeggook.config import DomeggookSimConfig
from storebridge.sandbox.domeggook.control import add_control_routes
from storebridge.sandbox.domeggook.errors import (
    BAD_PARAMETER,
    INVALID_KEY,
    ITEM_ERROR,
    JSON_ONLY,
    UNKNOWN_SERVICE,
    SimDomeggookError,
    error_response,
    rate_limited_error,
    xml_error_response,
)
from storebridge.sandbox.domeggook.limits import SimKeyQuota, block_answer
from storebridge.sandbox.domeggook.listing import list_items
from storebridge.sandbox.domeggook.render import one_or_list, render_category_tree, render_item_view
from storebridge.sandbox.domeggook.state import STATE_KEY, DomeggookSimState
from storebridge.sandbox.faults import Fault, Faults
from storebridge.sandbox.images import ImageHost

__all__ = ["STATE_KEY", "DomeggookSimConfig", "DomeggookSimState", "create_domeggook_app"]

API_PATH = "/ssl/api/"
#: A "timeout" fault holds the request this long (the client's timeout fires first, and the
#: disconnect cancels the handler).
TIMEOUT_HOLD_S = 3600.0
SERVER_ERROR_STATUSES = (500, 502, 503)
KNOWN_MODES = frozenset({"getItemList", "getItemView", "getCategoryList"})
ITEM_VIEW_VERSIONS = ("4.0", "4.1", "4.4", "4.5", "4.6")
_SERVER_ERROR_HTML = (
    "<html><head><title>{status}</title></head><body><h1>{status} Server Error</h1></body></html>"
)

Service = Callable[[DomeggookSimState, Mapping[str, str], str], dict[str, Any] | SimDomeggookError]


def _item_view(
    state: DomeggookSimState, query: Mapping[str, str], origin: str
) -> dict[str, Any] | SimDomeggookError:
    if query.get("ver") == "4.0" and query.get("market") not in ("dome", "supply"):
        return BAD_PARAMETER.detailed("market")  # the v4.0 doc lists market as required
    raw = query.get("no", "").strip()
    if query.get("multiple") == "true":
        numbers = list(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))
        if not numbers or not all(n.isdigit() for n in numbers):
            return BAD_PARAMETER.detailed("no")
        if len(numbers) > state.config.max_multiple:
            return BAD_PARAMETER.detailed(f"no: 최대 {state.config.max_multiple}개")
        found = [state.catalog.get(int(n)) for n in numbers]
        # Deleted/unknown numbers are silently left out ([GUESS]); a client must notice the gap.
        views = [
            render_item_view(i, origin) for i in found if i is not None and i.status is not ItemStatus.DELETED
        ]
        if not views:
            return ITEM_ERROR
        return {"item": one_or_list(views)}
    if not raw.isdigit():
        return BAD_PARAMETER.detailed("no")
    item = state.catalog.get(int(raw))
    if item is None or item.status is ItemStatus.DELETED:
        return ITEM_ERROR
    return render_item_view(item, origin)


def _item_list(
    state: DomeggookSimState, query: Mapping[str, str], origin: str
) -> dict[str, Any] | SimDomeggookError:
    return list_items(state.catalog, query, origin)


def _category_list(state: DomeggookSimState, query: Mapping[str, str], origin: str) -> dict[str, Any]:
    return render_category_tree(registrable_only=query.get("isReg") == "true")


SERVICES: dict[tuple[str, str], Service] = {
    ("getItemList", "4.0"): _item_list,
    ("getItemList", "4.1"): _item_list,
    ("getCategoryList", "1.0"): _category_list,
    **{("getItemView", ver): _item_view for ver in ITEM_VIEW_VERSIONS},
}


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _error(state: DomeggookSimState, error: SimDomeggookError) -> web.Response:
    state.stats.errors_by_dcode[error.dcode] += 1
    status = (
        state.config.unknown_service_http_status
        if error is UNKNOWN_SERVICE
        else state.config.error_http_status
    )
    return error_response(error, state.clock(), status)


def _rate_limited(state: DomeggookSimState) -> web.Response:
    state.stats.rate_limited += 1
    cfg = state.config
    error = rate_limited_error(cfg.per_minute_limit, cfg.per_day_limit, cfg.minute_block_s)
    return block_answer(error, state.clock(), state.faults.block_http_status)


async def api_handler(request: web.Request) -> web.Response:
    """``GET /ssl/api/``: dispatch on (``mode``, ``ver``) after the key and format checks."""
    state = request.app[STATE_KEY]
    query = request.query
    service = SERVICES.get((query.get("mode", ""), query.get("ver", "")))
    if service is None:
        return _error(state, UNKNOWN_SERVICE)
    if query.get("aid", "") not in state.config.keys:
        return _error(state, INVALID_KEY)
    if query.get("om") != "json":
        state.stats.errors_by_dcode[JSON_ONLY.dcode] += 1
        return xml_error_response(JSON_ONLY, state.clock(), state.config.error_http_status)
    result = service(state, query, str(request.url.origin()))
    if isinstance(result, SimDomeggookError):
        return _error(state, result)
    return web.json_response({"domeggook": result}, dumps=_dumps)


@web.middleware
async def api_gate(request: web.Request, handler: Callable[[web.Request], Any]) -> web.StreamResponse:
    """Stats, faults and rate limits for ``/ssl/api/`` calls; everything else passes straight through."""
    if not request.path.startswith(API_PATH.rstrip("/")):
        response: web.StreamResponse = await handler(request)
        return response
    state = request.app[STATE_KEY]
    mode = request.query.get("mode", "")
    state.stats.requests_total += 1
    state.stats.requests_by_mode[mode if mode in KNOWN_MODES else "other"] += 1
    fault = state.faults.draw()
    if state.faults.latency_ms > 0:
        await asyncio.sleep(state.faults.latency_ms / 1000.0)
    aid = request.query.get("aid", "")
    if aid in state.config.keys and not state.limiter.admit(aid, state.clock()).allowed:
        return _rate_limited(state)
    if fault is Fault.SERVER_ERROR:
        status = SERVER_ERROR_STATUSES[state.stats.faults[fault.value] % len(SERVER_ERROR_STATUSES)]
        state.stats.faults[fault.value] += 1
        return web.Response(
            status=status, text=_SERVER_ERROR_HTML.format(status=status), content_type="text/html"
        )
    if fault is Fault.TIMEOUT:
        state.stats.faults[fault.value] += 1
        await asyncio.sleep(TIMEOUT_HOLD_S)
        return web.Response(status=504, text="gateway timeout")
    if fault is Fault.RATE_LIMITED:
        state.stats.faults[fault.value] += 1
        return _rate_limited(state)
    response = await handler(request)
    return response


def create_domeggook_app(
    catalog: Catalog,
    config: DomeggookSimConfig | None = None,
    *,
    faults: Faults | None = None,
    clock: Callable[[], float] = time.time,
) -> web.Application:
    """Build the simulator app around ``catalog``; serve it with ``ServedApp``.

    ``clock`` (epoch seconds) drives rate-limit windows, blocks, the KST day and error dates, so
    tests can move time. ``faults`` defaults to no faults; it is adjustable at run time through
    ``POST /_sandbox/faults``. The catalog is shared, not copied: control-endpoint edits show up
    in the caller's ``Catalog`` too.
    """
    cfg = config or DomeggookSimConfig()
    app = web.Application(middlewares=[api_gate])
    images = ImageHost(catalog, slow_delay_s=lambda: cfg.slow_image_delay_s)
    app[STATE_KEY] = DomeggookSimState(
        catalog=catalog,
        config=cfg,
        faults=faults or Faults(),
        clock=clock,
        limiter=SimKeyQuota(
            per_minute=cfg.per_minute_limit,
            per_day=cfg.per_day_limit,
            minute_block_s=cfg.minute_block_s,
            daily_block_until_midnight=cfg.daily_block_until_midnight,
        ),
        images=images,
    )
    app.router.add_get(API_PATH, api_handler)
    app.router.add_get(API_PATH.rstrip("/"), api_handler)
    images.add_routes(app)
    add_control_routes(app)
    return app
