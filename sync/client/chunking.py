"""How much one tus PATCH carries (docs/sync.md, "Chunk size").

A cut connection costs at most the chunk in flight (the server keeps a
checked chunk whole or not at all), and each PATCH costs a round trip and a
durable write on the server. So a slow or flaky link wants small chunks and
a fast one large chunks: the size starts at 1 MiB, doubles while a chunk
takes under half the aimed-for time and halves when one takes more than
twice as long, between 256 KiB and 16 MiB. On loopback a 1 GiB upload then
runs in 16 MiB PATCHes (docs/development.md, bench_server); at 1 Mbit/s it
settles at 256 KiB, about 2 s a chunk.
"""

from __future__ import annotations

KIB = 1024
MIB = 1024 * KIB
START = 1 * MIB
SMALLEST = 256 * KIB
LARGEST = 16 * MIB
AIM_S = 2.0  # seconds one PATCH should take


class ChunkSizer:
    """The next PATCH's size, learnt from how long the last ones took; a
    ``fixed`` size never changes (tests, benchmarks)."""

    def __init__(self, fixed: int | None = None) -> None:
        if fixed is not None and fixed < 1:
            raise ValueError("a chunk is at least one byte")
        self.fixed = fixed
        self.size = fixed if fixed is not None else START

    def sent(self, size: int, seconds: float) -> None:
        """A PATCH of ``size`` bytes took ``seconds`` (request to answer)."""
        if self.fixed is not None or size < self.size:
            return  # the last, short chunk says nothing about the link
        if seconds < AIM_S / 2:
            self.size = min(LARGEST, self.size * 2)
        elif seconds > AIM_S * 2:
            self.size = max(SMALLEST, self.size // 2)
