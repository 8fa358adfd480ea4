"""The simulated API gateway in front of every ``/external`` route: trace IDs, rate limits, auth, faults.

Order per request, outermost first (each step can answer on its own):

1. trace ID and ``GNCP-GW-*`` headers on *every* answer, including errors (reference §0);
2. route lookup: unknown path → 404 ``GW.NOT_FOUND``, wrong method → 405;
3. the API's token bucket → 429 ``GW.RATE_LIMIT`` with the RateLimit headers (reference §5). It runs
   before auth: the sandbox has one application, so every call is that application's, and an
   unauthenticated burst still spends tokens — the stricter of the two possible orders;
4. Bearer check → 401 ``GW.AUTHN`` (the token route is exempt);
5. fault injection (latency, 5xx, timeout, forced 429, lost answer, and the gateway conditions
   below), drawn from ``Faults``.

Gateway conditions a real deployment meets, each with its evidence (docs/SANDBOX.md):

- ``quota_limit_rate``: 429 ``GW.QUOTA_LIMIT`` "할당된 시간당 요청량을 초과하였습니다." with
  ``GNCP-GW-Quota-Period`` (``quota_period``), ``-Limit`` and ``-Remaining: 0`` — DOC (restriction
  page: SECONDS/ROUND), OBSERVED (D-3753 body; HOURS during the token-spec penalty, D-3751);
- ``ip_not_allowed_rate``: 403 ``GW.IP_NOT_ALLOWED`` — DOC (trouble-shooting table, reference §6).
  It is drawn after the token bucket and the Bearer check like every fault; the real gateway's
  order is not documented [INF];
- ``maintenance_rate``: 503 ``GW.BLOCK.02`` before the work is done — DOC (reference §6, "서비스를
  일시적으로 사용할 수 없습니다"); that the call was not forwarded is INFERRED from "circuit open" /
  maintenance.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

from storebridge.sandbox.faults import Fault
from storebridge.sandbox.naver.auth import bearer_is_valid
from storebridge.sandbox.naver.ratelimit import REMAINING_HEADER
from storebridge.sandbox.naver.state import NaverState, get_state
from storebridge.sandbox.naver.wire import gateway_error, product_error

#: Path prefix of the real API (``https://api.commerce.naver.com/external``).
EXTERNAL_PREFIX = "/external"
TRACE_HEADER = "GNCP-GW-Trace-ID"
RESPONSE_TIME_HEADER = "GNCP-GW-HttpClient-ResponseTime"
#: Gateway codes the 5xx fault picks from (reference §6), drawn from the simulator's seeded RNG.
SERVER_ERROR_CODES = ("GW.INTERNAL_SERVER_ERROR", "GW.PROXY.01", "GW.BLOCK.01", "GW.TIMEOUT.01")
QUOTA_PERIOD_HEADER = "GNCP-GW-Quota-Period"
QUOTA_LIMIT_HEADER = "GNCP-GW-Quota-Limit"
QUOTA_REMAINING_HEADER = "GNCP-GW-Quota-Remaining"
#: ``GNCP-GW-Quota-Limit`` announced by the quota fault, per period [INF: HOURS = the penalty's
#: 1 call/hour (D-3751); SECONDS = the documented 2 rps; ROUND: any positive number].
QUOTA_LIMITS = {"SECONDS": 2, "HOURS": 1, "ROUND": 10_000}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class ApiSpec:
    """One API as the gateway sees it: its bucket/stats name and how faults and auth treat it."""

    #: ``METHOD /path/template`` without the ``/external`` prefix, e.g. ``POST /v2/products``.
    name: str
    #: Writes opt in to the lost-answer fault (create/update: the duplicate-product case).
    write: bool = False
    #: True only for the token call, which carries no Bearer token.
    public: bool = False


API_SPECS: web.AppKey[dict[tuple[str, str], ApiSpec]] = web.AppKey("naver_api_specs", dict)


def _find_spec(request: web.Request) -> ApiSpec | None:
    route = request.match_info.route
    resource = route.resource
    if resource is None or request.match_info.http_exception is not None:
        return None
    method = "GET" if route.method == "HEAD" else route.method
    return request.app[API_SPECS].get((method, resource.canonical))


@web.middleware
async def naver_gateway(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Apply the gateway steps to ``/external`` requests; other paths pass straight through."""
    if not request.path.startswith(EXTERNAL_PREFIX + "/"):
        return await handler(request)
    state = get_state(request)
    trace_id = state.next_trace_id()
    extra_headers: dict[str, str] = {}
    try:
        response = await _through_gateway(request, handler, state, trace_id, extra_headers)
    except web.HTTPException as exc:
        # aiohttp's own refusals (body too large, …) still get a JSON body and the gateway headers.
        response = product_error(exc.status, now_s=state.clock(), message=exc.reason)
    response.headers.update(extra_headers)
    response.headers[TRACE_HEADER] = trace_id
    response.headers[RESPONSE_TIME_HEADER] = str(int(state.clock() * 1000))
    return response


