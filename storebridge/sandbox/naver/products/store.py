"""Products registered on the simulated Smart Store, with Naver's storage rules applied.

A create stores the validated body after Naver's documented normalisation (reference §2.2, §4.2):
``SUSPENSION`` on create becomes ``SALE``, stock 0 means ``OUTOFSTOCK`` (and only an explicit
``statusType`` SALE with stock re-opens it), option rows get IDs, and
unsafe HTML is stripped from ``detailContent`` rather than rejected [NAV, D-2216]. An update
replaces the whole product except ``detailContent``, ``stockQuantity`` and the notice when omitted.
A deleted product stays as a DELETE tombstone that only search returns. The store also counts
duplicates by seller management code among live products, the number StoreBridge must keep at 0.
"""

from __future__ import annotations

import copy
import random
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

#: [INF] the filter Naver applies to detail HTML is unknown; these are the usual suspects (reference §7.8).
_UNSAFE_BLOCKS = re.compile(
    r"<(script|style|iframe)\b[^>]*>.*?</\1\s*>|<(script|style|iframe)\b[^>]*/?>", re.I | re.S
)
_EVENT_ATTRIBUTES = re.compile(r"""\s+on[a-z]+\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""", re.I)


def sanitise_detail_html(html: str) -> str:
    """``detailContent`` as Naver would store it: script/style/iframe and ``on*=`` attributes removed."""
    return _EVENT_ATTRIBUTES.sub("", _UNSAFE_BLOCKS.sub("", html))


def _option_key(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row.get(f"optionName{i}") for i in (1, 2, 3))


@dataclass
class StoredProduct:
    """One origin product and its Smart Store channel product, as the read API returns them."""

    origin_no: int
    channel_no: int
    origin: dict[str, Any]
    channel: dict[str, Any]
    registered_s: float
    modified_s: float

    @property
    def seller_code(self) -> str | None:
        """``detailAttribute.sellerCodeInfo.sellerManagementCode`` (StoreBridge's idempotency key)."""
        code = self.origin.get("detailAttribute", {}).get("sellerCodeInfo", {}).get("sellerManagementCode")
        return code if isinstance(code, str) and code else None

    @property
    def status(self) -> str:
        """Stored ``statusType`` (SALE, OUTOFSTOCK, SUSPENSION; CLOSE/PROHIBITION set by control; DELETE)."""
        return str(self.origin["statusType"])

    @property
    def live(self) -> bool:
        """False once deleted: only search still shows it (as DELETE)."""
        return self.status != "DELETE"

    @property
    def combinations(self) -> list[dict[str, Any]]:
        """The stored combination option rows (an empty list for single products)."""
        rows = self.origin.get("detailAttribute", {}).get("optionInfo", {}).get("optionCombinations")
        return rows if isinstance(rows, list) else []

    @property
    def option_ids(self) -> frozenset[int]:
        """IDs of the stored option rows."""
        return frozenset(int(row["id"]) for row in self.combinations)

    @property
    def has_notice(self) -> bool:
        """True when a product-information notice is stored (an update may then omit it)."""
        return "productInfoProvidedNotice" in self.origin.get("detailAttribute", {})

    def set_stock(self, stock: int) -> None:
        """Set ``stockQuantity``; 0 turns SALE into OUTOFSTOCK [DOC create-product-product.md].

        Stock alone never re-opens an OUTOFSTOCK product: the docs require ``statusType`` SALE
        together with the stock ("품절 상태의 상품을 판매 중으로 변경하는 경우, StockQuantity와 함께
        statusType을 SALE로 입력해야 합니다", DOC create-product-product.md), see ``open_for_sale``.
        """
        self.origin["stockQuantity"] = stock
        if stock == 0 and self.status == "SALE":
            self.origin["statusType"] = "OUTOFSTOCK"

    def open_for_sale(self) -> None:
        """``statusType`` SALE was sent explicitly: SALE with stock, OUTOFSTOCK without.

        [DOC read-channel-product-product.md] "재고 수량이 0인 경우 상태는 전달된 값과 무관하게 OUTOFSTOCK
        … 단, 현재 상태가 SUSPENSION이면 전송된 재고 수량이 0이어도 SUSPENSION으로 유지".
        """
        if int(self.origin["stockQuantity"]) > 0:
            self.origin["statusType"] = "SALE"
        elif self.status != "SUSPENSION":
            self.origin["statusType"] = "OUTOFSTOCK"

    def sync_stock_from_options(self) -> None:
        """For combination products, the product stock is the sum of the row stocks."""
        if self.combinations:
            self.set_stock(sum(int(row.get("stockQuantity", 0)) for row in self.combinations))

    def read_json(self) -> dict[str, Any]:
        """Body of ``GET /v2/products/origin-products/{no}`` (deep copies; callers may not mutate us)."""
        return {
            "originProduct": copy.deepcopy(self.origin),
            "smartstoreChannelProduct": copy.deepcopy(self.channel),
        }

    def numbers_json(self) -> dict[str, int]:
        """The create/update success body: the two product numbers only (reference §2.9)."""
        return {"originProductNo": self.origin_no, "smartstoreChannelProductNo": self.channel_no}


