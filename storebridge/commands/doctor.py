"""``storebridge doctor``: check a deployment's configuration, and with ``--live`` its assumptions, once.

A new seller runs it before the first sync. Offline it checks what would make the first sync fail
or list wrongly: a category map the operator supplied when ``NAVER_API_URL`` is the real API
(``reference.guard``), a real A/S phone, the credential formats, and that Redis, PostgreSQL and S3
answer (``commands.preflight``); a database that cannot be read makes the map line say so (with
``DATABASE_URL``'s host and port, never its password) rather than call the map empty. With
``--live`` it also makes read-only calls to the configured APIs with the configured credentials —
a token, ``GET /v1/categories/{id}`` of every mapped leaf, the origin areas, one seller-code search
and ``getItemView multiple=true`` of the ``--item`` numbers — each answer read with the same
schemas (``schemas.naver``, ``schemas.domeggook``) and clients the workers use, and prints which of
StoreBridge's assumptions hold.

It never writes: no create, update, status, stock, upload or delete call exists on this path, and
``tests/commands/test_doctor.py`` proves it against the sandbox's request counters. One line per
check (``ok``/``FAIL``/``info``); exit 0 when nothing failed, 1 otherwise, 2 for bad settings.
"""

from __future__ import annotations

import argparse
import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from storebridge.commands.common import EXIT_FAILED, EXIT_OK, parse_item_number
from storebridge.commands.preflight import probe_database, probe_redis, probe_tcp
from storebridge.config import Settings, load_settings
from storebridge.reference.guard import (
    MAP_SETTING,
    missing_map_message,
    naver_api_is_real,
    unreadable_map_message,
)
from storebridge.transform.notice import ORIGIN_DIRECT_INPUT
from storebridge.transform.rules import DEFAULT_ORIGIN_CODES, is_real_phone

if TYPE_CHECKING:
    from storebridge.domeggook import DomeggookClient
    from storebridge.naver import NaverClient

#: ``NAVER_CLIENT_SECRET`` is a bcrypt salt: ``$2a$`` + cost + ``$`` + 22 characters (reference §1.2).
BCRYPT_SALT = re.compile(r"^\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{22}$")
#: Origin-area codes the transform sends without a lookup (국산, 중국, 기타 직접 입력).
ORIGIN_CODES_USED = (*sorted(set(DEFAULT_ORIGIN_CODES.values())), ORIGIN_DIRECT_INPUT)
#: Mapped leaves looked up live at most (each is one read; the rest are reported as not checked).
MAX_LIVE_LEAVES = 50
#: Longest error text of a library quoted in one line.
MAX_DETAIL_CHARS = 200
#: Seller code searched live: any answer (even empty) proves the search API and its schema.
PROBE_SELLER_CODE = "DG-dome-0"


@dataclass(frozen=True)
class Check:
    """One line of the report."""

    name: str
    ok: bool | None  # None = information only
    detail: str

    def line(self) -> str:
        """``ok   name: detail`` (or ``FAIL`` / ``info``)."""
        mark = "info" if self.ok is None else ("ok" if self.ok else "FAIL")
        return f"{mark:<4} {self.name}: {self.detail}"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``doctor`` subcommand."""
    parser = subparsers.add_parser(
        "doctor",
        help="check the configuration (and with --live, read-only, the real APIs) before the first sync",
        description="Offline: category map for a real NAVER_API_URL, phone, credential formats, services. "
        "--live: read-only calls (token, mapped categories, origin areas, a seller-code search, "
        "getItemView multiple=true of --item numbers). Never writes. Exit 0 = all ok, 1 = a check failed.",
    )
    parser.add_argument("--live", action="store_true", help="also make read-only calls to both APIs")
    parser.add_argument(
        "--item", action="append", default=[], metavar="ITEM_NO", help="Domeggook item to read (repeatable)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run every check, print one line each; exit 1 when any failed."""
    settings = load_settings()
    items = [parse_item_number(text, "--item") for text in args.item]
    checks = asyncio.run(diagnose(settings, live=args.live, items=items))
    for check in checks:
        print(check.line())
    return EXIT_FAILED if any(c.ok is False for c in checks) else EXIT_OK


