"""Reference data from Naver and Domeggook, never invented in production (issue 8 §1).

- ``guard``: against the real Naver API, refuse to start without an operator's category map;
- ``matching``: propose a Domeggook → Naver leaf map from the two category trees (pure);
- ``trees``: fetch both trees into PostgreSQL; ``mapfile``: the proposal / import CSV;
- ``naver_rules``: Naver's per-leaf rules and lists (exceptional categories, notice types, origin
  areas, restricted tags), cached in PostgreSQL with an expiry and fetched on a miss;
- ``gates``: those, for one item, fed into ``TransformRules`` before the dry transform that
  precedes the image upload (the gates themselves are ``transform.gates``, pure).
"""

from storebridge.reference.guard import (
    check_operator_category_map,
    naver_api_is_real,
    require_operator_category_map,
)

__all__ = ["check_operator_category_map", "naver_api_is_real", "require_operator_category_map"]
