"""CPU time and peak memory of a process tree, read from ``/proc`` (Linux only).

``storebridge worker`` starts one ``dramatiq`` command per queue group, which forks the worker
processes, so the figures are taken over the whole tree under the worker's pid: walk the ``ppid``
links of ``/proc/*/stat``, then read each process's ``utime + stime`` (clock ticks) and ``VmHWM``
(peak resident set, kB). They are read while the processes still run: once they exit, their
time moves into the parent's ``cutime`` only after ``wait()`` and their peak RSS is gone.
"""

from __future__ import annotations

import contextlib
import os
import signal
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
#: Fields of ``/proc/<pid>/stat`` after the ``(comm)`` field, 0-based: state is 0, ppid 1, utime 11,
#: stime 12, starttime 19 (which tells a process from a later one that re-uses its pid).
_PPID, _UTIME, _STIME, _START = 1, 11, 12, 19
#: Marker in the command line of the ``dramatiq`` group leader (its forked workers share it).
DRAMATIQ_MARK = "dramatiq"


@dataclass(frozen=True)
class ProcSample:
    """One process at one moment."""

    pid: int
    ppid: int
    cpu_s: float
    peak_rss_mib: float
    cmdline: str
    start_ticks: int = 0

    @property
    def is_dramatiq(self) -> bool:
        """True for a ``dramatiq`` group leader and the worker processes it forked (same command line)."""
        return DRAMATIQ_MARK in self.cmdline


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # comm may contain spaces and parentheses: split after the last ')'.
    return text[text.rfind(")") + 2 :].split()


def _parents() -> dict[int, int]:
    """pid → ppid of every process visible now."""
    links: dict[int, int] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields is not None:
                links[int(entry.name)] = int(fields[_PPID])
    return links


def descendants(root: int) -> list[int]:
    """``root`` and every process below it, parents before children."""
    children: dict[int, list[int]] = {}
    for pid, ppid in _parents().items():
        children.setdefault(ppid, []).append(pid)
    order, frontier = [root], [root]
    while frontier:
        nxt = [c for p in frontier for c in sorted(children.get(p, []))]
        order += nxt
        frontier = nxt
    return order


def sample(pid: int) -> ProcSample | None:
    """CPU seconds and peak RSS of one process, or None if it is gone."""
    fields = _stat_fields(pid)
    if fields is None:
        return None
    ticks_per_s = os.sysconf("SC_CLK_TCK")
    cpu_s = (int(fields[_UTIME]) + int(fields[_STIME])) / ticks_per_s
    peak_kib = 0
    cmdline = ""
    with contextlib.suppress(OSError):
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peak_kib = int(line.split()[1])
        cmdline = (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    return ProcSample(pid, int(fields[_PPID]), cpu_s, peak_kib / 1024, cmdline.strip(), int(fields[_START]))


def tree(root: int | None) -> list[ProcSample]:
    """Samples of ``root``'s whole tree (empty if ``root`` is None or gone)."""
    if root is None:
        return []
    return [s for s in (sample(pid) for pid in descendants(root)) if s is not None]


def cpu_s(samples: list[ProcSample]) -> float:
    """Total CPU seconds of the samples."""
    return sum(s.cpu_s for s in samples)


def consuming_workers(samples: list[ProcSample]) -> list[ProcSample]:
    """The processes that run actors: dramatiq processes whose parent is a dramatiq process too.

    Falls back to every dramatiq process if the tree has no such pair (e.g. ``--processes`` forks
    nothing in some Dramatiq version).
    """
    dramatiq = {s.pid: s for s in samples if s.is_dramatiq}
    forked = [s for s in dramatiq.values() if s.ppid in dramatiq]
    return forked or list(dramatiq.values())


def kill_survivors(samples: list[ProcSample]) -> int:
    """SIGKILL those of ``samples`` that still run (same pid *and* start time); returns how many.

    The safety net for an interrupted run: ``storebridge worker`` starts its ``dramatiq`` groups in
    sessions of their own, so when the supervisor is killed they would outlive the benchmark.
    """
    killed = 0
    for s in samples:
        fields = _stat_fields(s.pid)
        if fields is None or int(fields[_START]) != s.start_ticks:
            continue
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(s.pid, signal.SIGKILL)
            killed += 1
    return killed
