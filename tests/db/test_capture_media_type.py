"""The media type an intake stores is one in RFC 6838's form, or none: the
metadata child names it, and a child a hostile file took over can write
anything there and still exit as if all went well (db/capture.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from db.vault import Vault
from tests.evidence_samples import make_jpeg
from tests.factory import make_case
from tests.sandbox_helpers import stand_in_child

CANARY = "CANARY-MEDIA-TYPE-4d1f"


@pytest.mark.parametrize(
    "named",
    [
        f"image/jpeg; {CANARY}",
        f"image/{CANARY} x",
        "image/" + "j" * 200 + CANARY,
        f"{CANARY}\nimage/jpeg",
        f"image/jpeg\n{CANARY}",
        f"{CANARY}",
        "",
    ],
)
def test_a_type_not_in_media_type_form_is_not_stored_nor_are_the_claims(
    vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, named: str
) -> None:
    stand_in_child(monkeypatch, "examine", [{"mime": named}, {"claims": {"camera": CANARY}}])
    source = make_jpeg(tmp_path / "photo.jpg")
    item = vault.evidence.ingest(source, make_case(vault).id).item
    assert item.mime_type == "application/octet-stream"
    assert item.claimed["metadata"].startswith("metadata not read")
    assert CANARY not in json.dumps(item.claimed)
    with vault.evidence.open(item.id) as reader:
        assert reader.read() == source.read_bytes()


@pytest.mark.parametrize(
    "named",
    [
        "image/jpeg",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "inode/x-empty",
        "application/CDFV2",
    ],
)
def test_a_type_in_media_type_form_is_stored_as_named(
    vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, named: str
) -> None:
    stand_in_child(monkeypatch, "examine", [{"mime": named}, {"claims": {"camera": "Fixed"}}])
    item = vault.evidence.ingest(make_jpeg(tmp_path / "photo.jpg"), make_case(vault).id).item
    assert item.mime_type == named
    assert item.claimed["camera"] == "Fixed"
