"""Trimming the intake stream: only below what every consumer group has acknowledged.

Trimming by length (``MAXLEN``) would delete entries nobody has processed yet and leave dangling
pending ids, so the daemon trims by ``MINID`` instead, every ``TRIM_EVERY_STEPS`` steps.
"""

from __future__ import annotations

import logging

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from storebridge.keys import Keys, reply_text

log = logging.getLogger(__name__)


def _id_key(entry_id: str) -> tuple[int, int]:
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


async def trim_acknowledged(redis: Redis, keys: Keys) -> int:
    """Delete entries every group has acknowledged; returns how many were deleted.

    The floor is, per group, its oldest pending entry, or its last delivered id when nothing is
    pending; the lowest floor wins and ``XTRIM MINID`` keeps it and everything after it. Entries
    never delivered are newer than the last delivered id, so nothing unprocessed is removed.
    """
    stream = keys.intake_stream
    try:
        groups = await redis.xinfo_groups(stream)
    except ResponseError:  # no stream yet
        return 0
    floors: list[str] = []
    for info in groups:
        if int(info["pending"]):
            summary = await redis.xpending(stream, info["name"])
            if summary.get("min") is not None:
                floors.append(reply_text(summary["min"]))
                continue
        floors.append(reply_text(info["last-delivered-id"]))
    if not floors:
        return 0
    floor = min(floors, key=_id_key)
    if _id_key(floor) == (0, 0):
        return 0
    trimmed = int(await redis.xtrim(stream, minid=floor, approximate=False))
    if trimmed:
        log.info("intake.stream.trimmed", extra={"entries": trimmed, "below": floor})
    return trimmed
