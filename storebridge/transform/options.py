r"""``selectOpt`` combinations → Naver combination options, and the product stock (business-rules §6).

- ``data`` is authoritative; axis values come from ``set[i].opts[index]`` (the key's indexes),
  falling back to splitting the row's ``name`` on "/".
- A row is sellable when its market flag (``dom``/``sup``) is "1" and ``hid`` is "0". Every row
  stays in the listing: unsellable ones as stock 0 and ``usable=false``, so Naver's option ids
  stay stable across re-syncs (a vanished row would force a new id on the next full update).
- Each row's surcharge applies the base margin to the supplier add-on (``price.option_surcharge``).
- A buyer can always pay the listed price: when no sellable, in-stock row has surcharge 0 (the
  add-on-free variant is sold out or hidden), the sale price is re-based on the cheapest such row
  and every surcharge shifted by the same amount (PRICE_REBASED).
- Surcharges must then fit Smart Store's band for the (re-based) sale price (``policy``), or the
  leaf's ``option_price_exceptions`` band. Out of band → the row is disabled at a clamped price
  (default) or the item rejected, per ``option_surcharge_policy``.
- Option values and group names lose ``\ * ? " < > /`` (replaced) and stay under 25 characters.
- 1–3 axes (4+ → TOO_MANY_OPTION_AXES); at most ``max_option_combinations`` rows; no sellable
  row → NO_SELLABLE_VARIANT. A lone add-on-free row collapses to a plain product.
- Product stock = sum of row stocks, each clamped to ``stock_cap``; a supplier status other than
  on-sale sets every stock to 0 (Naver then shows OUTOFSTOCK).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from fractions import Fraction

from schemas.domeggook import DomeggookItem, OptionVariant, SelectOpt
from schemas.naver import OptionCombination, OptionCombinationGroupNames, OptionInfo
from storebridge.transform.content import clean_text, truncate
from storebridge.transform.policy import OPTION_VALUE_FORBIDDEN, replace_forbidden, surcharge_range
from storebridge.transform.price import option_surcharge
from storebridge.transform.result import (
    Adjustment,
    AdjustmentCode,
    Rejection,
    RejectionCode,
    adjust,
    reject,
)
from storebridge.transform.rules import TransformRules

#: Naver allows at most three combination axes (a fourth only for branch options).
MAX_AXES = 3
_GROUP_SYNONYMS = {
    "색상": ("색상", "색깔", "컬러", "color", "colour", "색"),
    "사이즈": ("사이즈", "크기", "치수", "size"),
    "재질": ("재질", "소재", "material"),
}


@dataclass(frozen=True)
class OptionsOutcome:
    """Option block (``None`` for a plain product), product stock, and what happened."""

    option_info: OptionInfo | None
    stock_quantity: int
    rejections: tuple[Rejection, ...] = ()
    adjustments: tuple[Adjustment, ...] = ()
    #: The sale price after re-basing on the cheapest sellable variant; ``None`` = unchanged.
    sale_price_won: int | None = None


@dataclass(frozen=True)
class _Row:
    key: str
    names: tuple[str, ...]
    stock: int
    surcharge: int
    usable: bool = True


def option_text(raw: str) -> str:
    """An option value or group name as Smart Store accepts it: cleaned, forbidden characters replaced."""
    return replace_forbidden(clean_text(raw)[0], OPTION_VALUE_FORBIDDEN)


def group_name(raw: str, index: int) -> str:
    """Normalise an axis name (색깔/컬러/color → 색상, 크기/size → 사이즈); empty → "옵션N"."""
    text = option_text(raw)
    lowered = text.lower().replace(" ", "")
    for canonical, synonyms in _GROUP_SYNONYMS.items():
        if lowered in synonyms:
            return canonical
    return text or f"옵션{index + 1}"


def is_on_sale(item: DomeggookItem, rules: TransformRules) -> bool:
    """Whether the supplier status allows selling (anything else → stock 0)."""
    return item.basis.status.strip() in rules.on_sale_statuses


def _clamp(no: int, value: int, cap: int, path: str, notes: list[Adjustment]) -> int:
    if value > cap:
        notes.append(adjust(no, AdjustmentCode.STOCK_CLAMPED, path, f"stock {value} clamped to {cap}"))
        return cap
    return value


def _plain(item: DomeggookItem, rules: TransformRules, notes: list[Adjustment]) -> OptionsOutcome:
    no = item.no
    inventory = item.qty.inventory if item.qty is not None else None
    if inventory is None:
        return OptionsOutcome(
            None, 0, (reject(no, RejectionCode.STOCK_MISSING, "qty.inventory", "no stock given"),)
        )
    if inventory < 0:
        cause = f"stock {inventory} is negative"
        return OptionsOutcome(None, 0, (reject(no, RejectionCode.STOCK_INVALID, "qty.inventory", cause),))
    stock = _clamp(no, inventory, rules.stock_cap, "qty.inventory", notes)
    return _on_sale_only(item, rules, None, stock, notes)


def _on_sale_only(
    item: DomeggookItem, rules: TransformRules, info: OptionInfo | None, stock: int, notes: list[Adjustment]
) -> OptionsOutcome:
    if is_on_sale(item, rules):
        return OptionsOutcome(info, stock, (), tuple(notes))
    what = f"supplier status {item.basis.status[:20]!r} is not on sale: stock set to 0"
    notes.append(adjust(item.no, AdjustmentCode.STATUS_NOT_ON_SALE, "basis.status", what))
    if info is not None:
        rows = [row.model_copy(update={"stock_quantity": 0}) for row in info.option_combinations]
        info = info.model_copy(update={"option_combinations": rows})
    return OptionsOutcome(info, 0, (), tuple(notes))


def _names(select: SelectOpt, key: str, variant: OptionVariant) -> tuple[str, ...] | None:
    indexes = [int(part) for part in key.split("_")]
    from_set = [
        select.axes[axis].opts[index]
        if axis < len(select.axes) and index < len(select.axes[axis].opts)
        else ""
        for axis, index in enumerate(indexes)
    ]
    names = tuple(option_text(name) for name in from_set)
    if all(names):
        return names
    split = tuple(option_text(part) for part in variant.name.split("/"))
    return split if len(split) == len(indexes) and all(split) else None


def build_options(
    item: DomeggookItem,
    rules: TransformRules,
    *,
    cost_won: int,
    sale_price_won: int,
    seller_code: str,
    leaf_category_id: str | None = None,
) -> OptionsOutcome:
    """Combination options and product stock for the item (see the module docstring for the rules)."""
    notes: list[Adjustment] = []
    select = item.select_opt
    if select is None or not select.data:
        return _plain(item, rules, notes)
    no = item.no
    malformed = _shape_rejection(no, select)
    if malformed is not None:
        return OptionsOutcome(None, 0, (malformed,))
    rows, rejections = _read_rows(no, select, rules, cost_won, notes)
    if rejections:
        return OptionsOutcome(None, 0, tuple(rejections), tuple(notes))
    if not any(row.usable for row in rows):
        cause = f"none of the {len(select.data)} option rows is sellable"
        reason = reject(no, RejectionCode.NO_SELLABLE_VARIANT, "selectOpt.data", cause)
        return OptionsOutcome(None, 0, (reason,), tuple(notes))
    rows, sale = _rebase(no, rows, sale_price_won, notes)
    out_of_range = _sale_price_rejection(no, sale, rules)
    if out_of_range is not None:
        return OptionsOutcome(None, 0, (out_of_range,), tuple(notes))
    band = _surcharge_band(sale, rules, leaf_category_id)
    out_of_band: list[Rejection] = []
    rows = _within_band(no, rows, sale, band, rules, out_of_band, notes)
    if out_of_band:
        return OptionsOutcome(None, 0, tuple(out_of_band), tuple(notes))
    outcome = _assemble(item, rules, select, rows, seller_code, notes)
    return dataclasses.replace(outcome, sale_price_won=None if sale == sale_price_won else sale)


def _shape_rejection(no: int, select: SelectOpt) -> Rejection | None:
    """Why the option block as a whole cannot be read (type, axis count), or ``None``."""
    if select.type.strip().lower() not in ("", "combination"):
        cause = f"option type {select.type[:20]!r} is not supported (only combination)"
        return reject(no, RejectionCode.OPTION_TYPE_UNSUPPORTED, "selectOpt.type", cause)
    axes = select.axis_count
    if axes > MAX_AXES:
        cause = f"{axes} option axes, Naver allows at most {MAX_AXES}"
        return reject(no, RejectionCode.TOO_MANY_OPTION_AXES, "selectOpt.data", cause)
    if select.axes and len(select.axes) != axes:
        cause = f"selectOpt.set has {len(select.axes)} axes but combination keys have {axes}"
        return reject(no, RejectionCode.OPTION_STRUCTURE_INVALID, "selectOpt.set", cause)
    return None


def _read_rows(
    no: int, select: SelectOpt, rules: TransformRules, cost_won: int, notes: list[Adjustment]
) -> tuple[list[_Row], list[Rejection]]:
    """Every row in key order, or every row's rejection: all bad rows are reported, not just the first."""
    rows: list[_Row] = []
    rejections: list[Rejection] = []
    for key in sorted(select.data):
        read = _read_row(no, select, key, rules, cost_won, notes)
        if isinstance(read, _Row):
            rows.append(read)
        else:
            rejections.append(read)
    return rows, rejections


