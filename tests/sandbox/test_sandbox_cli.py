"""``storebridge sandbox``: serves both simulators, prints how to use them, rejects bad options."""

from __future__ import annotations

import asyncio
import signal
import sys

import aiohttp
import pytest

from storebridge.cli import main

SANDBOX = [sys.executable, "-m", "storebridge.cli", "sandbox"]


async def test_sandbox_command_serves_both_apis_and_prints_their_settings() -> None:
    proc = await asyncio.create_subprocess_exec(
        *SANDBOX,
        "--items",
        "30",
        "--seed",
        "3",
        "--domeggook-port",
        "0",
        "--naver-port",
        "0",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None
    try:
        lines: dict[str, str] = {}
        while "NAVER_CLIENT_SECRET" not in lines:
            line = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode().strip()
            assert line, "sandbox exited before printing its settings"
            if line.startswith("export "):
                name, _, value = line.removeprefix("export ").partition("=")
                lines[name] = value.strip("'")
        assert lines["DOMEGGOOK_API_URL"].endswith("/ssl/api/")
        assert lines["NAVER_API_URL"].endswith("/external")
        assert lines["DOMEGGOOK_API_KEY"] == "sandbox-domeggook-key"
        async with aiohttp.ClientSession() as http:
            dg_origin = lines["DOMEGGOOK_API_URL"].removesuffix("/ssl/api/")
            async with http.get(f"{dg_origin}/_sandbox/items") as resp:
                assert resp.status == 200
                assert len((await resp.json())["items"]) == 30
            nv_origin = lines["NAVER_API_URL"].removesuffix("/external")
            async with http.get(f"{nv_origin}/_sandbox/stats") as resp:
                assert (await resp.json())["products"] == 0
    finally:
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 15) == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--items", "0"], "items must be at least 1"),
        (["--naver-client-secret", "not-a-salt"], "client_secret must be a bcrypt salt"),
        (["--naver-rate-per-s", "fast"], "--naver-rate-per-s: invalid float value"),
        (["--naver-fault-error-rate", "1.5"], "error_rate must be between 0 and 1"),
        (["--domeggook-port", "70000"], "domeggook_port must be between 0 and 65535"),
    ],
)
def test_bad_sandbox_options_exit_2_with_one_clear_line(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["sandbox", *args])
    assert exited.value.code == 2
    assert message in capsys.readouterr().err
