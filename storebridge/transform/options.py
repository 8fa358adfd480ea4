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
- Option values and group names are plain text (``text.clean_text``: no markup) and lose
  ``\ * ? " < > /`` (replaced). Each value with no letter or digit left falls back to the row's
  own name; when that has none either the item goes to review (NAME_EMPTY, worded as for product
  names). A group name with none becomes "옵션N".
- Banned words (``words.py``) apply to what the shopper reads here too: once per distinct value of
  an axis and per group name. Block → review (BANNED_WORD naming the value or group and the
  word); replace → rewritten, then cut below 25 characters; warn → recorded. Two different
  supplier values of one axis that a replacement or the cut makes equal go to review
  (OPTION_DUPLICATE): merged, one listed option would stand for two supplier variants.
- 1–3 axes (4+ → TOO_MANY_OPTION_AXES); at most ``max_option_combinations`` rows; no sellable
  row → NO_SELLABLE_VARIANT. A lone add-on-free row collapses to a plain product.
- Product stock = sum of row stocks, each clamped to ``stock_cap``; a supplier status other than
  on-sale sets every stock to 0 (Naver then shows OUTOFSTOCK).

Over 400 lines: one concept (a combination block) read in named steps that share ``_Row``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from fractions import Fraction

from schemas.domeggook import DomeggookItem, OptionVariant, SelectOpt
from schemas.naver import OptionCombination, OptionCombinationGroupNames, OptionInfo
from storebridge.transform.content import word_adjustments
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
from storebridge.transform.text import clean_text, has_listable_text, truncate
from storebridge.transform.words import apply_word_rules

#: Naver allows at most three combination axes (a fourth only for branch options).
MAX_AXES = 3
_CLEANING = "replacing forbidden characters and removing symbols"
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
    #: Cleaned supplier values; as listed (word rules, length) once ``_label_values`` has run.
    names: tuple[str, ...]
    stock: int
    surcharge: int
    usable: bool = True


def option_text(raw: str) -> str:
    """An option value or group name as Smart Store accepts it: cleaned, forbidden characters replaced."""
    return replace_forbidden(clean_text(raw)[0], OPTION_VALUE_FORBIDDEN)


def group_name(raw: str, index: int) -> str:
    """Normalise an axis name (색깔/컬러/color → 색상, 크기/size → 사이즈); no letter or digit → "옵션N"."""
    return _canonical_group(option_text(raw), index)


def _canonical_group(text: str, index: int) -> str:
    lowered = text.lower().replace(" ", "")
    for canonical, synonyms in _GROUP_SYNONYMS.items():
        if lowered in synonyms:
            return canonical
    return text if has_listable_text(text) else f"옵션{index + 1}"


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


def _names(no: int, select: SelectOpt, key: str, variant: OptionVariant) -> tuple[str, ...] | Rejection:
    """The row's values from ``set``, else from its own name split on "/"; each with a letter or digit."""
    indexes = [int(part) for part in key.split("_")]
    from_set = [
        select.axes[axis].opts[index]
        if axis < len(select.axes) and index < len(select.axes[axis].opts)
        else ""
        for axis, index in enumerate(indexes)
    ]
    split = variant.name.split("/")
    sources = [from_set, split] if len(split) == len(indexes) else [from_set]
    for raws in sources:
        names = tuple(option_text(raw) for raw in raws)
        if all(has_listable_text(name) for name in names):
            return names
    row_path = f"selectOpt.data.{key}"
    # A value the supplier wrote that cleaning left unreadable ("***") is not a structure fault.
    given = [(raw, option_text(raw)) for raws in sources for raw in raws if raw.strip()]
    unreadable = next(((raw, text) for raw, text in given if not has_listable_text(text)), None)
    if unreadable is not None:  # worded as for product names (``content.clean_name``)
        raw, text = unreadable
        became = f"became {text!r}, with no letter or digit" if text else "is empty after cleaning"
        cause = f"option {key} value {raw[:40]!r} {became}: nothing listable left after {_CLEANING}"
        return reject(no, RejectionCode.NAME_EMPTY, row_path, cause)
    cause = f"option {key} has no value names in selectOpt.set or its name {variant.name[:40]!r}"
    return reject(no, RejectionCode.OPTION_STRUCTURE_INVALID, row_path, cause)


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
    groups = _group_names(no, select, rules, notes, rejections)
    rows = _label_values(no, rows, groups, rules, notes, rejections)
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
    outcome = _assemble(item, rules, select, rows, groups, seller_code, notes)
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
    names = _names(no, select, key, variant)
    if isinstance(names, Rejection):
        return names
    if variant.qty < 0:
        cause = f"option {key} stock {variant.qty} is negative"
        return reject(no, RejectionCode.STOCK_INVALID, f"{row_path}.qty", cause)
    add_on = variant.dom_price if rules.market == "dome" else variant.sup_price
    if cost_won + add_on <= 0:
        cause = f"option {key} add-on {add_on} makes its cost {cost_won + add_on} won, not positive"
        return reject(no, RejectionCode.PRICE_OUT_OF_RANGE, f"{row_path}.domPrice", cause)
    sellable = (variant.dom if rules.market == "dome" else variant.sup) and not variant.hidden
    if sellable:
        stock = _clamp(no, variant.qty, rules.stock_cap, f"{row_path}.qty", notes)
    else:
        stock = 0
        what = f"option {key} kept disabled (not sellable: hid={variant.hid[:5]!r})"
        notes.append(adjust(no, AdjustmentCode.OPTION_DISABLED_UNSELLABLE, row_path, what))
    surcharge = option_surcharge(cost_won, add_on, rules)
    return _Row(key=key, names=names, stock=stock, surcharge=surcharge, usable=sellable)


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
    groups: list[str],
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
        option_combination_group_names=OptionCombinationGroupNames(
            option_group_name1=groups[0],
            option_group_name2=groups[1] if len(groups) > 1 else None,
            option_group_name3=groups[2] if len(groups) > 2 else None,
        ),
        option_combinations=combinations,
        use_stock_management=True,
    )
    return _on_sale_only(item, rules, info, sum(row.stock for row in rows), notes)


