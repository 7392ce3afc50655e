"""Sample evidence files for tests, made with the same libraries a camera app
or a recorder would use (Pillow, PyAV/FFmpeg, pypdf, the stdlib ``wave``).

Each maker writes one file and returns its path; what the file claims about
itself (EXIF date, GPS, duration, pages…) is in the module's constants,
so a test can compare what intake captured with what was written.
"""

from __future__ import annotations

import hashlib
import math
import os
import random
import struct
import wave
from fractions import Fraction
from pathlib import Path

# -- JPEG with EXIF -------------------------------------------------------------

EXIF_MAKE = 0x010F
EXIF_MODEL = 0x0110
EXIF_DATETIME = 0x0132
EXIF_IFD = 0x8769
EXIF_DATETIME_ORIGINAL = 0x9003
GPS_IFD = 0x8825

PHOTO_MAKE = "Canon"
PHOTO_MODEL = "Canon EOS 5D Mark IV"
PHOTO_TAKEN = "2022:03:10 14:23:05"  # DateTimeOriginal
PHOTO_EDITED = "2022:03:11 09:00:00"  # DateTime (last edited): must not win over the original
PHOTO_LATITUDE = 49.2088889  # Izium, Kharkiv oblast
PHOTO_LONGITUDE = 37.2483333
PHOTO_SIZE = (64, 48)


def _dms(value: float) -> tuple[Fraction, Fraction, Fraction]:
    """Degrees, minutes, seconds as EXIF rationals (seconds to 1/10,000)."""
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = (value - degrees - minutes / 60) * 3600
    return Fraction(degrees), Fraction(minutes), Fraction(round(seconds * 10_000), 10_000)


def make_jpeg(
    path: Path,
    *,
    latitude: float = PHOTO_LATITUDE,
    longitude: float = PHOTO_LONGITUDE,
    with_gps: bool = True,
) -> Path:
    """A small JPEG with EXIF DateTimeOriginal, Make/Model and a GPS IFD."""
    from PIL import Image
    from PIL.TiffImagePlugin import IFDRational

    image = Image.new("RGB", PHOTO_SIZE, (120, 30, 30))
    exif = Image.Exif()
    exif[EXIF_MAKE] = PHOTO_MAKE
    exif[EXIF_MODEL] = PHOTO_MODEL
    exif[EXIF_DATETIME] = PHOTO_EDITED
    exif.get_ifd(EXIF_IFD)[EXIF_DATETIME_ORIGINAL] = PHOTO_TAKEN
    if with_gps:
        gps = exif.get_ifd(GPS_IFD)
        gps[1] = "N" if latitude >= 0 else "S"
        gps[2] = tuple(IFDRational(x.numerator, x.denominator) for x in _dms(latitude))
        gps[3] = "E" if longitude >= 0 else "W"
        gps[4] = tuple(IFDRational(x.numerator, x.denominator) for x in _dms(longitude))
    image.save(path, format="JPEG", exif=exif, quality=90)
    return path


def make_corrupt_jpeg(path: Path, *, keep: int = 200) -> Path:
    """A JPEG cut after its first ``keep`` bytes: the SOI marker and part of the
    EXIF segment, no image data (a download that broke off)."""
    whole = make_jpeg(path.with_name(path.name + ".whole.jpg"))
    data = whole.read_bytes()
    whole.unlink()
    path.write_bytes(data[:keep])
    return path


def make_jpeg_without_scan(path: Path) -> Path:
    """A JPEG whose headers (EXIF included) are whole but whose compressed image
    data is cut off: the claims can be read, the picture cannot be decoded."""
    whole = make_jpeg(path.with_name(path.name + ".whole.jpg"))
    data = whole.read_bytes()
    whole.unlink()
    # Walk the marker segments (each FFxx + 2-byte length) up to Start Of Scan.
    position = 2  # after SOI
    while data[position : position + 2] != b"\xff\xda":
        position += 2 + int.from_bytes(data[position + 2 : position + 4], "big")
    scan_header = int.from_bytes(data[position + 2 : position + 4], "big")
    path.write_bytes(data[: position + 2 + scan_header + 16])  # 16 bytes of image data
    return path


# -- video ----------------------------------------------------------------------

VIDEO_CREATION_TIME = "2022-03-10T14:23:05.000000Z"
VIDEO_FPS = 10
VIDEO_FRAMES = 20
VIDEO_SECONDS = VIDEO_FRAMES / VIDEO_FPS
VIDEO_SIZE = (64, 48)


