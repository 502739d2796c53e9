"""Watching runs: a progress bar and a profiler, in the spirit of ``dask.diagnostics``.

Both are driven from Rust. The scheduler bumps a process-wide counter of finished tasks (one
relaxed atomic add per task, no lock, no GIL); :class:`ProgressBar` polls it from a Python thread
a few times a second while the run holds no GIL. :class:`Profiler` switches on the scheduler's
clock: while one is active, each task's time is added to its kind's total (in Rust), and each
run's peak of memory is kept.

Both watch every run the process starts while they are active (``compute``, ``persist``, the
size passes of data-dependent shapes), from any thread.

>>> import oxarray as ox
>>> from oxarray.diagnostics import ProgressBar, Profiler
>>> x = ox.ones((1000, 1000), chunks=100)
>>> with Profiler() as prof:
...     _ = (x + 1).sum().compute()
>>> "reduce-chunk" in prof.results
True
"""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass
from typing import TextIO

from . import _core
from ._repr import format_bytes

__all__ = ["ProgressBar", "Profiler", "KindStats"]


class ProgressBar:
    """A text progress bar over the tasks of the runs started inside ``with ProgressBar():``.

    ``minimum``: seconds before the bar first shows (short runs stay quiet); ``width``: the
    bar's characters; ``dt``: seconds between updates; ``out``: where to print (``sys.stdout``).
    ``compute(progress=True)`` is a shorthand for a default bar.

    >>> import io, oxarray as ox
    >>> out = io.StringIO()
    >>> with ProgressBar(out=out):
    ...     _ = (ox.ones(100, chunks=10) + 1).sum().compute()
    >>> "100%" in out.getvalue()
    True
    """

    def __init__(self, minimum: float = 0.0, width: int = 40, dt: float = 0.1, out: TextIO | None = None):
        if dt <= 0:
            raise ValueError(f"dt must be positive, not {dt}")
        self.minimum = minimum
        self.width = width
        self.dt = dt
        self._out = out
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._start = (0, 0)
        self._t0 = 0.0
        self._shown = False
        self.last_fraction = 0.0

    @property
    def out(self) -> TextIO:
        return self._out if self._out is not None else sys.stdout

    def __enter__(self) -> ProgressBar:
        self._start = _core.progress_counters()
        self._t0 = time.perf_counter()
        self._shown = False
        self._stop.clear()
        self._thread = threading.Thread(target=self._watch, name="oxarray-progress", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        elapsed = time.perf_counter() - self._t0
        if exc_type is None and elapsed >= self.minimum:
            self._draw(final=True)
            self.out.write("\n")
            self.out.flush()
        elif self._shown:
            self.out.write("\n")
            self.out.flush()

    def counts(self) -> tuple[int, int]:
        """``(finished, submitted)`` tasks since the bar started."""
        submitted, finished = _core.progress_counters()
        return finished - self._start[1], submitted - self._start[0]

    def _watch(self) -> None:
        while not self._stop.wait(self.dt):
            if time.perf_counter() - self._t0 >= self.minimum:
                self._draw(final=False)

    def _draw(self, final: bool) -> None:
        done, total = self.counts()
        fraction = 1.0 if final else (min(done / total, 1.0) if total > 0 else 0.0)
        self.last_fraction = fraction
        filled = int(round(self.width * fraction))
        elapsed = time.perf_counter() - self._t0
        bar = "#" * filled + " " * (self.width - filled)
        self.out.write(f"\r[{bar}] | {fraction * 100:3.0f}% Completed | {done} of {total} tasks | "
                       f"{elapsed:.1f}s")
        self.out.flush()
        self._shown = True


@dataclass(frozen=True)
class KindStats:
    """The tasks of one kind that ran under a :class:`Profiler`, and their total time
    (summed over threads: it can exceed the wall time)."""

    tasks: int
    seconds: float


class Profiler:
    """Time per task kind and peak memory of the runs started inside ``with Profiler():``.

    After the block: ``results`` maps a task kind (``"fused"``, ``"reduce-chunk"``, ``"matmul"``,
    ...) to its :class:`KindStats`; ``peak_bytes`` is the most the scheduler held at once (values
    kept for their readers plus the projected bytes of the tasks running); ``wall_seconds`` is
    the block's duration. ``summary()`` prints them as a table. Timing costs two clock reads per
    task and happens only while a profiler is active.

    >>> import oxarray as ox
    >>> with Profiler() as prof:
    ...     _ = (ox.ones((100, 100), chunks=10) * 2).sum().compute()
    >>> prof.results["reduce-chunk"].tasks
    100
    """

    def __init__(self) -> None:
        self.results: dict[str, KindStats] = {}
        self.peak_bytes = 0
        self.wall_seconds = 0.0
        self._t0 = 0.0
        self._active = False

    def __enter__(self) -> Profiler:
        if self._active:
            raise RuntimeError("this Profiler is already active")
        _core.profiler_start()
        self._active = True
        self._t0 = time.perf_counter()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.wall_seconds = time.perf_counter() - self._t0
        rows, peak = _core.profiler_stop()
        self._active = False
        self.results = {kind: KindStats(int(n), float(s)) for kind, n, s in rows}
        self.peak_bytes = int(peak)

    def summary(self) -> str:
        """A table of tasks and seconds per kind, slowest first, then the peak memory."""
        lines = [f"{'kind':<20} {'tasks':>8} {'seconds':>10} {'per task':>12}"]
        for kind, st in sorted(self.results.items(), key=lambda kv: -kv[1].seconds):
            per = st.seconds / st.tasks if st.tasks else 0.0
            lines.append(f"{kind:<20} {st.tasks:>8} {st.seconds:>10.4f} {per * 1e6:>9.1f} us")
        lines.append(f"peak memory held by the scheduler: {format_bytes(self.peak_bytes)}; "
                     f"wall time {self.wall_seconds:.4f} s")
        return "\n".join(lines)

    def __repr__(self) -> str:
        total = sum(s.tasks for s in self.results.values())
        return f"<oxarray.diagnostics.Profiler: {total} tasks of {len(self.results)} kinds>"
