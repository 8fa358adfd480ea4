"""The simulated Domeggook catalog: the items both simulators and every test agree on.

``generate_catalog(items, seed)`` builds a deterministic ``Catalog`` of ``Item`` values (options,
sellers, tiered prices, hostile ``Scenario`` cases); the Domeggook simulator renders it on the wire
and its control endpoint edits it while a run is in progress. ``data`` holds the static category
tree and word pools. Names that also exist on the production side carry a ``Sim`` prefix
(``SimSeller``, ``SimOptionVariant``); the production wire models are in ``schemas/domeggook.py``.
"""

from storebridge.sandbox.catalog.data import (
    DOMEGGOOK_CATEGORIES,
    UNMAPPED_CATEGORY_CODE,
    category_ancestors,
    category_depth,
    category_name,
)
from storebridge.sandbox.catalog.generator import generate_catalog
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
    "UNMAPPED_CATEGORY_CODE",
    "Catalog",
    "Delivery",
    "Item",
    "ItemSpec",
    "ItemStatus",
    "OptionSet",
    "Scenario",
    "SimOptionVariant",
    "SimSeller",
    "category_ancestors",
    "category_depth",
    "category_name",
    "generate_catalog",
]
