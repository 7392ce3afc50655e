"""Coordinator → Devices… at a desk that took only part 1 of another desk's
split history hand-over (review 18 R1; the scene of
tests/sync/test_hand_over_parts_incomplete.py: Odesa's series, the rest
withheld). The worker's bundle held there waits for that hand-over, not for
its code: the row said "held until its verification code is compared", and
approving by code held it again. Now the details name the maker desk (by
its label, its id after it) and the part taken, and what ends the wait, in
English and Ukrainian."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

import tests.sync.test_hand_over_parts_incomplete as incomplete
from sync.bundle.quarantine import held_states
from tests.desktop.bundle_dialog_helpers import shown_devices
from tests.gui_helpers import all_texts, in_ukrainian, screenshot
from tests.sync.test_hand_over_parts_incomplete import Withheld

withheld = incomplete.withheld  # the fixture, under the name the tests ask for


@pytest.fixture
def ukrainian(tmp_path: Path) -> Iterator[None]:
    with in_ukrainian(tmp_path / "qm"):
        yield


def test_the_devices_view_names_the_hand_over_a_held_bundle_waits_for(
    qtbot: QtBot, withheld: Withheld
) -> None:
    w = withheld
    device_id = w.worker.vault.device_id
    w.desks.hold_at_lviv(w.first.path)
    [state] = held_states(w.desks.lviv)
    assert state.state == "awaiting-hand-over" and state.awaited is not None
    assert (state.awaited.maker, state.awaited.part, state.awaited.of) == (w.odesa.device_id, 1, w.parts)

    devices = shown_devices(qtbot, w.desks.lviv)
    devices.choose(device_id)
    warnings = devices.full_warnings(device_id)
    assert (
        f"Bundle 1 is held until this desk has the rest of the history hand-over from coordinator desk "
        f"Odesa desk ({w.odesa.device_id}) (part 1 of {w.parts} imported here), or any complete "
        "hand-over, or until that desk is revoked. To take it now, compare its verification code with "
        "the worker, then approve it."
    ) in warnings, warnings
    assert not any("until its verification code is compared" in text for text in warnings), warnings
    screenshot(devices, "coordinator-devices-held-hand-over-incomplete.png")


def test_the_devices_view_names_the_hand_over_in_ukrainian(
    qtbot: QtBot, withheld: Withheld, ukrainian: None
) -> None:
    w = withheld
    device_id = w.worker.vault.device_id
    w.desks.hold_at_lviv(w.first.path)
    devices = shown_devices(qtbot, w.desks.lviv)
    devices.choose(device_id)
    warnings = devices.full_warnings(device_id)
    assert any(f"Odesa desk ({w.odesa.device_id})" in text and "Пакет 1" in text for text in warnings), (
        warnings
    )
    assert not any("history hand-over" in text for text in warnings) and "Пристрої" in all_texts(devices)
    screenshot(devices, "coordinator-devices-held-hand-over-incomplete-uk.png")
