"""The in-memory model of a simulated Domeggook catalog (items, options, sellers, scenarios).

These are the simulator's *truth*; ``domeggook/render.py`` turns them into the quirky wire JSON. Items
are plain mutable dataclasses because the sandbox control endpoint changes price, stock, options
and status while a run is in progress.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field


class ItemStatus(enum.StrEnum):
    """Lifecycle of an item as the simulator models it.

    ``SOLD_OUT`` is not a Domeggook status string (the documented ones are 판매중, 판매종료, …), so it
    is rendered as status 판매중 with every stock at 0 ([GUESS], the defensive reading: a client must
    look at stock, not only at the status). ``DELETED`` items answer ``ITEM_ERROR``.
    """

    ON_SALE = "on_sale"
    SOLD_OUT = "sold_out"
    ENDED = "ended"
    DELETED = "deleted"
    #: The other ``basis.status`` strings [DOC S3 in domeggook-api.md §2.4]: 기간미지정 sells (on
    #: sale with no end date); the rest do not (awaiting / refused approval, period over, penalty).
    NO_PERIOD = "no_period"
    PENDING_APPROVAL = "pending_approval"
    APPROVAL_REJECTED = "approval_rejected"
    PERIOD_ENDED = "period_ended"
    SANCTIONED = "sanctioned"


class Scenario(enum.StrEnum):
    """Tags of the deliberately broken or hostile items, found with ``Catalog.with_scenario``.

    Apart from its one problem, a hostile item is a healthy on-sale item with a mapped category and
    a usable detail licence, so the scenario is the only reason it can fail.
    """

    #: Representative image (every thumb size) is a truncated JPEG followed by junk.
    CORRUPT_IMAGE = "corrupt_image"
    #: Representative image URL answers an HTML page labelled ``Content-Type: image/jpeg``.
    NOT_AN_IMAGE = "not_an_image"
    #: Representative image is 50x50 px.
    TINY_IMAGE = "tiny_image"
    #: Representative image is a PNG whose header declares 30000x30000 (decompression bomb); tiny on the wire.
    HUGE_DIMENSIONS = "huge_dimensions"
    #: Representative image answers only after ``slow_image_delay_s``.
    SLOW_IMAGE = "slow_image"
    #: Representative image is WebP, which Naver does not accept.
    WEBP_IMAGE = "webp_image"
    #: The last ``<img>`` of the detail HTML answers 404.
    MISSING_DETAIL_IMAGE = "missing_detail_image"
    #: No ``price.dome`` (not sold on 도매꾹; only ``price.supply``).
    MISSING_DOME_PRICE = "missing_dome_price"
    #: ``price.dome`` is 0.
    ZERO_PRICE = "zero_price"
    #: ``price.dome`` is a broken tier string (``"1+3800|20+"``).
    MALFORMED_TIER_PRICE = "malformed_tier_price"
    #: Detail HTML carries ``<script>``, ``<iframe>``, ``<style>``, ``on*`` handlers and ``javascript:``.
    SCRIPT_HTML = "script_html"
    #: Four option axes (Naver allows three).
    FOUR_AXIS_OPTIONS = "four_axis_options"
    #: 120 option combinations (the business rules allow 100).
    TOO_MANY_OPTIONS = "too_many_options"
    #: One option's add-on price exceeds 50 % of the item price.
    OPTION_SURCHARGE_TOO_HIGH = "option_surcharge_too_high"
    #: The title contains a banned word (business-rules §7).
    BANNED_WORD_TITLE = "banned_word_title"
    #: The title is longer than 100 characters.
    LONG_TITLE = "long_title"
    #: No ``detail.infoDuty`` (상품정보제공고시) at all.
    MISSING_INFO_DUTY = "missing_info_duty"
    #: Category code absent from getCategoryList (cannot be mapped).
    UNMAPPED_CATEGORY = "unmapped_category"
    #: Ships from overseas, cash on delivery (착불) only.
    OVERSEA_COD_DELIVERY = "oversea_cod_delivery"


#: Round-robin order in which hostile slots receive scenarios.
SCENARIOS: tuple[Scenario, ...] = tuple(Scenario)


@dataclass(frozen=True)
class SimSeller:
    """A supplier; shared by many items, never mutated."""

    id: str
    nick: str
    company_name: str
    boss: str
    cno: str
    zipcode: str
    addr: str
    phone: str
    mobile: str
    rank: int
    good: bool
    power: bool
    score_avg: int
    score_cnt: int
    joined_ts: int


@dataclass
class SimOptionVariant:
    """One sellable combination (a row of ``selectOpt.data``); ``hid`` 0 normal, 1 hidden, 2 sold out."""

    key: str
    name: str
    add_price_won: int
    stock: int
    hid: int = 0
    dom: bool = True
    hash: str = "000000"

    @property
    def sellable(self) -> bool:
        """True when a buyer could order it (shown, listed on 도매꾹, in stock)."""
        return self.hid == 0 and self.dom and self.stock > 0


@dataclass
class OptionSet:
    """Option axes plus the combinations; ``data`` on the wire is built from ``variants``."""

    axes: list[tuple[str, tuple[str, ...]]]
    variants: list[SimOptionVariant]
    kind: str = "combination"


@dataclass
class Delivery:
    """Shipping terms; ``who`` is the list filter code (S free, P prepaid, B 착불, C buyer's choice)."""

    who: str
    pay: str
    fee_type: str
    tbl: str
    fee_won: int
    jeju_won: int
    islands_won: int
    merge: str
    send_avg: str
    wating: str
    from_oversea: bool


@dataclass
class ItemSpec:
    """``detail.*`` spec fields and the 상품정보제공고시 rows (``None`` = no infoDuty at all)."""

    size: str
    weight: str
    country: str
    manufacturer: str
    model: str
    safety_cert: bool
    info_duty_type: str
    info_duty: list[tuple[str, str]] | None


@dataclass
class Item:
    """One Domeggook item. Mutable: the control endpoint edits it in place.

    ``dome_tiers`` is ``[(min_qty, price_won), ...]`` ascending, or ``None`` when the item is not
    sold on 도매꾹 (the ``price.dome`` key is then missing on the wire). ``stock`` is used only when
    ``options`` is ``None``; with options the stock is the sum of the variants'.
    """

    no: int
    title: str
    keywords: list[str]
    category_code: str
    seller: SimSeller
    dome_tiers: list[tuple[int, int]] | None
    supply_price_won: int | None
    resale_minimum_won: int | None
    resale_recommend_won: int | None
    moq: int
    dome_unit: int
    stock: int
    options: OptionSet | None
    status: ItemStatus
    license_usable: bool
    tax: str
    adult: bool
    com_only: bool
    lwp: bool
    idx_com: int
    delivery: Delivery
    return_fee_won: int
    return_fee_double: bool
    spec: ItemSpec
    detail_images: int
    registered_ts: int
    modified_ts: float
    rank_score: int
    popularity: int
    quirk_seed: int
    scenarios: tuple[Scenario, ...] = ()
    #: Raw ``price.dome`` string sent instead of the tiers (only ``malformed_tier_price``).
    dome_price_override: str | None = None
    #: Image URLs set through the control endpoint (``images``), served instead of the generated
    #: ones: every ``thumb`` size, and the detail HTML's ``<img>`` list. ``None`` = generated.
    representative_image_url: str | None = None
    detail_image_url_overrides: tuple[str, ...] | None = None

    @property
    def total_stock(self) -> int:
        """Stock a buyer sees: the variants' sum with options, else ``stock``; 0 when sold out."""
        if self.status is ItemStatus.SOLD_OUT:
            return 0
        if self.options is not None:
            return sum(v.stock for v in self.options.variants)
        return self.stock

    def price_at(self, qty: int, *, market: str = "dome") -> int | None:
        """Unit price for ``qty`` pieces on ``market`` (``dome``/``supply``); ``None`` if not sold there."""
        if market == "supply":
            return self.supply_price_won
        if self.dome_tiers is None:
            return None
        price = self.dome_tiers[0][1]
        for min_qty, tier_price in self.dome_tiers:
            if qty >= min_qty:
                price = tier_price
        return price


@dataclass
class Catalog:
    """All items of one simulated Domeggook, in generation order, addressable by item number."""

    seed: int
    items: list[Item] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._by_no = {item.no: item for item in self.items}

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[Item]:
        return iter(self.items)

    def get(self, no: int) -> Item | None:
        """The item with number ``no`` (deleted ones included), or ``None``."""
        return self._by_no.get(no)

    def with_scenario(self, scenario: Scenario | str) -> list[Item]:
        """Every item tagged with ``scenario``; how tests and the demo find hostile cases."""
        tag = Scenario(scenario)
        return [item for item in self.items if tag in item.scenarios]

    def find(self, predicate: Callable[[Item], bool]) -> list[Item]:
        """Every item for which ``predicate`` holds (e.g. on sale with two option axes)."""
        return [item for item in self.items if predicate(item)]
