"""A coordinator's organisation screens and a worker's acknowledgements in
the GUI (desktop/org_admin.py, desktop/org_acks.py, issue 11), on real
vaults: an organisation created through the dialog makes the Coordinator
menu appear; the token's QR code carries exactly the text shown, with which
a worker enrols; a pasted device card is enrolled; a worker takes a
coordinator's .fvack and its bundle is acknowledged, while a tampered one
is refused in plain words and changes nothing."""

from __future__ import annotations

import base64
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import qrcode
import qrcode.constants
from PySide6.QtCore import QLocale, Qt
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QCheckBox, QStyle, QStyleOptionButton, QWidget
from pytestqt.qtbot import QtBot

from db.api import Vault
from db.keyring_store import NoKeyring
from desktop.i18n import install_translators, remove_translators
from desktop.org_acks import TakeAcksDialog, WriteAcksDialog
from desktop.org_add_device import AddDeviceDialog
from desktop.org_admin import (
    QR_BORDER,
    QR_BOX_PIXELS,
    QR_SHOWN_PIXELS,
    CreateOrganisationDialog,
    IssueTokenDialog,
)
from desktop.org_join import OrgJoinDialog
from sync import org, org_vault
from sync.acks import write_latest_acks
from tests.gui_helpers import TS_FILE, compile_qm, screenshot, type_text, unlocked_window
from tests.sync.trust_fixtures import Organisation, make_organisation
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE

WAIT_MS = 60_000
ORG_NAME = "Kharkiv documentation group"


def _vault(folder: Path) -> Vault:
    return Vault.create(folder, PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault


@pytest.fixture
def coordinator(tmp_path: Path) -> Iterator[Vault]:
    vault = _vault(tmp_path / "coordinator")
    org_vault.create_organisation(vault, ORG_NAME)
    yield vault
    vault.lock()


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[Vault]:
    vault = _vault(tmp_path / "worker")
    yield vault
    vault.lock()


@pytest.fixture
def usb(tmp_path: Path) -> Path:
    folder = tmp_path / "usb"
    folder.mkdir()
    return folder


@pytest.fixture
def uk(qapp: object, tmp_path: Path) -> Iterator[None]:
    compile_qm(TS_FILE, tmp_path / "fieldvault_uk.qm")
    assert install_translators(qapp, QLocale("uk"), tmp_path)  # type: ignore[arg-type]
    yield
    remove_translators(qapp)  # type: ignore[arg-type]


def _click(qtbot: QtBot, button: QWidget) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _tick(qtbot: QtBot, box: QCheckBox) -> None:
    """Click the box where its tick is (a form row may be wider than its words)."""
    option = QStyleOptionButton()
    box.initStyleOption(option)
    where = box.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, option, box).center()
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=where)


# -- create an organisation ------------------------------------------------------------------


def test_an_organisation_created_in_the_window_makes_it_a_coordinator(
    qtbot: QtBot, tmp_path: Path, usb: Path
) -> None:
    _vault(tmp_path / "vault").lock()
    window = unlocked_window(qtbot, tmp_path / "vault")
    assert window.org_menu.create_action.isEnabled()
    assert not window.coordinator_menu.menuAction().isVisible()

    dialog = window.org_menu.open_create()
    assert isinstance(dialog, CreateOrganisationDialog)
    dialog._chooser = lambda _parent, _caption: str(usb)
    type_text(qtbot, dialog.name_field, ORG_NAME)
    dialog.purge_box.setChecked(True)
    _click(qtbot, dialog.create_button)
    qtbot.waitUntil(lambda: dialog.result_box.isVisible(), timeout=WAIT_MS)

    vault = window.vault
    assert vault is not None
    status = org_vault.status(vault)
    assert status.is_coordinator and status.profile.name == ORG_NAME
    assert status.profile.purge_after_delivery and status.profile.server is None
    assert dialog.fingerprint_label.text() == status.fingerprint
    assert "in person or by phone" in dialog.tell_workers.text()
    # The Coordinator menu appears at once; no second organisation can be created.
    assert window.coordinator_menu.menuAction().isVisible()
    titles = [a.text() for a in window.coordinator_menu.actions()]
    assert {"Issue enrolment &token…", "&Add a device…", "&Write acknowledgements to USB…"} <= set(titles)
    assert not window.org_menu.create_action.isEnabled()
    screenshot(dialog, "org-create.png")

    # The profile file for workers: new, 0600, signed by the key of the shown fingerprint.
    _click(qtbot, dialog.save_profile_button)
    saved = usb / "org-profile-v1.fvorg"
    qtbot.waitUntil(saved.exists, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: dialog.save_profile_button.isEnabled(), timeout=WAIT_MS)
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert org.read_profile(saved.read_bytes(), expected_fingerprint=status.fingerprint).name == ORG_NAME
    # A second save does not replace it.
    _click(qtbot, dialog.save_profile_button)
    qtbot.waitUntil(lambda: "exists already" in dialog.saved_status.text(), timeout=WAIT_MS)

    # A worker's entry is there too (a coordinator may also carry a stick back).
    assert window.org_menu.take_acks_action.isEnabled()
    assert isinstance(window.org_menu.open_take_acks(), TakeAcksDialog)

    window.lock()
    assert window.org_menu.dialog is None and not window.coordinator_menu.menuAction().isVisible()
    assert not window.org_menu.create_action.isEnabled() and not window.org_menu.take_acks_action.isEnabled()


