"""Pydantic v2 models of Domeggook getItemView responses (single and ``multiple=true``) and errors.

Over 400 lines because it is one wire format, kept whole so it has exactly one parser.

The API is XML converted to JSON; ``schemas.domeggook_wire`` absorbs its quirks (numbers and
booleans as strings, one-element lists collapsed to an object, ``selectOpt`` as JSON inside a
string, tier prices ``"1+3800|20+3500"``) so everything downstream sees clean Python types. Only
fields the pipeline uses are modelled; every other key is ignored, so a change in an unused field
can never reject an item. Unusable data (no item number, no title, a ``selectOpt`` that is not
JSON, a price that is not a number) raises ``pydantic.ValidationError`` whose location names the
field. Business judgements (zero price, unmapped category, four option axes) are *not* made here:
they are rejections in ``storebridge.transform``. getItemList and getCategoryList live in
``schemas.domeggook_catalog`` and are re-exported here.

Over 400 lines because getItemView is one nested document with ~25 wire objects; its models and
entry points are read together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from schemas.domeggook_catalog import (
    CategoryEntry,
    CategoryNode,
    ItemListPage,
    ListItem,
    flatten_categories,
    parse_category_list,
    parse_item_list,
)
from schemas.domeggook_wire import (
    BLANK,
    LIST,
    ExplicitTrue,
    IntOrZero,
    OptBool,
    OptInt,
    Text,
    Tiers,
    TierTable,
    WireBool,
    WireInt,
    WireModel,
    as_list,
    blank_to_none,
    decode_select_opt,
    load,
    parse_tiers,
    parse_wire_int,
)

__all__ = [
    "Basis",
    "Category",
    "CategoryEntry",
    "CategoryNode",
    "CategoryParents",
    "CategoryRef",
    "Channel",
    "Company",
    "Contents",
    "Deli",
    "DeliFee",
    "Desc",
    "Detail",
    "DomeggookErrors",
    "DomeggookItem",
    "FeeExtra",
    "InfoDuty",
    "InfoDutyEntry",
    "ItemListPage",
    "ItemParseFailure",
    "ItemViewBatch",
    "Keywords",
    "License",
    "ListItem",
    "OptionAxis",
    "OptionVariant",
    "Price",
    "Qty",
    "Resale",
    "ReturnInfo",
    "SafetyCert",
    "SelectOpt",
    "Seller",
    "Thumb",
    "TierTable",
    "find_api_error",
    "flatten_categories",
    "parse_category_list",
    "parse_item_list",
    "parse_item_view",
    "parse_item_view_lenient",
    "parse_tiers",
]

_VARIANT_KEY_RE = re.compile(r"\d{2,3}(?:_\d{2,3})*")


class Keywords(WireModel):
    """Seller search keywords; a single keyword arrives as a bare string."""

    kw: Annotated[tuple[Text, ...], LIST] = ()


class Basis(WireModel):
    """Identity and sale status; an item without a number or a title is unusable."""

    no: WireInt = Field(gt=0)
    title: Text
    status: Text = ""
    keywords: Annotated[Keywords | None, BLANK] = None
    adult: WireBool = False
    tax: Text = ""
    date_reg: Text = ""

    @field_validator("title")
    @classmethod
    def _title_present(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("title is empty")
        return value


class Resale(WireModel):
    """Supplier-imposed resale prices; ``Recommand`` is the API's own spelling."""

    minimum: OptInt = Field(default=None, validation_alias=AliasChoices("minimum", "minumum"))
    recommended: OptInt = Field(
        default=None, validation_alias=AliasChoices("Recommand", "recommand", "Recommend", "recommended")
    )


class Price(WireModel):
    """Tiered wholesale prices per market; a missing market price means "not sold there"."""

    dome: Tiers = None
    supply: Tiers = None
    resale: Annotated[Resale | None, BLANK] = None


class Qty(WireModel):
    """Stock and order-quantity rules; ``inventory`` is a string on the wire."""

    inventory: OptInt = None
    dome_moq: OptInt = None
    dome_unit: OptInt = None
    supply_unit: OptInt = None


class DeliFee(WireModel):
    """Per-market shipping fee: ``type`` (고정배송비, 수량별비례, …), fee table and fixed fee."""

    type: Text = ""
    tbl: Tiers = None
    fee: OptInt = None
    pay: Text = ""


class FeeExtra(WireModel):
    """Jeju / remote-island surcharges."""

    jeju: OptInt = None
    islands: OptInt = None


class Deli(WireModel):
    """Shipping terms; ``dome``/``supply`` hold the market-specific fee."""

    method: Text = ""
    pay: Text = ""
    dome: Annotated[DeliFee | None, BLANK] = None
    supply: Annotated[DeliFee | None, BLANK] = None
    fee_extra: Annotated[FeeExtra | None, BLANK] = None
    from_oversea: WireBool = False


class Channel(WireModel):
    """Which markets list the item; ``None`` = not stated."""

    dome: OptBool = None
    supply: OptBool = None


class Thumb(WireModel):
    """Representative image in several sizes."""

    small: Text = ""
    large: Text = ""
    original: Text = ""
    last_update: Text = ""


