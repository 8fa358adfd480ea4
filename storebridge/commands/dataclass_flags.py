"""Command-line flags generated from a dataclass, so a simulator knob is declared exactly once.

Every field of the dataclass becomes ``--<prefix>-<field-name-with-dashes>`` with the field's
type, default and ``metadata["help"]``. Booleans take an explicit ``true``/``false``.
"""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any, TypeVar

T = TypeVar("T")

_BOOLS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def _parse_bool(text: str) -> bool:
    try:
        return _BOOLS[text.lower()]
    except KeyError:
        raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}") from None


def _dest(prefix: str, name: str) -> str:
    return f"{prefix}_{name}".replace("-", "_")


def add_dataclass_flags(parser: argparse.ArgumentParser, cls: type[Any], prefix: str, title: str) -> None:
    """Add one flag per field of ``cls`` in an argument group called ``title``."""
    group = parser.add_argument_group(title)
    instance = cls()
    for f in dataclasses.fields(cls):
        if f.name.startswith("_"):
            continue
        default = getattr(instance, f.name)
        kind: Any = _parse_bool if isinstance(default, bool) else type(default)
        group.add_argument(
            f"--{prefix}-{f.name.replace('_', '-')}",
            dest=_dest(prefix, f.name),
            type=kind,
            default=default,
            metavar=type(default).__name__.upper(),
            help=f"{f.metadata.get('help', f.name)} (default: {default})",
        )


def dataclass_from_flags(cls: type[T], args: argparse.Namespace, prefix: str) -> T:
    """Build ``cls`` from the parsed flags; its own validation (``__post_init__``) still applies."""
    values = {
        f.name: getattr(args, _dest(prefix, f.name))
        for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        if not f.name.startswith("_") and hasattr(args, _dest(prefix, f.name))
    }
    return cls(**values)
