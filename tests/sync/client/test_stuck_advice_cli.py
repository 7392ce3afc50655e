"""What `fieldvault sync` tells a coordinator to do about a bundle stuck on
the server (fieldvault/sync_cli.py ``_warn_stuck``): the advice must match
what already happened, so a worker is not asked again for the USB bundle it
brought (review 18 R2), and a desk holding the work is named (review 17 F2)."""

from __future__ import annotations

import pytest

from fieldvault.sync_cli import _warn_stuck
from sync.client.pull import PullResult, StuckBundle

DEVICE = "a" * 32
DESK = "b" * 32
OTHER_DESK = "c" * 32


def _advice(capsys: pytest.CaptureFixture[str], **stuck: object) -> str:
    bundle = StuckBundle(
        bundle_id="d" * 64,
        device_id=DEVICE,
        sequence=2,
        code="sync-download-mismatch",
        attempts=3,
        first_ms=1_700_000_000_000,
        last_ms=1_700_000_600_000,
        next_ms=1_700_001_200_000,
        **stuck,  # type: ignore[arg-type]
    )
    _warn_stuck(PullResult(stuck=[bundle]), DESK)
    return capsys.readouterr().err


def test_with_nothing_later_here_the_worker_is_asked_for_its_usb_bundle(
    capsys: pytest.CaptureFixture[str],
) -> None:
    advice = _advice(capsys)
    assert "bring its work by USB" in advice
    assert f"device {DEVICE}" in advice


@pytest.mark.parametrize(
    ("why", "said"),
    [
        ("parked", "wait here for a parent"),
        ("acknowledged-elsewhere", "another key acknowledged it"),
        ("other-desks", "another coordinator desk may have acknowledged it"),
        ("no-answer", "the server did not say"),
    ],
)
def test_once_a_later_bundle_arrived_the_usb_bundle_is_not_asked_for_again(
    capsys: pytest.CaptureFixture[str], why: str, said: str
) -> None:
    advice = _advice(capsys, later=4, open_because=why)
    assert "bring its work by USB" not in advice
    assert said in advice
    assert "operator repair the stored copy" in advice


def test_a_desk_that_holds_its_work_is_named_with_its_hand_over(capsys: pytest.CaptureFixture[str]) -> None:
    advice = _advice(capsys, later=4, held_by=((OTHER_DESK, "Lviv"),), open_because="other-desks")
    assert f"Lviv ({OTHER_DESK})" in advice
    assert f"org hand-over --to-device {DESK}" in advice
    assert "bring its work by USB" not in advice
