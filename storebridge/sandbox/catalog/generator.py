"""Deterministic generator of a simulated Domeggook catalog: ``generate_catalog(items, seed)``.

Everything comes from one ``random.Random(seed)``, so the same ``(items, seed)`` always yields the
same catalog (item numbers, titles, prices, options, hostile cases). Images are not generated here:
``images.py`` renders them lazily from the item number when they are requested.

Hostile items: every ``hostile_every``-th item (default every 10th, i.e. 10 %) is a hostile case,
the slots receiving the ``Scenario`` tags round-robin in ``SCENARIOS`` order (so a catalog of
``10 * len(SCENARIOS)`` items holds each scenario at least once). Find them with
``catalog.with_scenario("corrupt_image")`` or over HTTP with ``GET /_sandbox/items?scenario=…``.
The other items still vary naturally: ~88 % on sale (1 in 16 of them shown as 기간미지정), ~5 % sold
out, ~4 % ended (half of them as 기간종료 / 승인거부 / 승인대기 / 아웃벌점 제재), ~3 % deleted;
~15 % with ``desc.license.usable`` false; 0–3 option axes with sold-out and hidden variants.
"""

from __future__ import annotations

import gc
import itertools
import random
from collections.abc import Sequence
from typing import TypeVar

from storebridge.sandbox.catalog.data import (
    ADDRESSES,
    ADJECTIVES,
    AXIS_PACK,
    AXIS_TYPE,
    BANNED_TITLE_WORDS,
    BOSS_NAMES,
    COMPANY_STEMS,
    COMPANY_SUFFIXES,
    COUNTRIES,
    DOMEGGOOK_CATEGORIES,
    FOUR_AXES,
    LEAF_PROFILES,
    MANY_AXES,
    TITLE_PREFIXES,
    UNMAPPED_CATEGORY_CODE,
    LeafProfile,
)
from storebridge.sandbox.catalog.model import (
    SCENARIOS,
    Catalog,
    Delivery,
    Item,
    ItemSpec,
    ItemStatus,
    OptionSet,
    Scenario,
    SimOptionVariant,
    SimSeller,
)

__all__ = [
    "DOMEGGOOK_CATEGORIES",
    "SCENARIOS",
    "Catalog",
    "Item",
    "ItemStatus",
    "OptionSet",
    "Scenario",
    "SimOptionVariant",
    "generate_catalog",
]

DEFAULT_HOSTILE_EVERY = 10
ITEMS_PER_SELLER = 40
#: Registration dates fall between these instants (2021-01-01 and 2025-10-01, UTC epoch seconds).
REGISTERED_FROM_TS = 1_609_459_200
REGISTERED_TO_TS = 1_759_276_800
MAX_MODIFIED_AFTER_REG_S = 180 * 86_400
#: Detail images per item (inclusive range).
DETAIL_IMAGES_RANGE = (2, 5)
#: Most values per axis for natural items by axis count, so they stay under 100 combinations
#: (more is the ``too_many_options`` scenario's job).
MAX_NATURAL_AXIS_VALUES = {1: 6, 2: 5, 3: 3}
_LEAVES = tuple(LEAF_PROFILES)
T = TypeVar("T")
_STATUS_WEIGHTS = (
    (ItemStatus.ON_SALE, 88),
    (ItemStatus.SOLD_OUT, 5),
    (ItemStatus.ENDED, 4),
    (ItemStatus.DELETED, 3),
)


def generate_catalog(items: int, seed: int, *, hostile_every: int = DEFAULT_HOSTILE_EVERY) -> Catalog:
    """Build ``items`` items from ``seed``; identical inputs give identical catalogs.

    ``hostile_every`` = N makes every N-th item hostile (1 = all, 0 = none). Fast enough for
    10,000 items in well under a second, because nothing expensive (images, HTML, JSON) is built here.
    """
    if items < 0:
        raise ValueError("items must be >= 0")
    # Every object made here survives, so the cyclic GC's repeated generation scans during the
    # build are pure overhead (they roughly double the time); pause it and restore its state.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _generate(items, seed, hostile_every)
    finally:
        if gc_was_enabled:
            gc.enable()