class SimSmartStore:
    """Live products by origin number, plus a channel-number index and duplicate counters."""

    def __init__(self, *, rng: random.Random) -> None:
        self._rng = rng
        self._products: dict[int, StoredProduct] = {}
        self._by_channel: dict[int, int] = {}
        self._next_origin = 11_000_000_000 + rng.randrange(1_000_000_000)
        self._next_channel = 12_000_000_000 + rng.randrange(1_000_000_000)
        self._next_option = 40_000_000_000 + rng.randrange(1_000_000_000)
        #: Creates whose seller management code was already used by a live product.
        self.duplicate_creates = 0

    def create(self, origin: dict[str, Any], channel: dict[str, Any], now_s: float) -> StoredProduct:
        """Register a validated body; numbers grow by small random steps, like Naver's."""
        origin = copy.deepcopy(origin)
        # [OFF] SUSPENSION on create is stored as SALE; the stock then decides SALE/OUTOFSTOCK.
        origin["statusType"] = "SALE"
        origin.setdefault("saleType", "NEW")
        origin["detailContent"] = sanitise_detail_html(origin["detailContent"])
        for row in self._rows(origin):
            row["id"] = self._new_option_id()
        self._next_origin += self._rng.randint(1, 97)
        self._next_channel += self._rng.randint(1, 97)
        product = StoredProduct(
            self._next_origin, self._next_channel, origin, copy.deepcopy(channel), now_s, now_s
        )
        product.set_stock(int(origin["stockQuantity"]))
        product.sync_stock_from_options()
        product.open_for_sale()
        code = product.seller_code
        if code is not None and any(p.seller_code == code for p in self.all()):
            self.duplicate_creates += 1
        self._products[product.origin_no] = product
        self._by_channel[product.channel_no] = product.origin_no
        return product

    def replace(
        self, product: StoredProduct, origin: dict[str, Any], channel: dict[str, Any], now_s: float
    ) -> None:
        """Full-replace update [NAV, D-1903]; omitted detailContent/stockQuantity/notice are kept [OFF]."""
        origin = copy.deepcopy(origin)
        old = product.origin
        if origin.get("detailContent") is None:
            origin["detailContent"] = old["detailContent"]
        origin["detailContent"] = sanitise_detail_html(origin["detailContent"])
        detail = origin["detailAttribute"]
        if detail.get("productInfoProvidedNotice") is None and product.has_notice:
            detail["productInfoProvidedNotice"] = copy.deepcopy(
                old["detailAttribute"]["productInfoProvidedNotice"]
            )
        old_ids = {_option_key(row): row["id"] for row in product.combinations}
        for row in self._rows(origin):
            if row.get("id") is None:
                row["id"] = old_ids.get(_option_key(row)) or self._new_option_id()
        stock = origin.get("stockQuantity")
        origin.setdefault("saleType", "NEW")
        product.origin = origin
        product.channel = copy.deepcopy(channel)
        product.modified_s = now_s
        product.origin["stockQuantity"] = int(old["stockQuantity"] if stock is None else stock)
        product.origin["statusType"] = old["statusType"]
        product.sync_stock_from_options()
        if stock == 0 or int(product.origin["stockQuantity"]) == 0:
            # [DOC create-product-product.md] "수정 시 재고 수량이 0으로 입력되면 StatusType으로 전달된
            # 항목은 무시되며 상품 상태는 OUTOFSTOCK(품절)으로 저장됩니다."
            product.origin["statusType"] = "OUTOFSTOCK"
        elif origin["statusType"] == "SUSPENSION":
            product.origin["statusType"] = "SUSPENSION"
        else:
            product.open_for_sale()

    def get(self, origin_no: int) -> StoredProduct | None:
        """The live (not deleted) product with this origin number."""
        product = self._products.get(origin_no)
        return product if product is not None and product.live else None

    def by_channel(self, channel_no: int) -> StoredProduct | None:
        """The live product whose Smart Store channel product has this number."""
        origin_no = self._by_channel.get(channel_no)
        return None if origin_no is None else self.get(origin_no)

    def delete(self, origin_no: int, now_s: float) -> bool:
        """Mark a product DELETE; False when there was no live one.

        [DOC search-product.md] lists DELETE among the statuses search returns, so the product stays
        visible to search as a tombstone (INFERRED: reads and writes answer 404 for it).
        """
        product = self.get(origin_no)
        if product is None:
            return False
        product.origin["statusType"] = "DELETE"
        product.modified_s = now_s
        return True

    def all(self) -> list[StoredProduct]:
        """Live products in registration order."""
        return [p for p in self._products.values() if p.live]

    def searchable(self) -> list[StoredProduct]:
        """Every product search can return, deleted ones (status DELETE) included."""
        return list(self._products.values())

    def duplicates(self) -> int:
        """Live origin products sharing a seller management code, beyond the first of each code."""
        counts = Counter(p.seller_code for p in self.all() if p.seller_code is not None)
        return sum(count - 1 for count in counts.values())

    def clear(self) -> None:
        """Forget every product (sandbox reset); numbering continues so numbers never repeat."""
        self._products.clear()
        self._by_channel.clear()
        self.duplicate_creates = 0

    def __len__(self) -> int:
        return len(self.all())

    def _new_option_id(self) -> int:
        self._next_option += self._rng.randint(1, 9)
        return self._next_option

    @staticmethod
    def _rows(origin: dict[str, Any]) -> list[dict[str, Any]]:
        rows = origin.get("detailAttribute", {}).get("optionInfo", {}).get("optionCombinations")
        return rows if isinstance(rows, list) else []
