"""The size of a tus PATCH follows the link (sync/client/chunking.py): a
fast link reaches large chunks, so a 1 GiB upload is not thousands of round
trips; a slow one gets small chunks, so a cut costs little."""

from __future__ import annotations

import pytest

from sync.client.chunking import AIM_S, LARGEST, SMALLEST, START, ChunkSizer


def test_fast_patches_grow_to_the_largest_chunk_and_no_further() -> None:
    sizer = ChunkSizer()
    assert sizer.size == START
    for _ in range(20):
        sizer.sent(sizer.size, AIM_S / 10)
    assert sizer.size == LARGEST


def test_slow_patches_shrink_to_the_smallest_chunk_and_no_further() -> None:
    sizer = ChunkSizer()
    for _ in range(20):
        sizer.sent(sizer.size, AIM_S * 10)
    assert sizer.size == SMALLEST


def test_a_patch_near_the_aim_keeps_the_size_and_a_short_last_chunk_says_nothing() -> None:
    sizer = ChunkSizer()
    sizer.sent(sizer.size, AIM_S)
    assert sizer.size == START
    sizer.sent(1000, AIM_S * 10)  # the end of the file: few bytes, slow answer (the bundle check)
    assert sizer.size == START


def test_a_fixed_size_never_changes() -> None:
    sizer = ChunkSizer(4096)
    sizer.sent(4096, 0.0)
    sizer.sent(4096, 100.0)
    assert sizer.size == 4096
    with pytest.raises(ValueError):
        ChunkSizer(0)
