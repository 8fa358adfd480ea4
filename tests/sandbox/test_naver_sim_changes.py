"""Status, option-stock, multi-update and bulk-update changes (reference §4.5)."""

from __future__ import annotations

from typing import Any

from tests.sandbox.support import NaverApi, with_options

V1 = "/v1/products/origin-products"


async def read(naver: NaverApi, origin_no: int) -> dict[str, Any]:
    status, body, _ = await naver.call("GET", f"/v2/products/origin-products/{origin_no}")
    assert status == 200
    return dict(body["originProduct"])


async def change_status(naver: NaverApi, origin_no: int, **body: Any) -> tuple[int, Any]:
    status, answer, _ = await naver.call("PUT", f"{V1}/{origin_no}/change-status", json=body)
    return status, answer


async def test_sale_to_out_of_stock_and_back_needs_a_stock_quantity(naver: NaverApi) -> None:
    number = (await naver.create(await naver.valid_payload()))["originProductNo"]
    out_status, out_body = await change_status(naver, number, statusType="OUTOFSTOCK")
    out = await read(naver, number)
    refused, refused_body = await change_status(naver, number, statusType="SALE")
    back, _ = await change_status(naver, number, statusType="SALE", stockQuantity=40)
    selling = await read(naver, number)
    assert out_status == 200
    assert set(out_body) == {"code", "message", "data"}
    assert (out["statusType"], out["stockQuantity"]) == ("OUTOFSTOCK", 0)
    assert refused == 400
    assert refused_body["invalidInputs"][0]["name"] == "stockQuantity"
    assert back == 200
    assert (selling["statusType"], selling["stockQuantity"]) == ("SALE", 40)


async def test_suspension_and_resume_keep_the_stock(naver: NaverApi) -> None:
    number = (await naver.create(await naver.valid_payload()))["originProductNo"]
    await change_status(naver, number, statusType="SUSPENSION")
    suspended = await read(naver, number)
    await change_status(naver, number, statusType="SALE")
    resumed = await read(naver, number)
    assert (suspended["statusType"], suspended["stockQuantity"]) == ("SUSPENSION", 300)
    assert (resumed["statusType"], resumed["stockQuantity"]) == ("SALE", 300)


async def test_suspended_product_cannot_go_straight_to_out_of_stock(naver: NaverApi) -> None:
    number = (await naver.create(await naver.valid_payload()))["originProductNo"]
    await change_status(naver, number, statusType="SUSPENSION")
    status, body = await change_status(naver, number, statusType="OUTOFSTOCK")
    assert status == 400
    assert body["invalidInputs"][0]["type"] == "InvalidStatusTransition"


async def test_change_status_refuses_unknown_status_and_product(naver: NaverApi) -> None:
    number = (await naver.create(await naver.valid_payload()))["originProductNo"]
    bad_status, _ = await change_status(naver, number, statusType="DELETE")
    missing, _ = await change_status(naver, 1, statusType="SALE")
    assert (bad_status, missing) == (400, 404)


async def test_suspended_option_product_resumes_with_a_stock_quantity(naver: NaverApi) -> None:
    # Changed with issue 8: the sandbox used to refuse stockQuantity for option products with an
    # invented rule (NotAllowed.optionProduct.stock). DOC read-channel-product-product.md names no
    # such exception, and requires the stock when leaving OUTOFSTOCK; the rows keep the stock.
    number = (await naver.create(with_options(await naver.valid_payload(), [5, 7])))["originProductNo"]
    suspended, _ = await change_status(naver, number, statusType="SUSPENSION")
    resumed, _ = await change_status(naver, number, statusType="SALE", stockQuantity=12)
    after = await read(naver, number)
    assert (suspended, resumed) == (200, 200)
    assert (after["statusType"], after["stockQuantity"]) == ("SALE", 12)


async def test_resuming_with_no_stock_keeps_a_suspended_product_suspended(naver: NaverApi) -> None:
    number = (await naver.create(await naver.valid_payload()))["originProductNo"]
    await change_status(naver, number, statusType="SUSPENSION")
    status, _ = await change_status(naver, number, statusType="SALE", stockQuantity=0)
    after = await read(naver, number)
    assert status == 200
    assert (after["statusType"], after["stockQuantity"]) == ("SUSPENSION", 0)


