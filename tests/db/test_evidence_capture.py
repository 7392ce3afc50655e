"""What a file claims about itself, captured at intake from real sample files
(tests/evidence_samples.py makes them with Pillow, PyAV and pypdf): EXIF date,
camera and GPS; duration and creation time; page count. The claims are kept in
``item.claimed``, apart from what the field worker states (date, place, source,
description). A damaged file still gets in, with fewer claims; the type comes
from the content, not from the name.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from db.entities import EvidenceItem
from db.vault import Vault
from tests.evidence_samples import (
    AUDIO_SECONDS,
    PDF_CREATION_DATE,
    PDF_PAGES,
    PHOTO_LATITUDE,
    PHOTO_LONGITUDE,
    PHOTO_MAKE,
    PHOTO_MODEL,
    PHOTO_SIZE,
    PHOTO_TAKEN,
    VIDEO_CREATION_TIME,
    VIDEO_SECONDS,
    VIDEO_SIZE,
    make_corrupt_jpeg,
    make_jpeg,
    make_jpeg_without_scan,
    make_mp4,
    make_ogg,
    make_pdf,
    make_random,
    make_wav,
)
from tests.factory import make_case
from tests.vault_helpers import open_vault

STATED = {
    "stated_date": "2022-03-09",
    "stated_place": "Izium, school no. 4 (stated by the witness)",
    "description": "Photo handed over by W-3 on a USB stick",
    "source": "W-3, in person, 2022-04-02",
}


def ingest(vault: Vault, path: Path, **stated: Any) -> EvidenceItem:
    case = make_case(vault)
    return vault.evidence.ingest(path, case.id, **stated).item


def close_to(claim: str, value: float, tolerance: float) -> bool:
    return abs(float(claim) - value) <= tolerance


def test_jpeg_exif_date_camera_and_gps_are_claims(vault: Vault, tmp_path: Path) -> None:
    item = ingest(vault, make_jpeg(tmp_path / "IMG_0412.JPG"), **STATED)

    assert item.mime_type == "image/jpeg"
    claimed = item.claimed
    # DateTimeOriginal (when it was taken), not DateTime (when it was last edited).
    assert claimed["exif_datetime"] == PHOTO_TAKEN
    assert PHOTO_MAKE in claimed["camera"] and PHOTO_MODEL in claimed["camera"]
    assert round(float(claimed["gps_latitude"]), 5) == round(PHOTO_LATITUDE, 5)
    assert round(float(claimed["gps_longitude"]), 5) == round(PHOTO_LONGITUDE, 5)
    assert (int(claimed["width"]), int(claimed["height"])) == PHOTO_SIZE
    assert all(isinstance(v, str) for v in claimed.values())


def test_gps_south_and_west_are_negative(vault: Vault, tmp_path: Path) -> None:
    item = ingest(vault, make_jpeg(tmp_path / "south-west.jpg", latitude=-33.86882, longitude=-70.66926))
    assert round(float(item.claimed["gps_latitude"]), 5) == -33.86882
    assert round(float(item.claimed["gps_longitude"]), 5) == -70.66926


def test_a_photo_without_gps_claims_no_position(vault: Vault, tmp_path: Path) -> None:
    item = ingest(vault, make_jpeg(tmp_path / "no-gps.jpg", with_gps=False))
    assert item.claimed["exif_datetime"] == PHOTO_TAKEN
    assert "gps_latitude" not in item.claimed and "gps_longitude" not in item.claimed


def test_video_duration_and_creation_time_are_claims(vault: Vault, tmp_path: Path) -> None:
    item = ingest(vault, make_mp4(tmp_path / "VID_0007.mp4"))
    assert item.mime_type == "video/mp4"
    assert close_to(item.claimed["duration_seconds"], VIDEO_SECONDS, 0.1), item.claimed
    assert item.claimed["creation_time"] == VIDEO_CREATION_TIME
    assert (int(item.claimed["width"]), int(item.claimed["height"])) == VIDEO_SIZE


@pytest.mark.parametrize("maker", [make_wav, make_ogg], ids=["wav", "ogg"])
def test_audio_duration_is_a_claim(vault: Vault, tmp_path: Path, maker: object) -> None:
    suffix = "wav" if maker is make_wav else "ogg"
    item = ingest(vault, maker(tmp_path / f"interview.{suffix}"))  # type: ignore[operator]
    assert item.mime_type.startswith("audio/"), item.mime_type
    assert close_to(item.claimed["duration_seconds"], AUDIO_SECONDS, 0.1), item.claimed
    assert "width" not in item.claimed


def test_a_recorders_m4a_claims_its_audio_duration(vault: Vault, tmp_path: Path) -> None:
    # AAC in MP4, as phones' voice recorders save it: the audio track's length.
    item = ingest(vault, make_aac_m4a(tmp_path / "Voice 003.m4a"))
    assert item.mime_type in ("audio/x-m4a", "audio/mp4", "video/mp4"), item.mime_type
    assert close_to(item.claimed["duration_seconds"], AUDIO_SECONDS, 0.1), item.claimed
    assert "width" not in item.claimed


def test_matroska_gets_in_without_media_claims(vault: Vault, tmp_path: Path) -> None:
    """mutagen reads neither Matroska/WebM nor AVI (docs/chain-of-custody.md):
    the file is taken in byte-exact, with no claims and no "not read" note."""
    source = make_matroska(tmp_path / "VID_0008.mkv")
    item = ingest(vault, source)
    assert item.mime_type in ("video/x-matroska", "video/webm"), item.mime_type
    assert [key for key in item.claimed if not key.startswith("c2pa_")] == []
    with vault.evidence.open(item.id) as reader:
        assert reader.read() == source.read_bytes()


def make_aac_m4a(path: Path) -> Path:
    import av

    rate, per_frame = 48_000, 1024
    with av.open(str(path), "w", format="ipod") as container:
        stream = container.add_stream("aac", rate=rate)
        stream.layout = "mono"
        written = 0
        while written < AUDIO_SECONDS * rate:
            frame = av.AudioFrame(format="fltp", layout="mono", samples=per_frame)
            frame.planes[0].update(bytes(per_frame * 4))
            frame.sample_rate = rate
            frame.pts = written
            written += per_frame
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def make_matroska(path: Path) -> Path:
    import av

    with av.open(str(path), "w", format="matroska") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height = 64, 48
        stream.pix_fmt = "yuv420p"
        for index in range(10):
            frame = av.VideoFrame(64, 48, "yuv420p")
            frame.pts = index
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def test_pdf_page_count_is_a_claim(vault: Vault, tmp_path: Path) -> None:
    item = ingest(vault, make_pdf(tmp_path / "report.pdf"))
    assert item.mime_type == "application/pdf"
    assert item.claimed["pages"] == str(PDF_PAGES) == "3"
    assert item.claimed["pdf_creation_date"] == PDF_CREATION_DATE


def test_stated_fields_stay_apart_from_claims(vault: Vault, tmp_path: Path) -> None:
    """What the worker states is never merged with, or overwritten by, what the
    file claims; both survive a lock and unlock."""
    item = ingest(vault, make_jpeg(tmp_path / "photo.jpg"), **STATED)
    for field, value in STATED.items():
        assert getattr(item, field) == value
    assert not set(item.claimed.values()) & set(STATED.values())
    assert not {"stated_date", "stated_place", "description", "source"} & set(item.claimed)
    # The claim disagrees with the statement (the 10th vs the 9th): both are kept.
    assert item.claimed["exif_datetime"].startswith("2022:03:10") and item.stated_date == "2022-03-09"

    folder = vault.folder
    vault.lock()
    reopened = open_vault(folder)
    try:
        again = reopened.evidence.get(item.id)
        assert again.claimed == item.claimed
        assert {f: getattr(again, f) for f in STATED} == STATED
    finally:
        reopened.lock()


def test_without_statements_the_stated_fields_are_empty(vault: Vault, tmp_path: Path) -> None:
    item = ingest(vault, make_jpeg(tmp_path / "photo.jpg"))
    assert (item.stated_date, item.stated_place, item.description, item.source) == ("", "", "", "")
    assert item.claimed["exif_datetime"] == PHOTO_TAKEN


def test_a_corrupt_jpeg_still_ingests_with_fewer_claims(vault: Vault, tmp_path: Path) -> None:
    whole = ingest(vault, make_jpeg(tmp_path / "whole.jpg"))
    broken_path = make_corrupt_jpeg(tmp_path / "broken.jpg")
    broken = ingest(vault, broken_path, description="cut off during transfer")

    assert broken.mime_type == "image/jpeg"
    assert broken.size == broken_path.stat().st_size
    assert len(broken.claimed) < len(whole.claimed)
    assert "gps_latitude" not in broken.claimed
    assert broken.description == "cut off during transfer"
    with vault.evidence.open(broken.id) as reader:
        assert reader.read() == broken_path.read_bytes()
    assert vault.verify().ok


def test_a_jpeg_with_its_image_data_cut_off_keeps_its_header_claims(vault: Vault, tmp_path: Path) -> None:
    item = ingest(vault, make_jpeg_without_scan(tmp_path / "no-pixels.jpg"))
    assert item.mime_type == "image/jpeg"
    assert item.claimed["exif_datetime"] == PHOTO_TAKEN
    assert round(float(item.claimed["gps_latitude"]), 5) == round(PHOTO_LATITUDE, 5)


def test_the_type_comes_from_the_content_not_the_name(vault: Vault, tmp_path: Path) -> None:
    pdf_named_jpg = tmp_path / "photo.jpg"
    shutil.copyfile(make_pdf(tmp_path / "real.pdf"), pdf_named_jpg)
    item = ingest(vault, pdf_named_jpg)
    assert item.mime_type == "application/pdf"
    assert item.claimed["pages"] == "3"
    assert item.original_name == "photo.jpg"

    noise = ingest(vault, make_random(tmp_path / "clip.mp4", 50_000, seed=1))
    assert noise.mime_type == "application/octet-stream"
    assert noise.claimed == {}


@pytest.mark.parametrize(
    "maker",
    [make_mp4, make_pdf, make_wav],
    ids=["mp4", "pdf", "wav"],
)
def test_a_truncated_media_file_still_ingests(vault: Vault, tmp_path: Path, maker: object) -> None:
    """Parsers never block intake: half a file goes in byte-exact."""
    whole = maker(tmp_path / "whole.bin")  # type: ignore[operator]
    half = tmp_path / "half.bin"
    half.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    item = ingest(vault, half)
    with vault.evidence.open(item.id) as reader:
        assert reader.read() == half.read_bytes()
    assert all(isinstance(v, str) for v in item.claimed.values())
