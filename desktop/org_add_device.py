"""Coordinator → Add a device… (issue 11): a field worker's device card,
pasted or opened, its verification code shown large to compare by phone,
confirmed as matching by the coordinator (a tick that any change of the
card clears: a card swapped in transit gives another code), then enrolled (``sync.org_vault.add_device``, spending the worker's token
if given) and, when asked, made a coordinator (a new profile version, sent
to the server the profile names). The devices the vault knows are listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.dialog_parts import (
    FileChooser,
    TaskDialog,
    action_button,
    big_code_label,
    button_row,
    choose_file,
    close_button,
    field_row,
    os_reason,
    text_box,
    text_field,
    wrapped_label,
)
from desktop.icons import icon
from desktop.item_lists import item_list, row_texts
from desktop.org_admin import PublishProfile, failure_text, upload_text
from desktop.tasks import Lane, TaskContext, TaskReport, TaskRunner

if TYPE_CHECKING:
    from db.api import Vault

CARD_READ_LIMIT = 4096  # a device card is about 130 characters


def _choose_card(parent: QWidget, caption: str) -> str:
    return choose_file(
        parent, caption, QCoreApplication.translate("OrgAdmin", "Device cards (*.txt);;All files (*)")
    )


@dataclass(frozen=True)
class AddRequest:
    card: str
    label: str
    token: str  # "" for none
    as_coordinator: bool


@dataclass(frozen=True)
class AddedDevice:
    device_id: str
    verification_code: str
    as_coordinator: bool
    new_profile: bytes  # a coordinator added: the new version, to send to the server (b"" otherwise)
    server_url: str  # the profile's server ("" for none)


class AddDevice:
    """The task: enrol the device (spending its token if given) and, when
    asked, make it a coordinator (a new profile version, sent afterwards to
    the server the profile names)."""

    def __init__(self, vault: Vault, request: AddRequest) -> None:
        self._vault = vault
        self._request = request

    def __call__(self, _context: TaskContext) -> AddedDevice:
        from sync import org, org_vault

        request = self._request
        device = org_vault.add_device(
            self._vault, request.card, token=request.token or None, label=request.label
        )
        new_profile = b""
        if request.as_coordinator:
            new_profile = org_vault.add_coordinator(self._vault, request.card, label=request.label).signed
        profile = org_vault.status(self._vault).profile
        code = org.verification_code(profile.org_key, device.public_key)
        server = profile.server.url if profile.server is not None else ""
        return AddedDevice(device.device_id, code, request.as_coordinator, new_profile, server)


class AddDeviceDialog(TaskDialog):
    """Paste (or open) a worker's device card, compare its verification
    code by phone and tick that it matches, label it, add it: Add stays off
    until the tick. The devices the vault knows are listed below. It does
    not close while the device is being added."""

    ID_COLUMN, LABEL_COLUMN, ROLE_COLUMN, STATUS_COLUMN = range(4)

    def __init__(
        self,
        vault: Vault,
        parent: QWidget | None = None,
        *,
        tasks: TaskRunner | None = None,
        choose_file: FileChooser = _choose_card,
    ) -> None:
        super().__init__(parent, tasks)
        from sync.org_vault import held_profile, holds_org_key

        self._vault = vault
        self._choose_file = choose_file
        profile = held_profile(vault)
        self._org_key = profile.org_key if profile is not None else b""
        self._server_url = ""
        self.setWindowTitle(self.tr("Add a device"))
        self.setWindowIcon(icon("new-vault"))
        self.resize(760, 640)
        layout = QVBoxLayout(self)
        intro = self.tr(
            "A field worker who joined shows their device card (fvd1.…; public keys only, nothing "
            "secret). Paste it or open the file they gave you. Then phone them or meet: the "
            "verification code below must be the same as the one their screen shows."
        )
        layout.addWidget(wrapped_label(intro))
        form = QFormLayout()
        self.card_field = text_box(self.tr("Device card"), lines=3, placeholder=self.tr("fvd1.…"))
        self.card_field.textChanged.connect(self._show_code)
        self.open_button = action_button(
            "view", self.tr("Open card file…"), self.tr("Open a device card file"), self.open_card
        )
        # Not Enter's button: Enter in the label field opened a file dialog (and
        # a card chosen there replaced the compared one). Enter adds, once ticked.
        self.open_button.setAutoDefault(False)
        form.addRow(self.tr("Card:"), field_row(self.card_field, self.open_button))
        self.device_label = wrapped_label()
        form.addRow(self.device_label)
        self.code_label = big_code_label(self.tr("Verification code"))
        form.addRow(self.code_label)
        # Enrolling trusts the card's keys: only after the coordinator said the
        # code is the one the worker reads out (otherwise a card changed in
        # transit would enrol an impostor's device). Unticked by every change
        # of the card, so the tick always speaks of the code on the screen.
        self.match_box = QCheckBox(self.tr("I compared the code with the field worker: it matches"))
        self.match_box.setAccessibleName(self.tr("I compared the code with the field worker: it matches"))
        self.match_box.toggled.connect(self._enable_add)
        form.addRow(self.match_box)
        self.label_field = text_field(
            self.tr("Label for the device"), self.tr("a call sign or the laptop's name, not a person's name")
        )
        form.addRow(self.tr("&Label:"), self.label_field)
        self.token_field = text_field(
            self.tr("Enrolment token"), self.tr("optional: the fvt1.… token the worker received")
        )
        form.addRow(self.tr("&Token:"), self.token_field)
        self.coordinator_box = QCheckBox(self.tr("Also make it a coordinator"))
        self.coordinator_box.setAccessibleName(self.tr("Also make it a coordinator"))
        form.addRow(self.coordinator_box)
        coordinator_why = self.tr(
            "A coordinator can read every bundle made from now on: bundles are encrypted to it too. "
            "Tick this only for a colleague's coordinator laptop."
        )
        self.coordinator_why = wrapped_label(coordinator_why)
        form.addRow(self.coordinator_why)
        if profile is None or not holds_org_key(vault, profile):
            # A coordinator desk without the organisation key enrols by the
            # code alone: tokens are spent, and the profile signed, where the key is.
            for widget in (self.token_field, self.coordinator_box, self.coordinator_why):
                form.setRowVisible(widget, False)
        self.add_button = action_button(
            "check", self.tr("Add the device"), self.tr("Add the device"), self.add
        )
        form.addRow(self.add_button)
        self.status = wrapped_label(name=self.tr("Result"), selectable=True)
        form.addRow(self.status)
        self.upload_status = wrapped_label()
        form.addRow(self.upload_status)
        layout.addLayout(form)
        self.devices = item_list(
            self.tr("Devices of the organisation"),
            [self.tr("Device"), self.tr("Label"), self.tr("Role"), self.tr("Status")],
            [290],
        )
        layout.addWidget(self.devices, 1)
        self.close_button = close_button(self, self.tr("Close"))
        layout.addLayout(button_row([], self.close_button))
        self._show_code()
        self.reload_devices()

    def reload_devices(self) -> None:
        self.devices.clear()
        roles = {"coordinator": self.tr("coordinator"), "device": self.tr("field device")}
        states = {"enrolled": self.tr("enrolled"), "revoked": self.tr("revoked")}
        for device in self._vault.sync.devices():
            self.devices.addTopLevelItem(
                QTreeWidgetItem(
                    [
                        device.device_id,
                        device.label,
                        roles.get(device.role, device.role),
                        states.get(device.status, device.status),
                    ]
                )
            )

    def device_rows(self) -> list[tuple[str, str, str, str]]:
        """The devices as listed (tests read them as a user does)."""
        return [(device, label, role, status) for device, label, role, status in row_texts(self.devices)]

    @Slot()
    def open_card(self) -> None:
        path = self._choose_file(self, self.tr("Open the device card"))
        if not path:
            return
        from sync.bundle.regular_file import open_regular

        try:  # on this thread: a named pipe or device (a stick can carry one) is refused, not waited on
            with open_regular(Path(path)) as file:
                data = file.read(CARD_READ_LIMIT)
        except OSError as err:
            self.status.setText(
                self.tr("{name} could not be read ({reason}).").format(
                    name=Path(path).name, reason=os_reason(err)
                )
            )
            return
        self.card_field.setPlainText(data.decode("ascii", errors="replace").strip())

    @Slot()
    def _show_code(self) -> None:
        from sync.org import OrgRefused, read_device_card, verification_code

        self.match_box.setChecked(False)  # a changed card has another code, not yet compared
        text = self.card_field.toPlainText().strip()
        code = ""
        if not text:
            self.device_label.setText(self.tr("The verification code appears here once the card is pasted."))
        else:
            try:
                card = read_device_card(text)
            except OrgRefused:
                self.device_label.setText(self.tr("That is not a device card (fvd1.…, as Join shows it)."))
            else:
                self.device_label.setText(
                    self.tr(
                        "Device {device}. Its verification code, to compare with the worker's screen:"
                    ).format(device=card.device_id)
                )
                code = verification_code(self._org_key, card.device_key)
        self.code_label.setText(code)
        self.match_box.setEnabled(bool(code))
        self._enable_add()

    @property
    def code_confirmed(self) -> bool:
        """A code is shown and the coordinator ticked that it matches."""
        return bool(self.code_label.text()) and self.match_box.isChecked()

    @Slot()
    def _enable_add(self) -> None:
        self.add_button.setEnabled(self.code_confirmed and not self.busy)

    @Slot()
    def add(self) -> None:
        text = self.card_field.toPlainText().strip()
        if not text or self.busy or not self.code_confirmed:
            return
        request = AddRequest(
            text,
            self.label_field.text().strip(),
            self.token_field.text().strip(),
            self.coordinator_box.isChecked(),
        )
        self.add_button.setEnabled(False)
        self.close_button.setEnabled(False)
        self.status.setText(self.tr("Adding the device…"))
        self.start_task(Lane.SAVE, AddDevice(self._vault, request), self._on_added)

    def _on_added(self, report: TaskReport) -> None:
        if not report.finished:
            return
        self.task_ended()
        self.close_button.setEnabled(True)
        if report.state == "succeeded" and isinstance(report.value, AddedDevice):
            added = report.value
            text = (
                self.tr(
                    "Device {device} added as a coordinator: bundles made from now on are encrypted to it too."
                )
                if added.as_coordinator
                else self.tr("Device {device} added: its bundles are accepted.")
            ).format(device=added.device_id)
            self.status.setText(
                text
                + "\n"
                + self.tr("If the worker's code was not {code}, revoke this device.").format(
                    code=added.verification_code
                )
            )
            self.card_field.clear()
            self.token_field.clear()
            self.label_field.clear()
            self.coordinator_box.setChecked(False)
            if added.new_profile and added.server_url:
                self._server_url = added.server_url
                self.upload_status.setText(
                    self.tr("Sending the new profile to {url}…").format(url=added.server_url)
                )
                task = PublishProfile(added.new_profile)
                self.tasks.start(Lane.SYNC, task, self._on_published, owner=self)
        else:
            self.status.setText(failure_text(report.failure) + "\n" + self.tr("The device was not added."))
            self._enable_add()
        self.reload_devices()

    def _on_published(self, report: TaskReport) -> None:
        if report.finished:
            state = report.value if isinstance(report.value, str) else "offline"
            self.upload_status.setText(upload_text(state, self._server_url))

    def done(self, result: int) -> None:
        self.token_field.clear()
        super().done(result)