def _read_row(
    no: int, select: SelectOpt, key: str, rules: TransformRules, cost_won: int, notes: list[Adjustment]
) -> _Row | Rejection:
    """One ``selectOpt.data`` row priced and stocked; unsellable rows stay, disabled at stock 0."""
    variant, row_path = select.data[key], f"selectOpt.data.{key}"
    names = _names(select, key, variant)
    if names is None:
        cause = f"option {key} has no value names in selectOpt.set or its name {variant.name[:40]!r}"
        return reject(no, RejectionCode.OPTION_STRUCTURE_INVALID, row_path, cause)
    if variant.qty < 0:
        cause = f"option {key} stock {variant.qty} is negative"
        return reject(no, RejectionCode.STOCK_INVALID, f"{row_path}.qty", cause)
    add_on = variant.dom_price if rules.market == "dome" else variant.sup_price
    if cost_won + add_on <= 0:
        cause = f"option {key} add-on {add_on} makes its cost {cost_won + add_on} won, not positive"
        return reject(no, RejectionCode.PRICE_OUT_OF_RANGE, f"{row_path}.domPrice", cause)
    truncated = tuple(truncate(name, rules.option_name_max_chars) for name in names)
    if truncated != names:
        notes.append(
            adjust(no, AdjustmentCode.OPTION_NAME_TRUNCATED, row_path, f"option {key} names shortened")
        )
    sellable = (variant.dom if rules.market == "dome" else variant.sup) and not variant.hidden
    if sellable:
        stock = _clamp(no, variant.qty, rules.stock_cap, f"{row_path}.qty", notes)
    else:
        stock = 0
        what = f"option {key} kept disabled (not sellable: hid={variant.hid[:5]!r})"
        notes.append(adjust(no, AdjustmentCode.OPTION_DISABLED_UNSELLABLE, row_path, what))
    surcharge = option_surcharge(cost_won, add_on, rules)
    return _Row(key=key, names=truncated, stock=stock, surcharge=surcharge, usable=sellable)


