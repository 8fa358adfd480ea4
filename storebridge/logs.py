"""Logging setup: JSON lines (``LOG_FORMAT=json``) or readable text, level from ``LOG_LEVEL``.

Log calls use a dotted event name as the message and put data in ``extra`` (style principle 9)::

    log.info("naver.request.retry", extra={"item_no": 123, "attempt": 2, "trace_id": tid})

JSON mode prints ``{"ts", "level", "logger", "event", ...extra}``; text mode prints the event
followed by ``key=value`` pairs. As a last line of defence, every configured secret value is
replaced by ``***`` in the final line, whatever code path put it there.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import orjson

#: Attributes every LogRecord has; anything else on a record came from ``extra``.
_STANDARD_ATTRS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
_REDACTED = "***"


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD_ATTRS and not k.startswith("_")}


class _Redacting(logging.Formatter):
    """Base formatter that scrubs secret values from the finished line."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        # Longest first so a secret containing another is replaced whole; very short values
        # (e.g. a test's "x") are skipped to keep ordinary words readable.
        self._secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def redact(self, line: str) -> str:
        """Replace every known secret in ``line``."""
        for secret in self._secrets:
            line = line.replace(secret, _REDACTED)
        return line


class JsonFormatter(_Redacting):
    """One JSON object per line, for log shippers."""

    def format(self, record: logging.LogRecord) -> str:
        """Render ``record`` as a JSON line."""
        doc: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        doc.update(_extras(record))
        if record.exc_info:
            doc["exc"] = self.formatException(record.exc_info)
        return self.redact(orjson.dumps(doc, default=str).decode())


class TextFormatter(_Redacting):
    """``HH:MM:SS level logger event key=value ...`` for people at a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        """Render ``record`` as one readable line (plus a traceback if any)."""
        when = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        pairs = " ".join(f"{k}={v}" for k, v in _extras(record).items())
        line = f"{when} {record.levelname:<7} {record.name}: {record.getMessage()}"
        if pairs:
            line = f"{line} {pairs}"
        if record.exc_info:
            line = f"{line}\n{self.formatException(record.exc_info)}"
        return self.redact(line)


def configure_logging(level: str = "INFO", fmt: str = "json", *, secrets: Iterable[str] = ()) -> None:
    """Install one stderr handler on the root logger (replacing earlier ones from this function)."""
    formatter: logging.Formatter = JsonFormatter(secrets) if fmt == "json" else TextFormatter(secrets)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    handler.set_name("storebridge")
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "storebridge"]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
