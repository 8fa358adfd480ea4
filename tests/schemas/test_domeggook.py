"""Domeggook wire models: every documented quirk is absorbed, unusable data names its field."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from pydantic import ValidationError

from schemas.domeggook import (
    DomeggookItem,
    find_api_error,
    flatten_categories,
    parse_category_list,
    parse_item_list,
    parse_item_view,
    parse_item_view_lenient,
    parse_tiers,
)
from schemas.domeggook_wire import parse_wire_bool, parse_wire_int
from tests.paths import DOMEGGOOK_DATA, item_body, recorded

# --------------------------------------------------------------------------- getItemView


def test_reference_single_example_parses_every_modelled_field() -> None:
    [item] = parse_item_view(recorded("item_view_single.json"))

    assert item.no == 46072413
    assert item.basis.title == "스텐 진공 텀블러 500ml 보온보냉"
    assert item.basis.status == "판매중"
    assert item.basis.keywords is not None
    assert item.basis.keywords.kw == ("텀블러", "보온병", "스텐컵")
    assert item.basis.adult is False
    assert item.price is not None
    assert item.price.dome == ((1, 9900), (20, 9500), (50, 9200))
    assert item.price.supply == ((1, 11900),)
    assert item.price.resale is not None
    assert (item.price.resale.minimum, item.price.resale.recommended) == (13000, 15900)
    assert item.qty is not None
    assert item.qty.inventory == 7934
    assert item.qty.dome_moq == 1
    assert item.deli is not None
    assert item.deli.dome is not None
    assert item.deli.dome.type == "수량별비례"
    assert item.deli.dome.tbl == ((30, 3000),)
    assert item.deli.fee_extra is not None
    assert (item.deli.fee_extra.jeju, item.deli.fee_extra.islands) == (
        3000,
        5000,
    )
    assert item.channel is not None
    assert item.channel.dome is True
    assert item.desc is not None
    assert item.desc.license is not None
    assert item.desc.license.usable is True
    assert item.select_opt is not None
    assert item.select_opt.axis_count == 1
    assert item.select_opt.data["01"].dom_price == 500
    assert item.select_opt.data["01"].qty == 0
    assert item.detail is not None
    assert item.detail.info_duty is not None
    assert len(item.detail.info_duty.item) == 2
    assert item.category is not None
    assert item.category.current is not None
    assert item.category.current.code == "04_01_03_00_00"
    assert item.return_info is not None
    assert item.return_info.deli_amt == 3000
    assert item.return_info.deli_amt_double is True


def test_multiple_true_response_yields_every_item_in_response_order() -> None:
    items = parse_item_view(recorded("item_view_multiple.json"))

    assert [item.no for item in items] == [46072413, 51234567, 60000001]


def test_multiple_true_response_with_one_hit_collapsed_to_an_object_yields_one_item() -> None:
    items = parse_item_view(recorded("item_view_multiple_one.json"))

    assert [item.no for item in items] == [51234567]


def test_multiple_true_response_with_an_empty_item_list_yields_nothing() -> None:
    assert parse_item_view({"domeggook": {"item": ""}}) == []


def test_raw_body_bytes_are_accepted_like_decoded_json() -> None:
    raw = (DOMEGGOOK_DATA / "item_view_single.json").read_bytes()

    assert parse_item_view(raw) == parse_item_view(json.loads(raw))


def test_html_instead_of_json_raises_validation_error() -> None:
    with pytest.raises(ValidationError, match=r"json_invalid|Invalid JSON"):
        parse_item_view(b"<html>302 Found</html>")


def test_quirks_sample_is_normalised_to_clean_types() -> None:
    [item] = parse_item_view(recorded("item_view_quirks.json"))

    assert item.no == 70000002
    assert item.basis.keywords is not None
    assert item.basis.keywords.kw == ("텀블러",)
    assert item.price is not None
    assert item.price.dome == ((1, 1180), (50, 1100))
    assert item.price.resale is not None
    assert item.price.resale.minimum == 1500
    assert item.qty is not None
    assert item.qty.inventory == 7934
    assert item.channel is not None
    assert item.channel.supply is None
    assert item.select_opt is not None
    assert item.select_opt.axes[0].opts == ("실버", "블랙")
    assert item.select_opt.data["00"].dom_price == 0
    assert item.select_opt.data["01"].hid == "0"
    assert not item.select_opt.data["01"].hidden
    assert item.detail is not None
    assert item.detail.info_duty is not None
    assert item.detail.info_duty.item[0].name == "제조자"
    assert item.detail.safety_cert[0].no == "XX000000-0001"
    assert item.category is not None
    assert item.category.parents is not None
    assert item.category.parents.elem[0].depth == 1


def test_desc_contents_sent_as_a_plain_string_is_the_item_html() -> None:
    body = item_body()
    body["desc"]["contents"] = "<p>old style</p>"

    item = DomeggookItem.model_validate(body)

    assert item.desc is not None
    assert item.desc.contents is not None
    assert item.desc.contents.item == "<p>old style</p>"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        *[("true", True), ("TRUE", True), ("Y", True), ("1", True), (True, True), ("false", False)],
        *[("", False), ("maybe", False), (None, False), ({}, False), (["true"], False), ("N", False)],
    ],
)
def test_licence_is_granted_only_by_an_explicit_true(raw: object, expected: bool) -> None:
    body = item_body()
    body["desc"]["license"]["usable"] = raw

    item = DomeggookItem.model_validate(body)

    assert item.desc is not None
    assert item.desc.license is not None
    assert item.desc.license.usable is expected


def test_missing_selectopt_null_and_empty_string_all_mean_no_options() -> None:
    for value in (None, "", "null", "{}"):
        body = item_body()
        body["selectOpt"] = value
        assert DomeggookItem.model_validate(body).select_opt is None
    body = item_body()
    del body["selectOpt"]
    assert DomeggookItem.model_validate(body).select_opt is None


def test_selectopt_given_as_an_object_is_accepted_too() -> None:
    body = item_body()
    body["selectOpt"] = json.loads(body["selectOpt"])

    item = DomeggookItem.model_validate(body)

    assert item.select_opt is not None
    assert set(item.select_opt.data) == {"00", "01"}


def test_unknown_extra_fields_are_ignored() -> None:
    body = item_body()
    body["brandNewSection"] = {"anything": [1, 2, 3]}
    body["basis"]["newFlag"] = "x"

    assert DomeggookItem.model_validate(body).no == 46072413


def test_empty_sections_sent_as_empty_strings_read_as_absent() -> None:
    body = item_body()
    for key in ("deli", "detail", "category", "return", "thumb", "seller"):
        body[key] = ""

    item = DomeggookItem.model_validate(body)

    assert (item.deli, item.detail, item.category, item.return_info, item.thumb, item.seller) == (None,) * 6


def test_validation_error_names_the_missing_item_number() -> None:
    body = item_body()
    del body["basis"]["no"]

    with pytest.raises(ValidationError) as caught:
        DomeggookItem.model_validate(body)

    assert caught.value.errors()[0]["loc"] == ("basis", "no")


def test_validation_error_names_selectopt_when_it_is_not_json() -> None:
    body = item_body()
    body["selectOpt"] = '{"type":"combination",'

    with pytest.raises(ValidationError, match="selectOpt is not valid JSON") as caught:
        DomeggookItem.model_validate(body)

    assert caught.value.errors()[0]["loc"] == ("selectOpt",)


def test_lenient_batch_parse_isolates_a_malformed_item() -> None:
    payload = recorded("item_view_multiple.json")
    broken = copy.deepcopy(payload["domeggook"]["item"][1])
    broken["basis"]["title"] = ""
    payload["domeggook"]["item"][1] = broken

    batch = parse_item_view_lenient(payload)

    assert [item.no for item in batch.items] == [46072413, 60000001]
    assert [(failure.index, failure.item_no) for failure in batch.failures] == [(1, 51234567)]
    assert "title is empty" in str(batch.failures[0].error)


def test_lenient_batch_parse_still_rejects_a_payload_without_domeggook() -> None:
    with pytest.raises(ValidationError, match="no 'domeggook' object"):
        parse_item_view_lenient({"unexpected": True})


# --------------------------------------------------------------------------- coercions


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("7934", 7934), (" 12 ", 12), ("1,180", 1180), ("3800.0", 3800), (12.0, 12), (-3, -3), ("+5", 5)],
)
def test_wire_integers_accept_the_spellings_seen_in_the_wild(raw: object, expected: int) -> None:
    assert parse_wire_int(raw) == expected


@pytest.mark.parametrize(
    "raw", ["12.5", "abc", True, "1e5", "", "9" * 16, float("nan"), float("inf"), [], "1,2,3", "12,34"]
)
def test_wire_integers_refuse_anything_that_is_not_a_whole_number(raw: object) -> None:
    refusal = r"^expected a (whole )?number, got |^number has more than \d+ digits$"
    with pytest.raises(ValueError, match=refusal):
        parse_wire_int(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("true", True),
        ("false", False),
        ("Y", True),
        ("n", False),
        ("1", True),
        ("0", False),
        (1, True),
        ("", False),
    ],
)
def test_wire_booleans_accept_string_flags(raw: object, expected: bool) -> None:
    assert parse_wire_bool(raw) is expected


@pytest.mark.parametrize("raw", ["maybe", 2, None, [], "yes please"])
def test_wire_booleans_refuse_unknown_flags(raw: object) -> None:
    with pytest.raises(ValueError, match="expected a boolean flag"):
        parse_wire_bool(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (9900, ((1, 9900),)),
        ("9900", ((1, 9900),)),
        ("1+3800|20+3500|50+3300", ((1, 3800), (20, 3500), (50, 3300))),
        ("50+3300|1+3800", ((1, 3800), (50, 3300))),
        ("30+3000|30+3000", ((30, 3000),)),
        ("1+3800|", ((1, 3800),)),
        ("", None),
        (None, None),
        ("1+0", ((1, 0),)),
    ],
)
def test_tier_tables_parse_into_sorted_quantity_price_pairs(raw: object, expected: object) -> None:
    assert parse_tiers(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("1+3800|1+3500", "two amounts for quantity 1"),
        ("0+3800", "below 1"),
        ("3800|20+3500", r"not 'quantity\+amount'"),
        ("1+abc", "whole number"),
        ("|".join(f"{n}+100" for n in range(1, 30)), "more than 20 tiers"),
    ],
)
def test_malformed_tier_tables_are_errors(raw: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_tiers(raw)


# --------------------------------------------------------------------------- errors


def test_item_error_body_is_found_and_means_the_item_is_gone() -> None:
    found = find_api_error(recorded("error_item_gone.json"))

    assert found is not None
    assert found.dcode == "ITEM_ERROR"
    assert found.item_gone
    assert found.dmessage == "해당 정보가 존재하지 않습니다"


def test_unknown_service_body_is_found_and_is_not_a_deleted_item() -> None:
    found = find_api_error(recorded("error_unknown_service.json"))

    assert found is not None
    assert found.code == "404"
    assert not found.item_gone


def test_errors_nested_inside_domeggook_are_found_too() -> None:
    found = find_api_error(
        {"domeggook": {"errors": {"code": "401", "dmessage": "유효하지 않은 API Key 입니다"}}}
    )

    assert found is not None
    assert found.code == "401"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"errors": [{"code": "429", "message": "too many"}]}, "too many"),
        ({"errors": "blocked for 3 minutes"}, "blocked for 3 minutes"),
        ({"errors": {"code": 500, "message": ["odd"], "dmessage": "x"}}, ""),
    ],
)
def test_garbled_error_bodies_are_still_reported_as_errors(payload: object, message: str) -> None:
    found = find_api_error(payload)

    assert found is not None
    assert found.message == message


@pytest.mark.parametrize(
    "payload",
    [recorded("item_view_single.json"), {"errors": {}}, {"errors": ""}, None, [], "text", {"domeggook": "x"}],
)
def test_success_bodies_and_empty_errors_are_not_errors(payload: object) -> None:
    assert find_api_error(payload) is None


# --------------------------------------------------------------------------- getItemList


def test_reference_list_example_parses_header_and_items() -> None:
    page = parse_item_list(recorded("item_list.json"))

    assert page.header.number_of_items == 2172
    assert page.header.current_page == 1
    assert page.header.number_of_pages == 1086
    assert [item.no for item in page.items] == [46072413, 51234567]
    first = page.items[0]
    assert (first.price, first.unit_qty, first.com_only) == (9900, 1, False)
    assert first.deli is not None
    assert (first.deli.who, first.deli.fee) == ("P", 3000)
    assert first.market is not None
    assert first.market.supply is True
    assert page.items[1].nick == ""


def test_list_with_a_single_hit_as_an_object_yields_one_item() -> None:
    payload = recorded("item_list.json")
    payload["domeggook"]["list"]["item"] = payload["domeggook"]["list"]["item"][0]

    assert len(parse_item_list(payload).items) == 1


def test_list_without_items_is_an_empty_page() -> None:
    page = parse_item_list({"domeggook": {"header": {"numberOfItems": "0"}, "list": ""}})

    assert page.items == ()
    assert page.header.number_of_items == 0


def test_list_item_without_a_number_is_a_validation_error_naming_it() -> None:
    payload = recorded("item_list.json")
    del payload["domeggook"]["list"]["item"][1]["no"]

    with pytest.raises(ValidationError) as caught:
        parse_item_list(payload)

    assert caught.value.errors()[0]["loc"] == ("items", 1, "no")


# --------------------------------------------------------------------------- getCategoryList


def test_reference_category_tree_flattens_with_depth_and_parent() -> None:
    entries = flatten_categories(parse_category_list(recorded("category_list.json")))

    assert [(entry.code, entry.depth, entry.parent_code) for entry in entries] == [
        ("01_00_00_00_00", 1, None),
        ("01_07_00_00_00", 2, "01_00_00_00_00"),
        ("01_07_03_00_00", 3, "01_07_00_00_00"),
    ]
    assert entries[2].name == "서류가방"


def test_category_children_given_as_a_list_or_a_bare_node_are_accepted() -> None:
    tree = {"domeggook": {"items": [{"code": "02_00_00_00_00", "child": {"code": "02_01_00_00_00"}}]}}

    entries = flatten_categories(parse_category_list(tree))

    assert [entry.code for entry in entries] == ["02_00_00_00_00", "02_01_00_00_00"]


def test_category_tree_deeper_than_five_levels_is_refused() -> None:
    node: dict[str, Any] = {"code": "09_09_09_09_09"}
    for _ in range(6):
        node = {"code": "01_00_00_00_00", "child": {"1": node}}

    with pytest.raises(ValidationError, match="deeper than 5"):
        parse_category_list({"domeggook": {"items": {"1": node}}})
