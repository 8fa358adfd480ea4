"""Coercions for Domeggook's XML-flavoured JSON: numbers, booleans, lists and tables sent as strings.

Each function turns one wire quirk into a clean Python value or raises ``ValueError`` (which pydantic
reports as a ``ValidationError`` located at the field). The ``Annotated`` aliases at the bottom are
what ``schemas.domeggook`` and ``schemas.domeggook_catalog`` declare their fields with.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, TypeAdapter
from pydantic.alias_generators import to_camel

#: Longest digit string accepted as a number; longer values are garbage, not prices or stock.
MAX_NUMBER_DIGITS = 15
#: Upper bound on the raw ``selectOpt`` string (characters); larger is treated as hostile.
MAX_SELECT_OPT_CHARS = 2_000_000
#: Most tiers a price or fee table may have.
MAX_TIERS = 20
#: ``selectOpt`` may be encoded more than once; unwrap at most this many string layers.
MAX_JSON_LAYERS = 3

_INT_RE = re.compile(r"[+-]?\d+")
_GROUPED_INT_RE = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+")
_FLOAT_INT_RE = re.compile(r"[+-]?\d+\.0*")
_TRUE_WORDS = frozenset({"true", "y", "yes", "1"})
_FALSE_WORDS = frozenset({"false", "n", "no", "0"})

TierTable = tuple[tuple[int, int], ...]


def parse_wire_int(value: object) -> int:
    """Read an integer sent as int, integral float or digit string (``"7934"``, ``"1,180"``).

    Booleans, fractions, empty strings and anything longer than ``MAX_NUMBER_DIGITS`` digits are
    errors, because silently reading them as a number is how stock turned into -1 in an earlier
    client.
    """
    if isinstance(value, bool):
        raise ValueError("expected a number, got a boolean")
    if isinstance(value, int):
        if len(str(abs(value))) > MAX_NUMBER_DIGITS:
            raise ValueError(f"number has more than {MAX_NUMBER_DIGITS} digits")
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")) or not value.is_integer():
            raise ValueError(f"expected a whole number, got {value!r}")
        return parse_wire_int(int(value))
    if isinstance(value, str):
        text = value.strip()
        if _GROUPED_INT_RE.fullmatch(text):
            text = text.replace(",", "")
        elif _FLOAT_INT_RE.fullmatch(text):
            text = text.split(".", 1)[0]
        if not _INT_RE.fullmatch(text):
            raise ValueError(f"expected a whole number, got {value[:40]!r}")
        if len(text.lstrip("+-")) > MAX_NUMBER_DIGITS:
            raise ValueError(f"number has more than {MAX_NUMBER_DIGITS} digits")
        return int(text)
    raise ValueError(f"expected a number, got {type(value).__name__}")


def optional_int(value: object) -> int | None:
    """``parse_wire_int``, with ``None`` for a missing or blank value."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_wire_int(value)


def _int_or_zero(value: object) -> int:
    result = optional_int(value)
    return 0 if result is None else result


