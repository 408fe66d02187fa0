"""Reading a pipe to its end through a size cap; used on both sides of the sandbox."""

from __future__ import annotations

import os
import threading


class CappedReader(threading.Thread):
    """Drains a pipe to the end, keeping at most `cap` bytes, so the writer never blocks."""

    def __init__(self, fd: int, cap: int, close: bool = False):
        super().__init__(daemon=True)
        self.fd, self.cap, self.close = fd, cap, close
        self.chunks: list[bytes] = []
        self.kept = 0
        self.total = 0

    def run(self):
        try:
            while True:
                data = os.read(self.fd, 65536)
                if not data:
                    break
                self.total += len(data)
                if self.kept < self.cap:
                    piece = data[: self.cap - self.kept]
                    self.chunks.append(piece)
                    self.kept += len(piece)
        except OSError:
            pass
        finally:
            if self.close:
                os.close(self.fd)

    @property
    def data(self) -> bytes:
        return b"".join(self.chunks)

    @property
    def truncated(self) -> bool:
        return self.total > self.kept
