"""Source hashes: tell "nothing", "price/stock only" and "structure" changes apart."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from schemas.domeggook import DomeggookItem
from storebridge.transform.normalise import content_hash, structure_hash
from tests.paths import item_body


def parsed(raw: dict[str, Any]) -> DomeggookItem:
    return DomeggookItem.model_validate(raw)


def reversed_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: reversed_keys(value[key]) for key in reversed(list(value))}
    if isinstance(value, list):
        return [reversed_keys(entry) for entry in value]
    return value


def test_hashes_ignore_key_order_and_number_spelling() -> None:
    raw = item_body()
    respelled = reversed_keys(item_body())
    respelled["basis"]["no"] = "46072413"
    respelled["qty"]["inventory"] = 7934
    respelled["return"]["deliAmt"] = "3000"
    options = json.loads(respelled["selectOpt"])
    respelled["selectOpt"] = json.dumps(reversed_keys(options), ensure_ascii=False)

    assert content_hash(parsed(raw)) == content_hash(parsed(respelled))
    assert structure_hash(parsed(raw)) == structure_hash(parsed(respelled))


def test_unmodelled_fields_do_not_change_the_hash() -> None:
    raw = item_body()
    raw["seller"]["score"] = {"avg": "12", "cnt": 1}
    raw["event"] = {"join": {"no": ["1"]}}

    assert content_hash(parsed(raw)) == content_hash(parsed(item_body()))


def _set_option_qty(raw: dict[str, Any]) -> None:
    options = json.loads(raw["selectOpt"])
    options["data"]["00"]["qty"] = "7"
    raw["selectOpt"] = json.dumps(options)


def _set_option_add_on(raw: dict[str, Any]) -> None:
    options = json.loads(raw["selectOpt"])
    options["data"]["01"]["domPrice"] = "700"
    raw["selectOpt"] = json.dumps(options)


def _hide_option(raw: dict[str, Any]) -> None:
    options = json.loads(raw["selectOpt"])
    options["data"]["01"]["hid"] = "1"
    raw["selectOpt"] = json.dumps(options)


PRICE_STOCK_CHANGES: list[Callable[[dict[str, Any]], None]] = [
    lambda raw: raw["price"].update(dome="1+9800|20+9500"),
    lambda raw: raw["price"]["resale"].update(minimum="14000"),
    lambda raw: raw["qty"].update(inventory="1"),
    lambda raw: raw["basis"].update(status="판매종료"),
    _set_option_qty,
    _set_option_add_on,
]
STRUCTURE_CHANGES: list[Callable[[dict[str, Any]], None]] = [
    lambda raw: raw["basis"].update(title="새 이름"),
    lambda raw: raw["desc"]["contents"].update(item="<p>new</p>"),
    lambda raw: raw["deli"]["dome"].update(type="고정배송비"),
    lambda raw: raw["category"]["current"].update(code="04_01_04_00_00"),
    _hide_option,
]


@pytest.mark.parametrize("change", PRICE_STOCK_CHANGES)
def test_price_and_stock_changes_keep_the_structure_hash(change: Callable[[dict[str, Any]], None]) -> None:
    before = parsed(item_body())
    raw = item_body()
    change(raw)
    after = parsed(raw)

    assert content_hash(after) != content_hash(before)
    assert structure_hash(after) == structure_hash(before)


@pytest.mark.parametrize("change", STRUCTURE_CHANGES)
def test_content_changes_are_structural(change: Callable[[dict[str, Any]], None]) -> None:
    before = parsed(item_body())
    raw = item_body()
    change(raw)
    after = parsed(raw)

    assert content_hash(after) != content_hash(before)
    assert structure_hash(after) != structure_hash(before)


def test_the_two_hashes_differ_and_are_sha256_hex() -> None:
    item = parsed(item_body())

    assert len(content_hash(item)) == 64
    assert content_hash(item) != structure_hash(item)
