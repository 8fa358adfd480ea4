"""Sandbox-only control endpoints of the Domeggook simulator (not part of the real API).

* ``GET  /_sandbox/items[?scenario=…&status=…]`` — item numbers with status and scenario tags;
* ``GET  /_sandbox/items/{no}`` — one item's simulator-side truth (prices, stock, options);
* ``POST /_sandbox/items/{no}`` — change an item; JSON object with any of
  ``title`` (str), ``price`` (int | ``"1+3800|20+3500"`` | ``[[1, 3800], [20, 3500]]`` | null = no
  ``price.dome``), ``supply_price`` (int | null), ``stock`` (int, items without options),
  ``option_stock`` (``{"00_01": 5}``), ``options`` (null | ``{"axes": [{"name": "색상", "values":
  ["블랙", "화이트"]}], "stock": 10, "variants": {"01": {"stock": 0, "add_price": 500, "hid": 0,
  "dom": true}}}``), ``status`` (``on_sale``/``sold_out``/``ended``/``deleted``), ``license_usable``
  (bool), ``moq`` (int), ``images`` (``{"representative": url | null, "detail": [url, …] | null}``,
  either key optional: the URLs served as every ``thumb`` size and as the detail HTML's ``<img>``
  list instead of the generated ones; null restores those; any string up to 2,048 characters, so
  tests can point an item at loopback, metadata or non-http URLs). All-or-nothing: any invalid
  field → 400 ``{"error": …}`` and no change.
* ``GET  /_sandbox/stats`` — request, 429, fault and quota counters;
* ``GET/POST /_sandbox/faults`` — show or update the ``Faults`` (400 on bad values).
* ``POST /_sandbox/quota`` — ``{"daily_used": N}``: set every key's calls today (N ≥ the daily
  limit runs the quota out; 0 is "midnight": the daily block is lifted).
"""

from __future__ import annotations

import itertools
import json
import random
import re
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from storebridge.sandbox.catalog.generator import make_option_set
from storebridge.sandbox.catalog.model import SCENARIOS, Item, ItemStatus, OptionSet
from storebridge.sandbox.domeggook.state import STATE_KEY

CONTROL_PREFIX = "/_sandbox"
MAX_AXES = 5
MAX_AXIS_VALUES = 50
CHANGE_FIELDS = frozenset(
    {
        "title",
        "price",
        "supply_price",
        "stock",
        "option_stock",
        "options",
        "status",
        "license_usable",
        "moq",
        "images",
    }
)
MAX_IMAGE_URL_CHARS = 2048
MAX_DETAIL_IMAGES = 50
_TIERS_RE = re.compile(r"\d+\+\d+(\|\d+\+\d+)*")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _count(value: object, name: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}")
    return value


def parse_tiers(value: object) -> list[tuple[int, int]] | None:
    """``price`` of the control body → ascending ``[(min_qty, price)]``; ``None`` removes the price."""
    if value is None:
        return None
    if _is_int(value):
        return [(1, _count(value, "price"))]
    if isinstance(value, str):
        if not _TIERS_RE.fullmatch(value):
            raise ValueError('price string must look like "1+3800|20+3500"')
        pairs: list[Any] = [part.split("+") for part in value.split("|")]
    elif isinstance(value, list):
        pairs = value
    else:
        raise ValueError("price must be an integer, a tier string, a list of [qty, price] pairs or null")
    tiers: list[tuple[int, int]] = []
    for pair in pairs:
        if not isinstance(pair, list) or len(pair) != 2:
            raise ValueError("each price tier must be a [qty, price] pair")
        qty, price = (int(x) if isinstance(x, str) else x for x in pair)
        tiers.append((_count(qty, "tier qty", 1), _count(price, "tier price")))
    if not tiers or any(a[0] >= b[0] for a, b in itertools.pairwise(tiers)):
        raise ValueError("price tiers must be non-empty with strictly ascending quantities")
    return tiers


