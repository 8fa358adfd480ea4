"""Plain helpers of the simulator tests: constants, a hand-moved clock, request bodies, API callers.

Nothing here serves anything: the simulators are started and stopped by the fixtures in
``conftest.py`` (``api``, ``serve_domeggook``, ``naver``, ``serve_naver``), which hand the tests the
callers defined here already pointed at a running simulator.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Awaitable
from dataclasses import dataclass, replace
from typing import Any, Protocol

import aiohttp
from aiohttp import web
from PIL import Image

from storebridge.sandbox.catalog.generator import Catalog, Item, ItemStatus
from storebridge.sandbox.domeggook.app import DomeggookSimConfig
from storebridge.sandbox.faults import Faults
from storebridge.sandbox.naver.app import NaverSimConfig
from storebridge.sandbox.naver.tokens import client_secret_sign

# --- both simulators ---------------------------------------------------------------------------

#: 2026-02-02T02:40:00+09:00 — any fixed instant works; tests move it explicitly.
START_S = 1_769_967_600.0


class ManualClock:
    """A clock the tests move by hand (epoch seconds), passed to a simulator app as its ``clock``."""

    def __init__(self, now_s: float = START_S) -> None:
        self.now_s = now_s

    def __call__(self) -> float:
        return self.now_s

    def advance(self, seconds: float) -> None:
        """Move time forward (or back, with a negative value)."""
        self.now_s += seconds

    def ms(self) -> str:
        """The current time as the 13-digit millisecond string the Naver token call signs."""
        return str(int(self.now_s * 1000))


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (8, 8)) -> bytes:
    """A small valid image in ``fmt`` (PNG, JPEG, GIF, BMP, WEBP)."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


# --- Domeggook ---------------------------------------------------------------------------------

#: The simulator's default API key (``DomeggookSimConfig.api_key``).
KEY = "sandbox-domeggook-key"
#: Size and seed of the catalog behind the ``api`` fixture.
CATALOG_ITEMS = 400
SEED = 11


@dataclass
class Api:
    """Calls ``/ssl/api/`` of a served Domeggook simulator with the key and ``om=json`` filled in.

    ``clock`` is the simulator's clock when the test passed one to ``serve_domeggook``.
    """

    session: aiohttp.ClientSession
    base_url: str
    catalog: Catalog
    clock: ManualClock | None = None

    async def call(self, **params: str | None) -> tuple[int, Any]:
        """One API call; ``None`` drops a parameter. Returns (status, JSON body)."""
        query = {k: v for k, v in {"aid": KEY, "om": "json", **params}.items() if v is not None}
        async with self.session.get(self.base_url + "/ssl/api/", params=query) as response:
            return response.status, await response.json(content_type=None)

    async def view(self, no: int, ver: str = "4.5") -> Any:
        """``getItemView`` of one item (asserting HTTP 200)."""
        status, body = await self.call(ver=ver, mode="getItemView", no=str(no))
        assert status == 200
        return body

    async def items(self, **params: str) -> tuple[int, Any]:
        """``getItemList`` 4.1 on the dome market."""
        return await self.call(ver="4.1", mode="getItemList", market="dome", **params)

    async def control(self, no: int, change: dict[str, Any]) -> int:
        """``POST /_sandbox/items/{no}``; returns the status."""
        async with self.session.post(f"{self.base_url}/_sandbox/items/{no}", json=change) as response:
            return response.status


def on_sale(catalog: Catalog, predicate: Any = lambda item: True) -> Item:
    """The first ordinary on-sale item of ``catalog`` that satisfies ``predicate``."""
    return next(i for i in catalog if i.status is ItemStatus.ON_SALE and not i.scenarios and predicate(i))


def as_list(value: Any) -> list[Any]:
    """Undo the one-element-list collapse of the Domeggook wire format."""
    return value if isinstance(value, list) else [value]


# --- Naver -------------------------------------------------------------------------------------

SELLER_CODE = "SB-1-000123"
#: The config of the ``naver`` fixture: the rate limit lifted so tests not about it can call freely.
#: No rate limit and no search lag (the default lag is 2 s; tests that exercise it set their own).
FREE_NAVER_CONFIG = NaverSimConfig(rate_per_s=1000.0, search_lag_s=0.0)


def config_with(**changes: Any) -> NaverSimConfig:
    """The ``naver`` fixture's config with some fields changed."""
    return replace(FREE_NAVER_CONFIG, **changes)


def token_form(config: NaverSimConfig, clock: ManualClock, **overrides: str) -> dict[str, str]:
    """A correct token request body for ``config`` at the clock's time; ``overrides`` replace fields."""
    timestamp = overrides.get("timestamp", clock.ms())
    form = {
        "client_id": config.client_id,
        "timestamp": timestamp,
        "client_secret_sign": client_secret_sign(config.client_id, timestamp, config.client_secret),
        "grant_type": "client_credentials",
        "type": "SELF",
    }
    form.update(overrides)
    return form