async def test_option_stock_updates_rows_price_and_product_totals(naver: NaverApi) -> None:
    numbers = await naver.create(with_options(await naver.valid_payload(), [5, 7]))
    number = numbers["originProductNo"]
    rows = (await read(naver, number))["detailAttribute"]["optionInfo"]["optionCombinations"]
    body = {
        "productSalePrice": {"salePrice": 21000},
        "optionInfo": {
            "optionCombinations": [
                {"id": rows[0]["id"], "stockQuantity": 0, "price": 500, "usable": False},
                {"id": rows[1]["id"], "stockQuantity": 9},
            ]
        },
    }
    status, answer, _ = await naver.call("PUT", f"{V1}/{number}/option-stock", json=body)
    after = await read(naver, number)
    after_rows = after["detailAttribute"]["optionInfo"]["optionCombinations"]
    assert status == 200
    assert answer == {key: numbers[key] for key in ("originProductNo", "smartstoreChannelProductNo")}
    assert after["salePrice"] == 21000
    assert after["stockQuantity"] == 9
    assert [(r["stockQuantity"], r["price"], r["usable"]) for r in after_rows] == [
        (0, 500, False),
        (9, 0, True),
    ]


async def test_option_stock_to_zero_sells_out_and_only_status_sale_reopens(naver: NaverApi) -> None:
    # Changed with issue 8: restocking used to flip OUTOFSTOCK → SALE by itself. DOC
    # create-product-product.md: "품절 상태의 상품을 판매 중으로 변경하는 경우, StockQuantity와 함께
    # statusType을 SALE로 입력해야 합니다" — so stock alone leaves the product sold out.
    number = (await naver.create(with_options(await naver.valid_payload(), [5])))["originProductNo"]
    row_id = (await read(naver, number))["detailAttribute"]["optionInfo"]["optionCombinations"][0]["id"]
    path = f"{V1}/{number}/option-stock"
    await naver.call(
        "PUT", path, json={"optionInfo": {"optionCombinations": [{"id": row_id, "stockQuantity": 0}]}}
    )
    sold_out = await read(naver, number)
    await naver.call(
        "PUT", path, json={"optionInfo": {"optionCombinations": [{"id": row_id, "stockQuantity": 4}]}}
    )
    restocked = await read(naver, number)
    reopened, _ = await change_status(naver, number, statusType="SALE", stockQuantity=4)
    selling = await read(naver, number)
    assert sold_out["statusType"] == "OUTOFSTOCK"
    assert (restocked["statusType"], restocked["stockQuantity"]) == ("OUTOFSTOCK", 4)
    assert reopened == 200
    assert (selling["statusType"], selling["stockQuantity"]) == ("SALE", 4)


async def test_multi_update_stock_alone_does_not_reopen_a_sold_out_product(naver: NaverApi) -> None:
    number = (await naver.create(await naver.valid_payload()))["originProductNo"]
    await change_status(naver, number, statusType="OUTOFSTOCK")
    stock_only = {"originProductNo": number, "multiUpdateTypes": ["STOCK"], "stockQuantity": 5}
    await naver.call("PATCH", f"{V1}/multi-update", json={"multiProductUpdateRequestVos": [stock_only]})
    still_out = await read(naver, number)
    with_sale = {**stock_only, "multiUpdateTypes": ["STOCK", "PRODUCT_STATUS_SALE"]}
    await naver.call("PATCH", f"{V1}/multi-update", json={"multiProductUpdateRequestVos": [with_sale]})
    selling = await read(naver, number)
    assert (still_out["statusType"], still_out["stockQuantity"]) == ("OUTOFSTOCK", 5)
    assert (selling["statusType"], selling["stockQuantity"]) == ("SALE", 5)


