"""The state store: PostgreSQL behind ``StateStore``, the product state machine and the plain-SQL
migrations.

``StateStore`` (``state_store``) owns the pool; its methods come from one part per group of
tables: ``products`` (products and their events), ``image_cache``, ``category_rules`` (category map
and banned words), ``intake_jobs`` and ``reference_data`` (category trees, Naver's per-leaf rules).
"""

from storebridge.store.db import MAX_MESSAGE_CHARS
from storebridge.store.migrate import MigrationError, load_migrations, migrate
from storebridge.store.reference_data import (
    CategoryDetailRow,
    DomeggookCategoryRow,
    NaverCategoryRow,
)
from storebridge.store.state_store import StateStore
from storebridge.store.states import (
    CREATE_ATTEMPT_STATES,
    FAILURE_STATES,
    INITIAL_STATE,
    OPERATOR_ONLY,
    REDRIVABLE_STATES,
    REGISTERED_STATES,
    TRANSITIONS,
    UNREGISTERED_STATES,
    IllegalTransition,
    State,
    allowed_targets,
    check_transition,
    is_operator_only,
    redrive_target,
)
from storebridge.store.types import (
    BannedWordSpec,
    CategoryMappingSpec,
    InvariantViolation,
    Json,
    ProductNotFound,
    ProductRow,
    StaleState,
)

__all__ = [
    "CREATE_ATTEMPT_STATES",
    "FAILURE_STATES",
    "INITIAL_STATE",
    "MAX_MESSAGE_CHARS",
    "OPERATOR_ONLY",
    "REDRIVABLE_STATES",
    "REGISTERED_STATES",
    "TRANSITIONS",
    "UNREGISTERED_STATES",
    "BannedWordSpec",
    "CategoryDetailRow",
    "CategoryMappingSpec",
    "DomeggookCategoryRow",
    "IllegalTransition",
    "InvariantViolation",
    "Json",
    "MigrationError",
    "NaverCategoryRow",
    "ProductNotFound",
    "ProductRow",
    "StaleState",
    "State",
    "StateStore",
    "allowed_targets",
    "check_transition",
    "is_operator_only",
    "load_migrations",
    "migrate",
    "redrive_target",
]