def parse_wire_bool(value: object) -> bool:
    """Read ``"true"``/``"false"``, ``"Y"``/``"N"``, ``"1"``/``"0"`` or a JSON bool; else an error."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS or word == "":
            return False
    raise ValueError(f"expected a boolean flag, got {str(value)[:40]!r}")


def _optional_bool(value: object) -> bool | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_wire_bool(value)


def _explicit_true(value: object) -> bool:
    # Licence flags: only an explicit "true" grants a right. Anything else, even garbage, means
    # "not granted" — copying a supplier's images without permission is the costlier mistake.
    if isinstance(value, bool):
        return value
    return isinstance(value, str | int) and str(value).strip().lower() in _TRUE_WORDS


def _text(value: object) -> object:
    return "" if value is None else value


def as_list(value: object) -> object:
    """A list, whatever XML-to-JSON made of it (a bare element for one, ``""`` for none)."""
    if value is None or value == "" or value == {}:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def blank_to_none(value: object) -> object:
    """``None`` for an empty XML element, which arrives as ``""`` (or ``[]``) where an object is expected."""
    return None if value in ("", [], {}) else value


def parse_tiers(value: object) -> TierTable | None:
    """Parse a price or fee table into ``((min_qty, amount), …)`` sorted by quantity.

    ``9900`` and ``"9900"`` mean one tier from quantity 1. ``"1+3800|20+3500"`` means 3,800 from
    1 piece and 3,500 from 20. Repeated identical tiers (``"30+3000|30+3000"``) collapse; two
    different amounts for the same quantity are an error. Empty → ``None`` (missing price means
    "not sold on this market"). Amounts may be zero or negative here; the transform rejects them.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        return ((1, parse_wire_int(value)),)
    parts = [part.strip() for part in value.split("|") if part.strip()]
    if not parts:
        return None
    if len(parts) > MAX_TIERS:
        raise ValueError(f"more than {MAX_TIERS} tiers in {value[:60]!r}")
    if len(parts) == 1 and "+" not in parts[0].lstrip("+"):
        return ((1, parse_wire_int(parts[0])),)
    tiers: dict[int, int] = {}
    for part in parts:
        qty_text, sep, amount_text = part.partition("+")
        if not sep:
            raise ValueError(f"tier {part!r} is not 'quantity+amount' in {value[:60]!r}")
        qty, amount = parse_wire_int(qty_text), parse_wire_int(amount_text)
        if qty < 1:
            raise ValueError(f"tier quantity {qty} is below 1 in {value[:60]!r}")
        if tiers.get(qty, amount) != amount:
            raise ValueError(f"two amounts for quantity {qty} in {value[:60]!r}")
        tiers[qty] = amount
    return tuple(sorted(tiers.items()))


def decode_select_opt(value: object) -> object:
    """Unwrap ``selectOpt``: JSON inside a string, sometimes encoded twice; null/"" = no options."""
    layers = 0
    while isinstance(value, str):
        text = value.strip()
        if text in ("", "null", "[]", "{}"):
            return None
        if len(text) > MAX_SELECT_OPT_CHARS:
            raise ValueError(f"selectOpt is longer than {MAX_SELECT_OPT_CHARS} characters")
        if layers >= MAX_JSON_LAYERS:
            raise ValueError("selectOpt is encoded too many times")
        try:
            value = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise ValueError(f"selectOpt is not valid JSON ({type(exc).__name__}: {str(exc)[:80]})") from None
        layers += 1
    if value is None or value == {} or value == []:
        return None
    if not isinstance(value, dict):
        raise ValueError(f"selectOpt must decode to an object, got {type(value).__name__}")
    return value


WireInt = Annotated[int, BeforeValidator(parse_wire_int)]
OptInt = Annotated[int | None, BeforeValidator(optional_int)]
IntOrZero = Annotated[int, BeforeValidator(_int_or_zero)]
WireBool = Annotated[bool, BeforeValidator(parse_wire_bool)]
OptBool = Annotated[bool | None, BeforeValidator(_optional_bool)]
ExplicitTrue = Annotated[bool, BeforeValidator(_explicit_true)]
Text = Annotated[str, BeforeValidator(_text)]
Tiers = Annotated[TierTable | None, BeforeValidator(parse_tiers)]
BLANK = BeforeValidator(blank_to_none)
LIST = BeforeValidator(as_list)


class WireModel(BaseModel):
    """Base of every Domeggook model: camelCase aliases, unknown keys ignored, immutable."""

    model_config = ConfigDict(
        extra="ignore",
        frozen=True,
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        coerce_numbers_to_str=True,
    )


def load(adapter: TypeAdapter[Any], payload: object) -> Any:
    """Validate a decoded JSON value, or a raw body (str/bytes: invalid JSON is a ValidationError too)."""
    if isinstance(payload, str | bytes | bytearray):
        return adapter.validate_json(payload)
    return adapter.validate_python(payload)
