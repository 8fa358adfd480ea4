"""Smart Store's own listing rules that the transform must respect, each with its evidence.

Tags: **DOC** <file> = Naver's API docs (``myso-kr/naver-commerce-api-docs-cli``,
``raws/commerce-api/current/``); **OBSERVED** <source> = a public integrator or seller observation
(ids as in ``fidelity-evidence.md``); **INFERRED** = our reading where nothing says more.

The sandbox enforces the same rules from its own copy of this table
(``storebridge/sandbox/naver/validation/policy.py``). The copy is deliberate: the sandbox is a leaf
that must stay an independent check of the client, so it may not import the transform, and there is
no neutral pure module both could share (``storebridge.naver`` pulls in aiohttp, which the pure
transform must not). ``tests/sandbox/test_naver_sim_policy.py`` fails when the two tables drift, so
a change of evidence is made in both places on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class SurchargeBand:
    """Option surcharges allowed for sale prices from ``min_sale_won`` up: ``low…high`` × price."""

    min_sale_won: int
    low: Fraction
    high: Fraction


#: OBSERVED U-71231919847 (``SS_OPTION_PRICE_RULE``), U-61418914812 and guide.windly.cc (Smart Store
#: notice 2283): < 2,000 won → 0…+100 %; 2,000–9,999 → −50…+100 %; ≥ 10,000 → −50…+50 %, measured
#: on the pre-discount sale price. Ordered by ``min_sale_won``.
SURCHARGE_BANDS: tuple[SurchargeBand, ...] = (
    SurchargeBand(0, Fraction(0), Fraction(1)),
    SurchargeBand(2_000, Fraction(-1, 2), Fraction(1)),
    SurchargeBand(10_000, Fraction(-1, 2), Fraction(1, 2)),
)
#: INFERRED: a leaf with the ``OPTION_PRICE`` exceptional-category type [DOC get-category-product.md]
#: is excluded from the banded limit ("옵션가 제한 변경이 제외되는 카테고리", windly FAQ) and keeps the
#: classic −50…+100 % at every price (U-61418914812). Operators override it per leaf.
OPTION_PRICE_EXCEPTION_BAND = (Fraction(-1, 2), Fraction(1))

#: OBSERVED U-71231919847 ("운영 실측"): refused in option values ("등록불가 특수문자").
OPTION_VALUE_FORBIDDEN = frozenset('\\*?"<>/')
#: OBSERVED U-56165440097 / U-56239944866 (notice modelName), U-71466854276 (product name gate):
#: refused in names and notice text fields.
NAME_FORBIDDEN = frozenset('\\*?"<>')
#: What each forbidden character becomes: a look-alike that keeps the word readable ("S/M" → "S-M",
#: ``12"`` → "12'", "<신상>" → "(신상)"), or a space where no look-alike is safe.
REPLACEMENTS: dict[str, str] = {"/": "-", '"': "'", "<": "(", ">": ")", "*": " ", "?": " ", "\\": " "}

#: OBSERVED U-56165440097: option values must be "25자보다 작게" → at most 24 characters.
OPTION_VALUE_MAX_CHARS = 24
#: DOC create-product-product.md says ≤ 50; OBSERVED U-56165440097 says "50자보다 작게". Until a real
#: account settles the boundary we stay strictly below it: at most 49 characters.
NOTICE_NAME_MAX_CHARS = 49


def surcharge_range(
    sale_price_won: int, exception: tuple[Fraction, Fraction] | None = None
) -> tuple[int, int]:
    """Smallest and largest allowed surcharge (won) for a sale price; ``exception`` overrides the bands.

    Bounds are rounded towards zero, so a surcharge inside the returned range is always allowed.
    """
    if exception is not None:
        low, high = exception
    else:
        band = next(b for b in reversed(SURCHARGE_BANDS) if sale_price_won >= b.min_sale_won)
        low, high = band.low, band.high
    return -int(-low * sale_price_won), int(high * sale_price_won)


def replace_forbidden(text: str, forbidden: frozenset[str]) -> str:
    """``text`` with every forbidden character replaced (never a whole word deleted), spaces collapsed."""
    replaced = "".join(REPLACEMENTS.get(ch, " ") if ch in forbidden else ch for ch in text)
    return " ".join(replaced.split())