def _group_names(
    no: int, select: SelectOpt, rules: TransformRules, notes: list[Adjustment], rejections: list[Rejection]
) -> list[str]:
    """Each axis's group name as listed: word rules applied, canonical, unique, below the limit."""
    names: list[str] = []
    for index in range(select.axis_count):
        raw = select.axes[index].name if index < len(select.axes) else ""
        path = f"selectOpt.set.{index}.name"
        text, blocked = _worded(no, path, option_text(raw), f"option group name {raw[:40]!r}", rules, notes)
        rejections += [blocked] if blocked is not None else []
        name = truncate(_canonical_group(text, index), rules.option_name_max_chars) or f"옵션{index + 1}"
        names.append(name if name not in names else f"{name}{index + 1}")
    return names


def _label_values(
    no: int,
    rows: list[_Row],
    groups: list[str],
    rules: TransformRules,
    notes: list[Adjustment],
    rejections: list[Rejection],
) -> list[_Row]:
    """Rows with each value as listed (``_label``, once per distinct value of an axis).

    Two different supplier values made equal would list as one option: review, never merge.
    """
    labels: dict[tuple[int, str], str] = {}
    for row in rows:
        for axis, text in enumerate(row.names):
            if (axis, text) not in labels:
                label = _label(no, f"selectOpt.data.{row.key}", text, groups[axis], rules, notes)
                labels[axis, text] = "" if isinstance(label, Rejection) else label
                rejections += [label] if isinstance(label, Rejection) else []
    sources: dict[tuple[int, str], list[str]] = {}
    for (axis, text), label in labels.items():
        sources.setdefault((axis, label), []).append(text)
    for (axis, label), texts in sources.items():
        if label and len(texts) > 1:
            replaced = sorted({w for t in texts for w in apply_word_rules(t, rules.word_rules).replaced})
            limit = rules.option_name_max_chars
            how = (
                f"replacing banned word(s) {', '.join(replaced)}" if replaced else f"cutting to {limit} chars"
            )
            cause = (
                f"option values {texts[0]!r} and {texts[1]!r} of group {groups[axis]!r} both read {label!r} "
                f"after {how}: one listed option would stand for two supplier variants"
            )
            rejections.append(reject(no, RejectionCode.OPTION_DUPLICATE, f"selectOpt.set.{axis}.opts", cause))
    return [
        dataclasses.replace(row, names=tuple(labels[axis, text] for axis, text in enumerate(row.names)))
        for row in rows
    ]


def _label(
    no: int, path: str, text: str, group: str, rules: TransformRules, notes: list[Adjustment]
) -> str | Rejection:
    """One cleaned option value as listed: word rules applied, then cut below Naver's limit."""
    what = f"option value {text!r} of group {group!r}"
    worded, blocked = _worded(no, path, text, what, rules, notes)
    if blocked is not None:
        return blocked
    label = truncate(worded, rules.option_name_max_chars)
    if label != worded:
        notes.append(adjust(no, AdjustmentCode.OPTION_NAME_TRUNCATED, path, f"{what} shortened to {label!r}"))
    if not has_listable_text(label):
        # ``_names`` kept only values with a letter or digit: a dropped word or the cut took them.
        cause = (
            f"the {what} became {label!r} after word rules, with no letter or digit: nothing listable left"
        )
        return reject(no, RejectionCode.NAME_EMPTY, path, cause)
    return label


def _worded(
    no: int, path: str, text: str, what: str, rules: TransformRules, notes: list[Adjustment]
) -> tuple[str, Rejection | None]:
    """``text`` with the word rules applied and spacing collapsed, and the BANNED_WORD naming ``what``."""
    words = apply_word_rules(text, rules.word_rules)
    notes += word_adjustments(no, path, words.replaced, words.warned)
    blocked = None
    if words.blocked:
        cause = f"banned word(s) {', '.join(words.blocked)} in the {what}"
        blocked = reject(no, RejectionCode.BANNED_WORD, path, cause)
    return " ".join(words.text.split()), blocked