async def diagnose(settings: Settings, *, live: bool = False, items: list[int] | None = None) -> list[Check]:
    """Every offline check, then (``live``) the read-only API checks; never raises for a failed check."""
    checks = offline_checks(settings)
    services = await service_checks(settings)
    checks += services
    # An unreachable database was just probed: say so on the map line instead of trying again.
    unreachable = next(
        (f"{c.name}: {c.detail}" for c in services if c.name == "DATABASE_URL" and not c.ok), None
    )
    leaves, map_check = await category_map_check(settings, database_problem=unreachable)
    checks.append(map_check)
    if live:
        checks += await live_checks(settings, leaves, items or [])
    return checks


def offline_checks(settings: Settings) -> list[Check]:
    """Credential formats, the A/S phone and which Naver API the URL is."""
    real = naver_api_is_real(settings)
    secret = settings.naver_client_secret.get_secret_value()
    key = settings.domeggook_api_key.get_secret_value()
    phone = settings.store_as_phone
    salt = bool(BCRYPT_SALT.fullmatch(secret))
    phone_ok = is_real_phone(phone)
    kind = "the real API" if real else "a sandbox"
    return [
        Check("NAVER_API_URL", None, f"{settings.naver_api_url} is {kind}"),
        Check("NAVER_CLIENT_ID", bool(settings.naver_client_id.strip()), _set(settings.naver_client_id)),
        Check(
            "NAVER_CLIENT_SECRET", salt, "a bcrypt salt" if salt else "not a bcrypt salt ($2a$NN$ + 22 chars)"
        ),
        Check("DOMEGGOOK_API_KEY", bool(key) and not any(c.isspace() for c in key), _set(key)),
        Check("STORE_AS_PHONE", phone_ok, "a real number" if phone_ok else "missing or a placeholder number"),
    ]


def _set(value: str) -> str:
    return "set" if value.strip() else "not set"


async def service_checks(settings: Settings) -> list[Check]:
    """Redis, PostgreSQL and S3 each answer (``commands.preflight`` probes, no URL in the text)."""
    probes: list[tuple[str, Callable[[], Awaitable[None]]]] = [
        ("REDIS_URL", lambda: probe_redis(settings.redis_url.get_secret_value())),
        ("DATABASE_URL", lambda: probe_database(settings.database_url.get_secret_value())),
        ("S3_ENDPOINT", lambda: probe_tcp("S3_ENDPOINT", settings.s3_endpoint)),
    ]
    checks = []
    for name, probe in probes:
        try:
            await probe()
            checks.append(Check(name, True, "answers"))
        except Exception as exc:  # ConfigError or ServiceUnreachable: one line each
            checks.append(Check(name, False, str(exc).removeprefix(f"{name}: ")))
    return checks


async def category_map_check(
    settings: Settings, *, database_problem: str | None = None
) -> tuple[list[str], Check]:
    """The mapped Naver leaves, and whether the map is the operator's (required for the real API).

    ``database_problem`` is why PostgreSQL cannot be read when the caller already knows it (the
    ``DATABASE_URL`` probe failed); the map line then says so instead of claiming an empty map.
    """
    from storebridge.listing_rules import read_category_map

    real = naver_api_is_real(settings)
    if settings.category_map_file:
        try:
            rows = read_category_map(settings.category_map_file)
        except Exception as exc:  # unreadable or malformed file: say which and why
            return [], Check(MAP_SETTING, False, f"{settings.category_map_file}: {exc}")
        leaves = sorted({row.naver_leaf_category_id for row in rows if row.is_active})
        ok = bool(leaves) or not real
        return leaves, Check(MAP_SETTING, ok, f"{len(rows)} rows, {len(leaves)} distinct Naver leaves")
    if database_problem is None:
        leaves, database_problem = await _database_leaves(settings)
        if leaves:
            return leaves, Check("category map", True, f"database: {len(leaves)} distinct Naver leaves")
    if database_problem is not None:
        if real:
            return [], Check(MAP_SETTING, False, unreadable_map_message(settings, database_problem))
        unread = f"not set, and the database's category_map could not be read ({database_problem})"
        return [], Check("category map", None, f"not checked: {unread}")
    if real:
        return [], Check(MAP_SETTING, False, missing_map_message(settings))
    return [], Check("category map", None, "none (a sandbox does not need one)")