def test_after_joining_in_the_window_no_organisation_can_be_created(
    qtbot: QtBot, coordinator: Vault, tmp_path: Path
) -> None:
    _vault(tmp_path / "joining").lock()
    window = unlocked_window(qtbot, tmp_path / "joining")
    assert window.org_menu.create_action.isEnabled()
    dialog = window.org_menu.open_join()
    assert isinstance(dialog, OrgJoinDialog)
    form = dialog.form
    form.qr_text.setPlainText(
        org.enrol_payload_text(org_vault.current_signed(coordinator).signed, _fp(coordinator))
    )
    type_text(qtbot, form.fingerprint, _fp(coordinator))
    with qtbot.waitSignal(form.joined, timeout=WAIT_MS):
        _click(qtbot, form.join_button)
    assert not window.org_menu.create_action.isEnabled()
    assert not window.coordinator_menu.menuAction().isVisible()  # a worker, not a coordinator


def _fp(vault: Vault) -> str:
    return org_vault.status(vault).fingerprint


def test_a_server_without_its_certificate_is_refused_and_nothing_is_created(
    qtbot: QtBot, worker: Vault, uk: None
) -> None:
    dialog = CreateOrganisationDialog(worker)
    qtbot.addWidget(dialog)
    dialog.show()
    type_text(qtbot, dialog.name_field, ORG_NAME)
    type_text(qtbot, dialog.server_url, "https://vault.example.org:8443")
    type_text(qtbot, dialog.cert_field, "ab" * 31)  # 62 hex digits: one byte short
    _click(qtbot, dialog.create_button)
    qtbot.waitUntil(lambda: dialog.create_button.isEnabled() and dialog.status.text() != "", timeout=WAIT_MS)
    assert "https://" in dialog.status.text() and "SHA-256" in dialog.status.text()
    assert "server needs" not in dialog.status.text()  # said in Ukrainian
    assert not dialog.result_box.isVisible()
    assert org_vault.held_profile(worker) is None and worker.vault_keys.org_signing_key() is None
    screenshot(dialog, "org-create-refused-uk.png")


def test_a_server_named_at_creation_is_in_the_profile(qtbot: QtBot, worker: Vault) -> None:
    dialog = CreateOrganisationDialog(worker)
    qtbot.addWidget(dialog)
    dialog.show()
    type_text(qtbot, dialog.name_field, ORG_NAME)
    # Nothing listens on port 9 here: the upload is reported as not done.
    type_text(qtbot, dialog.server_url, "https://127.0.0.1:9")
    type_text(qtbot, dialog.cert_field, "AB:" * 31 + "AB")
    _click(qtbot, dialog.create_button)
    qtbot.waitUntil(dialog.result_box.isVisible, timeout=WAIT_MS)
    profile = org_vault.status(worker).profile
    assert profile.server is not None and profile.server.url == "https://127.0.0.1:9"
    assert profile.server.cert_sha256 == "ab" * 32 and profile.version == 2
    qtbot.waitUntil(lambda: "could not be reached" in dialog.upload_status.text(), timeout=WAIT_MS)
    assert "https://127.0.0.1:9" in dialog.upload_status.text()
    # Its receipt key could not be asked: not pinned, and said.
    assert profile.server.receipt_key is None
    assert "could not be asked for its receipt key" in dialog.result_heading.text()


