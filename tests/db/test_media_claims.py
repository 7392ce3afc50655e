"""Audio and video claims as the intake's parser child reads them (mutagen and
its MP4 box reader, db/capture.py), through the real sandbox (``examine_file``),
from files PyAV makes and boxes edited as a camera, an editor or a hostile
sender leaves them. Where the claim keeps the meaning it had when PyAV read
it, PyAV's reading of the same file (``pyav_claims``) is the reference.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from db.capture import examine_file
from tests.db.media_samples import (
    Audio,
    Video,
    add_mehd,
    drop_ftyp,
    make_media,
    mvhd_timescale,
    pyav_claims,
    rename_box,
    set_mvhd,
    set_tkhd_display_size,
)

MP4_EPOCH_OFFSET = 2_082_844_800


def media_claims(path: Path) -> dict[str, str]:
    """The claims of ``path`` as intake reads them, without Content Credentials."""
    _mime, claims = examine_file(path)
    return {key: value for key, value in claims.items() if not key.startswith("c2pa_")}


def seconds(claims: dict[str, str]) -> float:
    return float(claims["duration_seconds"])


def video_with_short_audio(path: Path) -> Path:
    """10 s of picture with 1 s of sound (a clip whose sound was cut, or a
    muted end): the audio track comes second, as FFmpeg writes them."""
    return make_media(path, "mp4", video=Video(seconds=10), audio=Audio(seconds=1))


# -- duration: the movie's, not its first audio track's (review 9, F1) ---------


def test_a_video_with_a_short_audio_track_claims_the_movies_length(tmp_path: Path) -> None:
    clip = video_with_short_audio(tmp_path / "VID_0012.mp4")
    claims = media_claims(clip)
    assert seconds(claims) == pytest.approx(10.0, abs=0.01), claims
    assert seconds(claims) == pytest.approx(seconds(pyav_claims(clip)), abs=0.01)


def test_the_movie_headers_duration_is_the_claim(tmp_path: Path) -> None:
    """The claim is what ``mvhd`` states (docs/chain-of-custody.md), even where
    it disagrees with the tracks: here it says 7 s."""
    clip = video_with_short_audio(tmp_path / "edited.mp4")
    set_mvhd(clip, duration=7 * mvhd_timescale(clip))
    assert media_claims(clip)["duration_seconds"] == "7.000"


@pytest.mark.parametrize("duration", [0, 0xFFFF_FFFF], ids=["zero", "unknown"])
def test_without_a_movie_duration_the_longest_track_is_claimed(tmp_path: Path, duration: int) -> None:
    """A fragmented file's ``mvhd`` says 0 (or all ones: unknown): the longest
    track's own length stands in, not the first audio track's."""
    clip = set_mvhd(video_with_short_audio(tmp_path / "frag.mp4"), duration=duration)
    assert seconds(media_claims(clip)) == pytest.approx(10.0, abs=0.01)


@pytest.mark.parametrize(
    "flags", ["frag_keyframe+empty_moov", "frag_keyframe"], ids=["empty-moov", "first-in-moov"]
)
def test_a_fragmented_mp4_claims_only_the_length_its_mehd_states(tmp_path: Path, flags: str) -> None:
    """A fragmented MP4's ``mvhd`` and track headers count only what ``moov``
    holds (nothing, or the first fragment: here 1.2 of 2 s): no duration is
    claimed from them, only from a movie extends header (``mehd``)."""
    clip = make_media(tmp_path / "live.mp4", "mp4", video=Video(), audio=Audio(), options={"movflags": flags})
    claims = media_claims(clip)
    assert "duration_seconds" not in claims, claims
    assert (claims["width"], claims["height"]) == ("64", "48")
    add_mehd(clip, 2 * mvhd_timescale(clip))
    assert media_claims(clip)["duration_seconds"] == "2.000"


def test_an_mp4_without_a_movie_header_keeps_its_duration(tmp_path: Path) -> None:
    """No ``mvhd`` (renamed ``free``): no creation time, the longest track's
    length, and no "metadata not read" (it was a KeyError, review 9)."""
    clip = rename_box(video_with_short_audio(tmp_path / "nomvhd.mp4"), (b"moov", b"mvhd"), b"free")
    claims = media_claims(clip)
    assert set(claims) == {"duration_seconds", "width", "height"}, claims
    assert seconds(claims) == pytest.approx(10.0, abs=0.01)


def test_an_mp4_cut_before_its_movie_box_is_unreadable_but_taken(tmp_path: Path) -> None:
    whole = make_media(tmp_path / "whole.mp4", "mp4", video=Video())
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    claims = media_claims(cut)
    assert list(claims) == ["metadata"]
    assert claims["metadata"].startswith("metadata not read: unreadable file ("), claims


def test_a_file_libmagic_takes_for_mp4_without_a_movie_box_is_unreadable(tmp_path: Path) -> None:
    clip = rename_box(make_media(tmp_path / "a.mp4", "mp4", video=Video()), (b"moov",), b"free")
    assert media_claims(clip) == {"metadata": "metadata not read: unreadable file (NoMovieBox)"}


# -- frame size: the coded size, not the display size (F2) ----------------------


def test_the_frame_size_is_the_coded_size_not_the_display_size(tmp_path: Path) -> None:
    """Anamorphic video: the track header says 1024x576 on screen (16:9), the
    frames are 720x576. The claim is the coded size, as PyAV gave it."""
    clip = make_media(tmp_path / "pal.mp4", "mp4", video=Video(seconds=1, size=(720, 576)))
    set_tkhd_display_size(clip, b"vide", 1024, 576)
    claims = media_claims(clip)
    assert (claims["width"], claims["height"]) == ("720", "576"), claims
    reference = pyav_claims(clip)
    assert (claims["width"], claims["height"]) == (reference["width"], reference["height"])


def test_a_zero_display_size_does_not_lose_the_frame_size(tmp_path: Path) -> None:
    clip = set_tkhd_display_size(make_media(tmp_path / "a.mp4", "mp4", video=Video()), b"vide", 0, 0)
    claims = media_claims(clip)
    assert (claims["width"], claims["height"]) == ("64", "48"), claims


# -- creation time, read as FFmpeg reads it (F3) --------------------------------


@pytest.mark.parametrize(
    ("version", "stored", "claimed"),
    [
        # Version 1 counts from 1904, also before 1970.
        (1, 1_000_000, "1904-01-12T13:46:40.000000Z"),
        # Version 0: a value before 1970 counted from 1904 is taken as counted
        # from 1970 (some writers do).
        (0, 1_000_000, "1970-01-12T13:46:40.000000Z"),
        (1, MP4_EPOCH_OFFSET + 1_646_922_185, "2022-03-10T14:23:05.000000Z"),
        (0, MP4_EPOCH_OFFSET + 1_646_922_185, "2022-03-10T14:23:05.000000Z"),
        (1, MP4_EPOCH_OFFSET - 86_400 * 365, "1969-01-01T00:00:00.000000Z"),
        # A negative 64-bit value: none.
        (1, 0xFFFF_FFFF_FFFF_FFFF, None),
        (1, 0, None),
        (0, 0, None),
    ],
)
def test_creation_time_is_read_as_ffmpeg_reads_it(
    tmp_path: Path, version: int, stored: int, claimed: str | None
) -> None:
    clip = make_media(tmp_path / "ct.mp4", "mp4", video=Video(seconds=1))
    set_mvhd(clip, version=version, created=stored)
    assert media_claims(clip).get("creation_time") == claimed
    assert pyav_claims(clip).get("creation_time") == claimed


# -- which formats get which claims (F4; docs/chain-of-custody.md) -----------------

VIDEO_CLAIMS = {"duration_seconds", "width", "height"}
DURATION = {"duration_seconds"}
WMA = Audio(codec="wmav2", rate=44_100, bit_rate=64_000)
MPEG2_AND_MP2: dict[str, Video | Audio] = {
    "video": Video(codec="mpeg2video"),
    "audio": Audio(codec="mp2", rate=44_100),
}

FORMATS: list[tuple[str, str, dict[str, Video | Audio], str, set[str]]] = [
    # name, FFmpeg muxer, tracks, libmagic type, claims
    ("mp4", "mp4", {"video": Video(), "audio": Audio()}, "video/mp4", VIDEO_CLAIMS),
    ("mov", "mov", {"video": Video(), "audio": Audio()}, "video/quicktime", VIDEO_CLAIMS),
    ("m4a", "ipod", {"audio": Audio()}, "audio/x-m4a", DURATION),
    (
        "3gp",
        "3gp",
        {"video": Video(codec="h263", size=(176, 144)), "audio": Audio(codec="libopencore_amrnb", rate=8000)},
        "video/3gpp",
        VIDEO_CLAIMS,
    ),
    ("opus", "ogg", {"audio": Audio(codec="libopus")}, "audio/ogg", DURATION),
    (
        "vorbis",
        "ogg",
        {"audio": Audio(codec="vorbis", layout="stereo", experimental=True)},
        "audio/ogg",
        DURATION,
    ),
    ("ogg-flac", "ogg", {"audio": Audio(codec="flac")}, "audio/ogg", DURATION),
    ("wav", "wav", {"audio": Audio(codec="pcm_s16le")}, "audio/x-wav", DURATION),
    ("mp3", "mp3", {"audio": Audio(codec="libmp3lame", rate=44_100)}, "audio/mpeg", DURATION),
    ("flac", "flac", {"audio": Audio(codec="flac")}, "audio/flac", DURATION),
    ("aiff", "aiff", {"audio": Audio(codec="pcm_s16be")}, "audio/x-aiff", DURATION),
    ("wma", "asf", {"audio": WMA}, "video/x-ms-asf", DURATION),
    ("wmv", "asf", {"video": Video(codec="wmv2"), "audio": WMA}, "video/x-ms-asf", DURATION),
    ("aac", "adts", {"audio": Audio()}, "audio/x-hx-aac-adts", DURATION),
    ("ac3", "ac3", {"audio": Audio(codec="ac3")}, "audio/vnd.dolby.dd-raw", DURATION),
    # None: mutagen has no reader for these (and took MPEG-PS for an MP3).
    ("mkv", "matroska", {"video": Video(), "audio": Audio()}, "video/x-matroska", set()),
    ("webm", "webm", {"video": Video(codec="libvpx"), "audio": Audio(codec="libopus")}, "video/webm", set()),
    ("avi", "avi", {"video": Video(), "audio": Audio(codec="mp3", rate=44_100)}, "video/x-msvideo", set()),
    ("mpg", "mpeg", MPEG2_AND_MP2, "video/mpeg", set()),
    (
        "flv",
        "flv",
        {"video": Video(codec="flv"), "audio": Audio(codec="libmp3lame", rate=44_100)},
        "video/x-flv",
        set(),
    ),
    ("amr", "amr", {"audio": Audio(codec="libopencore_amrnb", rate=8000)}, "audio/amr", set()),
    ("dv", "dv", {"video": Video(codec="dvvideo", size=(720, 576))}, "video/x-dv", set()),
]


@pytest.mark.parametrize(
    ("name", "muxer", "tracks", "mime", "claimed"), FORMATS, ids=[format_[0] for format_ in FORMATS]
)
def test_which_formats_get_which_claims(
    tmp_path: Path, name: str, muxer: str, tracks: dict[str, Video | Audio], mime: str, claimed: set[str]
) -> None:
    """The list in docs/chain-of-custody.md, pinned for every format PyAV can
    write here. A format without claims is taken in quietly (no "metadata not
    read": nothing went wrong), and a duration is about the 2 s written."""
    video, audio = tracks.get("video"), tracks.get("audio")
    assert video is None or isinstance(video, Video)
    assert audio is None or isinstance(audio, Audio)
    sample = make_media(tmp_path / f"sample.{name}", muxer, video=video, audio=audio)
    found_mime, claims = examine_file(sample)
    claims = {key: value for key, value in claims.items() if not key.startswith("c2pa_")}
    assert found_mime == mime
    assert set(claims) == claimed, claims
    if "duration_seconds" in claimed:
        assert seconds(claims) == pytest.approx(2.0, abs=0.1), claims
    if "width" in claimed:
        assert video is not None
        assert (claims["width"], claims["height"]) == (str(video.size[0]), str(video.size[1]))


def test_an_old_quicktime_file_without_ftyp_keeps_its_claims(tmp_path: Path) -> None:
    """mutagen's own guess needs ``ftyp`` in the first bytes; libmagic still
    knows the file as QuickTime, and that picks the MP4 reader."""
    faststart = {"movflags": "faststart"}
    clip = drop_ftyp(make_media(tmp_path / "old.mov", "mov", video=Video(), audio=Audio(), options=faststart))
    mime, claims = examine_file(clip)
    assert mime == "video/quicktime"
    assert {key: claims[key] for key in ("width", "height")} == {"width": "64", "height": "48"}
    assert seconds(claims) == pytest.approx(2.0, abs=0.1)
