"""Pydantic v2 models of Domeggook getItemList (search pages) and getCategoryList (category tree).

Discovery only: the list item is flat and differs from getItemView (``price`` is the MOQ-tier
price, ``thumb`` a plain URL, no stock or options), so it has its own model. Re-exported by
``schemas.domeggook``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter, model_validator

from schemas.domeggook_wire import BLANK, IntOrZero, OptBool, OptInt, Text, WireInt, WireModel, as_list, load

#: Deepest category tree accepted (codes have five levels).
MAX_CATEGORY_DEPTH = 5


class ListHeader(WireModel):
    """Paging header; ``currentPage`` flips between string and int."""

    number_of_items: IntOrZero = 0
    first_item: IntOrZero = 0
    last_item: IntOrZero = 0
    current_page: IntOrZero = 0
    items_per_page: IntOrZero = 0
    number_of_pages: IntOrZero = 0
    sort: Text = ""


class ListDeli(WireModel):
    """List-level shipping summary: ``who`` is S free, P prepaid, B on delivery, C buyer's choice."""

    who: Text = ""
    fee: OptInt = None
    from_oversea: OptBool = None


class ListMarket(WireModel):
    """Markets that list the item."""

    domeggook: OptBool = None
    supply: OptBool = None


class ListItem(WireModel):
    """One search hit; ``price`` is the MOQ-tier price, not the single-unit price."""

    no: WireInt = Field(gt=0)
    title: Text = ""
    thumb: Text = ""
    id: Text = ""
    nick: Text = ""
    price: OptInt = None
    unit_qty: OptInt = None
    com_only: OptBool = None
    adult_only: OptBool = None
    deli: Annotated[ListDeli | None, BLANK] = None
    url: Text = ""
    market: Annotated[ListMarket | None, BLANK] = None


class ItemListPage(BaseModel):
    """One getItemList page: header and items (empty when ``list`` is absent or blank)."""

    model_config = ConfigDict(frozen=True)

    header: ListHeader
    items: tuple[ListItem, ...]

    @model_validator(mode="before")
    @classmethod
    def _unwrap(cls, data: object) -> object:
        if not isinstance(data, dict) or not isinstance(data.get("domeggook"), dict):
            raise ValueError("getItemList payload has no 'domeggook' object")
        body = data["domeggook"]
        listing = body.get("list")
        raw_items = listing.get("item") if isinstance(listing, dict) else None
        return {"header": body.get("header") or {}, "items": as_list(raw_items)}


_ITEM_LIST = TypeAdapter(ItemListPage)


def parse_item_list(payload: object) -> ItemListPage:
    """Parse a getItemList response (dict or raw body); raises ``ValidationError`` when unusable."""
    page: ItemListPage = load(_ITEM_LIST, payload)
    return page


# --------------------------------------------------------------------------- getCategoryList


def _children(value: object) -> object:
    # ``child`` is an object keyed by numeric strings; tolerate a list, one bare node, or "".
    if isinstance(value, dict):
        return [value] if "code" in value else list(value.values())
    return as_list(value)


class CategoryNode(WireModel):
    """A category tree node; codes are ``대_중_소_세_세세`` (five 2-digit levels)."""

    code: Text
    name: Text = ""
    locked: OptBool = None
    children: Annotated[tuple[CategoryNode, ...], BeforeValidator(_children)] = Field(
        default=(), alias="child"
    )


@dataclass(frozen=True)
class CategoryEntry:
    """A flattened category with its depth (1 = top) and parent code."""

    code: str
    name: str
    depth: int
    parent_code: str | None


def _walk(nodes: tuple[CategoryNode, ...], depth: int, parent: str | None) -> Iterator[CategoryEntry]:
    for node in nodes:
        yield CategoryEntry(code=node.code, name=node.name, depth=depth, parent_code=parent)
        yield from _walk(node.children, depth + 1, node.code)


def _max_depth(nodes: tuple[CategoryNode, ...]) -> int:
    return 0 if not nodes else 1 + max(_max_depth(node.children) for node in nodes)


class _CategoryEnvelope(BaseModel):
    roots: tuple[CategoryNode, ...]

    @model_validator(mode="before")
    @classmethod
    def _unwrap(cls, data: object) -> object:
        body = data.get("domeggook") if isinstance(data, dict) else None
        if not isinstance(body, dict) or "items" not in body:
            raise ValueError("getCategoryList payload has no 'domeggook.items'")
        return {"roots": _children(body["items"])}

    @model_validator(mode="after")
    def _depth_bounded(self) -> _CategoryEnvelope:
        if _max_depth(self.roots) > MAX_CATEGORY_DEPTH:
            raise ValueError(f"category tree is deeper than {MAX_CATEGORY_DEPTH} levels")
        return self


_CATEGORY_LIST = TypeAdapter(_CategoryEnvelope)


def parse_category_list(payload: object) -> list[CategoryNode]:
    """Parse a getCategoryList response into its root nodes; raises ``ValidationError`` when unusable."""
    envelope: _CategoryEnvelope = load(_CATEGORY_LIST, payload)
    return list(envelope.roots)


def flatten_categories(roots: list[CategoryNode]) -> list[CategoryEntry]:
    """Depth-first list of every category, for loading a mapping table or a picker."""
    return list(_walk(tuple(roots), 1, None))