class License(WireModel):
    """Reuse licence of the detail images; only an explicit true grants it."""

    usable: ExplicitTrue = False
    msg: Text = ""


class Contents(WireModel):
    """Description HTML; only ``item`` is product content (``deli``/``event`` are supplier notices)."""

    item: Text = ""


def _contents(value: object) -> object:
    # Older responses carry desc.contents as a plain HTML string.
    return {"item": value} if isinstance(value, str) else blank_to_none(value)


class Desc(WireModel):
    """Detail page: licence and contents."""

    license: Annotated[License | None, BLANK] = None
    contents: Annotated[Contents | None, BeforeValidator(_contents)] = None


class OptionAxis(WireModel):
    """One option axis of ``selectOpt.set``: group name and its values in index order."""

    name: Text = ""
    opts: Annotated[tuple[Text, ...], LIST] = ()


class OptionVariant(WireModel):
    """One sellable combination of ``selectOpt.data``; all values are strings on the wire."""

    name: Text = ""
    dom: WireBool = False
    dom_price: IntOrZero = 0
    sup: WireBool = False
    sup_price: IntOrZero = 0
    qty: IntOrZero = 0  # missing stock reads as 0: never sell what the supplier has not confirmed
    hid: Text = "0"

    @property
    def hidden(self) -> bool:
        """Any ``hid`` other than "0" (hidden, sold out, ended — meanings are disputed) is not sellable."""
        return self.hid.strip() not in ("", "0")


class SelectOpt(WireModel):
    """Decoded ``selectOpt``: axes (``set``) and the authoritative combinations (``data``)."""

    type: Text = "combination"
    axes: Annotated[tuple[OptionAxis, ...], LIST] = Field(default=(), alias="set")
    data: dict[str, OptionVariant] = Field(default_factory=dict)

    @field_validator("data", mode="before")
    @classmethod
    def _data_object(cls, value: object) -> object:
        return {} if value in (None, "", []) else value

    @field_validator("data")
    @classmethod
    def _keys_consistent(cls, value: dict[str, OptionVariant]) -> dict[str, OptionVariant]:
        widths = set()
        for key in value:
            if not _VARIANT_KEY_RE.fullmatch(key):
                raise ValueError(f"combination key {key[:30]!r} is not zero-padded indexes joined by '_'")
            widths.add(key.count("_") + 1)
        if len(widths) > 1:
            raise ValueError(f"combination keys mix {sorted(widths)} axes")
        return value

    @property
    def axis_count(self) -> int:
        """Number of option axes, from the combination keys (``"00_01"`` → 2)."""
        return next(iter(self.data)).count("_") + 1 if self.data else len(self.axes)


class SafetyCert(WireModel):
    """KC certification entry."""

    cert: Text = ""
    type: Text = ""
    name: Text = ""
    no: Text = ""


class InfoDutyEntry(WireModel):
    """One line of 상품정보제공고시 (name → value)."""

    type: Text = ""
    name: Text = ""
    desc: Text = ""


class InfoDuty(WireModel):
    """Product-information notice supplied by the seller."""

    type: Text = ""
    item: Annotated[tuple[InfoDutyEntry, ...], LIST] = ()


class Detail(WireModel):
    """Specification, certification and the legal notice."""

    size: Text = ""
    weight: Text = ""
    country: Text = ""
    manufacturer: Text = ""
    model: Text = ""
    safety_cert: Annotated[tuple[SafetyCert, ...], LIST] = ()
    info_duty: Annotated[InfoDuty | None, BLANK] = None


class CategoryRef(WireModel):
    """A category on the item's path; ``code`` is validated by the transform, not here."""

    name: Text = ""
    code: Text = ""
    depth: OptInt = None


class CategoryParents(WireModel):
    """Ancestors of the current category."""

    elem: Annotated[tuple[CategoryRef, ...], LIST] = ()


class Category(WireModel):
    """Category path of the item."""

    current: Annotated[CategoryRef | None, BLANK] = None
    parents: Annotated[CategoryParents | None, BLANK] = None


class Company(WireModel):
    """Supplier's business details (importer name for imported goods)."""

    name: Text = ""
    phone: Text = ""


class Seller(WireModel):
    """Supplier identity."""

    id: Text = ""
    nick: Text = ""
    company: Annotated[Company | None, BLANK] = None


class ReturnInfo(WireModel):
    """Return terms; ``deli_amt`` is the one-way fee, doubled for a round trip when flagged."""

    deli_amt: OptInt = None
    deli_amt_double: WireBool = False


class DomeggookItem(WireModel):
    """One getItemView item, fully coerced; only ``basis`` is mandatory."""

    basis: Basis
    price: Annotated[Price | None, BLANK] = None
    qty: Annotated[Qty | None, BLANK] = None
    deli: Annotated[Deli | None, BLANK] = None
    channel: Annotated[Channel | None, BLANK] = None
    thumb: Annotated[Thumb | None, BLANK] = None
    desc: Annotated[Desc | None, BLANK] = None
    select_opt: Annotated[SelectOpt | None, BeforeValidator(decode_select_opt)] = None
    seller: Annotated[Seller | None, BLANK] = None
    detail: Annotated[Detail | None, BLANK] = None
    category: Annotated[Category | None, BLANK] = None
    return_info: Annotated[ReturnInfo | None, BLANK] = Field(default=None, alias="return")

    @property
    def no(self) -> int:
        """Item number (``basis.no``)."""
        return self.basis.no


