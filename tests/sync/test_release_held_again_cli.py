"""``fieldvault bundle import`` and ``fieldvault sync`` say a held bundle
that its release held in quarantine again as what it is (review 32 L3),
not as a release failure of this computer.

A held bundle's release reads its device as verified (``releasable``), and
by the time its import takes the write lock the device's admission has
changed: the coordinator desk whose vouch admitted it was removed from the
organisation, so the import holds it in quarantine again (BundleQuarantined;
sync/bundle/quarantine.py ReleaseFailure.held_again, not counted since
6d4a2b7). Before, both commands printed it as "release failed 1 time(s)
(bundle-…)", "on this computer", and bundle import's summary said its
"import failed on this computer". Now they say it is held in quarantine
again, the code, that nothing was stored and the file is kept, and what to
do: compare the verification code, then ``fieldvault bundle approve``.

Real vaults; the change of admission is real too
(tests/sync/test_release_failures.py HeldAgain: the desk takes the profile
without the vouching desk when the release's import asks for its write
lock). The commands run in this process (``run_cli``) so that the window
can be staged; ``release_held`` is wrapped only to learn which vault object
the command opened (it runs unchanged), and the window armed from there.
The USB path (``bundle import``) is the same scene with the worker's bundle
held from a stick (``held_by_usb``), as ``bundle import`` releases only the
bundles a USB import left."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from db.api import Vault
from sync import org_vault
from sync.bundle import quarantine
from sync.bundle.quarantine import held_states, import_refusals, release_failures
from sync.client import pull as pull_module
from tests.sync.client.sync_helpers import Org
from tests.sync.desk_world import UsbDesks, export_by_usb, odesa_adds_x_by_card
from tests.sync.desk_world import usb_desks as desks
from tests.sync.test_hand_over_parts_cli import _fieldvault
from tests.sync.test_release_failures import HeldAgain, odesas_vouch_then_removed
from tests.sync.test_release_failures import org as org
from tests.vault_helpers import open_vault

__all__ = ["desks", "org"]  # the fixtures, used by name below

# What the commands said of it before (a release failure of this computer).
BEFORE = ("release failed", "time(s)", "failed on this computer", "its device now vouched for")


def held_by_usb(desks: UsbDesks) -> HeldAgain:
    """HeldAgain's scene on the USB path: Kyiv adds the Odesa desk, field
    worker X joins with the profile alone and Odesa adds X by its card
    (desk_world.odesa_adds_x_by_card); X's first bundle is held at Lviv
    from a stick of its own (no desk Lviv trusts knows X); Odesa writes its
    bundle, vouching for X, which Lviv has not taken; Kyiv signs a profile
    without Odesa, which Lviv has not taken either."""
    odesa, x = odesa_adds_x_by_card(desks)
    made = desks.org.export(x.vault)
    stick = desks.tmp_path / "stick-x"
    stick.mkdir()
    copy = stick / made.path.name
    shutil.copyfile(made.path, copy)
    desks.hold_at_lviv(copy)
    vouching, _profile = export_by_usb(odesa, desks.tmp_path / "odesa-usb")
    removed = org_vault.remove_coordinator(desks.kyiv, odesa.device_id).signed
    return HeldAgain(desks.lviv, made.bundle_id, x.vault, vouching.path, removed)


def lapse_when_released(monkeypatch: pytest.MonkeyPatch, scene: HeldAgain, module: ModuleType) -> list[Vault]:
    """``scene.lapse_at_the_release`` armed when ``release_held`` (as
    ``module`` calls it) is called, on the vault it is given: the command's
    own, or the dialog's. The release itself runs unchanged; its import is
    the first to ask for the write lock after that. Returns the vaults it
    was given (one: it ran)."""
    real = module.release_held
    given: list[Vault] = []

    def release_held(vault: Vault, *args: Any, **kwargs: Any) -> Any:
        if not given:
            given.append(vault)
            scene.lapse_at_the_release(monkeypatch, lambda: vault)
        return real(vault, *args, **kwargs)

    monkeypatch.setattr(module, "release_held", release_held)
    return given


def _assert_held_again(folder: Path, scene: HeldAgain) -> None:
    """The vault in ``folder`` holds the bundle again, as at first: not
    counted, not refused, awaiting its verification code, nothing stored."""
    vault = open_vault(folder)
    try:
        assert release_failures(vault) == {}
        assert import_refusals(vault) == {}
        [state] = held_states(vault)
        assert (state.held.bundle_id, state.state) == (scene.bundle_id, "awaiting-verification")
        assert vault.sync.received_bundle(scene.bundle_id) is None
    finally:
        vault.lock()


def _says_held_again(said: str, scene: HeldAgain) -> None:
    assert "NOT IMPORTED, held in quarantine again (" in said, said
    assert "by the time its import began, its device was no longer verified on this computer" in said, said
    assert "Nothing of it was stored, it was not refused, and its file is kept." in said, said
    assert (
        "phone the worker, compare the verification code, then "
        f"'fieldvault bundle approve {scene.bundle_id} --code CODE'"
    ) in said, said
    for before in BEFORE:
        assert before not in said, (before, said)


def test_bundle_import_says_a_bundle_its_release_held_again_is_held_why_and_what_to_do(
    desks: UsbDesks, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    scene = held_by_usb(desks)
    [held] = desks.lviv.sync.held_bundles()
    copy = Path(held.path)
    folder = desks.lviv.folder
    desks.lviv.lock()
    given = lapse_when_released(monkeypatch, scene, quarantine)

    assert _fieldvault(folder, "bundle", "import", str(scene.vouching)) == 1  # not all imported
    printed = capsys.readouterr()
    assert given, "the import of Odesa's bundle did not release X's"
    # Odesa's bundle imported, X's held again: one line of it, and the summary.
    lines = [line for line in printed.out.splitlines() if scene.bundle_id in line]
    assert len(lines) == 1, printed.out
    [line] = lines
    assert line.startswith(f"{copy} (bundle {scene.bundle_id}): "), line
    _says_held_again(line, scene)
    assert "held in quarantine again (bundle-quarantined)" in line, line  # X's device unknown here again
    assert printed.err.strip() == (
        "fieldvault: 1 held bundle(s) not imported, held in quarantine again (what to do above); "
        "the others were imported."
    ), printed.err
    assert copy.is_file()
    _assert_held_again(folder, scene)


def test_fieldvault_sync_says_a_bundle_its_release_held_again_is_held_why_and_what_to_do(
    org: Org, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    scene = odesas_vouch_then_removed(org, tmp_path)
    [held] = scene.lviv.sync.held_bundles()
    copy = Path(held.path)
    folder = scene.lviv.folder
    scene.lviv.lock()
    given = lapse_when_released(monkeypatch, scene, pull_module)

    assert _fieldvault(folder, "sync") == 0
    said = capsys.readouterr().out
    assert given, "the pull did not release Anna's bundle"
    assert ", 1 held bundle(s) held in quarantine again by their release, not refused." in said, said
    assert "held whose import failed on this computer" not in said, said
    _says_held_again(said.split(f"Bundle {scene.bundle_id}: ", 1)[1], scene)
    assert "(bundle-token-unknown)" in said, said  # Anna's token is Kyiv's: unknown here
    assert copy.is_file(), "the only copy this desk had of a sound bundle was deleted"
    _assert_held_again(folder, scene)
