"""The MP4 box reader (db/capture.py, the intake's audio and video claims) on
hostile input: real MP4, MOV, M4A, 3GP, old QuickTime and fragmented files
(tests/db/media_samples.py) with bytes flipped, boxes cut, duplicated, nested
thousands deep, sizes of 0, 1 to 7, 64-bit and 2^64 - 1, zero timescales and
all-ones times.

The reader is called in this process, not through the sandbox, so that any
exception shows and the run is fast. Only documented outcomes may come out
(docs/chain-of-custody.md, "Audio and video claims"): claims of the documented
keys and forms, or NoMovieBox / AtomError (stored as "metadata not read:
unreadable file (…)"); each call within 2 s and a few MiB, whatever sizes the
boxes declare. ``make stress`` (FIELDVAULT_STRESS=1) runs the long profile.

The explicit cases at the end are what the fuzzing found in the reader before
(mutagen's box reader, until 2026-11-29), shrunk, kept as regression tests;
the last ones take hostile files through the real intake.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import re
import struct
import time
import tracemalloc
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db.capture import MP4_TYPES, AtomError, NoMovieBox, claims_of
from db.vault import Vault
from tests.db.media_samples import Box, box_list, find_boxes, mp4_family
from tests.factory import make_case

NOT_READ = "metadata"
CLAIM_KEYS = {"duration_seconds", "creation_time", "width", "height"}
DURATION = re.compile(r"[0-9]+\.[0-9]{3}")
CREATION_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.000000Z")
SECONDS_PER_CALL = 2.0
# Traced memory a call may use: the reader's own, far below any declared size.
BYTES_PER_CALL = 4 << 20
# Boxes an edit may pick inside: the ones the reader walks, and more.
CONTAINERS = frozenset(
    {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"mvex", b"udta", b"edts", b"moof", b"traf"}
)
NESTING_KINDS = [b"moov", b"trak", b"mdia", b"minf", b"stbl", b"mvex", b"udta"]
# Sizes that have meant something to a box reader.
SIZES_32 = [0, 1, 2, 7, 8, 9, 16, 0x7FFFFFFF, 0x80000000, 0xFFFFFFF0, 0xFFFFFFFF]
SIZES_64 = [0, 8, 15, 16, 17, 1 << 32, 1 << 62, (1 << 63) - 1, 1 << 63, (1 << 64) - 1]
# The boxes the reader looks at, picked more often than the rest.
TARGETS = [
    b"moov",
    b"mvhd",
    b"mvex",
    b"mehd",
    b"trak",
    b"mdia",
    b"mdhd",
    b"hdlr",
    b"minf",
    b"stbl",
    b"stsd",
    b"ftyp",
    b"mdat",
]
FIELD_VALUES = [0, 1, 0x7F, 0x80, 0xFF, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF, (1 << 63) - 1, (1 << 64) - 1]

FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LONG = settings(
    max_examples=int(os.environ.get("FIELDVAULT_STRESS_EXAMPLES", "5000")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def family(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    return mp4_family(tmp_path_factory.mktemp("mp4-family"))


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz") / "input.mp4"


# -- the outcomes the docs allow ---------------------------------------------


def read_claims(data: bytes, path: Path, mime: str = "video/mp4") -> dict[str, str] | None:
    """The claims the reader gives for ``data`` read from a file (as the
    parser child reads its input), None for a documented refusal; within the
    time and memory bounds, and of the documented shape."""
    path.write_bytes(data)
    tracemalloc.start()
    started = time.thread_time()  # the reader's work: a loaded machine stretches the wall clock
    try:
        with path.open("rb") as source:
            claims: dict[str, str] | None = claims_of(source, mime)
    except (NoMovieBox, AtomError):  # "metadata not read: unreadable file (NoMovieBox|AtomError)"
        claims = None
    finally:
        elapsed = time.thread_time() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert elapsed < SECONDS_PER_CALL, f"{elapsed:.2f} s for {len(data)} bytes"
    assert peak < BYTES_PER_CALL, f"{peak} bytes traced for {len(data)} bytes"
    if claims is not None:
        assert_documented_shape(claims)
    return claims


def assert_documented_shape(claims: dict[str, str]) -> None:
    assert isinstance(claims, dict)
    assert set(claims) <= CLAIM_KEYS, claims
    assert all(isinstance(value, str) for value in claims.values()), claims
    if "duration_seconds" in claims:
        assert DURATION.fullmatch(claims["duration_seconds"]), claims
        seconds = float(claims["duration_seconds"])
        assert math.isfinite(seconds) and seconds >= 0, claims
    assert ("width" in claims) == ("height" in claims), claims
    for side in ("width", "height"):
        if side in claims:
            assert claims[side].isdigit() and 1 <= int(claims[side]) <= 0xFFFF, claims
    if "creation_time" in claims:
        assert CREATION_TIME.fullmatch(claims["creation_time"]), claims
        when = datetime.strptime(claims["creation_time"], "%Y-%m-%dT%H:%M:%S.%fZ")
        assert 1904 <= when.year <= 9999, claims


# -- edits ------------------------------------------------------------------


def enclosing(boxes: list[Box], box: Box) -> list[Box]:
    return [
        outer
        for outer in boxes
        if outer.offset < box.offset < outer.offset + outer.size
        and outer.header == 8
        and outer.size < 1 << 32
    ]


def resize_parents(data: bytearray, parents: list[Box], grown: int) -> None:
    """The 32-bit size fields of the boxes around an edit, grown by ``grown``
    (so the edited box is still found where a reader looks)."""
    for outer in parents:
        (size,) = struct.unpack_from(">I", data, outer.offset)
        struct.pack_into(">I", data, outer.offset, (size + grown) % (1 << 32))


@dataclass(frozen=True)
class BoxEdit:
    kind: str
    target: bytes | None  # the kind of box edited (None: any box)
    pick: float  # which of the boxes of that kind, or of all
    number: int  # a size, or a field's value
    count: int  # copies, nesting levels, field width, cut point...
    fix_parents: bool  # the boxes around it grow or shrink with it


def box_edit(data: bytearray, edit: BoxEdit) -> bytearray:
    boxes = box_list(data, CONTAINERS)
    targets = [box for box in boxes if box.kind == edit.target] or boxes
    if not targets:
        return data
    box = targets[min(int(edit.pick * len(targets)), len(targets) - 1)]
    parents = enclosing(boxes, box) if edit.fix_parents else []
    whole = bytes(data[box.offset : box.offset + box.size])
    if edit.kind == "size32":
        struct.pack_into(">I", data, box.offset, edit.number % (1 << 32))
    elif edit.kind == "size64":
        # The header rewritten with a 64-bit size: 8 more bytes.
        size = edit.number if edit.number >= 0 else box.size + 16 - box.header
        data[box.offset : box.offset + box.header] = struct.pack(">I4sQ", 1, box.kind, size % (1 << 64))
        resize_parents(data, parents, 16 - box.header)
    elif edit.kind == "duplicate":
        copies = whole * edit.count
        data[box.offset + box.size : box.offset + box.size] = copies
        resize_parents(data, parents, len(copies))
    elif edit.kind == "nest":
        nested = whole
        for _ in range(edit.count):
            nested = (
                struct.pack(">I4s", (len(nested) + 8) % (1 << 32), NESTING_KINDS[edit.number % 7]) + nested
            )
        data[box.offset : box.offset + box.size] = nested
        resize_parents(data, parents, len(nested) - len(whole))
    elif edit.kind == "delete":
        del data[box.offset : box.offset + box.size]
        resize_parents(data, parents, -len(whole))
    elif edit.kind == "field":
        # A number in a full box's payload: version, times, timescale,
        # duration, entry count, sizes; 1, 4 or 8 bytes wide.
        width = (1, 4, 8)[edit.count % 3]
        at = box.offset + box.header + (edit.count // 3) % 48
        data[at : at + width] = (edit.number % (1 << (8 * width))).to_bytes(width, "big")
    elif edit.kind == "truncate":
        del data[box.offset + edit.count % max(1, box.size) :]
    return data


@st.composite
def box_edits(draw: st.DrawFn) -> BoxEdit:
    kind = draw(st.sampled_from(["size32", "size64", "duplicate", "nest", "delete", "field", "truncate"]))
    number = {
        "size32": st.sampled_from(SIZES_32) | st.integers(0, (1 << 32) - 1),
        "size64": st.sampled_from(SIZES_64) | st.integers(-1, (1 << 64) - 1),
        "field": st.sampled_from(FIELD_VALUES) | st.integers(0, (1 << 64) - 1),
    }.get(kind, st.integers(0, 6))
    count = {"duplicate": st.integers(1, 64), "nest": st.integers(1, 3000)}.get(kind, st.integers(0, 400))
    return BoxEdit(
        kind,
        draw(st.sampled_from(TARGETS) | st.none()),
        draw(st.floats(0, 1, exclude_max=True)),
        draw(number),
        draw(count),
        draw(st.booleans()),
    )


def byte_edit(data: bytearray, kind: str, where: float, length: int, payload: bytes) -> bytearray:
    at = int(where * len(data)) if data else 0
    if kind == "flip" and data:
        data[min(at, len(data) - 1)] ^= 1 << (length % 8)
    elif kind == "insert":
        data[at:at] = payload
    elif kind == "delete":
        del data[at : at + length]
    elif kind == "truncate":
        del data[at:]
    elif kind == "overwrite":
        data[at : at + len(payload)] = payload
    return data


BYTE_EDITS = st.tuples(
    st.sampled_from(["flip", "insert", "delete", "truncate", "overwrite"]),
    st.floats(0, 1, exclude_max=True),
    st.integers(0, 600),
    st.binary(max_size=32) | st.sampled_from([b"\x00" * 8, b"\xff" * 8, b"\x00\x00\x00\x01moov"]),
)
SAMPLE_NAMES = st.sampled_from(["mp4", "mov", "m4a", "3gp", "old-mov", "fragmented"])
MIMES = st.sampled_from(sorted(MP4_TYPES))


def edited(sample: bytes, edits: list[BoxEdit], byte_edits: list[tuple[str, float, int, bytes]]) -> bytes:
    data = bytearray(sample)
    for edit in edits:
        data = box_edit(data, edit)
    for kind, where, length, payload in byte_edits:
        data = byte_edit(data, kind, where, length, payload)
    return bytes(data)


def mutated_files_give_documented_outcomes(
    family: dict[str, bytes],
    scratch: Path,
    name: str,
    mime: str,
    box_edits: list[BoxEdit],
    byte_edits: list[tuple[str, float, int, bytes]],
) -> None:
    read_claims(edited(family[name], box_edits, byte_edits), scratch, mime)


def random_files_give_documented_outcomes(scratch: Path, data: bytes, moov_first: bool) -> None:
    if moov_first:
        data = struct.pack(">I4s", len(data) + 8, b"moov") + data
    read_claims(data, scratch)


@FAST
@given(
    name=SAMPLE_NAMES,
    mime=MIMES,
    box_edits=st.lists(box_edits(), min_size=1, max_size=3),
    byte_edits=st.lists(BYTE_EDITS, max_size=2),
)
def test_mutated_mp4_family_files(family, scratch, name, mime, box_edits, byte_edits):
    mutated_files_give_documented_outcomes(family, scratch, name, mime, box_edits, byte_edits)


@FAST
@given(data=st.binary(max_size=512), moov_first=st.booleans())
def test_random_bytes_as_mp4(scratch, data, moov_first):
    random_files_give_documented_outcomes(scratch, data, moov_first)


@pytest.mark.stress
@LONG
@given(
    name=SAMPLE_NAMES,
    mime=MIMES,
    box_edits=st.lists(box_edits(), min_size=1, max_size=6),
    byte_edits=st.lists(BYTE_EDITS, max_size=4),
)
def test_mutated_mp4_family_files_stress(family, scratch, name, mime, box_edits, byte_edits):
    mutated_files_give_documented_outcomes(family, scratch, name, mime, box_edits, byte_edits)


@pytest.mark.stress
@LONG
@given(data=st.binary(max_size=4096), moov_first=st.booleans())
def test_random_bytes_as_mp4_stress(scratch, data, moov_first):
    random_files_give_documented_outcomes(scratch, data, moov_first)


def test_the_unedited_samples_give_their_claims(family: dict[str, bytes], scratch: Path) -> None:
    """The fuzzing starts from files the reader reads whole (else it would
    test nothing but refusals)."""
    for name, data in family.items():
        claims = read_claims(data, scratch)
        assert claims is not None and "duration_seconds" in claims, (name, claims)
        if name != "m4a":
            assert {"width", "height"} <= set(claims), (name, claims)


# -- what the fuzzing found in mutagen's box reader, shrunk --------------------

WITNESS = b"Olena Kovalenko, Izium, school no. 4"


def grown_moov(data: bytes, extra: bytes, *, first: bool = False) -> bytes:
    """``extra`` put inside ``moov`` (as its first child, or its last), the
    size of ``moov`` grown to hold it; ``moov`` must be the last box."""
    (moov,) = find_boxes(data, b"moov")
    assert moov.offset + moov.size == len(data), "moov is not the last box"
    out = bytearray(data)
    struct.pack_into(">I", out, moov.offset, moov.size + len(extra))
    at = moov.body if first else moov.offset + moov.size
    out[at:at] = extra
    return bytes(out)


def nested(kind: bytes, depth: int, inner: bytes = b"") -> bytes:
    for _ in range(depth):
        inner = struct.pack(">I4s", len(inner) + 8, kind) + inner
    return inner


def witness_box() -> bytes:
    """A box holding a name the file must never let out of the intake."""
    return struct.pack(">I4s", len(WITNESS) + 8, b"free") + WITNESS


def deep_tracks(data: bytes) -> bytes:
    """3000 ``trak`` boxes one inside the other, first in ``moov``: mutagen's
    reader recursed once per level (RecursionError)."""
    return grown_moov(data, nested(b"trak", 3000, witness_box()), first=True)


def endless_box(data: bytes) -> bytes:
    """A last box in ``moov`` with a 64-bit size of 2^64 - 1: mutagen's
    reader sought past it (ValueError: cannot fit 'int' into an
    offset-sized integer; a box it looked inside, such as ``udta``, was
    AtomError)."""
    return grown_moov(data, struct.pack(">I4sQ", 1, b"skip", (1 << 64) - 1) + witness_box())


def gigabyte_header(data: bytes) -> bytes:
    """``mvhd`` declaring 4 GiB in a file of a few kB: mutagen's reader
    asked the file for all of it, and a file object allocates what it is
    asked for before reading (4 GiB here; "too much memory" in the child)."""
    (mvhd,) = find_boxes(data, b"moov", b"mvhd")
    out = bytearray(data)
    struct.pack_into(">I", out, mvhd.offset, 0xFFFFFFF0)
    return bytes(out) + witness_box()


@pytest.fixture(scope="module")
def mp4(family: dict[str, bytes], scratch: Path) -> tuple[bytes, dict[str, str]]:
    claims = read_claims(family["mp4"], scratch)
    assert claims is not None and {"duration_seconds", "width", "height"} <= set(claims)
    return family["mp4"], claims


def test_boxes_nested_thousands_deep_leave_the_claims(
    mp4: tuple[bytes, dict[str, str]], scratch: Path
) -> None:
    data, claims = mp4
    assert read_claims(deep_tracks(data), scratch) == claims


def test_a_box_sized_2_to_the_64_leaves_the_claims(mp4: tuple[bytes, dict[str, str]], scratch: Path) -> None:
    data, claims = mp4
    assert read_claims(endless_box(data), scratch) == claims


def test_a_box_declaring_gigabytes_is_not_read_into_memory(
    mp4: tuple[bytes, dict[str, str]], scratch: Path
) -> None:
    """The movie header runs past the end of the file, so it gives nothing;
    read_claims holds the call under 4 MiB (it took 4 GiB)."""
    data, _claims = mp4
    assert read_claims(gigabyte_header(data), scratch) == {}


def test_a_box_size_of_zero_inside_moov_is_refused(mp4: tuple[bytes, dict[str, str]], scratch: Path) -> None:
    """Size 0 ("to the end of the file") is for a last top-level box only, as
    mutagen had it: inside ``moov`` it is AtomError, and walking ``moov``
    stops there rather than running to the end of the file."""
    data, _claims = mp4
    moov_first = grown_moov(data, struct.pack(">I4s", 0, b"trak"), first=True)
    path = scratch
    path.write_bytes(moov_first)
    with path.open("rb") as source, pytest.raises(AtomError):
        claims_of(source, "video/mp4")


# -- hostile files through the real intake ------------------------------------

HOSTILE = {"deep": deep_tracks, "endless": endless_box, "gigabyte": gigabyte_header}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_mp4_is_taken_in_byte_exact_and_tells_nothing(
    vault: Vault,
    tmp_path: Path,
    family: dict[str, bytes],
    name: str,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Through the sandboxed parser child: the file goes in as it is, under
    its SHA-256, with claims of the documented shape; nothing of it (here a
    witness's name in a box) reaches a log, stdout or stderr."""
    caplog.set_level(logging.DEBUG)
    hostile = tmp_path / f"VID_{name}.mp4"
    hostile.write_bytes(HOSTILE[name](family["mp4"]))
    case = make_case(vault)
    item = vault.evidence.ingest(hostile, case.id).item
    assert item.sha256 == hashlib.sha256(hostile.read_bytes()).hexdigest()
    with vault.evidence.open(item.id) as reader:
        assert reader.read() == hostile.read_bytes()
    claims = {key: value for key, value in item.claimed.items() if not key.startswith("c2pa_")}
    assert NOT_READ not in claims, claims  # before: too much memory, RecursionError, ValueError
    assert_documented_shape(claims)
    if name != "gigabyte":
        assert {"duration_seconds", "width", "height"} <= set(claims), claims
    out, err = capfd.readouterr()
    told = out + err + caplog.text + repr(item.claimed)
    assert WITNESS.decode() not in told
    assert "Olena" not in told
