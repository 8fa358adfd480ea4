"""The chaos table (one row per scenario) and the details under it, as plain text and Markdown."""

from __future__ import annotations

from collections.abc import Sequence

from bench.chaos.outcomes import ScenarioRow

HEADERS = (
    "scenario", "enqueued", "terminal", "lost", "dup", "parked (outage)", "parked (other)", "429s",
    "recovered in", "restarts", "verdict",
)  # fmt: skip


def _cells(row: ScenarioRow) -> list[str]:
    recover = f"{row.recover_s:.0f} s" if row.recover_s is not None else f"> {row.bound_s:.0f} s"
    verdict = "ok" if row.ok else "FAIL: " + ", ".join(row.why())
    return [
        row.scenario, str(row.enqueued), str(row.terminal), str(row.lost), str(row.duplicates),
        str(row.parked_by_outage), str(row.parked_other),
        f"{row.http_429}" + (f" (+{row.injected_429} injected)" if row.injected_429 else ""),
        recover, str(row.restarts), verdict,
    ]  # fmt: skip


def text_table(rows: Sequence[ScenarioRow]) -> str:
    """Aligned columns for the terminal."""
    table = [list(HEADERS), *(_cells(r) for r in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(HEADERS) - 1)]
    out = []
    for line in table:
        cells = [c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(line, widths, strict=False))]
        out.append("  ".join([*cells, line[-1]]))
    return "\n".join(out)


def markdown_table(rows: Sequence[ScenarioRow]) -> str:
    """The same table in Markdown (what docs/RELIABILITY.md records)."""
    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    lines += ["| " + " | ".join(_cells(r)) + " |" for r in rows]
    return "\n".join(lines)


def details(rows: Sequence[ScenarioRow]) -> str:
    """Per scenario: final states, parking codes and the fault's own notes."""
    out = []
    for row in rows:
        states = ", ".join(f"{k} {v}" for k, v in sorted(row.states.items())) or "none"
        out.append(f"{row.scenario}: states {states}")
        if row.parked_codes:
            out.append("  parked: " + ", ".join(f"{k} ×{v}" for k, v in sorted(row.parked_codes.items())))
        out += [f"  {note}" for note in row.notes]
        if row.error:
            out.append(f"  harness error: {row.error}")
    return "\n".join(out)
