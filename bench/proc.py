"""CPU time of processes and of the whole machine, read from Linux /proc (0 where unavailable)."""

from __future__ import annotations

import os
from pathlib import Path


def _tick() -> int:
    return os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int | str) -> tuple[str, list[str]] | None:
    """(name, fields after the name) of ``/proc/<pid>/stat``, None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat[stat.find("(") + 1:stat.rfind(")")], stat[stat.rfind(")") + 2:].split()


def cpu_seconds(pid: int) -> float:
    """User + system CPU of one process so far (all its threads)."""
    stat = _stat_fields(pid)
    return (int(stat[1][11]) + int(stat[1][12])) / _tick() if stat else 0.0


def named_cpu_seconds(prefix: str) -> float:
    """User + system CPU so far of every process whose name starts with ``prefix``."""
    total = 0.0
    for pid in os.listdir("/proc") if os.path.isdir("/proc") else []:
        stat = _stat_fields(pid) if pid.isdigit() else None
        if stat and stat[0].startswith(prefix):
            total += (int(stat[1][11]) + int(stat[1][12])) / _tick()
    return total


def machine_cpu_seconds() -> float:
    """Busy CPU time of the whole machine so far (all cores, every process: /proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq = fields[:7]
    return (user + nice + system + irq + softirq) / _tick()


def process_tree(pid: int) -> list[int]:
    """A process and its descendants, the process first."""
    out: list[int] = []
    todo = [pid]
    while todo:
        p = todo.pop(0)
        out.append(p)
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return out