# --------------------------------------------------------------------------- getItemView envelopes


def _item_view_bodies(data: object) -> list[object]:
    if not isinstance(data, dict):
        raise ValueError(f"getItemView payload must be a JSON object, got {type(data).__name__}")
    body = data.get("domeggook")
    if not isinstance(body, dict):
        raise ValueError("getItemView payload has no 'domeggook' object")
    if "basis" in body:
        return [body]
    for key in ("item", "items"):  # "item" is live-verified for multiple=true; "items" is a guess seen once
        if key in body:
            result = as_list(body[key])
            assert isinstance(result, list)
            return result
    raise ValueError("'domeggook' has neither 'basis' (single item) nor 'item' (multiple=true)")


class _ItemViewEnvelope(BaseModel):
    items: tuple[DomeggookItem, ...]

    @model_validator(mode="before")
    @classmethod
    def _unwrap(cls, data: object) -> object:
        return {"items": _item_view_bodies(data)}


_ITEM_VIEW = TypeAdapter(_ItemViewEnvelope)


def parse_item_view(payload: object) -> list[DomeggookItem]:
    """Parse a getItemView response, single or ``multiple=true``, into items.

    Accepts the decoded JSON (dict) or the raw body (str/bytes). Any malformed item makes the
    whole call raise ``ValidationError``; use ``parse_item_view_lenient`` for batches where one
    bad item must not hide the others. Call ``find_api_error`` first: an error body raises here.
    """
    envelope: _ItemViewEnvelope = load(_ITEM_VIEW, payload)
    return list(envelope.items)


@dataclass(frozen=True)
class ItemParseFailure:
    """One batch entry that failed validation; ``item_no`` is known when ``basis.no`` was readable."""

    index: int
    item_no: int | None
    error: ValidationError


@dataclass(frozen=True)
class ItemViewBatch:
    """Result of a lenient batch parse: good items and per-item failures, in response order."""

    items: tuple[DomeggookItem, ...]
    failures: tuple[ItemParseFailure, ...]


def _raw_item_no(raw: object) -> int | None:
    basis = raw.get("basis") if isinstance(raw, dict) else None
    try:
        return parse_wire_int(basis.get("no")) if isinstance(basis, dict) else None
    except ValueError:
        return None


class _RawItemView(BaseModel):
    bodies: list[Any]

    @model_validator(mode="before")
    @classmethod
    def _unwrap(cls, data: object) -> object:
        return {"bodies": _item_view_bodies(data)}


_RAW_ITEM_VIEW = TypeAdapter(_RawItemView)


def parse_item_view_lenient(payload: object) -> ItemViewBatch:
    """Parse a ``multiple=true`` response item by item, so one malformed item fails alone.

    An unusable envelope (not JSON, no ``domeggook``) still raises ``ValidationError``.
    """
    raw: _RawItemView = load(_RAW_ITEM_VIEW, payload)
    items: list[DomeggookItem] = []
    failures: list[ItemParseFailure] = []
    for index, body in enumerate(raw.bodies):
        try:
            items.append(DomeggookItem.model_validate(body))
        except ValidationError as exc:
            failures.append(ItemParseFailure(index=index, item_no=_raw_item_no(body), error=exc))
    return ItemViewBatch(items=tuple(items), failures=tuple(failures))


# --------------------------------------------------------------------------- errors


class DomeggookErrors(WireModel):
    """The standard error object (``code``, ``message``, ``dcode``, ``dmessage``, ``date``)."""

    code: Text = ""
    message: Text = ""
    dcode: Text = ""
    dmessage: Text = ""
    date: Text = ""

    @property
    def item_gone(self) -> bool:
        """Only ``ITEM_ERROR`` means the item was deleted; every other error is transient."""
        return self.dcode.strip().upper() == "ITEM_ERROR"


def _error_from(value: object) -> DomeggookErrors | None:
    if value in (None, "", {}, []):
        return None
    if isinstance(value, list):
        value = value[0]
    if isinstance(value, dict):
        flat = {key: val for key, val in value.items() if isinstance(val, str | int | float)}
        return DomeggookErrors.model_validate({key: str(val) for key, val in flat.items()})
    return DomeggookErrors(message=str(value)[:500])


def find_api_error(payload: object) -> DomeggookErrors | None:
    """Return the ``errors`` object of a response, wherever it appears, or ``None``.

    Looks at the top level and inside ``domeggook`` (both are seen), on any HTTP status. An empty
    ``errors`` value is not an error. Never raises: a garbled error body is still reported as an
    error with its text in ``message``.
    """
    if not isinstance(payload, dict):
        return None
    found = _error_from(payload.get("errors"))
    body = payload.get("domeggook")
    if found is None and isinstance(body, dict):
        found = _error_from(body.get("errors"))
    return found