def test_a_typed_receipt_key_is_pinned_and_a_malformed_one_refused(qtbot: QtBot, worker: Vault) -> None:
    dialog = CreateOrganisationDialog(worker)
    qtbot.addWidget(dialog)
    dialog.show()
    type_text(qtbot, dialog.name_field, ORG_NAME)
    type_text(qtbot, dialog.server_url, "https://127.0.0.1:9")
    type_text(qtbot, dialog.cert_field, "ab" * 32)
    type_text(qtbot, dialog.receipt_key_field, "not base64 of 32 bytes")
    _click(qtbot, dialog.create_button)
    # (messages.py's org-server-form text does not name the receipt key yet.)
    assert "The server needs" in dialog.status.text() and org_vault.held_profile(worker) is None
    key = os.urandom(32)
    dialog.receipt_key_field.setText(base64.b64encode(key).decode())
    _click(qtbot, dialog.create_button)
    assert "Asking" not in dialog.status.text()  # typed: the server is not asked
    qtbot.waitUntil(dialog.result_box.isVisible, timeout=WAIT_MS)
    profile = org_vault.status(worker).profile
    assert profile.server is not None and profile.server.receipt_key == key
    assert "receipt key" not in dialog.result_heading.text()


# -- issue an enrolment token ------------------------------------------------------------------


