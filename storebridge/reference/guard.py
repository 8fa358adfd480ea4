"""Refuse to list on the real Naver API without a category map the operator supplied.

StoreBridge ships no category map: the one it used to ship mapped to the sandbox's made-up tree,
so in production it would have sent products to wrong or non-existent leaves (issue 8 §1,
fidelity-evidence #1). Against the real API the worker, the daemon and the listing-rule loader
therefore require ``CATEGORY_MAP_FILE`` or active rows in the database's ``category_map``.

"Real" (``naver_api_is_real``): ``NAVER_API_KIND=real`` always, ``sandbox`` never; ``auto`` (the
default) calls every ``https://`` URL on a non-loopback host real. The real Commerce API is served
over https only (every doc page names ``https://api.commerce.naver.com/external``), so a plain
``http://`` URL is a simulator or a local stand-in (the compose sandbox is ``http://sandbox:8102``);
a loopback host (``localhost``, ``127.0.0.0/8``, ``::1``) is one too. Erring towards "real" costs
only a start-up refusal with one line; erring the other way would list in wrong categories.
"""

from __future__ import annotations

import asyncio
import ipaddress
from urllib.parse import urlsplit

from storebridge.config import ConfigError, Settings
from storebridge.store import StateStore

#: The settings an operator can use to supply a map, named in the refusal.
MAP_SETTING = "CATEGORY_MAP_FILE"


def _is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def naver_api_is_real(settings: Settings) -> bool:
    """True when ``NAVER_API_URL`` must be treated as the real Commerce API (see the module doc)."""
    if settings.naver_api_kind != "auto":
        return settings.naver_api_kind == "real"
    parts = urlsplit(settings.naver_api_url)
    return parts.scheme == "https" and not _is_loopback(parts.hostname or "")


def missing_map_message(settings: Settings) -> str:
    """The one line an operator reads when the real API has no category map."""
    return (
        f"{MAP_SETTING} is not set and the database has no category_map rows: NAVER_API_URL "
        f"{settings.naver_api_url} is the real Naver API, which needs a Domeggook → Naver category map "
        "from you (storebridge categories fetch / propose / import, or a CSV in CATEGORY_MAP_FILE)"
    )


def unreadable_map_message(settings: Settings, cause: str) -> str:
    """The one line when the real API has no map file and the database's map cannot be read."""
    return (
        f"{MAP_SETTING} is not set and the database's category_map could not be read ({cause}): "
        f"NAVER_API_URL {settings.naver_api_url} is the real Naver API, which needs a category map "
        "from you"
    )


async def check_operator_category_map(settings: Settings, store: StateStore) -> None:
    """``ConfigError`` (one line) when the API is real and no operator map exists; else nothing."""
    if not naver_api_is_real(settings) or settings.category_map_file:
        return
    if not await store.category_map():
        raise ConfigError(missing_map_message(settings))


def require_operator_category_map(settings: Settings) -> None:
    """The start-up check of ``storebridge worker`` and ``storebridge daemon`` (no event loop running).

    Opens a short-lived store only when the API is real and ``CATEGORY_MAP_FILE`` is empty. A
    database that cannot be read is reported with the same one line plus the cause, since the map
    cannot be confirmed either.
    """
    if not naver_api_is_real(settings) or settings.category_map_file:
        return

    async def check() -> None:
        async with StateStore(settings.database_url.get_secret_value(), max_size=1) as store:
            await check_operator_category_map(settings, store)

    try:
        asyncio.run(check())
    except ConfigError:
        raise
    except Exception as exc:  # database down or not migrated: cannot confirm the map
        raise ConfigError(unreadable_map_message(settings, type(exc).__name__)) from None