def _parse_options(item: Item, value: object) -> OptionSet | None:  # noqa: C901 - one check per field of the body
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValueError("options must be an object or null")
    unknown = sorted(set(value) - {"axes", "stock", "variants"})
    if unknown:
        raise ValueError(f"unknown options field(s): {', '.join(unknown)}")
    raw_axes = value.get("axes")
    if not isinstance(raw_axes, list) or not 1 <= len(raw_axes) <= MAX_AXES:
        raise ValueError(f"options.axes must be a list of 1 to {MAX_AXES} axes")
    axes: list[tuple[str, tuple[str, ...]]] = []
    for axis in raw_axes:
        name, values = (axis.get("name"), axis.get("values")) if isinstance(axis, dict) else (None, None)
        if not isinstance(name, str) or not name or not isinstance(values, list):
            raise ValueError("each axis needs a non-empty 'name' and a 'values' list")
        if not 1 <= len(values) <= MAX_AXIS_VALUES or not all(isinstance(v, str) and v for v in values):
            raise ValueError(f"axis values must be 1 to {MAX_AXIS_VALUES} non-empty strings")
        axes.append((name, tuple(values)))
    default_stock = _count(value.get("stock", 10), "options.stock")
    options = make_option_set(random.Random(item.no), axes, 0, natural=False)
    for variant in options.variants:
        variant.stock = default_stock
    overrides = value.get("variants", {})
    if not isinstance(overrides, dict):
        raise ValueError("options.variants must be an object keyed by combination key")
    by_key = {v.key: v for v in options.variants}
    for key, spec in overrides.items():
        if key not in by_key or not isinstance(spec, dict):
            raise ValueError(f"options.variants: unknown combination key {key!r}")
        bad = sorted(set(spec) - {"stock", "add_price", "hid", "dom"})
        if bad:
            raise ValueError(f"options.variants.{key}: unknown field(s) {', '.join(bad)}")
        variant = by_key[key]
        variant.stock = _count(spec.get("stock", variant.stock), f"variants.{key}.stock")
        add = spec.get("add_price", 0)
        if not _is_int(add):
            raise ValueError(f"variants.{key}.add_price must be an integer")
        variant.add_price_won = int(add)
        variant.hid = _count(spec.get("hid", 0), f"variants.{key}.hid")
        if variant.hid > 2:
            raise ValueError(f"variants.{key}.hid must be 0, 1 or 2")
        dom = spec.get("dom", True)
        if not isinstance(dom, bool):
            raise ValueError(f"variants.{key}.dom must be a boolean")
        variant.dom = dom
    return options