def make_mp4(path: Path) -> Path:
    """A 2-second MPEG-4 video (20 grey frames at 10 fps) with creation_time."""
    import av

    with av.open(str(path), "w", format="mp4") as container:
        container.metadata["creation_time"] = VIDEO_CREATION_TIME
        stream = container.add_stream("mpeg4", rate=VIDEO_FPS)
        stream.width, stream.height = VIDEO_SIZE
        stream.pix_fmt = "yuv420p"
        for index in range(VIDEO_FRAMES):
            frame = av.VideoFrame(*VIDEO_SIZE, "yuv420p")
            for plane in frame.planes:
                plane.update(bytes([(index * 12) % 256]) * plane.buffer_size)
            frame.pts = index
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


# -- audio ----------------------------------------------------------------------

AUDIO_SECONDS = 1.5


def make_wav(path: Path, *, seconds: float = AUDIO_SECONDS, rate: int = 8000) -> Path:
    """Mono 16-bit PCM: a sine tone of ``seconds``."""
    frames = int(seconds * rate)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(struct.pack(f"<{frames}h", *(int(3000 * math.sin(i / 10)) for i in range(frames))))
    return path


def make_ogg(path: Path, *, seconds: float = AUDIO_SECONDS) -> Path:
    """An Ogg audio file of ``seconds`` (Opus if FFmpeg has it, else FLAC)."""
    import av

    codec, rate = ("libopus", 48000) if _has_encoder("libopus") else ("flac", 8000)
    per_frame = 960
    with av.open(str(path), "w", format="ogg") as container:
        stream = container.add_stream(codec, rate=rate)
        assert isinstance(stream, av.AudioStream)
        stream.layout = "mono"
        stream.format = "s16"
        written = 0
        while written < seconds * rate:
            samples = struct.pack(
                f"<{per_frame}h", *(int(3000 * math.sin((written + k) / 10)) for k in range(per_frame))
            )
            frame = av.AudioFrame(format="s16", layout="mono", samples=per_frame)
            frame.planes[0].update(samples)
            frame.sample_rate = rate
            frame.pts = written
            written += per_frame
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def _has_encoder(name: str) -> bool:
    import av

    try:
        av.codec.Codec(name, "w")
    except Exception:  # noqa: BLE001 - FFmpeg built without it
        return False
    return True


# -- PDF ------------------------------------------------------------------------

PDF_PAGES = 3
PDF_CREATION_DATE = "D:20220310142305Z"


def make_pdf(path: Path, *, pages: int = PDF_PAGES) -> Path:
    """A PDF of ``pages`` blank A4 pages with a /CreationDate."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/CreationDate": PDF_CREATION_DATE, "/Producer": "Fieldvault tests"})
    with path.open("wb") as out:
        writer.write(out)
    return path


# -- plain bytes ----------------------------------------------------------------


def make_random(path: Path, size: int, *, seed: int = 0) -> Path:
    """``size`` seeded pseudo-random bytes (reproducible, incompressible)."""
    rng = random.Random(seed)
    with path.open("wb") as out:
        left = size
        while left:
            take = min(left, 1 << 20)
            out.write(rng.randbytes(take))
            left -= take
    return path


def make_sparse(path: Path, size: int, *, markers: dict[int, bytes] | None = None) -> Path:
    """A file of ``size`` bytes that takes (almost) no disk space: a hole, with
    the optional ``markers`` written at their offsets so it is not all zeros."""
    with path.open("wb") as out:
        out.truncate(size)
        for offset, data in (markers or {}).items():
            out.seek(offset)
            out.write(data)
    return path


def sparse_markers(size: int, seed: int) -> dict[int, bytes]:
    """A few seeded 4 KiB random patches spread over a sparse file of ``size``."""
    rng = random.Random(seed)
    if size < 8192:
        return {}
    offsets = {0, size - 4096, *(rng.randrange(0, size - 4096) for _ in range(6))}
    return {offset: rng.randbytes(4096) for offset in sorted(offsets)}


def file_identity(path: Path) -> tuple[int, int, int, int]:
    """(size, mtime ns, mode, inode): what an untouched file keeps."""
    st = os.stat(path)
    return st.st_size, st.st_mtime_ns, st.st_mode, st.st_ino


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read in 4 MiB chunks (sample files reach 30 MiB)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(4 << 20):
            digest.update(chunk)
    return digest.hexdigest()
