"""Loading the limiter's Lua scripts and decoding their replies (style principle 8).

Each script lives in ``storebridge/limiter/lua/<name>.lua`` with its ``KEYS``/``ARGV`` header. The
helpers they share (the Redis-``TIME`` clock with its test override, the 429 penalty factor, reading
and writing a bucket's pause) live once in ``lua/prelude.lua``: Redis runs one source text per
script and has no include, so this loader puts the prelude in front of every script before
registering it (Lua error line numbers therefore count from the prelude's first line).

A script is registered with redis-py's ``register_script``: the returned ``AsyncScript`` calls
``EVALSHA`` and, on ``NOSCRIPT`` (after a Redis restart, failover or ``SCRIPT FLUSH``), loads the
source again and retries once, so callers never see that error.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from redis.asyncio import Redis
from redis.commands.core import AsyncScript

#: Package and folder that hold the ``.lua`` files (package data, so a plain folder, not a package).
LUA_PACKAGE = "storebridge.limiter"
LUA_FOLDER = "lua"

#: Every script the limiter uses, by file stem.
SCRIPT_NAMES = ("reserve", "penalize", "observe", "quota")
#: File stem of the helpers every script shares (not a script itself).
PRELUDE_NAME = "prelude"


def _read_lua(stem: str) -> str:
    return resources.files(LUA_PACKAGE).joinpath(LUA_FOLDER, f"{stem}.lua").read_text(encoding="utf-8")


@cache
def prelude_source() -> str:
    """The text of ``storebridge/limiter/lua/prelude.lua`` (read once per process)."""
    return _read_lua(PRELUDE_NAME)


@cache
def lua_source(name: str) -> str:
    """What is registered for script ``name``: the prelude, then ``lua/<name>.lua`` (built once)."""
    if name not in SCRIPT_NAMES:
        raise ValueError(f"unknown limiter script {name!r}")
    return f"{prelude_source()}\n{_read_lua(name)}"


def register(redis: Redis, name: str) -> AsyncScript:
    """Register script ``name`` on ``redis``; the object survives ``NOSCRIPT`` by reloading."""
    return redis.register_script(lua_source(name))


def now_arg(now_us: int | None) -> str:
    """The scripts' optional clock override: ``""`` means "use Redis ``TIME``" (production)."""
    return "" if now_us is None else str(int(now_us))


def reply_int(value: object) -> int:
    """An integer element of a script reply (``int``, or bytes/str when it came as a string)."""
    if isinstance(value, int):
        return value
    if isinstance(value, bytes | str):
        return int(float(value))
    raise TypeError(f"unexpected script reply element {value!r}")


def reply_float(value: object) -> float:
    """A float element of a script reply; scripts send floats as strings to avoid truncation."""
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, bytes | str):
        return float(value)
    raise TypeError(f"unexpected script reply element {value!r}")


def reply_list(value: object) -> list[object]:
    """A script's array reply as a list (raises on anything else, e.g. a nil reply)."""
    if not isinstance(value, list):
        raise TypeError(f"unexpected script reply {value!r}")
    return value
