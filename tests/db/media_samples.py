"""Audio and video samples in many containers, made with PyAV (a development
dependency), and MP4 box surgery for the edge cases a camera, an editor or a
hostile sender can produce: a box changed in place, one renamed, a header
rewritten as version 1. For tests/db/test_media_claims.py.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# -- making samples -----------------------------------------------------------

FPS = 10
AUDIO_RATE = 48_000


@dataclass(frozen=True)
class Video:
    codec: str = "mpeg4"
    seconds: float = 2.0
    size: tuple[int, int] = (64, 48)
    pix_fmt: str = "yuv420p"


@dataclass(frozen=True)
class Audio:
    codec: str = "aac"
    seconds: float = 2.0
    rate: int = AUDIO_RATE
    layout: str = "mono"
    bit_rate: int = 0  # 0: the encoder's default (WMA has none)
    experimental: bool = False  # FFmpeg's own Vorbis encoder is one


def make_media(
    path: Path,
    container: str,
    *,
    video: Video | None = None,
    audio: Audio | None = None,
    options: dict[str, str] | None = None,
) -> Path:
    """``container`` (an FFmpeg muxer name) with at most one video and one
    audio track of the given lengths: grey frames, silence."""
    import av

    with av.open(str(path), "w", format=container, options=options or {}) as out:
        video_stream = audio_stream = None
        if video is not None:
            video_stream = out.add_stream(video.codec, rate=FPS)
            assert isinstance(video_stream, av.VideoStream)
            video_stream.width, video_stream.height = video.size
            video_stream.pix_fmt = video.pix_fmt
        if audio is not None:
            strict = {"strict": "experimental"} if audio.experimental else {}
            audio_stream = out.add_stream(audio.codec, rate=audio.rate, options=strict)
            assert isinstance(audio_stream, av.AudioStream)
            audio_stream.layout = audio.layout
            if audio.bit_rate:
                audio_stream.bit_rate = audio.bit_rate
        if video_stream is not None and video is not None:
            _write_video(out, video_stream, video)
        if audio_stream is not None and audio is not None:
            _write_audio(out, audio_stream, audio)
    return path


def _write_video(out: Any, stream: Any, video: Video) -> None:
    import av

    for index in range(round(video.seconds * FPS)):
        frame = av.VideoFrame(*video.size, video.pix_fmt)
        for plane in frame.planes:
            plane.update(bytes([128]) * plane.buffer_size)
        frame.pts = index
        for packet in stream.encode(frame):
            out.mux(packet)
    for packet in stream.encode():
        out.mux(packet)


def _write_audio(out: Any, stream: Any, audio: Audio) -> None:
    import av

    per_frame = stream.codec_context.frame_size or 1024
    written = 0
    while written < audio.seconds * audio.rate:
        frame = av.AudioFrame(format=stream.codec_context.format.name, layout=audio.layout, samples=per_frame)
        for plane in frame.planes:
            plane.update(bytes(plane.buffer_size))
        frame.sample_rate = audio.rate
        frame.pts = written
        written += per_frame
        for packet in stream.encode(frame):
            out.mux(packet)
    for packet in stream.encode():
        out.mux(packet)


def pyav_claims(path: Path) -> dict[str, str]:
    """What the intake read with PyAV before fa61788 (FFmpeg's container
    duration, its creation_time and the first video stream's decoder size),
    worded as it was: the reference the mutagen claims are held to."""
    import av

    claims: dict[str, str] = {}
    with av.open(str(path), mode="r", metadata_errors="ignore") as container:
        if container.duration:
            claims["duration_seconds"] = f"{container.duration / 1_000_000:.3f}"
        created = container.metadata.get("creation_time")
        if created:
            claims["creation_time"] = str(created)
        video = next(iter(container.streams.video), None)
        if video is not None and video.codec_context is not None:
            claims["width"], claims["height"] = (
                str(video.codec_context.width),
                str(video.codec_context.height),
            )
    return claims


# -- MP4 box surgery ----------------------------------------------------------

CONTAINERS = frozenset({b"moov", b"trak", b"mdia", b"minf", b"stbl"})


@dataclass(frozen=True)
class Box:
    kind: bytes
    offset: int  # of its size field
    size: int
    header: int  # 8, or 16 with a 64-bit size

    @property
    def body(self) -> int:
        return self.offset + self.header


def boxes(data: bytes | bytearray, start: int = 0, end: int | None = None) -> Iterator[Box]:
    end = len(data) if end is None else end
    while start + 8 <= end:
        size, kind = struct.unpack(">I4s", data[start : start + 8])
        header = 8
        if size == 1:
            (size,) = struct.unpack(">Q", data[start + 8 : start + 16])
            header = 16
        elif size == 0:
            size = end - start
        yield Box(kind, start, size, header)
        start += size


def find_boxes(data: bytes | bytearray, *path: bytes) -> list[Box]:
    """Every box at ``path`` (e.g. ``b"moov", b"trak"``), in file order."""
    found = [Box(b"", 0, len(data), 0)]
    for kind in path:
        found = [
            child
            for parent in found
            for child in boxes(data, parent.body, parent.offset + parent.size)
            if child.kind == kind
        ]
    return found


def _children(data: bytes | bytearray, parent: Box, kind: bytes) -> list[Box]:
    return [box for box in boxes(data, parent.body, parent.offset + parent.size) if box.kind == kind]


def handler_of(data: bytes | bytearray, trak: Box) -> bytes:
    """A track's handler type (``hdlr``'s bytes 8-11): ``b"vide"``, ``b"soun"``..."""
    (mdia,) = _children(data, trak, b"mdia")
    (hdlr,) = _children(data, mdia, b"hdlr")
    return bytes(data[hdlr.body + 8 : hdlr.body + 12])


def track_box(data: bytes | bytearray, handler: bytes, *path: bytes) -> Box:
    """The box at ``path`` under the first track whose handler is ``handler``
    (``b"vide"``, ``b"soun"``)."""
    trak = next(trak for trak in find_boxes(data, b"moov", b"trak") if handler_of(data, trak) == handler)
    box = trak
    for kind in path:
        box = _children(data, box, kind)[0]
    return box


def rename_box(path: Path, box_path: tuple[bytes, ...], new_kind: bytes) -> Path:
    """The first box at ``box_path`` renamed (``b"free"``: gone for a reader)."""
    data = bytearray(path.read_bytes())
    box = find_boxes(data, *box_path)[0]
    data[box.offset + 4 : box.offset + 8] = new_kind
    path.write_bytes(bytes(data))
    return path


def set_tkhd_display_size(path: Path, handler: bytes, width: int, height: int) -> Path:
    """The track header's presentation width and height (16.16), as a writer
    of anamorphic video sets them; the sample entry keeps the coded size."""
    data = bytearray(path.read_bytes())
    tkhd = track_box(data, handler, b"tkhd")
    version = data[tkhd.body]
    at = tkhd.body + (36 if version == 1 else 24) + 52
    data[at : at + 8] = struct.pack(">II", width << 16, height << 16)
    path.write_bytes(bytes(data))
    return path


def set_mvhd(
    path: Path, *, version: int | None = None, created: int | None = None, duration: int | None = None
) -> Path:
    """``moov/mvhd`` rewritten: as ``version`` 0 or 1, with the given creation
    time (seconds since 1904 as stored) and duration (in its timescale).
    ``moov`` must be the last box (FFmpeg's default layout), so no chunk offset
    moves when ``mvhd`` grows."""
    data = bytearray(path.read_bytes())
    (moov,) = find_boxes(data, b"moov")
    assert moov.offset + moov.size == len(data), "moov is not the last box"
    (mvhd,) = find_boxes(data, b"moov", b"mvhd")
    body = bytes(data[mvhd.body : mvhd.offset + mvhd.size])
    old_version = body[0]
    if old_version == 1:
        old_created, _modified, timescale, old_duration = struct.unpack(">QQIQ", body[4:32])
        rest = body[32:]
    else:
        old_created, _modified, timescale, old_duration = struct.unpack(">IIII", body[4:20])
        rest = body[20:]
    version = old_version if version is None else version
    created = old_created if created is None else created
    duration = old_duration if duration is None else duration
    if version == 1:
        times = struct.pack(">QQIQ", created, created, timescale, duration)
    else:
        times = struct.pack(">IIII", created, created, timescale, duration)
    new_body = bytes([version]) + body[1:4] + times + rest
    new_mvhd = struct.pack(">I4s", len(new_body) + 8, b"mvhd") + new_body
    data[mvhd.offset : mvhd.offset + mvhd.size] = new_mvhd
    grown = len(new_mvhd) - mvhd.size
    struct.pack_into(">I", data, moov.offset, moov.size + grown)
    path.write_bytes(bytes(data))
    return path


def mvhd_timescale(path: Path) -> int:
    data = path.read_bytes()
    (mvhd,) = find_boxes(data, b"moov", b"mvhd")
    at = mvhd.body + (20 if data[mvhd.body] == 1 else 12)
    return int.from_bytes(data[at : at + 4], "big")


def drop_ftyp(path: Path) -> Path:
    """An old QuickTime file: no ``ftyp`` box, ``moov`` first (write the file
    with ``movflags=faststart``), so nothing in its first bytes says MP4. The
    chunk offsets are not moved: the headers are what is read."""
    data = path.read_bytes()
    (ftyp,) = find_boxes(data, b"ftyp")
    assert ftyp.offset == 0
    path.write_bytes(data[ftyp.size :])
    return path


def add_mehd(path: Path, duration: int) -> Path:
    """A movie extends header (``moov/mvex/mehd``, version 0) stating the
    whole length of a fragmented movie in ``mvhd``'s timescale, as some
    writers add it. The boxes after ``moov`` move; only headers are read."""
    data = bytearray(path.read_bytes())
    (moov,) = find_boxes(data, b"moov")
    (mvex,) = find_boxes(data, b"moov", b"mvex")
    mehd = struct.pack(">I4sII", 16, b"mehd", 0, duration)
    data[mvex.body : mvex.body] = mehd
    struct.pack_into(">I", data, mvex.offset, mvex.size + len(mehd))
    struct.pack_into(">I", data, moov.offset, moov.size + len(mehd))
    path.write_bytes(bytes(data))
    return path


# -- the MP4 family for the fuzz test (tests/db/test_media_claims_fuzz.py) ------

# A fraction of a second each: the boxes, not the samples, are fuzzed.
FUZZ_SECONDS = 0.3


def mp4_family(folder: Path) -> dict[str, bytes]:
    """One small file of each MP4 relative the intake reads from its boxes:
    MP4 with video and sound, MOV, M4A, 3GP, a QuickTime file without
    ``ftyp`` and ``moov`` first, a fragmented MP4 with ``mvex/mehd``."""
    video, audio = Video(seconds=FUZZ_SECONDS), Audio(seconds=FUZZ_SECONDS)
    faststart = {"movflags": "faststart"}
    samples = {
        "mp4": make_media(folder / "a.mp4", "mp4", video=video, audio=audio),
        "mov": make_media(folder / "a.mov", "mov", video=video, audio=audio),
        "m4a": make_media(folder / "a.m4a", "ipod", audio=audio),
        "3gp": make_media(
            folder / "a.3gp",
            "3gp",
            video=Video(codec="h263", seconds=FUZZ_SECONDS, size=(176, 144)),
            audio=Audio(codec="libopencore_amrnb", seconds=FUZZ_SECONDS, rate=8000),
        ),
        "old-mov": drop_ftyp(
            make_media(folder / "old.mov", "mov", video=video, audio=audio, options=faststart)
        ),
        "fragmented": add_mehd(
            make_media(
                folder / "frag.mp4",
                "mp4",
                video=video,
                audio=audio,
                options={"movflags": "frag_keyframe+empty_moov"},
            ),
            3000,
        ),
    }
    return {name: path.read_bytes() for name, path in samples.items()}


def box_list(data: bytes | bytearray, containers: frozenset[bytes]) -> list[Box]:
    """Every box of a possibly damaged file, those inside ``containers``
    included, in file order; a box with an impossible size ends its level
    (the boxes a fuzz edit may pick)."""
    found: list[Box] = []
    levels = [(0, len(data), 0)]
    while levels and len(found) < 2000:
        start, end, depth = levels.pop()
        while start + 8 <= min(end, len(data)) and len(found) < 2000:
            size, kind = struct.unpack_from(">I4s", data, start)
            header = 8
            if size == 1 and start + 16 <= len(data):
                (size,) = struct.unpack_from(">Q", data, start + 8)
                header = 16
            elif size == 0:
                size = end - start
            if size < header:
                break
            box = Box(kind, start, size, header)
            found.append(box)
            if kind in containers and depth < 16:
                levels.append((box.body, start + size, depth + 1))
            start += size
    return sorted(found, key=lambda box: box.offset)
