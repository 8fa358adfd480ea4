"""Smart Store listing policy the simulator enforces, each rule tagged with its evidence.

Tags: **DOC** <file> = Naver's API docs (``myso-kr/naver-commerce-api-docs-cli``,
``raws/commerce-api/current/``); **OBSERVED** <source> = public integrator or seller evidence (ids as
in ``fidelity-evidence.md``); **INFERRED** = our reading where nothing says more.

This is a deliberate copy of the client's table (``storebridge/transform/policy.py``): the sandbox
is a leaf and an independent check, so it never imports the transform; the implementation that
applies these numbers is written separately here. ``tests/sandbox/test_naver_sim_policy.py`` fails
when the two tables drift.
"""

from __future__ import annotations

import html
import re
from fractions import Fraction

from storebridge.sandbox.naver.validation.checker import Checker

#: OBSERVED U-71231919847, U-61418914812, guide.windly.cc (Smart Store notice 2283): (lowest sale
#: price in won, lowest surcharge ratio, highest ratio) of the pre-discount sale price.
SURCHARGE_BANDS: tuple[tuple[int, Fraction, Fraction], ...] = (
    (0, Fraction(0), Fraction(1)),
    (2_000, Fraction(-1, 2), Fraction(1)),
    (10_000, Fraction(-1, 2), Fraction(1, 2)),
)
#: INFERRED: an ``OPTION_PRICE`` exceptional leaf [DOC get-category-product.md] is excluded from the
#: banded limit and keeps the classic −50…+100 % (U-61418914812).
OPTION_PRICE_EXCEPTION_BAND = (Fraction(-1, 2), Fraction(1))
#: OBSERVED U-71231919847 ("운영 실측"): characters refused in option values; INFERRED for group names.
OPTION_VALUE_FORBIDDEN = frozenset('\\*?"<>/')
#: OBSERVED U-56165440097 / U-56239944866 (notice modelName), U-71466854276 (product name gate).
NAME_FORBIDDEN = frozenset('\\*?"<>')
#: OBSERVED U-56165440097: option values "25자보다 작게".
OPTION_VALUE_MAX_CHARS = 24
#: OBSERVED U-56165440097: modelName "50자보다 작게" (DOC create-product-product.md says ≤ 50).
NOTICE_NAME_MAX_CHARS = 49

#: INFERRED (Naver's word list is unpublished; business-rules §7 seeds, Smart Store's 상품등록정책 on
#: 지식재산권 침해 and 허위·과장 광고): claims refused in what the shopper reads — the name and the
#: detail page's text (tags stripped, entities decoded). Written without spaces; a word matches
#: contiguous (zero-width characters ignored) or spelled out as whole space-separated pieces
#: ("무 조 건", "가 품"), never across the inside of words ("특가 품절"). Each is a word the client's
#: default rules send to review (``tests/sandbox/test_naver_sim_text.py`` checks), so the sandbox
#: refuses nothing the client would list.
CLAIM_WORDS = (
    "짝퉁",
    "가품",
    "의약품",
    "처방전",
    "완치",
    "치료제",
    "병치료",
    "100%효과",
    "무조건",
    "반드시효과",
)
_ZERO_WIDTH = re.compile("[\u200b-\u200f\u2060\ufeff]")
_TAG = re.compile(r"<[^<>]*>")

#: Our spellings; the rules' texts are the sellers' reports.
SURCHARGE = "Range.product.optionPrice"
#: OBSERVED U-56165440097 "옵션가 … 최소 1개는 0 필수" (type name ours).
ZERO_OPTION = ("Required.product.optionPrice.zero", "옵션가가 0원인 옵션이 최소 1개 있어야 합니다.")
FORBIDDEN_CHARS = "Pattern.specialCharacter"
TOO_LONG = "Size"
#: INFERRED (type and text ours): a name of symbols only ("'()") names nothing; the stricter reading.
NAME_NOT_LISTABLE = ("Pattern.product.name", "상품명에는 문자나 숫자가 있어야 합니다.")
CLAIM_WORD = "Prohibited.word"


def allowed_surcharge(sale_price: int, option_price_exception: bool) -> tuple[int, int]:
    """(lowest, highest) option price in won for ``sale_price``; bounds rounded towards zero."""
    if option_price_exception:
        low, high = OPTION_PRICE_EXCEPTION_BAND
    else:
        low, high = next((lo, hi) for start, lo, hi in reversed(SURCHARGE_BANDS) if sale_price >= start)
    return -int(-low * sale_price), int(high * sale_price)


def check_surcharges(
    checker: Checker, rows: list[tuple[str, int, bool]], sale_price: int, *, option_price_exception: bool
) -> None:
    """Every (path, price, usable) row inside the band, and one usable row at 0 won."""
    low, high = allowed_surcharge(sale_price, option_price_exception)
    for path, price, _ in rows:
        if not low <= price <= high:
            text = f"옵션가는 판매가 {sale_price:,}원의 {low:,}원 ~ +{high:,}원 범위로 입력해주세요."
            checker.add(path, SURCHARGE, text)
    if rows and not any(price == 0 and usable for _, price, usable in rows):
        checker.add(rows[0][0], ZERO_OPTION)


def check_characters(
    checker: Checker, path: str, value: str, forbidden: frozenset[str], max_chars: int
) -> None:
    """A text field without forbidden characters and within ``max_chars``."""
    found = sorted(set(value) & forbidden)
    if found:
        checker.add(path, FORBIDDEN_CHARS, f"등록불가 특수문자({' '.join(found)})가 포함되어 있습니다.")
    if len(value) > max_chars:
        checker.add(path, TOO_LONG, f"{max_chars + 1}자보다 작게 입력해주세요.")


def claim_words_in(text: str) -> list[str]:
    """The ``CLAIM_WORDS`` a shopper reads in ``text`` (plain text; see ``CLAIM_WORDS``)."""
    pieces = _ZERO_WIDTH.sub("", text).lower().split()
    return [
        word for word in CLAIM_WORDS if any(word in piece for piece in pieces) or _spelled_out(pieces, word)
    ]


def _spelled_out(pieces: list[str], word: str) -> bool:
    """Whether two or more consecutive whole pieces spell ``word`` ("무 조 건")."""
    for start, first in enumerate(pieces):
        joined = first
        for piece in pieces[start + 1 :]:
            if not word.startswith(joined) or len(joined) >= len(word):
                break
            joined += piece
            if joined == word:
                return True
    return False


def check_shown_text(checker: Checker, path: str, value: str, *, markup: bool) -> None:
    """No claim word in what the shopper reads of ``value`` (HTML when ``markup``)."""
    text = html.unescape(_TAG.sub(" ", value)) if markup else value
    found = claim_words_in(text)
    if found:
        checker.add(path, CLAIM_WORD, f"등록할 수 없는 단어({', '.join(found)})가 포함되어 있습니다.")


def check_name_text(checker: Checker, path: str, name: str) -> None:
    """A product name that names something (a letter or digit) and has no claim word."""
    if not any(ch.isalnum() for ch in name):
        checker.add(path, NAME_NOT_LISTABLE)
    check_shown_text(checker, path, name, markup=False)
