"""Settings of the Naver Commerce API simulator (``NaverSimConfig``).

``storebridge sandbox`` generates ``--naver-<field>`` CLI flags from this dataclass
(``commands/dataclass_flags.py``), so every field has a default, a ``help`` text in its metadata
and one of the plain types int/float/str/bool. Values are checked
once in ``__post_init__``: a bad setting fails at start-up, never in the middle of a run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import bcrypt

#: The canonical bcrypt salt used as the default application secret (cost 04, as real secrets).
#: Its 22nd salt character is one of ``. O e u``; any other one is rejected by bcrypt 5 (reference §1.3).
DEFAULT_CLIENT_SECRET = "$2a$04$SandboxStoreBridgeSale"  # noqa: S105 - the public sandbox app secret
#: 22 characters, like a real application ID.
DEFAULT_CLIENT_ID = "sandboxclientid0000001"
#: Smart Store's general image limit per third parties (reference §3, P-cafe24): 20 MB.
DEFAULT_MAX_IMAGE_BYTES = 20 * 1024 * 1024

#: Naver's search index lag is unknown (research §9); a non-zero default keeps the client's
#: "empty search right after a lost create" path exercised. Tests that need 0 set it.
DEFAULT_SEARCH_LAG_S = 2.0

_SALT_SHAPE = re.compile(r"\$2[abxy]\$(\d\d)\$[./A-Za-z0-9]{22}")
#: Costs above this make every token call take seconds; real secrets use 04 or 10.
_MAX_SALT_COST = 12
_MIN_SALT_COST = 4


def _help(text: str) -> dict[str, str]:
    return {"help": text}


@dataclass(frozen=True)
class NaverSimConfig:
    """Knobs of the simulated Naver gateway and product service.

    Defaults follow the reference: 2 requests/s per API with a 2x burst, 3-hour tokens re-used while
    30 minutes remain, 5-minute signature timestamps, 10 images per upload call.
    """

    client_id: str = field(default=DEFAULT_CLIENT_ID, metadata=_help("application ID (client_id)"))
    client_secret: str = field(
        default=DEFAULT_CLIENT_SECRET,
        metadata=_help("application secret: a canonical bcrypt salt such as $2a$04$ + 22 characters"),
    )
    seed: int = field(default=0, metadata=_help("seed of the simulator's RNG (tokens, numbers, URLs)"))
    rate_per_s: float = field(default=2.0, metadata=_help("token-bucket refill rate per API, requests/s"))
    burst_multiplier: float = field(
        default=2.0, metadata=_help("bucket capacity as a multiple of rate_per_s (Naver: 2)")
    )
    token_ttl_s: int = field(default=10800, metadata=_help("access-token lifetime, seconds"))
    token_reuse_min_remaining_s: int = field(
        default=1800, metadata=_help("the same token is returned while at least this many seconds remain")
    )
    timestamp_max_age_s: int = field(
        default=300, metadata=_help("maximum age of the signed token-request timestamp, seconds")
    )
    max_image_bytes: int = field(
        default=DEFAULT_MAX_IMAGE_BYTES, metadata=_help("largest accepted image file, bytes")
    )
    max_images_per_upload: int = field(default=10, metadata=_help("most image files per upload call"))
    min_image_side_px: int = field(
        default=0,
        metadata=_help(
            "smallest accepted image width/height in px; 0 = no check (the real limit is unknown)"
        ),
    )
    timeout_hold_s: float = field(
        default=30.0, metadata=_help("how long the timeout fault holds a request before a 504, seconds")
    )
    require_price_multiple_of_10: bool = field(
        default=True,
        metadata=_help("reject prices that are not a multiple of 10 won (not a documented rule)"),
    )
    name_max_chars: int = field(default=100, metadata=_help("longest accepted product name, characters"))
    require_delivery_info: bool = field(
        default=True,
        metadata=_help("reject products without deliveryInfo (Naver would list them as 'no delivery')"),
    )
    search_lag_s: float = field(
        default=DEFAULT_SEARCH_LAG_S,
        metadata=_help("seconds before a new product becomes visible to product search (0 = at once)"),
    )

    def __post_init__(self) -> None:
        check_client_secret(self.client_secret)
        if not self.client_id:
            raise ValueError("client_id must not be empty")
        positive = {
            "rate_per_s": self.rate_per_s,
            "token_ttl_s": self.token_ttl_s,
            "timestamp_max_age_s": self.timestamp_max_age_s,
            "max_image_bytes": self.max_image_bytes,
            "max_images_per_upload": self.max_images_per_upload,
            "name_max_chars": self.name_max_chars,
        }
        for name, value in positive.items():
            if value <= 0:
                raise ValueError(f"{name} must be > 0, got {value}")
        non_negative = {
            "token_reuse_min_remaining_s": self.token_reuse_min_remaining_s,
            "min_image_side_px": self.min_image_side_px,
            "timeout_hold_s": self.timeout_hold_s,
            "search_lag_s": self.search_lag_s,
        }
        for name, value in non_negative.items():
            if value < 0:
                raise ValueError(f"{name} must be >= 0, got {value}")
        if self.burst_multiplier < 1.0:
            raise ValueError(f"burst_multiplier must be >= 1, got {self.burst_multiplier}")
        if self.token_reuse_min_remaining_s >= self.token_ttl_s:
            raise ValueError("token_reuse_min_remaining_s must be smaller than token_ttl_s")

    @property
    def burst_capacity(self) -> float:
        """Tokens a full bucket holds (rate x multiplier)."""
        return self.rate_per_s * self.burst_multiplier


def check_client_secret(secret: str) -> None:
    """Raise ``ValueError`` unless ``secret`` is a canonical bcrypt salt bcrypt itself accepts.

    The documentation's own example secret (``…stuv``) is *not* canonical and bcrypt 5 refuses it;
    a simulator started with such a secret could never verify a signature, so it must not start.
    """
    match = _SALT_SHAPE.fullmatch(secret)
    if match is None:
        raise ValueError(
            "client_secret must be a bcrypt salt: '$2a$' + 2-digit cost + '$' + 22 characters of "
            f"[./A-Za-z0-9], got {secret!r}"
        )
    cost = int(match.group(1))
    if not _MIN_SALT_COST <= cost <= _MAX_SALT_COST:
        raise ValueError(f"client_secret cost must be between 04 and {_MAX_SALT_COST}, got {cost:02d}")
    raw = secret.encode("ascii")
    try:
        hashed = bcrypt.hashpw(b"probe", raw)
    except ValueError as exc:
        raise ValueError(
            f"client_secret {secret!r} is not a valid bcrypt salt ({exc}); the 22nd salt character must be "
            "one of '.', 'O', 'e', 'u' (e.g. generate one with bcrypt.gensalt(rounds=4, prefix=b'2a'))"
        ) from exc
    if not hashed.startswith(raw):
        raise ValueError(f"client_secret {secret!r} is not a canonical bcrypt salt")