def _generate(items: int, seed: int, hostile_every: int) -> Catalog:
    rng = random.Random(seed)
    sellers = [_make_seller(rng, i) for i in range(max(1, -(-items // ITEMS_PER_SELLER)))]
    numbers = rng.sample(range(10_000_000, 100_000_000), items)
    made: list[Item] = []
    for index, no in enumerate(numbers):
        scenario: Scenario | None = None
        if hostile_every > 0 and index % hostile_every == hostile_every - 1:
            scenario = SCENARIOS[(index // hostile_every) % len(SCENARIOS)]
        made.append(_make_item(rng, no, _pick(rng, sellers), scenario))
    return Catalog(seed=seed, items=made)


def _round10(value: float) -> int:
    return max(10, round(value / 10.0) * 10)


def _pick(rng: random.Random, seq: Sequence[T]) -> T:
    """``rng.choice`` without its overhead (the generator calls it ~20 times per item)."""
    return seq[int(rng.random() * len(seq))]


def _between(rng: random.Random, low: int, high: int) -> int:
    """``rng.randint`` (inclusive) without its overhead."""
    return low + int(rng.random() * (high - low + 1))


def _make_seller(rng: random.Random, index: int) -> SimSeller:
    stem_ko, stem_en = COMPANY_STEMS[index % len(COMPANY_STEMS)]
    suffix_ko, suffix_en = COMPANY_SUFFIXES[(index // len(COMPANY_STEMS)) % len(COMPANY_SUFFIXES)]
    serial = index // (len(COMPANY_STEMS) * len(COMPANY_SUFFIXES))
    zipcode, addr = _pick(rng, ADDRESSES)
    nick = f"{stem_ko}{suffix_ko}" + (str(serial + 1) if serial else "")
    return SimSeller(
        id=f"{stem_en}{suffix_en}{serial or ''}",
        nick=nick,
        company_name=f"주식회사 {nick}" if rng.random() < 0.6 else nick,
        boss=_pick(rng, BOSS_NAMES),
        cno=f"{_between(rng, 100, 899)}-{_between(rng, 10, 99)}-{_between(rng, 10000, 99999)}",
        zipcode=zipcode,
        addr=addr,
        phone=f"0{_pick(rng, (2, 31, 32, 51, 53))}-{_between(rng, 200, 999)}-{_between(rng, 1000, 9999)}",
        mobile=f"010-{_between(rng, 2000, 9999)}-{_between(rng, 1000, 9999)}",
        rank=_between(rng, 1, 9),
        good=rng.random() < 0.4,
        power=rng.random() < 0.2,
        score_avg=_between(rng, 80, 100),
        score_cnt=_between(rng, 0, 5000),
        joined_ts=_between(rng, REGISTERED_FROM_TS - 3 * 365 * 86_400, REGISTERED_TO_TS),
    )


def _weighted_status(rng: random.Random) -> ItemStatus:
    roll = rng.randrange(100)
    for status, weight in _STATUS_WEIGHTS:
        if roll < weight:
            return status
        roll -= weight
    return ItemStatus.ON_SALE


#: Documented statuses an on-sale / ended item may show instead (drawn from spare bits of the
#: item's ``quirk_seed``, so the random stream, and every other field, stays as it was).
_ON_SALE_VARIANTS = (ItemStatus.NO_PERIOD,)
_ENDED_VARIANTS = (
    ItemStatus.PERIOD_ENDED,
    ItemStatus.APPROVAL_REJECTED,
    ItemStatus.PENDING_APPROVAL,
    ItemStatus.SANCTIONED,
)


def _status_variant(status: ItemStatus, quirk_seed: int) -> ItemStatus:
    """About 1 in 16 on-sale items is 기간미지정; half of the ended ones show another end state."""
    roll = quirk_seed >> 24
    if status is ItemStatus.ON_SALE and roll % 16 == 15:
        return _ON_SALE_VARIANTS[0]
    if status is ItemStatus.ENDED and roll % 2:
        return _ENDED_VARIANTS[(roll >> 1) % len(_ENDED_VARIANTS)]
    return status


def _make_tiers(rng: random.Random, base: int, moq: int) -> list[tuple[int, int]]:
    if rng.random() < 0.6:
        return [(1, base)]
    first = 1 if rng.random() < 0.7 else moq
    step = max(first + 1, _pick(rng, (10, 20, 30, 50)))
    tiers = [(first, base), (step, _round10(base * 0.95))]
    if rng.random() < 0.6:
        tiers.append((step * _between(rng, 2, 5), _round10(base * 0.9)))
    return tiers


def _make_axes(rng: random.Random, profile: LeafProfile, count: int) -> list[tuple[str, tuple[str, ...]]]:
    pool = list(profile.axes) + [a for a in (AXIS_TYPE, AXIS_PACK) if a not in profile.axes]
    axes = []
    for name, values in pool[:count]:
        k = _between(rng, 2, min(MAX_NATURAL_AXIS_VALUES[count], len(values)))
        picked = sorted(rng.sample(range(len(values)), k))
        axes.append((name, tuple(values[i] for i in picked)))
    return axes


def make_option_set(
    rng: random.Random, axes: list[tuple[str, tuple[str, ...]]], base_price: int, *, natural: bool = True
) -> OptionSet:
    """Build every combination of ``axes``; ``natural`` sprinkles sold-out, hidden and add-on rows.

    Also used by the control endpoint when a test replaces an item's options.
    """
    variants = []
    labelled = [[(f"{i:02d}", value) for i, value in enumerate(values)] for _, values in axes]
    for combo in itertools.product(*labelled):
        key = "_".join([k for k, _ in combo])
        name = "/".join([v for _, v in combo])
        add = 0
        stock = 100
        hid = 0
        dom = True
        if natural:
            if combo[-1][0] != "00" and rng.random() < 0.3:
                add = _round10(base_price * _pick(rng, (0.05, 0.1, 0.2)))
            stock = 0 if rng.random() < 0.1 else _between(rng, 5, 500)
            roll = rng.random()
            hid = 1 if roll < 0.03 else 2 if roll < 0.06 else 0
            dom = rng.random() >= 0.03
        variants.append(SimOptionVariant(key, name, add, stock, hid, dom, f"{rng.getrandbits(24):06x}"))
    return OptionSet(axes=axes, variants=variants)


def _make_options(
    rng: random.Random, profile: LeafProfile, base: int, scenario: Scenario | None
) -> OptionSet | None:
    if scenario is Scenario.FOUR_AXIS_OPTIONS:
        return make_option_set(rng, list(FOUR_AXES), base, natural=False)
    if scenario is Scenario.TOO_MANY_OPTIONS:
        return make_option_set(rng, list(MANY_AXES), base, natural=False)
    if scenario is Scenario.OPTION_SURCHARGE_TOO_HIGH:
        options = make_option_set(rng, _make_axes(rng, profile, 1), base, natural=False)
        options.variants[-1].add_price_won = _round10(base * 0.8)
        return options
    roll = rng.random()
    count = 0 if roll < 0.45 else 1 if roll < 0.75 else 2 if roll < 0.95 else 3
    if count == 0:
        return None
    return make_option_set(rng, _make_axes(rng, profile, count), base)


def _make_title(rng: random.Random, profile: LeafProfile, scenario: Scenario | None) -> str:
    title = (
        f"{_pick(rng, TITLE_PREFIXES)}{_pick(rng, ADJECTIVES)} {_pick(rng, profile.nouns)} "
        f"{_pick(rng, profile.specs)}"
    )
    if scenario is Scenario.BANNED_WORD_TITLE:
        title = f"{title} {_pick(rng, BANNED_TITLE_WORDS)}"
    elif scenario is Scenario.LONG_TITLE:
        title = f"{title} " + " ".join(_pick(rng, ADJECTIVES) for _ in range(40))
    return title


def _make_delivery(rng: random.Random, scenario: Scenario | None) -> Delivery:
    roll = rng.random()
    who = "P" if roll < 0.55 else "S" if roll < 0.8 else "B" if roll < 0.9 else "C"
    oversea = rng.random() < 0.03
    if scenario is Scenario.OVERSEA_COD_DELIVERY:
        who, oversea = "B", True
    fee = _pick(rng, (2500, 3000, 3000, 3500, 4000))
    if who == "S":
        pay, fee_type, tbl, fee = "무료배송", "무료", "0", 0  # [GUESS] the free type's name
    else:
        pay = {"P": "선결제", "B": "착불", "C": "선결제/착불"}[who]
        kind = rng.random()
        if kind < 0.6:
            fee_type, tbl = "고정배송비", str(fee)
        elif kind < 0.85:
            fee_type, tbl = "수량별비례", f"{_pick(rng, (10, 30, 50))}+{fee}|{_pick(rng, (10, 30, 50))}+{fee}"
        else:
            fee_type, tbl = "수량별차등", f"1+{fee}|10+{fee + 2000}|50+0"
    return Delivery(
        who=who,
        pay=pay,
        fee_type=fee_type,
        tbl=tbl,
        fee_won=fee,
        jeju_won=_pick(rng, (3000, 4000, 5000)),
        islands_won=_pick(rng, (5000, 7000, 8000)),
        merge=_pick(rng, ("y", "y", "n", "c")),
        send_avg=f"{rng.uniform(0.1, 3.0):.1f}",
        wating=_pick(rng, ("당일 발송", "1일 후 발송", "2일 후 발송", "3일 후 발송")),
        from_oversea=oversea,
    )


def _make_spec(
    rng: random.Random, profile: LeafProfile, seller: SimSeller, title: str, scenario: Scenario | None
) -> ItemSpec:
    wire_country, country = COUNTRIES[0 if rng.random() < 0.6 else 1 if rng.random() < 0.75 else 2]
    model = f"{_pick(rng, 'ABCDHKMST')}{_pick(rng, 'ABCDHKMST')}-{_between(rng, 100, 9999)}"
    maker = seller.nick if rng.random() < 0.5 else "협력사"
    rows: list[tuple[str, str]] = [("품명 및 모델명", f"{title} / {model}")]
    if rng.random() >= 0.05:  # ~5 % carry one row only, so ``infoDuty.item`` collapses to an object
        rows.append(("제조국", country))
        rows.append(("제조자", maker))
        rows.extend((name, "상세페이지 참조") for name in profile.info_duty_extra)
        rows.append(("A/S 책임자와 전화번호", f"{seller.nick} {seller.phone}"))
    return ItemSpec(
        size="상세정보별도표기"
        if rng.random() < 0.3
        else f"{_between(rng, 5, 60)}x{_between(rng, 5, 60)}x{_between(rng, 2, 40)}cm",
        weight="상세정보별도표기" if rng.random() < 0.3 else f"{_between(rng, 20, 3000)}g",
        country=wire_country,
        manufacturer=maker,
        model=model,
        safety_cert=rng.random() < 0.3,
        info_duty_type=profile.info_duty_type,
        info_duty=None if scenario is Scenario.MISSING_INFO_DUTY else rows,
    )


def _make_item(rng: random.Random, no: int, seller: SimSeller, scenario: Scenario | None) -> Item:
    category = UNMAPPED_CATEGORY_CODE if scenario is Scenario.UNMAPPED_CATEGORY else _pick(rng, _LEAVES)
    profile = LEAF_PROFILES.get(category) or LEAF_PROFILES[_pick(rng, _LEAVES)]
    low, high = profile.price_won
    base = _round10(rng.uniform(low, high))
    moq = 1 if rng.random() < 0.7 else _pick(rng, (2, 5, 10, 20, 50))
    tiers: list[tuple[int, int]] | None = _make_tiers(rng, base, moq)
    supply = _round10(base * rng.uniform(1.05, 1.25)) if rng.random() < 0.7 else None
    if scenario is Scenario.MISSING_DOME_PRICE:
        tiers, supply = None, supply or _round10(base * 1.1)
    elif scenario is Scenario.ZERO_PRICE:
        tiers = [(1, 0)]
    title = _make_title(rng, profile, scenario)
    registered = _between(rng, REGISTERED_FROM_TS, REGISTERED_TO_TS)
    keywords = [w for w in title.replace("[", " ").replace("]", " ").split() if len(w) > 1][
        : _between(rng, 1, 5)
    ]
    status = ItemStatus.ON_SALE if scenario else _weighted_status(rng)
    item = Item(
        no=no,
        title=title,
        keywords=keywords,
        category_code=category,
        seller=seller,
        dome_tiers=tiers,
        supply_price_won=supply,
        resale_minimum_won=_round10(base * 1.3) if rng.random() < 0.4 else None,
        resale_recommend_won=max(100, round(base * 18 / 1000) * 100) if rng.random() < 0.7 else None,
        moq=moq,
        dome_unit=1 if rng.random() < 0.9 else moq,
        stock=0 if rng.random() < 0.03 else _between(rng, 10, 9999),
        options=_make_options(rng, profile, base, scenario),
        status=status,
        license_usable=True if scenario else rng.random() >= 0.15,
        tax="과세상품" if rng.random() < 0.9 else _pick(rng, ("면세상품", "영세율상품")),
        adult=rng.random() < 0.01,
        com_only=rng.random() < 0.1,
        lwp=rng.random() < 0.2,
        idx_com=_pick(rng, (0, 1, 2, 3, 3, 3, 3)),
        delivery=_make_delivery(rng, scenario),
        return_fee_won=_pick(rng, (2500, 3000, 3500, 4000, 5000)),
        return_fee_double=rng.random() < 0.7,
        spec=_make_spec(rng, profile, seller, title, scenario),
        detail_images=_between(rng, *DETAIL_IMAGES_RANGE),
        registered_ts=registered,
        modified_ts=float(registered + _between(rng, 0, MAX_MODIFIED_AFTER_REG_S)),
        rank_score=_between(rng, 0, 1_000_000),
        popularity=_between(rng, 0, 1_000_000),
        quirk_seed=rng.getrandbits(32),
        scenarios=(scenario,) if scenario else (),
        dome_price_override="1+3800|20+" if scenario is Scenario.MALFORMED_TIER_PRICE else None,
    )
    if not scenario:  # hostile items stay on sale: their scenario is their only problem
        item.status = _status_variant(item.status, item.quirk_seed)
    return item