async def test_option_stock_rejects_unknown_ids_and_surcharges_out_of_range(naver: NaverApi) -> None:
    number = (await naver.create(with_options(await naver.valid_payload(), [5, 7], [0, 5000])))[
        "originProductNo"
    ]
    rows = (await read(naver, number))["detailAttribute"]["optionInfo"]["optionCombinations"]
    # 1,500 won is in the < 2,000 band (0…+1,500): −10 and the unchanged +5,000 are both out of it.
    body = {
        "productSalePrice": {"salePrice": 1500},
        "optionInfo": {
            "optionCombinations": [{"id": 1, "stockQuantity": 1}, {"id": rows[0]["id"], "price": -10}]
        },
    }
    status, answer, _ = await naver.call("PUT", f"{V1}/{number}/option-stock", json=body)
    unchanged = await read(naver, number)
    names = {item["name"] for item in answer["invalidInputs"]}
    assert status == 400
    assert names == {
        "optionInfo.optionCombinations[0].id",
        "optionInfo.optionCombinations[1].price",
        "productSalePrice.salePrice",
    }
    assert unchanged["salePrice"] == 19900


async def test_multi_update_changes_price_stock_and_status_per_product(naver: NaverApi) -> None:
    first = (await naver.create(await naver.valid_payload(seller_code="SB-1")))["originProductNo"]
    second = (await naver.create(await naver.valid_payload(seller_code="SB-2")))["originProductNo"]
    price_and_stock = {
        "originProductNo": first,
        "multiUpdateTypes": ["SALE_PRICE", "STOCK"],
        "productSalePrice": {"salePrice": 15000},
        "stockQuantity": 0,
    }
    suspend = {"originProductNo": second, "multiUpdateTypes": ["PRODUCT_STATUS_SUSPENSION"]}
    body = {"multiProductUpdateRequestVos": [price_and_stock, suspend]}
    status, answer, _ = await naver.call("PATCH", f"{V1}/multi-update", json=body)
    one, two = await read(naver, first), await read(naver, second)
    assert status == 200
    assert answer["code"] == "SUCCESS"
    assert (one["salePrice"], one["stockQuantity"], one["statusType"]) == (15000, 0, "OUTOFSTOCK")
    assert two["statusType"] == "SUSPENSION"


async def test_multi_update_is_all_or_nothing(naver: NaverApi) -> None:
    first = (await naver.create(await naver.valid_payload()))["originProductNo"]
    body = {
        "multiProductUpdateRequestVos": [
            {
                "originProductNo": first,
                "multiUpdateTypes": ["SALE_PRICE"],
                "productSalePrice": {"salePrice": 15000},
            },
            {
                "originProductNo": 1,
                "multiUpdateTypes": ["SALE_PRICE"],
                "productSalePrice": {"salePrice": 15005},
            },
        ]
    }
    status, answer, _ = await naver.call("PATCH", f"{V1}/multi-update", json=body)
    after = await read(naver, first)
    names = {item["name"] for item in answer["invalidInputs"]}
    assert status == 400
    assert names == {
        "multiProductUpdateRequestVos[1].originProductNo",
        "multiProductUpdateRequestVos[1].productSalePrice.salePrice",
    }
    assert after["salePrice"] == 19900


async def test_bulk_update_changes_the_sale_price_of_every_listed_product(naver: NaverApi) -> None:
    first = (await naver.create(await naver.valid_payload(seller_code="SB-1")))["originProductNo"]
    second = (await naver.create(await naver.valid_payload(seller_code="SB-2")))["originProductNo"]
    body = {
        "originProductNos": [first, second],
        "productBulkUpdateType": "SALE_PRICE",
        "productSalePrice": {"value": 1000, "productSalePriceChangerType": "UP"},
    }
    status, _, _ = await naver.call("PUT", f"{V1}/bulk-update", json=body)
    unsupported, _, _ = await naver.call(
        "PUT",
        f"{V1}/bulk-update",
        json={"originProductNos": [first], "productBulkUpdateType": "DELIVERY"},
    )
    prices = [(await read(naver, number))["salePrice"] for number in (first, second)]
    assert status == 200
    assert prices == [20900, 20900]
    assert unsupported == 400
