"""The Lua loader: one shared prelude in front of every script, and each script's own header kept.

The clock, penalty and pause helpers are written once, in ``lua/prelude.lua``; these tests keep it
that way (no script file defines them again) and check that what is registered on Redis is the
prelude exactly once followed by the script file, so its ``KEYS``/``ARGV`` header is still there.
"""

from __future__ import annotations

import re
from importlib import resources

import pytest
import redis.asyncio as aioredis

from storebridge.limiter.scripts import (
    LUA_FOLDER,
    LUA_PACKAGE,
    PRELUDE_NAME,
    SCRIPT_NAMES,
    lua_source,
    prelude_source,
)

LUA_DIR = resources.files(LUA_PACKAGE).joinpath(LUA_FOLDER)


def script_file(name: str) -> str:
    return LUA_DIR.joinpath(f"{name}.lua").read_text(encoding="utf-8")


def prelude_helpers() -> list[str]:
    return re.findall(r"^local function (\w+)\(", prelude_source(), flags=re.MULTILINE)


def test_the_prelude_defines_the_clock_penalty_and_pause_helpers() -> None:
    assert prelude_helpers() == ["clock_us", "penalty_factor", "pause_resume_ms", "set_pause"]


def test_every_lua_file_is_a_known_script_or_the_prelude() -> None:
    stems = {entry.name.removesuffix(".lua") for entry in LUA_DIR.iterdir() if entry.name.endswith(".lua")}
    assert stems == {*SCRIPT_NAMES, PRELUDE_NAME}


@pytest.mark.parametrize("name", SCRIPT_NAMES)
def test_a_loaded_script_is_the_prelude_once_then_the_script_file(name: str) -> None:
    source = lua_source(name)

    assert source.count(prelude_source()) == 1
    assert source.startswith(prelude_source())
    assert source.endswith(script_file(name))


@pytest.mark.parametrize("name", SCRIPT_NAMES)
def test_a_script_file_opens_with_its_signature_and_defines_no_helper_of_its_own(name: str) -> None:
    text = script_file(name)

    assert text.startswith(f"-- {name}.lua — ")
    assert "-- KEYS[1]" in text.split("\n\n")[0]
    assert "local function" not in text
    for helper in prelude_helpers():
        assert len(re.findall(rf"\blocal function {helper}\b", lua_source(name))) == 1


def test_an_unknown_script_name_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown limiter script"):
        lua_source(PRELUDE_NAME)


@pytest.mark.parametrize("name", SCRIPT_NAMES)
async def test_every_loaded_script_compiles_on_redis(redis_client: aioredis.Redis, name: str) -> None:
    sha = await redis_client.script_load(lua_source(name))

    assert (await redis_client.script_exists(sha)) == [True]