async def _database_leaves(settings: Settings) -> tuple[list[str], str | None]:
    """The distinct mapped leaves in PostgreSQL, or why the map could not be read (one line)."""
    import asyncpg

    from storebridge.store import StateStore

    try:
        async with StateStore(settings.database_url.get_secret_value(), max_size=1) as store:
            mapping = await store.category_map()
    except asyncpg.UndefinedTableError:
        return [], "no category_map table: run storebridge migrate"
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:
        # The server's and the socket's texts name host, user and table, never the password;
        # the URL itself is not quoted, its password part is a secret.
        text = " ".join(str(exc).split())[:MAX_DETAIL_CHARS]
        return [], f"DATABASE_URL: {type(exc).__name__}: {text}"
    return sorted({m.naver_leaf_category_id for m in mapping.values()}), None


async def live_checks(settings: Settings, leaves: list[str], items: list[int]) -> list[Check]:
    """Read-only calls through the workers' own clients; each answer validated by their schemas."""
    from storebridge.domeggook import DomeggookClient
    from storebridge.naver import NaverClient

    checks: list[Check] = []
    async with NaverClient.from_settings(settings) as naver:
        checks.append(await _attempt("naver token", _token(naver)))
        if checks[-1].ok:
            for leaf in leaves[:MAX_LIVE_LEAVES]:
                checks.append(await _attempt(f"naver category {leaf}", _leaf(naver, leaf)))
            if len(leaves) > MAX_LIVE_LEAVES:
                checks.append(
                    Check("naver categories", None, f"{len(leaves) - MAX_LIVE_LEAVES} more not checked")
                )
            checks.append(await _attempt("naver origin areas", _origin_areas(naver)))
            checks.append(await _attempt("naver seller-code search", _search(naver)))
    if items:
        async with DomeggookClient.from_settings(settings) as domeggook:
            checks.append(await _attempt("domeggook getItemView multiple=true", _items(domeggook, items)))
    return checks


async def _attempt(name: str, probe: Awaitable[tuple[bool, str]]) -> Check:
    try:
        ok, detail = await probe
    except Exception as exc:  # every API failure is one FAIL line with the client's message
        return Check(name, False, f"{type(exc).__name__}: {exc}")
    return Check(name, ok, detail)


async def _token(naver: NaverClient) -> tuple[bool, str]:
    await naver.transport.tokens.get()
    return True, "issued (bcrypt signature, form body accepted)"


async def _leaf(naver: NaverClient, leaf: str) -> tuple[bool, str]:
    detail = await naver.get_category(leaf)
    gates = ",".join(detail.exceptional_categories) or "none"
    name = detail.whole_category_name or detail.name
    if not detail.last:
        return False, f"{name}: not a leaf (last=false), products cannot be listed there"
    return True, f"{name}: leaf; gates {gates}"


async def _origin_areas(naver: NaverClient) -> tuple[bool, str]:
    areas = await naver.get_origin_areas()
    missing = [code for code in ORIGIN_CODES_USED if code not in areas]
    if missing:
        return False, f"{len(areas)} codes; codes the transform uses are missing: {', '.join(missing)}"
    return True, f"{len(areas)} codes; {', '.join(ORIGIN_CODES_USED)} exist"


async def _search(naver: NaverClient) -> tuple[bool, str]:
    found = await naver.search_by_seller_code(PROBE_SELLER_CODE)
    return True, f"answered ({len(found)} products for {PROBE_SELLER_CODE})"


async def _items(domeggook: DomeggookClient, items: list[int]) -> tuple[bool, str]:
    batch = await domeggook.get_items(items, confirm_missing=False)
    detail = (
        f"{len(batch.items)} parsed, {len(batch.gone)} gone, {len(batch.missing)} left out, "
        f"{len(batch.invalid)} failed our schema"
    )
    return not batch.invalid and not batch.missing, detail
