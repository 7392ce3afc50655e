"""Join an organisation in the GUI (desktop/org_join.py, issue 11): the real
dialog on a real worker vault, a real coordinator vault on the other side.
The fingerprint is typed; a profile signed by another key is refused in the
user's language with nothing stored; the verification code shown is the one
the coordinator's side computes for the card the dialog shows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PySide6.QtCore import QLocale, Qt
from pytestqt.qtbot import QtBot

from db.api import Vault
from db.keyring_store import NoKeyring
from desktop.i18n import install_translators, remove_translators
from desktop.org_join import Membership, OrgJoinDialog
from desktop.window import FieldvaultWindow
from sync import org, org_vault
from tests.gui_helpers import TS_FILE, compile_qm, screenshot, show, type_text, unlocked_window
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE

WAIT_MS = 15_000
ORG_NAME = "Kharkiv documentation group"


def _vault(folder: Path) -> Vault:
    return Vault.create(folder, PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault


@pytest.fixture
def coordinator(tmp_path: Path) -> Iterator[Vault]:
    vault = _vault(tmp_path / "coordinator")
    org_vault.create_organisation(vault, ORG_NAME, label="Kyiv desk")
    yield vault
    vault.lock()


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[Vault]:
    vault = _vault(tmp_path / "worker")
    yield vault
    vault.lock()


@pytest.fixture
def profile_file(coordinator: Vault, tmp_path: Path) -> Path:
    path = tmp_path / "usb" / "org-profile-v1.fvorg"
    path.parent.mkdir()
    path.write_bytes(org_vault.current_signed(coordinator).signed)
    return path


def _dialog(qtbot: QtBot, vault: Vault) -> OrgJoinDialog:
    dialog = OrgJoinDialog(vault, choose_file=lambda _parent: "")
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _join(qtbot: QtBot, dialog: OrgJoinDialog, fingerprint: str) -> None:
    form = dialog.form
    type_text(qtbot, form.fingerprint, fingerprint)
    qtbot.mouseClick(form.join_button, Qt.MouseButton.LeftButton)
    assert not form.join_button.isEnabled()  # on the runner
    qtbot.waitUntil(form.join_button.isEnabled, timeout=WAIT_MS)


def test_join_with_the_right_fingerprint_shows_the_code_the_coordinator_computes(
    qtbot: QtBot, worker: Vault, coordinator: Vault, profile_file: Path
) -> None:
    dialog = _dialog(qtbot, worker)
    form = dialog.form
    assert not form.result_box.isVisible() and form.result is None
    chosen: list[int] = []

    def choose_file(_parent: object) -> str:  # the file dialog's answer
        chosen.append(1)
        return str(profile_file)

    form._choose_file = choose_file
    qtbot.mouseClick(form.choose_button, Qt.MouseButton.LeftButton)
    assert chosen and form.profile_field.text() == str(profile_file)
    # As read out by phone: lower case, spaces for dashes.
    fingerprint = org_vault.status(coordinator).fingerprint
    screenshot(dialog, "org-join.png")
    with qtbot.waitSignal(form.joined, timeout=WAIT_MS) as joined:
        type_text(qtbot, form.fingerprint, fingerprint.lower().replace("-", " "))
        qtbot.mouseClick(form.join_button, Qt.MouseButton.LeftButton)
        assert not form.join_button.isEnabled()  # the work is on the runner, not here
    result = joined.args[0]
    assert isinstance(result, Membership)

    held = org_vault.held_profile(worker)
    assert held is not None and held.org_id == org_vault.status(coordinator).profile.org_id
    assert form.result_box.isVisible() and ORG_NAME in form.result_heading.text()
    assert "still has to add this device" in form.enrolment_status.text()
    # The coordinator adds the card the dialog shows and reads its code: the same.
    device = org_vault.add_device(coordinator, form.card_field.text())
    assert device.device_id == worker.device_id
    coordinator_code = org.verification_code(org_vault.status(coordinator).profile.org_key, device.public_key)
    assert form.code_label.text() == coordinator_code == org_vault.status(worker).verification_code
    assert form.code_label.font().pointSizeF() > dialog.font().pointSizeF() * 1.5  # large, to read out
    screenshot(dialog, "org-joined.png")


def test_a_profile_signed_by_another_key_is_refused_in_ukrainian_and_nothing_changes(
    qtbot: QtBot, qapp: object, worker: Vault, profile_file: Path, tmp_path: Path
) -> None:
    other = org.fingerprint(org.public_bytes(Ed25519PrivateKey.generate()))
    compile_qm(TS_FILE, tmp_path / "fieldvault_uk.qm")
    assert install_translators(qapp, QLocale("uk"), tmp_path)  # type: ignore[arg-type]
    try:
        dialog = _dialog(qtbot, worker)
        form = dialog.form
        type_text(qtbot, form.profile_field, str(profile_file))
        _join(qtbot, dialog, other)
        shown = form.status.text()
        assert other in shown and "підроблен" in shown.lower(), shown  # "forged", in Ukrainian
        assert "forged" not in shown
        screenshot(dialog, "org-join-refused-uk.png")
    finally:
        remove_translators(qapp)  # type: ignore[arg-type]
    assert not form.result_box.isVisible()
    assert org_vault.held_profile(worker) is None and worker.sync.devices() == []


def test_the_qr_codes_text_with_its_token_joins_and_a_forged_one_does_not(
    qtbot: QtBot, worker: Vault, coordinator: Vault, tmp_path: Path
) -> None:
    status = org_vault.status(coordinator)
    signed = org_vault.current_signed(coordinator)
    # Forged on its way: another organisation's profile with its own fingerprint, whole.
    intruder = _vault(tmp_path / "intruder")
    try:
        forged = org_vault.create_organisation(intruder, ORG_NAME)
    finally:
        intruder.lock()
    dialog = _dialog(qtbot, worker)
    form = dialog.form
    form.qr_text.setPlainText(org.enrol_payload_text(forged.signed, forged.profile.fingerprint))
    _join(qtbot, dialog, status.fingerprint)
    assert forged.profile.fingerprint in form.status.text()
    assert org_vault.held_profile(worker) is None

    token = org_vault.issue_token(coordinator, hours=2)
    form.qr_text.setPlainText(org.enrol_payload_text(signed.signed, status.fingerprint, token.text))
    form.fingerprint.clear()
    with qtbot.waitSignal(form.joined, timeout=WAIT_MS):
        _join(qtbot, dialog, status.fingerprint)
    assert "token" in form.enrolment_status.text() and form.result is not None and form.result.token_checked
    # The coordinator spends the token for the card shown: accepted once, for this device.
    assert (
        org_vault.add_device(coordinator, form.card_field.text(), token=token.text).device_id
        == worker.device_id
    )


def test_missing_fields_are_said_before_any_work(qtbot: QtBot, worker: Vault, profile_file: Path) -> None:
    dialog = _dialog(qtbot, worker)
    form = dialog.form
    qtbot.mouseClick(form.join_button, Qt.MouseButton.LeftButton)
    assert "profile file" in form.status.text() and form.join_button.isEnabled()
    type_text(qtbot, form.profile_field, str(profile_file))
    qtbot.mouseClick(form.join_button, Qt.MouseButton.LeftButton)
    assert "fingerprint" in form.status.text() and form.tasks.running() == []


def test_first_run_can_go_on_to_join(qtbot: QtBot, tmp_path: Path) -> None:
    window = FieldvaultWindow(tmp_path / "new", keyring=NoKeyring(), argon2=FAST_ARGON2)
    qtbot.addWidget(window)
    show(qtbot, window)
    page = window.create_page
    qtbot.keyClicks(page.passphrase, PASSPHRASE)
    qtbot.keyClicks(page.confirmation, PASSPHRASE)
    qtbot.keyClick(page.confirmation, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.recovery_page, timeout=WAIT_MS)
    recovery = window.recovery_page
    assert not recovery.join_next.isChecked()
    recovery.join_next.click()
    screenshot(window, "org-first-run-join.png")
    qtbot.mouseClick(recovery.done_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(window.org_menu.dialog, OrgJoinDialog), timeout=WAIT_MS)
    assert window.vault_view is not None  # behind the dialog: skipping it is closing it
    window.lock()
    assert window.org_menu.dialog is None


def test_the_menu_opens_it_and_shows_the_membership_held(
    qtbot: QtBot, tmp_path: Path, coordinator: Vault, profile_file: Path
) -> None:
    folder = tmp_path / "menu-worker"
    vault = _vault(folder)
    org_vault.enrol(
        vault, profile_file.read_bytes(), fingerprint_given=org_vault.status(coordinator).fingerprint
    )
    code = org_vault.status(vault).verification_code
    vault.lock()
    window = unlocked_window(qtbot, folder)
    assert window.org_menu.join_action.isEnabled()
    window.org_menu.join_action.trigger()
    dialog = window.org_menu.dialog
    assert isinstance(dialog, OrgJoinDialog)
    assert dialog.form.result_box.isVisible() and dialog.form.code_label.text() == code
    assert "belongs to" in dialog.form.result_heading.text()
    window.lock()
    assert window.org_menu.dialog is None and not window.org_menu.join_action.isEnabled()
