"""The test data, written once for every test package: where it lives and how it is read."""

import json
from pathlib import Path
from typing import Any

#: Recorded and hand-made Domeggook answers (getItemView, getItemList, errors).
DOMEGGOOK_DATA = Path(__file__).parent / "data" / "domeggook"


def recorded(name: str) -> Any:
    """A whole recorded Domeggook answer from ``DOMEGGOOK_DATA``, parsed afresh (free to change)."""
    return json.loads((DOMEGGOOK_DATA / name).read_text(encoding="utf-8"))


def item_body(name: str = "item_view_single.json") -> dict[str, Any]:
    """The item (``domeggook`` object) of a recorded getItemView answer, parsed afresh (free to change)."""
    body: dict[str, Any] = recorded(name)["domeggook"]
    return body
