"""The "no photos" consent condition and a photo whose type is not known
(sync/exports/consent.py ``may_be_a_picture``).

Intake stores a file whose metadata reader timed out or crashed as
application/octet-stream, whatever it is (db/capture.py: a failed run's
answer is not used). "No photos" went by the stored type alone, image/ or
video/, so such a photo of the witness went out in an export the witness
had asked to keep photos out of. Here the intake's reader really hangs (a
stand-in for the spawned metadata child, as tests/db/test_sandbox.py
does) on a real JPEG. A file whose type was read and is not known (the
sample's binary recording) is still exported: test_export_consent.py."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from db import capture, sandbox
from db.api import Consent
from db.sandbox import Limits
from sync.exports.bag import export_bag
from tests.evidence_samples import make_jpeg
from tests.sync.exports.samples import SampleCase


def _reader_hangs(monkeypatch: pytest.MonkeyPatch, marker: Path) -> None:
    """The intake's metadata child (spawned) marks that it runs, then
    hangs until it is killed at its wall time."""
    monkeypatch.setenv(sandbox.SPAWN_SWITCH, "1")
    script = f"import time\nopen({str(marker)!r}, 'w').close()\ntime.sleep(120)\n"
    real = sandbox.worker_command

    def command(task: str, *options: str) -> list[str]:
        return [sys.executable, "-c", script] if task == "examine" else real(task, *options)

    monkeypatch.setattr(sandbox, "worker_command", command)
    # 3 s: room for the child to start under load (checked by the marker)
    monkeypatch.setattr(capture, "INTAKE_LIMITS", Limits(wall_seconds=3.0))


def test_no_photos_withholds_a_photo_whose_reader_failed_at_intake(
    sample_case: SampleCase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault, case = sample_case.vault, sample_case.case_id
    testimony = vault.testimonies.list(case)[0]
    _photo, recording = sample_case.item_ids
    marker = tmp_path / "reading"
    _reader_hangs(monkeypatch, marker)
    source = make_jpeg(tmp_path / "witness.jpg", latitude=48.5, longitude=35.0)  # not the sample's photo
    photo = vault.evidence.ingest(source, case).item
    monkeypatch.undo()
    assert marker.exists(), "the reader never ran: the test proves nothing"
    assert photo.mime_type == "application/octet-stream"
    assert photo.claimed == {"metadata": "metadata not read: timed out"}
    for item in (photo.id, recording):
        vault.evidence_links.link(item, testimony.id)
    vault.consents.record(
        Consent(case_id=case, testimony_id=testimony.id, scopes=["prosecution"], no_photos=True)
    )
    bag = export_bag(vault, case, tmp_path / "bag", purpose="prosecution").path
    evidence = bag / "data" / "evidence"
    assert not (evidence / photo.id).exists() and (evidence / recording).is_dir()
    manifest = json.loads((bag / "data" / "export-manifest.json").read_text(encoding="utf-8"))
    assert {"type": "evidence", "id": photo.id, "reason": "consent-no-photos"} in manifest["withheld"]
    assert recording in [e["id"] for e in manifest["evidence"]]
