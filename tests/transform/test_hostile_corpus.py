"""A corpus of malformed and hostile getItemView payloads.

Every case must end in exactly the expected outcome: a pydantic ``ValidationError`` naming the
field, or a ``TransformRejected`` carrying the expected code with messages naming the item. No
other exception may escape, which the seeded fuzz test at the bottom checks on random damage too.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import ValidationError

from schemas.domeggook import DomeggookItem, parse_item_view
from storebridge.transform import (
    RejectionCode,
    TransformRejected,
    build_product,
    image_sources,
)
from tests.paths import item_body, recorded
from tests.transform.support import RULES

SAMPLES = (
    "item_view_single.json",
    "item_view_no_options.json",
    "item_view_two_axes.json",
    "item_view_quirks.json",
)


@dataclass(frozen=True)
class Invalid:
    """Parsing must raise a ValidationError mentioning ``field`` (and ``text`` when given)."""

    field: str
    text: str = ""


@dataclass(frozen=True)
class Rejected:
    """The transform must reject with ``code``."""

    code: RejectionCode


Mutation = Callable[[dict[str, Any]], object]


@dataclass(frozen=True)
class Case:
    name: str
    mutate: Mutation
    expect: Invalid | Rejected


def on_item(change: Callable[[dict[str, Any]], object]) -> Mutation:
    def mutate(payload: dict[str, Any]) -> object:
        change(payload["domeggook"])
        return payload

    return mutate


def options(change: Callable[[dict[str, Any]], object]) -> Mutation:
    def mutate(item: dict[str, Any]) -> None:
        decoded = json.loads(item["selectOpt"])
        change(decoded)
        item["selectOpt"] = json.dumps(decoded, ensure_ascii=False)

    return on_item(mutate)


def set_path(path: str, value: object) -> Mutation:
    def change(item: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = item
        for key in parents:
            node = node[key]
        node[last] = value

    return on_item(change)


def drop(path: str) -> Mutation:
    def change(item: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = item
        for key in parents:
            node = node[key]
        del node[last]

    return on_item(change)


def four_axes(data: dict[str, Any]) -> None:
    data["set"] = [{"name": f"축{n}", "opts": ["a", "b"]} for n in range(4)]
    data["data"] = {
        "00_00_00_00": {"name": "a", "dom": "1", "qty": "1"},
        "01_01_01_01": {"name": "b", "dom": "1"},
    }


def many_rows(data: dict[str, Any]) -> None:
    values = [f"v{n}" for n in range(150)]
    data["set"] = [{"name": "옵션", "opts": values}]
    data["data"] = {f"{n:03d}": {"name": values[n], "dom": "1", "qty": "1", "hid": "0"} for n in range(150)}


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


CASES: list[Case] = [
    # ---- unusable data: ValidationError naming the field
    Case("basis missing", drop("basis"), Invalid("basis", "neither 'basis'")),
    Case("item number missing", drop("basis.no"), Invalid("basis.no", "Field required")),
    Case("item number not numeric", set_path("basis.no", "A-46072413"), Invalid("basis.no", "whole number")),
    Case("item number zero", set_path("basis.no", "0"), Invalid("basis.no", "greater than 0")),
    Case("item number negative", set_path("basis.no", -5), Invalid("basis.no", "greater than 0")),
    Case("item number boolean", set_path("basis.no", True), Invalid("basis.no", "boolean")),
    Case("item number fractional", set_path("basis.no", "1.5"), Invalid("basis.no", "whole number")),
    Case(
        "item number absurdly long",
        set_path("basis.no", "9" * 40),
        Invalid("basis.no", "more than 15 digits"),
    ),
    Case("title missing", drop("basis.title"), Invalid("basis.title", "Field required")),
    Case("title blank", set_path("basis.title", " \t\n "), Invalid("basis.title", "title is empty")),
    Case("title a list", set_path("basis.title", ["a", "b"]), Invalid("basis.title", "string")),
    Case("title an object", set_path("basis.title", {"ko": "텀블러"}), Invalid("basis.title", "string")),
    Case(
        "selectOpt truncated JSON",
        set_path("selectOpt", '{"type":"combination","data":{'),
        Invalid("selectOpt"),
    ),
    Case("selectOpt a JSON list", set_path("selectOpt", "[1, 2]"), Invalid("selectOpt", "got list")),
    Case("selectOpt a JSON number", set_path("selectOpt", "42"), Invalid("selectOpt", "got int")),
    Case(
        "selectOpt nesting bomb",
        set_path("selectOpt", nested(200_000)),
        Invalid("selectOpt", "RecursionError"),
    ),
    Case(
        "selectOpt encoded four times",
        set_path("selectOpt", json.dumps(json.dumps(json.dumps(json.dumps({"data": {}}))))),
        Invalid("selectOpt", "too many times"),
    ),
    Case(
        "selectOpt 3 MB",
        set_path("selectOpt", '"' + "x" * 3_000_000 + '"'),
        Invalid("selectOpt", "longer than"),
    ),
    Case(
        "combination key not indexes",
        options(lambda d: d["data"].update(red={})),
        Invalid("data", "zero-padded"),
    ),
    Case(
        "combination keys mix widths",
        options(lambda d: d["data"].update({"00_01": {}})),
        Invalid("data", "mix"),
    ),
    Case("combination data a list", options(lambda d: d.update(data=["00", "01"])), Invalid("data")),
    Case("combination row a string", options(lambda d: d["data"].update({"00": "블랙"})), Invalid("data.00")),
    Case(
        "row stock words",
        options(lambda d: d["data"]["00"].update(qty="many")),
        Invalid("qty", "whole number"),
    ),
    Case(
        "row flag unknown",
        options(lambda d: d["data"]["00"].update(dom="maybe")),
        Invalid("dom", "boolean flag"),
    ),
    Case(
        "row add-on a float", options(lambda d: d["data"]["01"].update(domPrice="500.5")), Invalid("domPrice")
    ),
    Case("price words", set_path("price.dome", "문의"), Invalid("price.dome", "whole number")),
    Case(
        "price tiers conflict", set_path("price.dome", "1+3800|1+3500"), Invalid("price.dome", "two amounts")
    ),
    Case("price tier from zero", set_path("price.dome", "0+3800"), Invalid("price.dome", "below 1")),
    Case("price tiers mixed format", set_path("price.dome", "3800|20+3500"), Invalid("price.dome")),
    Case("price an object", set_path("price.dome", {"value": 3800}), Invalid("price.dome", "number")),
    Case("price scientific", set_path("price.dome", "1e5"), Invalid("price.dome", "whole number")),
    Case("price fractional", set_path("price.dome", 38.5), Invalid("price.dome", "whole number")),
    Case(
        "price 25 tiers",
        set_path("price.dome", "|".join(f"{n}+100" for n in range(1, 26))),
        Invalid("price.dome"),
    ),
    Case("price section a number", set_path("price", 9900), Invalid("price")),
    Case("stock words", set_path("qty.inventory", "재고많음"), Invalid("qty.inventory", "whole number")),
    Case("stock 20 digits", set_path("qty.inventory", "9" * 20), Invalid("qty.inventory", "more than 15")),
    Case("overseas flag unknown", set_path("deli.fromOversea", "perhaps"), Invalid("deli.fromOversea")),
    Case("adult flag unknown", set_path("basis.adult", "sometimes"), Invalid("basis.adult")),
    Case("return fee words", set_path("return.deliAmt", "무료"), Invalid("return.deliAmt")),
    Case(
        "domeggook a list", lambda p: {"domeggook": [p["domeggook"]]}, Invalid("domeggook", "no 'domeggook'")
    ),
    Case("payload not JSON", lambda p: "<html>502 Bad Gateway</html>", Invalid("json", "Invalid JSON")),
    Case("payload null", lambda p: None, Invalid("getItemView", "must be a JSON object")),
    Case("payload an error body", lambda p: {"errors": {"dcode": "ITEM_ERROR"}}, Invalid("domeggook")),
    # ---- usable data that must not be registered: precise rejections
    Case("price zero", set_path("price.dome", "0"), Rejected(RejectionCode.PRICE_OUT_OF_RANGE)),
    Case("price negative", set_path("price.dome", "-1000"), Rejected(RejectionCode.PRICE_OUT_OF_RANGE)),
    Case(
        "price above ceiling",
        set_path("price.dome", "1+999999999"),
        Rejected(RejectionCode.PRICE_OUT_OF_RANGE),
    ),
    Case(
        "resale minimum absurd",
        set_path("price.resale", {"minimum": "1000000000"}),
        Rejected(RejectionCode.PRICE_OUT_OF_RANGE),
    ),
    Case("dome price missing", drop("price.dome"), Rejected(RejectionCode.PRICE_MISSING)),
    Case("price section missing", drop("price"), Rejected(RejectionCode.PRICE_MISSING)),
    Case("four option axes", options(four_axes), Rejected(RejectionCode.TOO_MANY_OPTION_AXES)),
    Case("150 option rows", options(many_rows), Rejected(RejectionCode.TOO_MANY_OPTIONS)),
    Case(
        "every row hidden",
        options(lambda d: [row.update(hid="2") for row in d["data"].values()]),
        Rejected(RejectionCode.NO_SELLABLE_VARIANT),
    ),
    Case(
        "no row sellable on dome",
        options(lambda d: [row.update(dom="0") for row in d["data"].values()]),
        Rejected(RejectionCode.NO_SELLABLE_VARIANT),
    ),
    Case(
        "row stock negative",
        options(lambda d: d["data"]["00"].update(qty="-1")),
        Rejected(RejectionCode.STOCK_INVALID),
    ),
    Case(
        "row add-on below cost",
        options(lambda d: d["data"]["01"].update(domPrice="-20000")),
        Rejected(RejectionCode.PRICE_OUT_OF_RANGE),
    ),
    Case(
        "duplicate option values",
        options(lambda d: d["set"][0].update(opts=["블랙", "블랙"])),
        Rejected(RejectionCode.OPTION_DUPLICATE),
    ),
    Case(
        "set disagrees with keys",
        options(lambda d: d["set"].append({"name": "사이즈", "opts": ["S"]})),
        Rejected(RejectionCode.OPTION_STRUCTURE_INVALID),
    ),
    Case(
        "independent options",
        options(lambda d: d.update(type="independent")),
        Rejected(RejectionCode.OPTION_TYPE_UNSUPPORTED),
    ),
    Case(
        "plain stock negative",
        on_item(lambda i: (i.pop("selectOpt"), i["qty"].update(inventory="-1"))),
        Rejected(RejectionCode.STOCK_INVALID),
    ),
    Case(
        "plain stock missing",
        on_item(lambda i: (i.pop("selectOpt"), i.pop("qty"))),
        Rejected(RejectionCode.STOCK_MISSING),
    ),
    Case("name only emoji", set_path("basis.title", "🎁🎉✨💯"), Rejected(RejectionCode.NAME_EMPTY)),
    Case(
        "name only markup",
        set_path("basis.title", "<script></script><b></b>"),
        Rejected(RejectionCode.NAME_EMPTY),
    ),
    Case(
        "name banned word", set_path("basis.title", "관절 완치 보호대"), Rejected(RejectionCode.BANNED_WORD)
    ),
    Case(
        "300-char name with banned word at the end",
        set_path("basis.title", "텀블러 " * 70 + "짝퉁"),
        Rejected(RejectionCode.BANNED_WORD),
    ),
    Case(
        "script-laden detail with banned visible text",
        set_path(
            "desc.contents.item",
            '<script>x()</script><p onclick="y()">무조건 효과</p><iframe src="//e"></iframe>',
        ),
        Rejected(RejectionCode.BANNED_WORD),
    ),
    Case("category missing", drop("category"), Rejected(RejectionCode.CATEGORY_MISSING)),
    Case(
        "category code garbage",
        set_path("category.current.code", "'; DROP TABLE--"),
        Rejected(RejectionCode.CATEGORY_NOT_MAPPED),
    ),
    Case(
        "category unmapped",
        set_path("category.current.code", "09_01_00_00_00"),
        Rejected(RejectionCode.CATEGORY_NOT_MAPPED),
    ),
    Case("detail section missing", drop("detail"), Rejected(RejectionCode.NOTICE_MISSING)),
    Case("info duty blank", set_path("detail.infoDuty", ""), Rejected(RejectionCode.NOTICE_MISSING)),
    Case("seller unknown for an import", drop("seller"), Rejected(RejectionCode.ORIGIN_IMPORTER_MISSING)),
    Case("shipping section missing", drop("deli"), Rejected(RejectionCode.DELIVERY_UNSUPPORTED)),
    Case(
        "ships from overseas",
        set_path("deli.fromOversea", "true"),
        Rejected(RejectionCode.DELIVERY_UNSUPPORTED),
    ),
    Case(
        "hidden shipping fee",
        set_path("deli.dome", {"type": "금액비노출"}),
        Rejected(RejectionCode.DELIVERY_UNSUPPORTED),
    ),
    Case(
        "shipping fee absurd",
        set_path("deli.dome", {"type": "고정배송비", "fee": "150000"}),
        Rejected(RejectionCode.DELIVERY_FEE_OUT_OF_RANGE),
    ),
    Case(
        "island surcharge absurd",
        set_path("deli.feeExtra", {"jeju": "300000"}),
        Rejected(RejectionCode.DELIVERY_FEE_OUT_OF_RANGE),
    ),
    Case("return terms missing", drop("return"), Rejected(RejectionCode.RETURN_FEE_MISSING)),
    Case("adult only", set_path("basis.adult", "Y"), Rejected(RejectionCode.ADULT_ONLY)),
    Case(
        "minimum order above Naver's 10,000",
        set_path("qty.domeMoq", "10001"),
        Rejected(RejectionCode.MOQ_TOO_HIGH),
    ),
    Case("order multiple 2", set_path("qty.domeUnit", "2"), Rejected(RejectionCode.ORDER_UNIT_UNSUPPORTED)),
    Case(
        "not on the dome market",
        set_path("channel.dome", "false"),
        Rejected(RejectionCode.MARKET_UNAVAILABLE),
    ),
    Case("unknown tax type", set_path("basis.tax", "간이과세"), Rejected(RejectionCode.TAX_TYPE_UNKNOWN)),
    Case("thumbnail missing", drop("thumb"), Rejected(RejectionCode.IMAGE_MISSING)),
    Case(
        "thumbnail javascript URL",
        set_path("thumb", {"original": "javascript:alert(1)"}),
        Rejected(RejectionCode.IMAGE_MISSING),
    ),
]


def test_the_corpus_has_at_least_fifty_cases() -> None:
    assert len(CASES) >= 50
    assert len({case.name for case in CASES}) == len(CASES)


def _uploaded_for(item: DomeggookItem) -> dict[str, str]:
    return {
        url: f"https://shop-phinf.pstatic.net/20250101_1/{n}_JPEG/{n}.jpg"
        for n, url in enumerate(image_sources(item).all)
    }


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_input_ends_in_the_expected_precise_outcome(case: Case) -> None:
    payload = case.mutate(recorded("item_view_single.json"))

    if isinstance(case.expect, Invalid):
        with pytest.raises(ValidationError) as caught:
            parse_item_view(payload)
        text = str(caught.value)
        assert case.expect.field.split(".")[-1] in text, text
        assert case.expect.text in text, text
        return

    [item] = parse_item_view(payload)
    result = build_product(item, RULES, _uploaded_for(item))
    assert isinstance(result, TransformRejected), result
    assert case.expect.code in result.codes, result.rejections
    assert all(rejection.message.startswith(f"item {item.no}: ") for rejection in result.rejections)


# --------------------------------------------------------------------------- seeded fuzzing

JUNK: tuple[object, ...] = (
    None, "", " ", "abc", "0", "-1", 0, -1, 10**20, 1.5, True, [], {}, [1, "a"], {"x": {"y": 1}},
    "1+2|x", "1+0|0+1", "9" * 30, "🎁" * 60, "<script>alert(1)</script>", "null", "{}", "[[[", "true", "Y",
    "&amp;amp;", "javascript:alert(1)", "01_07_03_00_00", "판매종료", "\x00\x1f", "x" * 5000,
)  # fmt: skip


def _leaves(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(node, dict):
        return [leaf for key, value in node.items() for leaf in _leaves(value, (*path, key))] or [path]
    if isinstance(node, list):
        return [leaf for index, value in enumerate(node) for leaf in _leaves(value, (*path, index))] or [path]
    return [path]


def _replace(node: Any, path: tuple[Any, ...], value: object) -> Any:
    if not path:
        return value
    node[path[0]] = _replace(node[path[0]], path[1:], value)
    return node


def _damage(rng: random.Random, item: dict[str, Any]) -> dict[str, Any]:
    if isinstance(item.get("selectOpt"), str) and rng.random() < 0.4:
        decoded = json.loads(item["selectOpt"])
        path = rng.choice(_leaves(decoded))
        item["selectOpt"] = json.dumps(_replace(decoded, path, rng.choice(JUNK)), ensure_ascii=False)
        return item
    for _ in range(rng.randint(1, 3)):
        leaves = [leaf for leaf in _leaves(item) if leaf]
        item = _replace(item, rng.choice(leaves), copy.deepcopy(rng.choice(JUNK)))
    return item


@pytest.mark.parametrize("seed", range(8))
def test_random_damage_never_escapes_as_anything_but_validation_error_or_a_result(seed: int) -> None:
    rng = random.Random(seed)
    samples = {name: item_body(name) for name in SAMPLES}
    outcomes = {"invalid": 0, "rejected": 0, "transformed": 0}
    for _ in range(60):
        item = _damage(rng, copy.deepcopy(samples[rng.choice(SAMPLES)]))
        try:
            [parsed] = parse_item_view({"domeggook": item})
        except ValidationError:
            outcomes["invalid"] += 1
            continue
        result = build_product(parsed, RULES, _uploaded_for(parsed))
        outcomes["rejected" if isinstance(result, TransformRejected) else "transformed"] += 1
        if isinstance(result, TransformRejected):
            assert result.rejections
            assert all(r.message.startswith(f"item {parsed.no}: ") for r in result.rejections)
    assert sum(outcomes.values()) == 60