def _image_url(value: object, name: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_IMAGE_URL_CHARS:
        raise ValueError(f"{name} must be a non-empty string of at most {MAX_IMAGE_URL_CHARS} characters")
    return value


def _parse_images(value: object) -> dict[str, Any]:
    """``images`` of the control body → ``Item`` attribute updates (only the keys given)."""
    if not isinstance(value, dict) or not value:
        raise ValueError('images must be an object like {"representative": url, "detail": [url]}')
    unknown = sorted(set(value) - {"representative", "detail"})
    if unknown:
        raise ValueError(f"unknown images field(s): {', '.join(unknown)}")
    updates: dict[str, Any] = {}
    if "representative" in value:
        raw = value["representative"]
        url = None if raw is None else _image_url(raw, "images.representative")
        updates["representative_image_url"] = url
    if "detail" in value:
        raw = value["detail"]
        if raw is None:
            updates["detail_image_url_overrides"] = None
        elif isinstance(raw, list) and len(raw) <= MAX_DETAIL_IMAGES:
            updates["detail_image_url_overrides"] = tuple(_image_url(u, "images.detail[]") for u in raw)
        else:
            raise ValueError(f"images.detail must be a list of at most {MAX_DETAIL_IMAGES} URLs or null")
    return updates


@dataclass
class ChangePlan:
    """A validated control body: attribute updates plus per-option stock changes."""

    updates: dict[str, Any] = field(default_factory=dict)
    option_stock: dict[str, int] = field(default_factory=dict)

    def apply(self, item: Item) -> None:
        """Apply every change to ``item`` (after ``plan_change`` validated them all)."""
        for name, value in self.updates.items():
            setattr(item, name, value)
        if self.option_stock and item.options is not None:
            by_key = {v.key: v for v in item.options.variants}
            for key, qty in self.option_stock.items():
                by_key[key].stock = qty


def plan_change(item: Item, body: object) -> ChangePlan:  # noqa: C901 - one branch per changeable field
    """Validate a control body against ``item``; raise ``ValueError`` with a clear message."""
    if not isinstance(body, dict) or not body:
        raise ValueError("body must be a non-empty JSON object")
    unknown = sorted(set(body) - CHANGE_FIELDS)
    if unknown:
        raise ValueError(
            f"unknown field(s): {', '.join(unknown)}; allowed: {', '.join(sorted(CHANGE_FIELDS))}"
        )
    plan = ChangePlan()
    if "title" in body:
        title = body["title"]
        if not isinstance(title, str) or not title.strip():
            raise ValueError("title must be a non-empty string")
        plan.updates["title"] = title
    if "price" in body:
        plan.updates["dome_tiers"] = parse_tiers(body["price"])
        plan.updates["dome_price_override"] = None
    if "supply_price" in body:
        raw_supply = body["supply_price"]
        plan.updates["supply_price_won"] = None if raw_supply is None else _count(raw_supply, "supply_price")
    options = item.options
    if "options" in body:
        options = plan.updates["options"] = _parse_options(item, body["options"])
    if "stock" in body:
        if options is not None:
            raise ValueError("item has options: its stock is the sum of the variants', use option_stock")
        plan.updates["stock"] = _count(body["stock"], "stock")
    if "option_stock" in body:
        raw = body["option_stock"]
        if options is None:
            raise ValueError("item has no options: use stock")
        if not isinstance(raw, dict) or not raw:
            raise ValueError('option_stock must be an object like {"00_01": 5}')
        keys = {v.key for v in options.variants}
        missing = sorted(set(raw) - keys)
        if missing:
            raise ValueError(f"unknown option key(s): {', '.join(missing)}; known: {', '.join(sorted(keys))}")
        plan.option_stock = {key: _count(qty, f"option_stock.{key}") for key, qty in raw.items()}
    if "status" in body:
        try:
            plan.updates["status"] = ItemStatus(body["status"])
        except ValueError:
            raise ValueError(f"status must be one of {', '.join(s.value for s in ItemStatus)}") from None
    if "license_usable" in body:
        if not isinstance(body["license_usable"], bool):
            raise ValueError("license_usable must be a boolean")
        plan.updates["license_usable"] = body["license_usable"]
    if "moq" in body:
        plan.updates["moq"] = _count(body["moq"], "moq", 1)
    if "images" in body:
        plan.updates |= _parse_images(body["images"])
    return plan


def item_summary(item: Item) -> dict[str, Any]:
    """Simulator-side truth of one item, as served by ``GET /_sandbox/items/{no}``."""
    options = None
    if item.options is not None:
        options = {
            "axes": [{"name": name, "values": list(values)} for name, values in item.options.axes],
            "variants": [
                {
                    "key": v.key,
                    "name": v.name,
                    "stock": v.stock,
                    "add_price": v.add_price_won,
                    "hid": v.hid,
                    "dom": v.dom,
                }
                for v in item.options.variants
            ],
        }
    detail_overrides = item.detail_image_url_overrides
    return {
        "no": item.no,
        "title": item.title,
        "status": item.status.value,
        "scenarios": [s.value for s in item.scenarios],
        "category": item.category_code,
        "seller": item.seller.id,
        "price_tiers": item.dome_tiers,
        "supply_price": item.supply_price_won,
        "moq": item.moq,
        "stock": item.total_stock,
        "license_usable": item.license_usable,
        "options": options,
        "images": {
            "representative": item.representative_image_url,
            "detail": None if detail_overrides is None else list(detail_overrides),
        },
    }


def _json_error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def _read_json(request: web.Request) -> object:
    try:
        return json.loads(await request.text())
    except json.JSONDecodeError as exc:
        raise ValueError(f"body is not valid JSON: {exc.msg}") from None


def _lookup(request: web.Request) -> Item | web.Response:
    raw = request.match_info["no"]
    item = request.app[STATE_KEY].catalog.get(int(raw)) if raw.isdigit() else None
    return item if item is not None else _json_error(404, f"no item {raw} in the sandbox catalog")


async def list_items_handler(request: web.Request) -> web.Response:
    """``GET /_sandbox/items``: numbers, status and scenario tags, optionally filtered."""
    catalog = request.app[STATE_KEY].catalog
    scenario, status = request.query.get("scenario"), request.query.get("status")
    if scenario is not None and scenario not in {s.value for s in SCENARIOS}:
        return _json_error(
            400, f"unknown scenario {scenario!r}; known: {', '.join(s.value for s in SCENARIOS)}"
        )
    if status is not None and status not in {s.value for s in ItemStatus}:
        return _json_error(400, f"unknown status {status!r}; known: {', '.join(s.value for s in ItemStatus)}")
    rows = [
        {"no": item.no, "status": item.status.value, "scenarios": [s.value for s in item.scenarios]}
        for item in catalog
        if (scenario is None or scenario in item.scenarios)
        and (status is None or item.status.value == status)
    ]
    return web.json_response(
        {"count": len(rows), "scenario_names": [s.value for s in SCENARIOS], "items": rows}
    )


async def get_item_handler(request: web.Request) -> web.Response:
    """``GET /_sandbox/items/{no}``."""
    item = _lookup(request)
    return item if isinstance(item, web.Response) else web.json_response(item_summary(item))


async def change_item_handler(request: web.Request) -> web.Response:
    """``POST /_sandbox/items/{no}``: validate the whole body, then apply it (or change nothing)."""
    state = request.app[STATE_KEY]
    item = _lookup(request)
    if isinstance(item, web.Response):
        return item
    try:
        plan = plan_change(item, await _read_json(request))
    except ValueError as exc:
        return _json_error(400, str(exc))
    plan.apply(item)
    item.modified_ts = state.clock()
    return web.json_response(item_summary(item))


async def stats_handler(request: web.Request) -> web.Response:
    """``GET /_sandbox/stats``."""
    return web.json_response(request.app[STATE_KEY].stats_json())


async def get_faults_handler(request: web.Request) -> web.Response:
    """``GET /_sandbox/faults``."""
    return web.json_response(request.app[STATE_KEY].faults.as_dict())


async def set_faults_handler(request: web.Request) -> web.Response:
    """``POST /_sandbox/faults``: partial update, all-or-nothing; 400 names the bad setting."""
    faults = request.app[STATE_KEY].faults
    try:
        body = await _read_json(request)
        if not isinstance(body, dict):
            raise ValueError("body must be a JSON object")
        faults.update(body)
    except ValueError as exc:
        return _json_error(400, str(exc))
    return web.json_response(faults.as_dict())


async def set_quota_handler(request: web.Request) -> web.Response:
    """``POST /_sandbox/quota``: ``{"daily_used": N}`` for every accepted key; 400 on a bad body."""
    state = request.app[STATE_KEY]
    try:
        body = await _read_json(request)
        if not isinstance(body, dict) or set(body) != {"daily_used"}:
            raise ValueError('body must be {"daily_used": N}')
        used = _count(body["daily_used"], "daily_used")
    except ValueError as exc:
        return _json_error(400, str(exc))
    for key in state.config.keys:
        state.limiter.set_daily_used(key, used, state.clock())
    return web.json_response({"daily_used": used})


def add_control_routes(app: web.Application) -> None:
    """Register the ``/_sandbox/...`` endpoints on the simulator app."""
    app.router.add_get(CONTROL_PREFIX + "/items", list_items_handler)
    app.router.add_get(CONTROL_PREFIX + "/items/{no}", get_item_handler)
    app.router.add_post(CONTROL_PREFIX + "/items/{no}", change_item_handler)
    app.router.add_get(CONTROL_PREFIX + "/stats", stats_handler)
    app.router.add_get(CONTROL_PREFIX + "/faults", get_faults_handler)
    app.router.add_post(CONTROL_PREFIX + "/faults", set_faults_handler)
    app.router.add_post(CONTROL_PREFIX + "/quota", set_quota_handler)