def _modules(image: QImage, size: int) -> list[list[bool]]:
    """The QR code's modules read back from the image (the centre of each box)."""
    box = image.width() // size
    return [
        [image.pixelColor(x * box + box // 2, y * box + box // 2).lightness() < 128 for x in range(size)]
        for y in range(size)
    ]


def test_the_tokens_qr_code_carries_the_shown_text_and_a_worker_enrols_with_it(
    qtbot: QtBot, coordinator: Vault, worker: Vault, usb: Path
) -> None:
    dialog = IssueTokenDialog(coordinator, chooser=lambda _parent, _caption: str(usb))
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.save_button.isEnabled() and not dialog.copy_button.isEnabled()
    dialog.hours.setValue(2)
    _click(qtbot, dialog.issue_button)
    qtbot.waitUntil(lambda: dialog.issued is not None, timeout=WAIT_MS)
    screenshot(dialog, "org-token.png")

    shown = dialog.payload_field.toPlainText()
    payload = org.read_enrol_payload(shown)  # the core's parser
    status = org_vault.status(coordinator)
    assert payload.token == dialog.token_field.text() and payload.fingerprint == status.fingerprint
    token = org.read_token(
        payload.token or "", status.profile.org_key, status.profile.org_id, now_ms=time.time_ns() // 10**6
    )
    assert abs(token.expires_ms - (time.time_ns() // 10**6 + 2 * 3_600_000)) < 120_000

    # The image shown is a square QR code of exactly that text (no decoder
    # here: its modules are compared with the code of the shown text), with
    # whole pixels a module, small enough for a laptop's screen.
    pixmap = dialog.qr_label.pixmap()
    assert not pixmap.isNull() and pixmap.width() == pixmap.height() <= QR_SHOWN_PIXELS
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=QR_BORDER)
    code.add_data(shown.encode("ascii"))
    code.make(fit=True)
    expected = [[bool(cell) for cell in row] for row in code.get_matrix()]
    assert pixmap.width() % len(expected) == 0 and pixmap.width() // len(expected) >= 3
    assert _modules(pixmap.toImage(), len(expected)) == expected

    # The worker enrols with the QR code's text and the fingerprint told by phone.
    org_vault.enrol(worker, payload.signed, fingerprint_given=status.fingerprint, token=payload.token)
    assert org_vault.status(worker).profile.org_id == status.profile.org_id
    assert (
        org_vault.accept_token(coordinator, payload.token or "", worker.device_id).token_id == token.token_id
    )

    # Save QR as PNG…: the same image, new and 0600; never over a file.
    _click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: dialog.status.text().startswith("Saved"), timeout=WAIT_MS)
    (saved,) = usb.iterdir()
    assert saved.suffix == ".png" and stat.S_IMODE(saved.stat().st_mode) == 0o600
    image = QImage(str(saved))
    assert image.width() == len(expected) * QR_BOX_PIXELS  # 8 pixels a module, for printing
    assert _modules(image, len(expected)) == expected
    _click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: "exists already" in dialog.status.text(), timeout=WAIT_MS)

    # Closing the dialog forgets the token and its code.
    dialog.reject()
    assert dialog.issued is None and dialog.token_field.text() == "" and dialog.qr_label.pixmap().isNull()


def test_a_copied_token_is_cleared_from_the_clipboard_at_lock(qtbot: QtBot, tmp_path: Path) -> None:
    vault = _vault(tmp_path / "coordinator")
    org_vault.create_organisation(vault, ORG_NAME)
    vault.lock()
    window = unlocked_window(qtbot, tmp_path / "coordinator")
    (issue,) = [a for a in window.coordinator_menu.actions() if a.text() == "Issue enrolment &token…"]
    issue.trigger()
    dialog = window.coordinator_menu.dialog
    assert isinstance(dialog, IssueTokenDialog)
    _click(qtbot, dialog.issue_button)
    qtbot.waitUntil(lambda: dialog.issued is not None, timeout=WAIT_MS)
    _click(qtbot, dialog.copy_button)
    assert QGuiApplication.clipboard().text().startswith("fvt1.")
    window.lock()
    assert QGuiApplication.clipboard().text() == ""
    assert window.coordinator_menu.dialog is None
    assert dialog.issued is None and dialog.token_field.text() == ""  # closed and emptied by the lock


def test_a_copied_token_leaves_the_clipboard_with_its_dialog_and_other_text_stays(
    qtbot: QtBot, coordinator: Vault
) -> None:
    """The token enrols a laptop until it expires: closing the dialog, or
    issuing another token, must not leave it on the clipboard for a
    clipboard manager to keep (the vault may stay unlocked for hours).
    What the user copied from elsewhere afterwards is not ours to clear."""
    clipboard = QGuiApplication.clipboard()
    dialog = IssueTokenDialog(coordinator)
    qtbot.addWidget(dialog)
    dialog.show()
    _click(qtbot, dialog.issue_button)
    qtbot.waitUntil(lambda: dialog.issued is not None, timeout=WAIT_MS)
    first = dialog.token_field.text()
    _click(qtbot, dialog.copy_button)
    assert clipboard.text() == first

    # A second token: the first (still valid) leaves the clipboard.
    _click(qtbot, dialog.issue_button)
    qtbot.waitUntil(lambda: dialog.issued is not None and dialog.issued.token != first, timeout=WAIT_MS)
    assert first not in clipboard.text()

    # The QR code's text copied (it holds the token), then the dialog closed.
    clipboard.setText(dialog.payload_field.toPlainText())
    dialog.reject()
    assert dialog.issued is None
    assert clipboard.text() == ""

    # Someone else's text on the clipboard is left alone.
    other = IssueTokenDialog(coordinator)
    qtbot.addWidget(other)
    other.show()
    _click(qtbot, other.issue_button)
    qtbot.waitUntil(lambda: other.issued is not None, timeout=WAIT_MS)
    clipboard.setText("a note from another program")
    other.reject()
    assert clipboard.text() == "a note from another program"


# -- add a device -------------------------------------------------------------------------------


def test_a_pasted_device_card_shows_its_code_and_is_enrolled(
    qtbot: QtBot, coordinator: Vault, worker: Vault, uk: None
) -> None:
    signed = org_vault.current_signed(coordinator)
    org_vault.enrol(worker, signed.signed, fingerprint_given=signed.profile.fingerprint)
    card = org_vault.own_device_card(worker).text
    dialog = AddDeviceDialog(coordinator)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.add_button.isEnabled()

    # A card changed by one character is not taken.
    # Another device key (one character of it changed) gives another code.
    tampered = card[:10] + ("A" if card[10] != "A" else "B") + card[11:]
    dialog.card_field.setPlainText(card[:10] + "!" + card[11:])
    assert not dialog.add_button.isEnabled() and dialog.code_label.text() == ""
    dialog.card_field.setPlainText(tampered)
    tampered_code = dialog.code_label.text()
    assert tampered_code and dialog.match_box.isEnabled()

    dialog.card_field.setPlainText(card)
    worker_code = org_vault.status(worker).verification_code
    assert dialog.code_label.text() == worker_code != tampered_code  # what the worker's screen shows
    type_text(qtbot, dialog.label_field, "Kupiansk-2")
    _tick(qtbot, dialog.match_box)
    assert dialog.match_box.text() == "Код звірено з польовим працівником: він збігається"
    screenshot(dialog, "org-add-device-uk.png")
    _click(qtbot, dialog.add_button)
    qtbot.waitUntil(lambda: dialog.close_button.isEnabled() and dialog.status.text() != "", timeout=WAIT_MS)
    assert worker.device_id in dialog.status.text() and worker_code in dialog.status.text()
    assert (worker.device_id, "Kupiansk-2") in [(row[0], row[1]) for row in dialog.device_rows()]
    known = coordinator.sync.device(worker.device_id)
    assert known is not None and (known.status, known.role, known.label) == (
        "enrolled",
        "device",
        "Kupiansk-2",
    )
    assert org_vault.status(coordinator).profile.version == 1  # a device is not a coordinator


def test_a_device_is_enrolled_only_after_the_coordinator_confirms_the_code_matches(
    qtbot: QtBot, coordinator: Vault, worker: Vault
) -> None:
    """Issue 11's safety-number step: the code is compared before the card's
    keys are trusted, and a tick given for one card does not carry over to
    another (a card swapped after the comparison)."""
    signed = org_vault.current_signed(coordinator)
    org_vault.enrol(worker, signed.signed, fingerprint_given=signed.profile.fingerprint)
    card = org_vault.own_device_card(worker).text
    opened: list[str] = []

    def choose_file(_parent: object, caption: str) -> str:
        opened.append(caption)
        return ""

    dialog = AddDeviceDialog(coordinator, choose_file=choose_file)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.match_box.isEnabled()  # no code yet: nothing to compare
    dialog.card_field.setPlainText(card)
    assert dialog.code_label.text() == org_vault.status(worker).verification_code
    assert dialog.match_box.isEnabled() and not dialog.match_box.isChecked()

    # Not compared yet: Add is off, and a click on it or Enter enrols nothing
    # (nor does Enter open a file dialog whose card would replace this one).
    assert not dialog.add_button.isEnabled()
    _click(qtbot, dialog.add_button)
    qtbot.keyClick(dialog.label_field, Qt.Key.Key_Return)
    assert opened == [] and dialog.isVisible()
    dialog.add()  # nor the slot itself, whatever calls it
    assert not dialog.busy and dialog.status.text() == ""
    assert coordinator.sync.device(worker.device_id) is None

    _tick(qtbot, dialog.match_box)
    assert dialog.match_box.isChecked() and dialog.add_button.isEnabled()
    # Another card after the tick (one character of its key changed): another
    # code, so the tick is gone and Add is off again.
    tampered = card[:10] + ("A" if card[10] != "A" else "B") + card[11:]
    dialog.card_field.setPlainText(tampered)
    assert not dialog.match_box.isChecked() and not dialog.add_button.isEnabled()
    dialog.add()
    assert not dialog.busy and coordinator.sync.device(worker.device_id) is None
    # Unticking takes Add away too.
    dialog.card_field.setPlainText(card)
    _tick(qtbot, dialog.match_box)
    _tick(qtbot, dialog.match_box)
    assert not dialog.add_button.isEnabled()

    _tick(qtbot, dialog.match_box)
    type_text(qtbot, dialog.label_field, "Izium-1")
    screenshot(dialog, "org-add-device.png")
    _click(qtbot, dialog.add_button)
    qtbot.waitUntil(lambda: dialog.close_button.isEnabled() and dialog.status.text() != "", timeout=WAIT_MS)
    known = coordinator.sync.device(worker.device_id)
    assert known is not None and (known.status, known.label) == ("enrolled", "Izium-1")
    # The next card starts unconfirmed.
    assert not dialog.match_box.isChecked() and not dialog.add_button.isEnabled()


def test_a_device_card_file_is_opened_and_a_long_file_is_not_read_whole(
    qtbot: QtBot, coordinator: Vault, worker: Vault, tmp_path: Path
) -> None:
    signed = org_vault.current_signed(coordinator)
    org_vault.enrol(worker, signed.signed, fingerprint_given=signed.profile.fingerprint)
    card_file = tmp_path / "card.txt"
    card_file.write_text(org_vault.own_device_card(worker).text + "\n")
    chosen = [str(card_file)]
    dialog = AddDeviceDialog(coordinator, choose_file=lambda _parent, _caption: chosen[0])
    qtbot.addWidget(dialog)
    dialog.show()
    _click(qtbot, dialog.open_button)
    assert dialog.code_label.text() == org_vault.status(worker).verification_code
    _tick(qtbot, dialog.match_box)
    assert dialog.add_button.isEnabled()
    # A video chosen by mistake: only its start is read, and it is no card.
    big = tmp_path / "video.mp4"
    big.write_bytes(b"\0" * 5_000_000)
    chosen[0] = str(big)
    _click(qtbot, dialog.open_button)
    assert len(dialog.card_field.toPlainText()) <= 4096 and not dialog.add_button.isEnabled()
    chosen[0] = str(tmp_path / "gone.txt")
    _click(qtbot, dialog.open_button)
    assert "could not be read" in dialog.status.text()


def test_a_device_added_as_coordinator_is_in_a_new_profile_version(
    qtbot: QtBot, coordinator: Vault, worker: Vault
) -> None:
    signed = org_vault.current_signed(coordinator)
    org_vault.enrol(worker, signed.signed, fingerprint_given=signed.profile.fingerprint)
    dialog = AddDeviceDialog(coordinator)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.card_field.setPlainText(org_vault.own_device_card(worker).text)
    dialog.coordinator_box.setChecked(True)
    _tick(qtbot, dialog.match_box)
    _click(qtbot, dialog.add_button)
    qtbot.waitUntil(lambda: "coordinator" in dialog.status.text(), timeout=WAIT_MS)
    profile = org_vault.status(coordinator).profile
    assert profile.version == 2 and profile.coordinator(worker.device_id) is not None
    assert ("coordinator", "enrolled") in [(row[2], row[3]) for row in dialog.device_rows()]


def test_a_used_token_refuses_the_device_and_adds_nothing(
    qtbot: QtBot, coordinator: Vault, worker: Vault, tmp_path: Path
) -> None:
    other = _vault(tmp_path / "other")
    try:
        token = org_vault.issue_token(coordinator, hours=1)
        org_vault.accept_token(coordinator, token.text, other.device_id)
        dialog = AddDeviceDialog(coordinator)
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.card_field.setPlainText(org_vault.own_device_card(worker).text)
        type_text(qtbot, dialog.token_field, token.text)
        _tick(qtbot, dialog.match_box)
        _click(qtbot, dialog.add_button)
        qtbot.waitUntil(lambda: "not added" in dialog.status.text(), timeout=WAIT_MS)
        assert "already used" in dialog.status.text()
        assert coordinator.sync.device(worker.device_id) is None
    finally:
        other.lock()


# -- a worker takes acknowledgements -----------------------------------------------------------------


@pytest.fixture
def org_with_bundle(tmp_path: Path) -> Iterator[Organisation]:
    made = make_organisation(tmp_path)
    yield made
    made.close()


def _take(qtbot: QtBot, dialog: TakeAcksDialog, files: list[Path]) -> list[str]:
    dialog._chooser = lambda _parent, _caption: [str(f) for f in files]
    _click(qtbot, dialog.choose_button)
    _click(qtbot, dialog.take_button)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    return dialog.result_texts()


def test_a_worker_takes_the_coordinators_acknowledgement_and_a_tampered_one_is_refused(
    qtbot: QtBot, org_with_bundle: Organisation, tmp_path: Path
) -> None:
    org_made = org_with_bundle
    work = org_made.worker("field", token=org_made.token())
    first = org_made.export(work.vault)
    org_made.import_(first.path)
    (ack_path,) = write_latest_acks(org_made.coordinator, org_made.usb)  # `fieldvault bundle ack`
    data = ack_path.read_bytes()
    tampered = tmp_path / "tampered.fvack"
    tampered.write_bytes(data.replace(b'"sequence":1', b'"sequence":2'))
    garbage = tmp_path / "holiday.fvack"
    garbage.write_bytes(b"\x89PNG not an acknowledgement")
    outgoing_before = work.vault.sync.outgoing()

    dialog = TakeAcksDialog(work.vault)
    qtbot.addWidget(dialog)
    dialog.show()
    texts = _take(qtbot, dialog, [tampered, garbage])
    assert texts[0].startswith("refused:") and "changed after it was signed, or forged" in texts[0]
    assert "Nothing was changed" in texts[0]
    assert texts[1].startswith("refused:") and "not a Fieldvault acknowledgement" in texts[1]
    sent = work.vault.sync.sent_bundle(first.bundle_id)
    assert sent is not None and sent.acked_ms is None
    assert work.vault.sync.outgoing() == outgoing_before  # nothing moved

    texts = _take(qtbot, dialog, [ack_path])
    assert texts[0].startswith("acknowledged:") and org_made.coordinator.device_id in texts[0]
    screenshot(dialog, "org-take-acks.png")
    sent = work.vault.sync.sent_bundle(first.bundle_id)
    assert sent is not None and sent.acked_by == org_made.coordinator.device_id
    assert work.vault.sync.outgoing().acked_revision_seq == sent.revision_seq
    # The next bundle holds only what is new; the same file again changes nothing.
    assert _take(qtbot, dialog, [ack_path])[0].startswith("bundle 1 was acknowledged already")
    assert org_made.export(work.vault).revisions == 0


def test_an_acknowledgement_for_another_device_is_refused_in_ukrainian(
    qtbot: QtBot, org_with_bundle: Organisation, uk: None
) -> None:
    org_made = org_with_bundle
    work = org_made.worker("field", token=org_made.token())
    other = org_made.worker("other", token=org_made.token())
    org_made.import_(org_made.export(other.vault).path)
    (ack_path,) = write_latest_acks(org_made.coordinator, org_made.usb, device_id=other.vault.device_id)
    outgoing_before = work.vault.sync.outgoing()

    dialog = TakeAcksDialog(work.vault)
    qtbot.addWidget(dialog)
    dialog.show()
    (text,) = _take(qtbot, dialog, [ack_path])
    assert other.vault.device_id in text and "refused" not in text  # said in Ukrainian
    screenshot(dialog, "org-take-acks-refused-uk.png")
    assert work.vault.sync.outgoing() == outgoing_before


def test_the_coordinator_writes_acknowledgements_in_the_gui_and_the_worker_takes_them(
    qtbot: QtBot, org_with_bundle: Organisation, tmp_path: Path
) -> None:
    org_made = org_with_bundle
    work = org_made.worker("field", token=org_made.token())
    stick = tmp_path / "stick"
    stick.mkdir()
    dialog = WriteAcksDialog(org_made.coordinator, chooser=lambda _parent, _caption: str(stick))
    qtbot.addWidget(dialog)
    dialog.show()
    _click(qtbot, dialog.write_button)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    assert "nothing to acknowledge" in dialog.status.text() and list(stick.iterdir()) == []

    first = org_made.export(work.vault)
    org_made.import_(first.path)
    _click(qtbot, dialog.write_button)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    (ack_path,) = stick.iterdir()
    (text,) = dialog.result_texts()
    assert work.vault.device_id in text and f"bundle 1 acknowledged: {ack_path.name}" in text
    screenshot(dialog, "org-write-acks.png")

    taking = TakeAcksDialog(work.vault)
    qtbot.addWidget(taking)
    assert _take(qtbot, taking, [ack_path])[0].startswith("acknowledged:")
    sent = work.vault.sync.sent_bundle(first.bundle_id)
    assert sent is not None and sent.acked_by == org_made.coordinator.device_id

    # Another file under that name is never replaced.
    other = tmp_path / "other"
    other.mkdir()
    (other / ack_path.name).write_bytes(b"a worker's note")
    dialog._chooser = lambda _parent, _caption: str(other)
    _click(qtbot, dialog.write_button)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    assert "another file of that name" in dialog.result_texts()[0]
    assert (other / ack_path.name).read_bytes() == b"a worker's note"