def _sale_price_rejection(no: int, sale: int, rules: TransformRules) -> Rejection | None:
    """Re-basing can push the sale price past the limits the plain price was checked against."""
    if rules.min_sale_price_won <= sale <= rules.max_sale_price_won:
        return None
    bounds = f"{rules.min_sale_price_won}..{rules.max_sale_price_won}"
    cause = f"re-based sale price {sale} won is outside {bounds}"
    return reject(no, RejectionCode.PRICE_OUT_OF_RANGE, "salePrice", cause)


def _surcharge_band(sale: int, rules: TransformRules, leaf_category_id: str | None) -> tuple[int, int]:
    """Smart Store's surcharge band for ``sale``, or the leaf's ``option_price_exceptions`` band."""
    exception = rules.option_price_exceptions.get(leaf_category_id or "")
    override = None if exception is None else (Fraction(exception[0]), Fraction(exception[1]))
    return surcharge_range(sale, override)


def _rebase(no: int, rows: list[_Row], sale: int, notes: list[Adjustment]) -> tuple[list[_Row], int]:
    """Shift prices so the cheapest sellable (in-stock if any) row costs exactly the sale price."""
    usable = [row for row in rows if row.usable]
    candidates = [row for row in usable if row.stock > 0] or usable
    if any(row.surcharge == 0 for row in candidates):
        return rows, sale
    base = min(candidates, key=lambda row: (row.surcharge, row.key))
    shift = base.surcharge
    what = (
        f"no sellable option without surcharge: sale price {sale} re-based to {sale + shift} "
        f"on option {base.key}"
    )
    notes.append(adjust(no, AdjustmentCode.PRICE_REBASED, f"selectOpt.data.{base.key}", what))
    return [dataclasses.replace(row, surcharge=row.surcharge - shift) for row in rows], sale + shift


