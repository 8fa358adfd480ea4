"""The category-map CSV a person reviews: written by ``categories propose``, read by ``categories import``.

Columns of a proposal: ``domeggook_code, domeggook_path, naver_leaf_category_id, naver_path,
confidence, ambiguous, runner_up_id, runner_up_path, runner_up_confidence, confirmed``. The
reviewer fixes ``naver_leaf_category_id`` where the proposal is wrong (the runner-up is often the
right one) and writes ``yes`` in ``confirmed`` for every row to import. A file without a
``confirmed`` column (a hand-written ``domeggook_code,naver_leaf_category_id`` map) counts as
confirmed throughout.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from storebridge.reference.matching import Proposal
from storebridge.store import CategoryMappingSpec

PROPOSAL_COLUMNS = (
    "domeggook_code", "domeggook_path", "naver_leaf_category_id", "naver_path", "confidence",
    "ambiguous", "runner_up_id", "runner_up_path", "runner_up_confidence", "confirmed",
)  # fmt: skip
#: Values of ``confirmed`` that mean "import this row" (case-insensitive).
YES = frozenset({"y", "yes", "true", "1", "o", "ok", "x", "v", "예", "네"})


class MapFileError(ValueError):
    """The file cannot be imported; ``str()`` names the file and line."""


@dataclass(frozen=True)
class ConfirmedMap:
    """The rows to import and how many rows were left out as unconfirmed."""

    specs: list[CategoryMappingSpec]
    unconfirmed: int


def proposals_csv(proposals: Iterable[Proposal]) -> str:
    """The proposal CSV (header + one row per Domeggook category), ``confirmed`` left empty."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(PROPOSAL_COLUMNS)
    for p in proposals:
        writer.writerow(
            [
                p.source.key,
                p.source.path,
                p.leaf.key if p.leaf else "",
                p.leaf.path if p.leaf else "",
                f"{p.confidence:.3f}",
                "yes" if p.ambiguous else "",
                p.runner_up.key if p.runner_up else "",
                p.runner_up.path if p.runner_up else "",
                f"{p.runner_up_confidence:.3f}" if p.runner_up else "",
                "",
            ]
        )
    return out.getvalue()


def read_confirmed(path: str | Path, *, leaves: Collection[str] = ()) -> ConfirmedMap:
    """The confirmed rows of a reviewed CSV as mappings; ``MapFileError`` naming file and line.

    ``leaves`` (the stored Naver leaf ids, when the tree was fetched) refuses a row whose id is not
    a leaf: Naver only lists products on leaves. ``confidence`` is kept from the file (1 if absent).
    """
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise MapFileError(f"{path}: cannot read ({getattr(exc, 'strerror', None) or exc})") from None
    reader = csv.DictReader(text.splitlines())
    columns = set(reader.fieldnames or ())
    if not {"domeggook_code", "naver_leaf_category_id"} <= columns:
        raise MapFileError(f"{path}: needs the columns domeggook_code and naver_leaf_category_id")
    specs: list[CategoryMappingSpec] = []
    unconfirmed = 0
    for line_no, row in enumerate(reader, start=2):
        if "confirmed" in columns and (row.get("confirmed") or "").strip().lower() not in YES:
            unconfirmed += 1
            continue
        leaf = (row.get("naver_leaf_category_id") or "").strip()
        if leaves and leaf not in leaves:
            raise MapFileError(f"{path} line {line_no}: {leaf or '(empty)'} is not a Naver leaf category")
        try:
            confidence = float((row.get("confidence") or "1").strip() or 1)
            specs.append(
                CategoryMappingSpec(
                    domeggook_code=(row.get("domeggook_code") or "").strip(),
                    naver_leaf_category_id=leaf,
                    confidence=confidence,
                )
            )
        except (ValidationError, ValueError) as exc:
            field = exc.errors()[0]["loc"][0] if isinstance(exc, ValidationError) else "confidence"
            raise MapFileError(f"{path} line {line_no}: bad {field}") from None
    return ConfirmedMap(specs, unconfirmed)
