"""Domeggook category code → Naver leaf category id, with prefix fallback (business-rules §4).

``01_07_03_00_00`` is looked up as is, then as ``01_07_00_00_00``, then ``01_00_00_00_00``: an
operator can map a whole branch with one row and refine it later. Nothing is guessed beyond what
the map says; no match → CATEGORY_NOT_MAPPED (the item goes to review). The map is a plain dict
passed in by the caller; loading it from a file or the database happens elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from schemas.domeggook import DomeggookItem
from storebridge.transform.result import Rejection, RejectionCode, reject

_CODE_RE = re.compile(r"\d{2}(?:_\d{2}){4}")
_LEAF_ID_RE = re.compile(r"\d{1,12}")


@dataclass(frozen=True)
class CategoryMatch:
    """The Naver leaf id and which map key produced it."""

    leaf_category_id: str
    source_code: str
    matched_code: str

    @property
    def exact(self) -> bool:
        """False when a parent code's mapping was used."""
        return self.source_code == self.matched_code


def candidate_codes(code: str) -> list[str]:
    """The code itself, then each ancestor (trailing levels zeroed), most specific first."""
    levels = code.split("_")
    candidates: list[str] = []
    for depth in range(len(levels), 0, -1):
        if levels[depth - 1] == "00":
            continue
        candidate = "_".join(levels[:depth] + ["00"] * (len(levels) - depth))
        if candidate not in candidates:
            candidates.append(candidate)
    return candidates


def item_category_code(item: DomeggookItem) -> str | None:
    """``category.current.code``, else the deepest parent's code, else ``None``."""
    category = item.category
    if category is None:
        return None
    if category.current is not None and category.current.code.strip():
        return category.current.code.strip()
    parents = [ref for ref in (category.parents.elem if category.parents else ()) if ref.code.strip()]
    if not parents:
        return None
    return max(parents, key=lambda ref: ref.depth or 0).code.strip()


def map_category(item: DomeggookItem, category_map: Mapping[str, str]) -> CategoryMatch | Rejection:
    """Find the Naver leaf category for the item, or say precisely why there is none."""
    no, path = item.no, "category.current.code"
    code = item_category_code(item)
    if code is None:
        return reject(no, RejectionCode.CATEGORY_MISSING, path, "the item has no category code")
    if not _CODE_RE.fullmatch(code) or code.startswith("00"):
        cause = f"category code {code[:40]!r} is not five 2-digit levels"
        return reject(no, RejectionCode.CATEGORY_NOT_MAPPED, path, cause)
    tried = candidate_codes(code)
    for candidate in tried:
        leaf = category_map.get(candidate)
        if leaf is None:
            continue
        if not _LEAF_ID_RE.fullmatch(leaf.strip()):
            cause = f"category map entry {candidate} → {leaf[:30]!r} is not a Naver category id"
            return reject(no, RejectionCode.CATEGORY_NOT_MAPPED, path, cause)
        return CategoryMatch(leaf_category_id=leaf.strip(), source_code=code, matched_code=candidate)
    cause = f"category {code} is not mapped (tried {', '.join(tried)})"
    return reject(no, RejectionCode.CATEGORY_NOT_MAPPED, path, cause)
