"""The lock: one ``qzanalysis report`` writes an outputs/ folder at a time."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .specs import ReportError

# --------------------------------------------------------------------------------------------


class ReportLocked(ReportError):
    """Another live ``qzanalysis report`` holds the lock of this outputs/ folder."""


def _lock_file(out_dir: Path) -> Path:
    return out_dir / ".cache" / "report.lock"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    except OSError:
        return False
    return True


def _lock_holder(lock: Path) -> int | None:
    """The PID written in ``lock`` (None when unreadable or not a number)."""
    try:
        return int(lock.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None


def _take_lock(lock: Path) -> bool:
    """Create ``lock`` holding our PID; False when it exists already."""
    try:
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(f"{os.getpid()}\n")
    return True


@contextmanager
def report_lock(out_dir: Path) -> Iterator[None]:
    """Hold ``out_dir/.cache/report.lock`` (our PID) while a report run writes ``out_dir``.

    A lock of a dead process is taken over; a lock of this process is re-entered (the CLI holds
    it around :func:`run_reports`, which takes it too).

    Raises:
        ReportLocked: another live process holds it; the message says which and what to do.
    """
    lock = _lock_file(Path(out_dir))
    lock.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(3):
        if _take_lock(lock):
            break
        holder = _lock_holder(lock)
        if holder == os.getpid():
            yield  # re-entered: the outer holder removes it
            return
        if holder is not None and _pid_alive(holder):
            raise ReportLocked(
                f"another qzanalysis report (pid {holder}) is writing {out_dir}; wait for it or "
                f"remove the lock {lock} if no such process runs"
            )
        lock.unlink(missing_ok=True)  # stale: its process is gone (or the file is garbage)
    else:
        raise ReportLocked(f"cannot take the lock {lock}; remove it if no qzanalysis report runs")
    try:
        yield
    finally:
        if _lock_holder(lock) == os.getpid():
            lock.unlink(missing_ok=True)
