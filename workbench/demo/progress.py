"""Progress lines on stderr for long demo builds."""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field


@dataclass
class Progress:
    """Prints progress on long runs to stderr (nothing when quiet)."""
    total: int
    quiet: bool = False
    started: float = field(default_factory=time.perf_counter)
    last: float = 0.0

    def step(self, label: str, done: int) -> None:
        now = time.perf_counter()
        if self.quiet or (now - self.last < 1.0 and done < self.total):
            return
        self.last = now
        pct = 100 * done / max(self.total, 1)
        print(f"\r  {label}: {done:,}/{self.total:,} ({pct:3.0f}%) {now - self.started:5.1f}s", end="",
              file=sys.stderr, flush=True)

    def done(self, label: str) -> None:
        if not self.quiet:
            print(f"\r  {label}: done in {time.perf_counter() - self.started:.1f}s" + " " * 20, file=sys.stderr)
