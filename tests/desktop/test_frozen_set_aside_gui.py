"""Coordinator → Devices…, the frozen records' summary: records whose edits
a coordinator here set aside by hand are said to be so, not counted among
those "whose revoked signer this vault does not know" (issue 14, session 11;
closing note 10). The signer here is not revoked at all: field worker X,
whose vouch lapsed when Odesa was removed (tests/sync/test_vouch_lapse_kept_aside.py);
Lviv kept X's later case aside and then set it aside for good.
Real vaults and signed bundles by USB; English and Ukrainian."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from db.api import set_aside_parked
from desktop.frozen_records_view import FrozenSummary, read_frozen
from sync.merge.frozen_records import frozen_records, revoked_devices
from tests.gui_helpers import in_ukrainian, screenshot
from tests.sync.desk_world import UsbDesks, usb_desks
from tests.sync.test_vouch_lapse_kept_aside import _kept_aside_at_lviv

desks = usb_desks  # the fixture
__all__ = ["desks"]
SET_ASIDE = (
    "1 record(s) with edits a coordinator here set aside by hand: kept as left out, never stored here, "
    "whoever signed them."
)


@pytest.fixture
def ukrainian(tmp_path: Path) -> Iterator[None]:
    with in_ukrainian(tmp_path / "translations"):
        yield


def _summary_after_setting_x_aside(qtbot: QtBot, desks: UsbDesks) -> FrozenSummary:
    world = _kept_aside_at_lviv(desks)
    x_id = world.x.vault.device_id
    assert set_aside_parked(desks.lviv, signer=x_id).set_aside
    assert x_id not in revoked_devices(desks.lviv)  # nobody revoked X
    [record] = frozen_records(desks.lviv).records
    assert record.left_out == record.set_aside >= 1 and record.revoked_devices == ()
    assert record.to_json()["set_aside"] == record.set_aside
    summary = FrozenSummary()
    qtbot.addWidget(summary)
    summary.show_read(read_frozen(desks.lviv))
    summary.resize(900, summary.sizeHint().height())
    return summary


def test_records_set_aside_by_hand_are_not_blamed_on_an_unknown_revoked_signer(
    qtbot: QtBot, desks: UsbDesks
) -> None:
    summary = _summary_after_setting_x_aside(qtbot, desks)
    said = summary.text.text()
    assert SET_ASIDE in said.split("\n"), said
    assert "revoked signer" not in said  # before: '... whose revoked signer this vault does not know.'
    assert "no revoked device" not in said
    screenshot(summary, "coordinator-frozen-set-aside.png")


def test_it_is_said_in_ukrainian(qtbot: QtBot, desks: UsbDesks, ukrainian: None) -> None:
    summary = _summary_after_setting_x_aside(qtbot, desks)
    said = summary.text.text()
    assert "відклав убік вручну" in said and "set aside" not in said, said
    screenshot(summary, "coordinator-frozen-set-aside-uk.png")
