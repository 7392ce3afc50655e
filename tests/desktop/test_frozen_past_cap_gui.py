"""Coordinator → Devices…: records whose edits were left out because a
signer's parked slots were full are said to be so, not a revocation's doing
(issue 14; db/past_cap_lineage.py, desktop/frozen_records_view.py). Before,
they counted as "left out here whose revoked signer this vault does not
know". A real vault whose parked slots for one signer are full (PARKED_CAP
patched to 3, tests/db/test_parked_cap_desks.py); English and Ukrainian."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from db.vault import Vault
from desktop.frozen_records_view import FrozenRecordsDialog, FrozenSummary, read_frozen
from tests.db.test_parked_cap_desks import FULL, _flood, _read, _vault
from tests.db.test_past_cap_lineage import _chain
from tests.gui_helpers import in_ukrainian, screenshot


@pytest.fixture
def ukrainian(tmp_path: Path) -> Iterator[None]:
    with in_ukrainian(tmp_path / "translations"):
        yield


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Vault]:
    """S's edit past the cap, T's edit of it left out below it."""
    vault = _vault(tmp_path / "a")
    _created, edit, edit_of_edit, _third = _chain()
    _read(vault, FULL, _flood(), monkeypatch)
    _read(vault, FULL, [edit, edit_of_edit], monkeypatch)
    try:
        yield vault
    finally:
        vault.lock()


def _shown(qtbot: QtBot, desk: Vault) -> tuple[FrozenSummary, FrozenRecordsDialog]:
    summary = FrozenSummary()
    qtbot.addWidget(summary)
    read = read_frozen(desk)
    summary.show_read(read)
    summary.resize(900, summary.sizeHint().height())
    listed = FrozenRecordsDialog(read)
    qtbot.addWidget(listed)
    return summary, listed


def test_the_devices_view_gives_the_parked_slots_as_the_reason(qtbot: QtBot, desk: Vault) -> None:
    summary, listed = _shown(qtbot, desk)
    said = summary.text.text()
    assert (
        "1 record(s) with edits left out here because the signer's parked slots were full, not because "
        "of a revocation"
    ) in said
    assert "whose revoked signer this vault does not know" not in said  # before: this
    [row] = listed.row_texts()
    assert row[listed.DEVICE_COLUMN] == "" and row[listed.LEFT_COLUMN] == "2 (parked slots full)"
    screenshot(summary, "coordinator-frozen-past-cap.png")
    listed.show()
    screenshot(listed, "coordinator-frozen-records-past-cap.png")


def test_the_parked_slots_reason_in_ukrainian(qtbot: QtBot, desk: Vault, ukrainian: None) -> None:
    summary, listed = _shown(qtbot, desk)
    assert "бо місця для відкладених змін підписанта заповнені" in summary.text.text()
    [row] = listed.row_texts()
    assert row[listed.LEFT_COLUMN] == "2 (місця для відкладених змін заповнені)"
    screenshot(summary, "coordinator-frozen-past-cap-uk.png")
    listed.show()
    screenshot(listed, "coordinator-frozen-records-past-cap-uk.png")