def minimal_payload(image_url: str, *, seller_code: str = SELLER_CODE) -> dict[str, Any]:
    """The smallest create body the simulator accepts (single product, ETC notice, paid parcel)."""
    return {
        "originProduct": {
            "statusType": "SALE",
            "leafCategoryId": "50000803",
            "name": "스테인리스 진공 텀블러 500ml",
            "detailContent": "<div><p>상품 설명</p></div>",
            "images": {"representativeImage": {"url": image_url}},
            "salePrice": 19900,
            "stockQuantity": 300,
            "deliveryInfo": {
                "deliveryType": "DELIVERY",
                "deliveryAttributeType": "NORMAL",
                "deliveryCompany": "CJGLS",
                "deliveryFee": {"deliveryFeeType": "PAID", "baseFee": 3000, "deliveryFeePayType": "PREPAID"},
                "claimDeliveryInfo": {"returnDeliveryFee": 3000, "exchangeDeliveryFee": 6000},
            },
            "detailAttribute": {
                "afterServiceInfo": {
                    "afterServiceTelephoneNumber": "02-1234-5678",
                    "afterServiceGuideContent": "평일 10시-17시 고객센터 문의",
                },
                "originAreaInfo": {"originAreaCode": "0200037", "importer": "스토어브릿지 수입"},
                "sellerCodeInfo": {"sellerManagementCode": seller_code},
                "productInfoProvidedNotice": {
                    "productInfoProvidedNoticeType": "ETC",
                    "etc": {
                        "returnCostReason": "1",
                        "noRefundReason": "1",
                        "qualityAssuranceStandard": "1",
                        "compensationProcedure": "1",
                        "troubleShootingContents": "1",
                        "itemName": "텀블러",
                        "modelName": "상세페이지 참조",
                        "manufacturer": "상세페이지 참조",
                        "customerServicePhoneNumber": "02-1234-5678",
                    },
                },
                "minorPurchasable": True,
            },
        },
        "smartstoreChannelProduct": {
            "naverShoppingRegistration": False,
            "channelProductDisplayStatusType": "ON",
        },
    }


def with_options(
    payload: dict[str, Any], stocks: list[int], prices: list[int] | None = None
) -> dict[str, Any]:
    """``payload`` with one colour option group, one row per stock, and the matching product stock."""
    body = copy.deepcopy(payload)
    prices = prices or [0] * len(stocks)
    names = ["블랙", "화이트", "레드", "블루", "그린"]
    body["originProduct"]["detailAttribute"]["optionInfo"] = {
        "optionCombinationGroupNames": {"optionGroupName1": "색상"},
        "optionCombinations": [
            {"optionName1": names[i], "stockQuantity": stock, "price": prices[i], "usable": True}
            for i, stock in enumerate(stocks)
        ],
    }
    body["originProduct"]["stockQuantity"] = sum(stocks)
    return body


def problem_names(body: dict[str, Any]) -> set[str]:
    """The ``name`` of every ``invalidInputs`` item of a 400 body."""
    return {item.get("name", "") for item in body["invalidInputs"]}


@dataclass
class NaverApi:
    """A client of one served Naver simulator: its config, clock, faults and app, plus API calls.

    The access token is fetched on first use and cached here.
    """

    config: NaverSimConfig
    clock: ManualClock
    faults: Faults
    app: web.Application
    base_url: str
    session: aiohttp.ClientSession
    _token: str | None = None

    def api(self, path: str) -> str:
        """Absolute URL of an API path such as ``/v2/products``."""
        return f"{self.base_url}/external{path}"

    async def token(self) -> str:
        """A fresh or re-used access token (cached on the caller)."""
        if self._token is None:
            form = token_form(self.config, self.clock)
            async with self.session.post(self.api("/v1/oauth2/token"), data=form) as response:
                assert response.status == 200, await response.text()
                self._token = str((await response.json())["access_token"])
        return self._token

    async def call(self, method: str, path: str, **kwargs: Any) -> tuple[int, Any, dict[str, str]]:
        """An authorised API call; returns (status, JSON body or None, headers)."""
        headers = {"Authorization": f"Bearer {await self.token()}", **kwargs.pop("headers", {})}
        async with self.session.request(method, self.api(path), headers=headers, **kwargs) as response:
            body = await response.json() if response.content_type == "application/json" else None
            return response.status, body, dict(response.headers)

    async def upload(self, *files: bytes) -> list[str]:
        """Upload images and return their URLs (asserting success)."""
        form = aiohttp.FormData()
        for index, data in enumerate(files):
            form.add_field(
                "imageFiles", data, filename=f"{index}.img", content_type="application/octet-stream"
            )
        status, body, _ = await self.call("POST", "/v1/product-images/upload", data=form)
        assert status == 200, body
        return [image["url"] for image in body["images"]]

    async def valid_payload(self, *, seller_code: str = SELLER_CODE) -> dict[str, Any]:
        """``minimal_payload`` with a freshly uploaded representative image."""
        (url,) = await self.upload(image_bytes())
        return minimal_payload(url, seller_code=seller_code)

    async def create(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Create a product and return the success body (asserting 200)."""
        status, body, _ = await self.call("POST", "/v2/products", json=payload)
        assert status == 200, body
        return dict(body)

    async def stats(self) -> dict[str, Any]:
        """``GET /_sandbox/stats``."""
        async with self.session.get(f"{self.base_url}/_sandbox/stats") as response:
            return dict(await response.json())


# --- fixture types --------------------------------------------------------------------------------


class ServeDomeggook(Protocol):
    """Type of the ``serve_domeggook`` fixture."""

    def __call__(
        self,
        catalog: Catalog,
        config: DomeggookSimConfig | None = None,
        *,
        faults: Faults | None = None,
        clock: ManualClock | None = None,
    ) -> Awaitable[Api]: ...


class ServeNaver(Protocol):
    """Type of the ``serve_naver`` fixture."""

    def __call__(
        self, config: NaverSimConfig | None = None, *, faults: Faults | None = None
    ) -> Awaitable[NaverApi]: ...