def _within_band(
    no: int,
    rows: list[_Row],
    sale: int,
    band: tuple[int, int],
    rules: TransformRules,
    rejections: list[Rejection],
    notes: list[Adjustment],
) -> list[_Row]:
    """Rows whose surcharges fit ``band``; out-of-band rows are disabled at a clamped price or rejected."""
    low, high = band
    kept: list[_Row] = []
    for row in rows:
        if low <= row.surcharge <= high:
            kept.append(row)
            continue
        row_path = f"selectOpt.data.{row.key}"
        cause = f"option {row.key} surcharge {row.surcharge} won is outside {low}..{high} (sale price {sale})"
        if row.usable and rules.option_surcharge_policy == "reject":
            rejections.append(reject(no, RejectionCode.OPTION_SURCHARGE_OUT_OF_RANGE, row_path, cause))
            continue
        notes.append(adjust(no, AdjustmentCode.OPTION_DISABLED_SURCHARGE, row_path, cause + ": disabled"))
        clamped = min(max(row.surcharge, low), high)
        # Naver prices are whole 10-won steps; clamp towards zero onto that grid.
        clamped = int(clamped / rules.price_unit_won) * rules.price_unit_won
        kept.append(dataclasses.replace(row, surcharge=clamped, stock=0, usable=False))
    return kept


def _assemble(
    item: DomeggookItem,
    rules: TransformRules,
    select: SelectOpt,
    rows: list[_Row],
    seller_code: str,
    notes: list[Adjustment],
) -> OptionsOutcome:
    no, path = item.no, "selectOpt.data"
    if len(rows) > rules.max_option_combinations:
        cause = f"{len(rows)} sellable options, more than {rules.max_option_combinations}"
        return OptionsOutcome(
            None, 0, (reject(no, RejectionCode.TOO_MANY_OPTIONS, path, cause),), tuple(notes)
        )
    if len(select.data) == 1 and rows[0].surcharge == 0:
        notes.append(
            adjust(no, AdjustmentCode.SINGLE_OPTION_COLLAPSED, path, "single option sold as a plain product")
        )
        return _on_sale_only(item, rules, None, rows[0].stock, notes)
    seen: dict[tuple[str, ...], str] = {}
    for row in rows:
        if row.names in seen:
            cause = f"options {seen[row.names]} and {row.key} both read {'/'.join(row.names)!r}"
            return OptionsOutcome(
                None, 0, (reject(no, RejectionCode.OPTION_DUPLICATE, path, cause),), tuple(notes)
            )
        seen[row.names] = row.key
    total = sum(row.stock for row in rows)
    if total > rules.stock_cap:
        share = rules.stock_cap // len(rows)
        rows = [dataclasses.replace(row, stock=min(row.stock, share)) for row in rows]
        what = f"option stocks summing to {total} capped at {share} each"
        notes.append(adjust(no, AdjustmentCode.STOCK_CLAMPED, path, what))
    groups = _group_names(select, len(rows[0].names), rules.option_name_max_chars)
    combinations = [
        OptionCombination(
            option_name1=row.names[0],
            option_name2=row.names[1] if len(row.names) > 1 else None,
            option_name3=row.names[2] if len(row.names) > 2 else None,
            stock_quantity=row.stock,
            price=row.surcharge,
            usable=row.usable,
            seller_manager_code=f"{seller_code}-{row.key}",
        )
        for row in rows
    ]
    info = OptionInfo(
        option_combination_sort_type="CREATE",
        option_combination_group_names=groups,
        option_combinations=combinations,
        use_stock_management=True,
    )
    return _on_sale_only(item, rules, info, sum(row.stock for row in rows), notes)


def _group_names(select: SelectOpt, axes: int, max_chars: int) -> OptionCombinationGroupNames:
    names: list[str] = []
    for index in range(axes):
        raw = select.axes[index].name if index < len(select.axes) else ""
        name = truncate(group_name(raw, index), max_chars) or f"옵션{index + 1}"
        names.append(name if name not in names else f"{name}{index + 1}")
    return OptionCombinationGroupNames(
        option_group_name1=names[0],
        option_group_name2=names[1] if axes > 1 else None,
        option_group_name3=names[2] if axes > 2 else None,
    )
