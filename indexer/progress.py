"""Progress of ``absorb index``, phase by phase, on stderr.

Three modes, chosen by ``Progress.auto`` from the stream and the flags:

- ``tty``: one status line rewritten in place with the phase, its count, the rate
  and an ETA, redrawn every second by a ticker thread (so the ETA moves even while
  a slow batch runs), then left as a finished line per phase;
- ``plain`` (stderr is a file or a pipe): one line per finished phase, nothing else;
- ``quiet``: nothing.

Every mode records the phases (name, count, unit, seconds) for ``absorb index
--json``. Notes (e.g. the one-time model export) print in ``tty`` and ``plain``.

>>> import io
>>> out = io.StringIO()
>>> p = Progress("plain", out, clock=iter(range(100)).__next__)
>>> with p.phase("embedding", total=4, unit="passages") as ph:
...     ph.advance(4)
>>> out.getvalue()
'absorb: embedding: 4 passages in 1.0 s (4.0/s)\\n'
>>> p.summary()[0]["count"]
4
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any

MODES = ("tty", "plain", "quiet")
TICK_S = 1.0  # a tty line is redrawn at least this often (the issue asks for <= 2 s)


def _fmt_s(s: float) -> str:
    s = max(0, int(round(s)))
    return f"{s // 60}:{s % 60:02d}" if s >= 60 else f"{s} s"


class Phase:
    """One phase; ``advance(n)`` as work completes, ``detail`` for the finished line."""

    def __init__(self, owner: Progress, name: str, total: int | None, unit: str) -> None:
        self.owner, self.name, self.total, self.unit = owner, name, total, unit
        self.count = 0
        self.detail = ""
        self.start = owner.clock()
        self.end: float | None = None
        self.stop = threading.Event()
        self.ticker: threading.Thread | None = None

    def advance(self, n: int = 1) -> None:
        with self.owner.lock:
            self.count += n
        self.owner.redraw()

    def finish(self) -> None:
        self.owner._finish(self)

    def rate(self, now: float) -> float:
        dt = now - self.start
        return self.count / dt if dt > 0 else 0.0

    def line(self, now: float) -> str:
        dt = now - self.start
        if self.end is not None:  # finished
            what = f"{self.count:,} {self.unit}" if self.unit else ""
            rate = f" ({self.rate(now):,.1f}/s)" if self.total and self.count and dt > 0 else ""
            done = f"{what}{self.detail} in {dt:.1f} s{rate}".strip()
            return f"{self.name}: {done}"
        parts = [self.name]
        if self.total:
            pct = 100 * self.count / self.total
            parts.append(f"{self.count:,}/{self.total:,} {self.unit} ({pct:.0f}%)")
            r = self.rate(now)
            if r > 0 and self.count and dt >= 1:  # a rate from a split second is noise
                parts.append(f"{r:,.1f}/s, ETA {_fmt_s((self.total - self.count) / r)}")
        elif self.unit:
            parts.append(f"{self.count:,} {self.unit}")
        parts.append(_fmt_s(dt))
        return "  ".join(parts)


class Progress:
    """Phases of one build (see module docstring)."""

    def __init__(
        self,
        mode: str = "plain",
        stream: IO[str] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"progress mode {mode!r} is not one of {MODES}")
        self.mode = mode
        self.stream = stream if stream is not None else sys.stderr
        self.clock = clock
        self.lock = threading.RLock()
        self.phases: list[Phase] = []
        self._live: Phase | None = None
        self._width = 0

    @classmethod
    def auto(cls, quiet: bool = False, stream: IO[str] | None = None) -> Progress:
        stream = stream if stream is not None else sys.stderr
        if quiet:
            return cls("quiet", stream)
        return cls("tty" if _isatty(stream) else "plain", stream)

    # ------------------------------------------------------------ output

    def _write(self, text: str, final: bool) -> None:
        if self.mode == "tty":
            pad = " " * max(0, self._width - len(text))
            self.stream.write(f"\r{text}{pad}" + ("\n" if final else ""))
            self._width = 0 if final else len(text)
        elif final:
            self.stream.write(text + "\n")
        self.stream.flush()

    def redraw(self) -> None:
        if self.mode != "tty":
            return
        with self.lock:
            if self._live is not None:
                self._write(self._live.line(self.clock()), final=False)

    def note(self, message: str) -> None:
        """A message that must be seen now (e.g. "first run: preparing the model")."""
        if self.mode == "quiet":
            return
        with self.lock:
            if self.mode == "tty" and self._width:
                self._write("", final=False)  # clear the live line, redrawn on the next tick
                self.stream.write("\r")
            self.stream.write(f"absorb: {message}\n")
            self.stream.flush()

    # ------------------------------------------------------------ phases

    @contextmanager
    def phase(self, name: str, total: int | None = None, unit: str = "") -> Iterator[Phase]:
        ph = self.start(name, total, unit)
        try:
            yield ph
        finally:
            ph.finish()

    def start(self, name: str, total: int | None = None, unit: str = "") -> Phase:
        """Begin a phase; ``finish()`` it (or use ``with phase(...)``)."""
        ph = Phase(self, name, total, unit)
        with self.lock:
            self.phases.append(ph)
            self._live = ph
        if self.mode == "tty":
            self.redraw()
            ph.ticker = threading.Thread(target=self._tick, args=(ph.stop,), daemon=True)
            ph.ticker.start()
        return ph

    def _finish(self, ph: Phase) -> None:
        ph.stop.set()
        if ph.ticker is not None:
            ph.ticker.join()
        with self.lock:
            if ph.end is not None:
                return
            ph.end = self.clock()
            if self._live is ph:
                self._live = None
            if self.mode != "quiet":
                prefix = "" if self.mode == "tty" else "absorb: "
                self._write(prefix + ph.line(ph.end), final=True)

    def _tick(self, stop: threading.Event) -> None:
        while not stop.wait(TICK_S):
            self.redraw()

    def summary(self) -> list[dict[str, Any]]:
        """The finished phases, for ``--json``."""
        return [
            {
                "phase": p.name,
                "count": p.count,
                "unit": p.unit,
                "seconds": round((p.end if p.end is not None else p.start) - p.start, 3),
            }
            for p in self.phases
        ]


def as_progress(progress: Progress | bool) -> Progress:
    """``progress`` itself, or for True one chosen from stderr, for False a quiet one."""
    if isinstance(progress, Progress):
        return progress
    return Progress.auto(quiet=not progress)


def _isatty(stream: IO[str]) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


# The build in progress, so a lower layer (the one-time model export in ``accel``) can
# say what it is doing through the same channel; outside a build notes go to stderr.
_current: Progress | None = None


@contextmanager
def active(p: Progress) -> Iterator[Progress]:
    global _current
    before, _current = _current, p
    try:
        yield p
    finally:
        _current = before


def note(message: str) -> None:
    if _current is not None:
        _current.note(message)
    else:
        print(f"absorb: {message}", file=sys.stderr, flush=True)
