"""A Stop reaches an export that waits for the bundle numbers (review 18 R4).

A split history hand-over holds this vault's bundle numbers across all its
parts (sync/bundle/numbering.py, review 17 F5). An export on another lane
waits for them; before, it waited for the whole hand-over even after the
user pressed Stop (its cancel was looked at only once it held the numbers).
Now it waits in short slices and a Stop ends the wait. Real vaults, the
hand-over on its own thread held at part 2."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from db.api import CancelToken
from sync.bundle import hand_over as hand_over_module
from sync.bundle.hand_over import HandedOver, hand_over
from sync.bundle.vault_io import BundleCancelled, export_bundle
from sync.org_vault import held_profile
from tests.factory import make_case
from tests.sync.desk_world import UsbDesks, assert_verified


def test_a_stopped_export_does_not_wait_for_the_hand_over_holding_the_numbers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    desks = UsbDesks(tmp_path)
    try:
        kyiv = desks.kyiv
        for n in range(8):
            make_case(kyiv, title=f"case {n}")
        monkeypatch.setattr(hand_over_module, "MAX_PART_LINES", 2)
        at_part_two, go_on = threading.Event(), threading.Event()

        def hold_at_part_two(number: int, _of: int) -> None:
            if number == 2:
                at_part_two.set()
                assert go_on.wait(60)

        stick, usb = tmp_path / "stick", tmp_path / "stopped-export"
        stick.mkdir()
        usb.mkdir()
        handed: list[HandedOver] = []
        maker = threading.Thread(
            target=lambda: handed.append(
                hand_over(kyiv, stick, desks.lviv.device_id, on_part=hold_at_part_two)
            )
        )
        maker.start()
        try:
            assert at_part_two.wait(60)
            profile = held_profile(kyiv)
            assert profile is not None
            stop = CancelToken()
            stop.cancel()  # the user pressed Stop on the export lane
            outcome: list[str] = []

            def export() -> None:
                try:
                    export_bundle(
                        kyiv,
                        usb,
                        [c.age_recipient for c in profile.coordinators],
                        profile.org_id,
                        profile.version,
                        cancel=stop,
                    )
                    outcome.append("exported")
                except BundleCancelled:
                    outcome.append("cancelled")

            waiter = threading.Thread(target=export)
            waiter.start()
            waiter.join(10)  # before: alive until the hand-over ended
            assert not waiter.is_alive() and outcome == ["cancelled"]
            assert maker.is_alive()  # the hand-over still held at part 2 meanwhile
        finally:
            go_on.set()
            maker.join(60)
        assert list(usb.iterdir()) == []  # the stopped export left nothing
        (whole,) = handed
        numbers = [p.sequence for p in whole.parts]
        assert len(numbers) >= 3 and numbers == list(range(numbers[0], numbers[0] + len(numbers)))
        # Nothing recorded by the stopped export: the next one follows the last part.
        assert desks.org.export(kyiv).sequence == numbers[-1] + 1
        for part in whole.parts:
            desks.to_lviv(part.path)
        assert_verified(desks.lviv)
    finally:
        desks.close()
