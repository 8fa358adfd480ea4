"""Load the listing rules: build the transform's ``TransformRules`` from settings, the category map
(a CSV file or PostgreSQL) and the banned words.

Three modules share the word "rules" and each has one job: ``transform.rules`` defines the
``TransformRules`` value the pure transform reads; ``store.category_rules`` holds the tables an
operator edits (category map, banned words); this module loads the one from the other.

The category map lives in PostgreSQL (``category_map``) so operators can fix a mapping without a
deploy: ``storebridge categories import`` writes it, and a file given with ``CATEGORY_MAP_FILE`` is
loaded into it at start (``--category-map`` / ``preview`` use a file as it is and never write).
Nothing is shipped (issue 8 §1): the sandbox hands out its own map as ``CATEGORY_MAP_FILE``, and
against the real Naver API a missing map is a ``ConfigError`` (``storebridge.reference.guard``).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

from pydantic import ValidationError

from storebridge.config import ConfigError, Settings
from storebridge.reference.guard import check_operator_category_map
from storebridge.store import CategoryMappingSpec, Json, StateStore
from storebridge.transform import TransformRules, WordRule
from storebridge.transform.words import DEFAULT_WORD_RULES

#: Key of a ``required_attributes`` entry naming a gate an operator adds: ``{"certification": "KC"}``.
#: The ``requires`` column is an *override*: Naver's own ``exceptionalCategories`` (read per item by
#: ``storebridge.reference.gates``) always apply; these add to them (``transform.gates.leaf_gates``),
#: e.g. for ``preview`` without Naver access or a seller stricter than Naver.
CERTIFICATION_KEY = "certification"


def read_category_map(path: str | Path) -> list[CategoryMappingSpec]:
    """Rows of a category-map CSV (``domeggook_code,naver_leaf_category_id[,requires,note]``).

    A bad row raises ``ConfigError`` naming file and line.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"category map {path}: {exc.strerror}") from None
    name = str(path)
    specs: list[CategoryMappingSpec] = []
    for line_no, row in enumerate(csv.DictReader(text.splitlines()), start=2):
        try:
            requires = [r.strip().upper() for r in (row.get("requires") or "").split("+") if r.strip()]
            specs.append(
                CategoryMappingSpec(
                    domeggook_code=(row.get("domeggook_code") or "").strip(),
                    naver_leaf_category_id=(row.get("naver_leaf_category_id") or "").strip(),
                    required_attributes=[{CERTIFICATION_KEY: r} for r in requires],
                )
            )
        except ValidationError as exc:
            field = exc.errors()[0]["loc"][0]
            raise ConfigError(f"category map {name} line {line_no}: bad {field}") from None
    return specs


def certifications(specs: Iterable[tuple[str, list[Json]]]) -> dict[str, tuple[str, ...]]:
    """Leaf id → certifications demanded, from ``(leaf, required_attributes)`` pairs of the map."""
    found: dict[str, tuple[str, ...]] = {}
    for leaf, attributes in specs:
        needs = tuple(
            str(a[CERTIFICATION_KEY]) for a in attributes if isinstance(a, dict) and CERTIFICATION_KEY in a
        )
        if needs:
            found[leaf] = tuple(sorted(set(found.get(leaf, ()) + needs)))
    return found


def build_listing_rules(
    settings: Settings,
    category_map: dict[str, str],
    words: tuple[WordRule, ...] | None = None,
    certification_required: dict[str, tuple[str, ...]] | None = None,
) -> TransformRules:
    """``TransformRules`` from settings; ``ConfigError`` naming the variable when one is unusable."""
    if not settings.store_as_phone:
        raise ConfigError("STORE_AS_PHONE is not set: Naver requires a real A/S telephone number")
    try:
        return TransformRules(
            category_map=category_map,
            as_phone=settings.store_as_phone,
            market=settings.domeggook_market,
            margin_percent=Decimal(str(settings.price_margin_percent)),
            margin_fixed_won=settings.price_margin_fixed_won,
            commission_percent=Decimal(str(settings.price_commission_percent)),
            coupon_percent=Decimal(str(settings.price_coupon_percent)),
            min_margin_won=settings.price_min_margin_won,
            shipping_mode=settings.price_shipping_mode,
            delivery_company=settings.delivery_company,
            shipping_address_id=settings.naver_shipping_address_id,
            return_address_id=settings.naver_return_address_id,
            max_moq=settings.moq_max,
            moq_policy=settings.moq_policy,
            word_rules=words if words is not None else DEFAULT_WORD_RULES,
            certification_required=certification_required or {},
        )
    except ValueError as exc:
        variable = (
            "STORE_AS_PHONE"
            if "as_phone" in str(exc)
            else "PRICE_COMMISSION_PERCENT + PRICE_COUPON_PERCENT"
            if "commission" in str(exc)
            else "listing rules"
        )
        raise ConfigError(f"{variable}: {exc}") from None


def load_listing_rules_from_file(settings: Settings, path: str | Path | None = None) -> TransformRules:
    """Listing rules with the category map from ``path``, else ``CATEGORY_MAP_FILE``, else none.

    With no map every item is ``CATEGORY_NOT_MAPPED`` (``preview`` shows that reason; it never
    lists anything, so it is not refused like the worker and daemon are).
    """
    source = path or settings.category_map_file
    return rules_from_specs(settings, read_category_map(source) if source else [])


def rules_from_specs(
    settings: Settings, specs: list[CategoryMappingSpec], words: tuple[WordRule, ...] | None = None
) -> TransformRules:
    """Listing rules with the category map (and its ``requires`` overrides) of ``specs``."""
    return build_listing_rules(
        settings,
        {s.domeggook_code: s.naver_leaf_category_id for s in specs},
        words,
        certifications((s.naver_leaf_category_id, s.required_attributes) for s in specs),
    )


async def load_listing_rules_from_store(settings: Settings, store: StateStore) -> TransformRules:
    """Listing rules from PostgreSQL, after loading ``CATEGORY_MAP_FILE`` into it when one is set.

    Against the real API with no map at all: ``ConfigError`` (``reference.guard``).
    """
    if settings.category_map_file:
        await store.load_category_map(read_category_map(settings.category_map_file), source="file")
    await check_operator_category_map(settings, store)
    return await read_listing_rules(settings, store)


async def read_listing_rules(
    settings: Settings, store: StateStore, specs: list[CategoryMappingSpec] | None = None
) -> TransformRules:
    """Listing rules as the store holds them, writing nothing (``preview``): banned words from
    PostgreSQL, the category map from ``specs`` when a file was given, else from PostgreSQL."""
    words = await _word_rules(store) or None
    if specs is not None:
        return rules_from_specs(settings, specs, words)
    mapping = await store.category_map()
    return build_listing_rules(
        settings,
        {code: m.naver_leaf_category_id for code, m in mapping.items()},
        words,
        certifications(
            (
                m.naver_leaf_category_id,
                m.required_attributes if isinstance(m.required_attributes, list) else [],
            )
            for m in mapping.values()
        ),
    )


async def _word_rules(store: StateStore) -> tuple[WordRule, ...]:
    words = await store.banned_words()
    return tuple(
        WordRule(
            word=w.word,
            action=w.kind,
            replacement=w.replacement or "",
            regex=w.is_regex,
            category=w.category,
        )
        for w in words
    )