async def _through_gateway(
    request: web.Request, handler: Handler, state: NaverState, trace_id: str, extra_headers: dict[str, str]
) -> web.StreamResponse:
    now_s = state.clock()
    spec = _find_spec(request)
    if spec is None:
        state.stats.requests["(unmatched)"] += 1
        if isinstance(request.match_info.http_exception, web.HTTPMethodNotAllowed):
            return product_error(405, now_s=now_s, message="허용되지 않은 메소드입니다.")
        return gateway_error("GW.NOT_FOUND", now_s=now_s, trace_id=trace_id)
    state.stats.requests[spec.name] += 1
    allowed, limit_headers = state.buckets.take(spec.name)
    extra_headers.update(limit_headers)
    if not allowed:
        state.stats.rate_limited += 1
        return gateway_error("GW.RATE_LIMIT", now_s=now_s, trace_id=trace_id)
    if not spec.public and not bearer_is_valid(request, state):
        state.stats.auth_failures += 1
        return gateway_error("GW.AUTHN", now_s=now_s, trace_id=trace_id)
    return await _with_faults(request, handler, state, spec, trace_id, extra_headers)


async def _with_faults(
    request: web.Request,
    handler: Handler,
    state: NaverState,
    spec: ApiSpec,
    trace_id: str,
    extra_headers: dict[str, str],
) -> web.StreamResponse:
    faults = state.faults
    if faults.latency_ms > 0:
        await asyncio.sleep(faults.latency_ms / 1000)
    fault = faults.draw(write=spec.write)
    if fault is not Fault.NONE:
        state.stats.faults_injected[fault.value] += 1
    if fault is Fault.SERVER_ERROR:
        code = state.rng.choice(SERVER_ERROR_CODES)
        return gateway_error(code, now_s=state.clock(), trace_id=trace_id)
    if fault is Fault.RATE_LIMITED:
        state.stats.rate_limited += 1
        extra_headers[REMAINING_HEADER] = "0"
        return gateway_error("GW.RATE_LIMIT", now_s=state.clock(), trace_id=trace_id)
    if fault is Fault.QUOTA_LIMITED:
        state.stats.rate_limited += 1
        period = faults.quota_period
        extra_headers[QUOTA_PERIOD_HEADER] = period
        extra_headers[QUOTA_LIMIT_HEADER] = str(QUOTA_LIMITS.get(period, 1))
        extra_headers[QUOTA_REMAINING_HEADER] = "0"
        return gateway_error("GW.QUOTA_LIMIT", now_s=state.clock(), trace_id=trace_id)
    if fault is Fault.IP_NOT_ALLOWED:
        return gateway_error("GW.IP_NOT_ALLOWED", now_s=state.clock(), trace_id=trace_id)
    if fault is Fault.MAINTENANCE:
        return gateway_error("GW.BLOCK.02", now_s=state.clock(), trace_id=trace_id)
    if fault is Fault.TIMEOUT:
        # Hold without answering; a client that gives up first disconnects, which cancels this
        # handler (ServedApp runs with handler_cancellation=True). Past the hold, the gateway's 504.
        await asyncio.sleep(state.config.timeout_hold_s)
        return gateway_error("GW.TIMEOUT.01", now_s=state.clock(), trace_id=trace_id)
    response = await handler(request)
    if fault is Fault.LOST_ANSWER:
        return await _drop_answer(request, state)
    return response


async def _drop_answer(request: web.Request, state: NaverState) -> web.StreamResponse:
    """The write is applied; now close the connection so the client never sees the answer."""
    state.stats.lost_answers += 1
    transport = request.transport
    if transport is not None:
        transport.close()
    # connection_lost cancels this task right away under handler_cancellation; without it, wait and
    # answer into the closed transport, which aiohttp discards.
    await asyncio.sleep(state.config.timeout_hold_s)
    return web.Response(status=504)
