"""A child that a hostile file took over (the case the parser sandbox exists
for) writes what it likes on its stdout, the words of the file included.
What it gives as its reason for not answering is stored in the item's
claims and logged: only the fixed phrases a child gives, or
``unreadable file (<type name>)``, may pass, and a log line carries the
phrase alone. The child here is a real process that answers as a taken-over
one would (the real worker cannot be made to, short of an exploit)."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import pytest

from db import sandbox
from db.capture import examine_file
from db.sandbox import BAD_OUTPUT, child_reason, loggable_reason

WITNESS_WORDS = "Olena Petrenko, 14 Sumska St, Kharkiv"


def _hostile_child(monkeypatch: pytest.MonkeyPatch, answer: dict[str, object]) -> None:
    """Every sandbox child of this test prints ``answer`` as its only line
    (spawned: a zygote's children run the real worker)."""
    monkeypatch.setenv(sandbox.SPAWN_SWITCH, "1")
    line = json.dumps(answer)
    script = f"import sys; sys.stdin.buffer.read(); print({line!r})"
    monkeypatch.setattr(sandbox, "worker_command", lambda _task, *_options: [sys.executable, "-c", script])


def test_a_taken_over_child_cannot_put_the_files_words_in_the_log_or_the_claims(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 64)
    _hostile_child(monkeypatch, {"mime": "image/jpeg", "error": WITNESS_WORDS})
    with caplog.at_level(logging.DEBUG):
        _mime, claims = examine_file(photo)
    assert "Olena" not in caplog.text and "Sumska" not in caplog.text
    assert caplog.text  # the failure is still logged, in our words
    assert all("Olena" not in value for value in claims.values())
    assert BAD_OUTPUT in claims["metadata"]
    assert claims.get("c2pa_reason") == BAD_OUTPUT  # the C2PA child said the same


def test_a_taken_over_child_cannot_put_words_in_the_logged_type(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 64)
    _hostile_child(monkeypatch, {"mime": "text/olena-petrenko-sumska-14", "error": "too large"})
    with caplog.at_level(logging.DEBUG):
        examine_file(photo)
    assert "olena" not in caplog.text.lower()
    assert "a text file: too large" in caplog.text


def test_the_reasons_children_really_give_pass_and_type_names_stay_out_of_logs() -> None:
    for phrase in ("timed out", "too much memory", "password protected", "not a readable PDF"):
        assert child_reason(phrase) == phrase == loggable_reason(phrase)
    assert (
        child_reason("unreadable file (UnidentifiedImageError)") == "unreadable file (UnidentifiedImageError)"
    )
    assert loggable_reason("unreadable file (UnidentifiedImageError)") == "unreadable file"
    for forged in (
        f"unreadable file ({WITNESS_WORDS})",
        "timed out\nOlena Petrenko",
        "unreadable file (Olena Petrenko)",
        42,
        None,
    ):
        assert child_reason(forged) == BAD_OUTPUT
