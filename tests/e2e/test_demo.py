"""``make run`` (``storebridge demo``): daemon, workers and sandbox on the test services, end to end."""

from __future__ import annotations

import asyncio
import os
import re

import pytest

from tests.support import start_cli


@pytest.mark.slow
async def test_demo_registers_items_reports_a_summary_and_never_duplicates(
    service_urls: dict[str, str],
) -> None:
    env = {**os.environ, **service_urls}
    proc = await start_cli(
        env, "demo", "--items", "12", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 180)
    text = out.decode()
    assert proc.returncode == 0, text
    assert "=== Summary ===" in text
    assert re.search(r"First pass \([0-9.]+ s, 12 items\): .*COMPLETED [1-9]", text), text
    assert re.search(r"Second pass: [1-9][0-9]* unchanged; Naver calls in all 0", text), text
    assert "429s received: Naver 0, Domeggook 0; duplicate products on Naver: 0" in text
    assert "Traceback" not in text
