"""Paths of the test data, written once for every test package."""

from pathlib import Path

#: Recorded and hand-made Domeggook answers (getItemView, getItemList, errors).
DOMEGGOOK_DATA = Path(__file__).parent / "data" / "domeggook"
