"""Join an organisation (docs/org-profile.md, issue 11): the profile file
or the text of its enrolment QR code, the organisation fingerprint typed as
the coordinator reads it out, and an optional enrolment token. The work is
``sync.org_vault.enrol`` on the window's task runner; this module only
asks, explains and shows.

The fingerprint is typed, never taken from the profile or the QR code:
whoever could change the profile on its way could change a fingerprint
travelling with it. After joining, the verification code is shown large,
for the worker and the coordinator to compare by phone or in person.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from desktop.dialog_parts import (
    action_button,
    big_code_label,
    choose_file,
    field_row,
    os_reason,
    text_box,
    text_field,
    wrapped_label,
)
from desktop.icons import icon
from desktop.tasks import Lane, TaskContext, TaskReport, TaskRunner

if TYPE_CHECKING:
    from db.api import Vault

# A profile file is at most 1 MiB (docs/org-profile.md §1); reading stops
# just past it, so a mistaken choice of a video is not read whole.
_READ_LIMIT = 1_048_577

FileChooser = Callable[[QWidget], str]


@dataclass(frozen=True)
class JoinRequest:
    """What the form collected: a profile file's path or a QR code's text."""

    profile_path: Path | None
    qr_text: str
    fingerprint: str
    token: str


@dataclass(frozen=True)
class Membership:
    """What the vault holds after joining (or held before): for the screen."""

    org_name: str
    org_id: str
    version: int
    fingerprint: str
    verification_code: str
    device_card: str
    is_coordinator: bool
    token_checked: bool = False


@dataclass(frozen=True)
class ProfileUnreadable:
    """The chosen profile file could not be read: its name and the system's reason."""

    name: str
    reason: str


def membership(vault: Vault, *, token_checked: bool = False) -> Membership | None:
    """The organisation this vault belongs to, or None."""
    from sync import org_vault

    if org_vault.held_profile(vault) is None:
        return None
    status = org_vault.status(vault)
    return Membership(
        org_name=status.profile.name,
        org_id=status.profile.org_id,
        version=status.profile.version,
        fingerprint=status.fingerprint,
        verification_code=status.verification_code,
        device_card=org_vault.own_device_card(vault).text,
        # A desk added as a coordinator holds no key, yet is one (not "to be added").
        is_coordinator=status.is_coordinator or status.profile.coordinator(vault.device_id) is not None,
        token_checked=token_checked,
    )


class JoinOrganisation:
    """The task: read the profile (or the QR code's text), check it against
    the typed fingerprint, enrol. Plain Python, run on the task runner."""

    def __init__(self, vault: Vault, request: JoinRequest) -> None:
        self._vault = vault
        self._request = request

    def __call__(self, _context: TaskContext) -> Membership | ProfileUnreadable:
        from sync import org, org_vault
        from sync.bundle.regular_file import open_regular

        request = self._request
        token = request.token.strip() or None
        if request.qr_text.strip():
            payload = org.read_enrol_payload(request.qr_text)
            signed, token = payload.signed, token or payload.token
        else:
            assert request.profile_path is not None
            try:  # a named pipe or device (a stick can carry one) is refused, not waited on
                with open_regular(request.profile_path) as file:
                    signed = file.read(_READ_LIMIT)
            except OSError as err:  # said as such, not as an unexpected error
                return ProfileUnreadable(request.profile_path.name, os_reason(err))
            if org.looks_like_enrol_payload(signed):  # a saved QR code's text
                payload = org.read_enrol_payload(signed.decode("ascii", errors="replace"))
                signed, token = payload.signed, token or payload.token
        org_vault.enrol(self._vault, signed, fingerprint_given=request.fingerprint, token=token)
        result = membership(self._vault, token_checked=token is not None)
        assert result is not None
        return result


def _choose_profile(parent: QWidget) -> str:
    # choose_file forgets the folder: where the profile came from is nobody's business.
    return choose_file(
        parent,
        QCoreApplication.translate("OrgJoinForm", "Choose the organisation profile"),
        QCoreApplication.translate(
            "OrgJoinForm", "Organisation profiles (*.fvorg);;Enrolment QR code text (*.txt);;All files (*)"
        ),
    )


class OrgJoinForm(QWidget):
    """The form and, once joined, what the worker needs next. ``joined`` is
    emitted with the ``Membership`` after a successful enrolment."""

    joined = Signal(object)

    def __init__(
        self,
        vault: Vault,
        parent: QWidget | None = None,
        *,
        tasks: TaskRunner | None = None,
        choose_file: FileChooser | None = None,
    ) -> None:
        super().__init__(parent)
        self._vault = vault
        self.tasks = tasks if tasks is not None else TaskRunner(self)
        self._choose_file = choose_file or _choose_profile
        self.result: Membership | None = None
        layout = QVBoxLayout(self)

        self.current = wrapped_label()
        layout.addWidget(self.current)

        self.form_box = QGroupBox(self.tr("Join an organisation"))
        form = QFormLayout(self.form_box)
        intro = self.tr(
            "Your coordinator gives you the organisation's profile (a file, or a QR code whose "
            "text you paste here) and, separately, its fingerprint. Bundles you make are then "
            "encrypted to your organisation's coordinators only."
        )
        form.addRow(wrapped_label(intro))
        self.profile_field = text_field(
            self.tr("Organisation profile file"), self.tr("the .fvorg file from your coordinator")
        )
        self.choose_button = action_button(
            "view", self.tr("Choose…"), self.tr("Choose the organisation profile file"), self.choose_profile
        )
        form.addRow(self.tr("Profile file:"), field_row(self.profile_field, self.choose_button))
        self.qr_text = text_box(
            self.tr("Text of the enrolment QR code"),
            lines=4,
            placeholder=self.tr("or paste the text of the QR code (fieldvault:enrol?…)"),
        )
        form.addRow(self.tr("Or &QR code text:"), self.qr_text)

        self.fingerprint = text_field(
            self.tr("Organisation fingerprint"), "XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX", fixed_font=True
        )
        form.addRow(self.tr("&Fingerprint:"), self.fingerprint)
        self.fingerprint_why = wrapped_label(
            self.tr(
                "Type the fingerprint your coordinator tells you in person or by phone. Do not copy "
                "it from the message or stick that brought the profile: whoever could change the "
                "profile on its way could change a fingerprint beside it. A profile signed by any "
                "other key is refused."
            )
        )
        form.addRow(self.fingerprint_why)
        self.token = text_field(
            self.tr("Enrolment token"), self.tr("optional: fvt1.… (a QR code's text may carry it)")
        )
        form.addRow(self.tr("&Token:"), self.token)

        self.join_button = action_button(
            "check", self.tr("Join"), self.tr("Join the organisation"), self.join
        )
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setAccessibleName(self.tr("Checking the profile"))
        self.busy.hide()
        self.status = wrapped_label(name=self.tr("Result"))
        form.addRow(self.join_button, self.busy)
        form.addRow(self.status)
        layout.addWidget(self.form_box)

        self.result_box = QGroupBox(self.tr("Your organisation"))
        rlayout = QVBoxLayout(self.result_box)
        self.result_heading = wrapped_label()
        rlayout.addWidget(self.result_heading)
        code_title = QLabel(self.tr("Verification code"))
        rlayout.addWidget(code_title)
        # A little larger than the coordinator's dialogs show it, as this form always did.
        self.code_label = big_code_label(self.tr("Verification code"), scale=2.2)
        rlayout.addWidget(self.code_label)
        self.code_why = wrapped_label(
            self.tr(
                "Read this code out with your coordinator, by phone or in person: it must be the "
                "same on their screen. If it differs, stop and tell them: someone may have changed "
                "the profile or your device card on its way."
            )
        )
        rlayout.addWidget(self.code_why)
        self.enrolment_status = wrapped_label(name=self.tr("Enrolment status"))
        rlayout.addWidget(self.enrolment_status)
        self.card_field = text_field(self.tr("This device's card"), read_only=True)
        self.copy_card = action_button(
            "export", self.tr("Copy the card"), self.tr("Copy this device's card"), self._copy_card
        )
        rlayout.addLayout(field_row(self.card_field, self.copy_card))
        self.result_box.hide()
        layout.addWidget(self.result_box)
        layout.addStretch(1)

        held = membership(vault)
        if held is not None:
            self._show_membership(held, just_joined=False)

    # -- asking ------------------------------------------------------------------

    @Slot()
    def choose_profile(self) -> None:
        path = self._choose_file(self)
        if path:
            self.profile_field.setText(path)

    def request(self) -> JoinRequest | None:
        """What was typed, or None (with the reason shown) when something is missing."""
        path_text = self.profile_field.text().strip()
        qr_text = self.qr_text.toPlainText().strip()
        if bool(path_text) == bool(qr_text):
            self.status.setText(self.tr("Choose the profile file or paste the QR code's text (one of them)."))
            return None
        if not self.fingerprint.text().strip():
            self.status.setText(self.tr("Type the organisation fingerprint your coordinator told you."))
            self.fingerprint.setFocus()
            return None
        return JoinRequest(
            Path(path_text) if path_text else None, qr_text, self.fingerprint.text(), self.token.text()
        )

    @Slot()
    def join(self) -> None:
        request = self.request()
        if request is None:
            return
        self._set_busy(True)
        self.status.setText(self.tr("Checking the profile…"))
        self.tasks.start(Lane.EXPORT, JoinOrganisation(self._vault, request), self._on_report, owner=self)

    def _set_busy(self, busy: bool) -> None:
        self.join_button.setEnabled(not busy)
        self.busy.setVisible(busy)

    def _on_report(self, report: TaskReport) -> None:
        if report.state == "progress":
            return
        self._set_busy(False)
        if report.state == "succeeded" and isinstance(report.value, Membership):
            self.status.clear()
            self.token.clear()  # good once: not left on the screen
            self._show_membership(report.value, just_joined=True)
            self.joined.emit(report.value)
        elif report.state == "succeeded" and isinstance(report.value, ProfileUnreadable):
            self.status.setText(
                self.tr("{name} could not be read ({reason}).").format(
                    name=report.value.name, reason=report.value.reason
                )
            )
        elif report.failure is not None:
            from desktop.messages import failure_message

            self.status.setText(failure_message(report.failure))
        else:
            self.status.setText(self.tr("Stopped; nothing was changed."))

    # -- showing ---------------------------------------------------------------

    def _show_membership(self, held: Membership, *, just_joined: bool) -> None:
        self.result = held
        heading = (
            self.tr("You joined {name}.") if just_joined else self.tr("This vault belongs to {name}.")
        ).format(name=held.org_name)
        self.result_heading.setText(
            heading
            + "\n"
            + self.tr("Profile version {version}; organisation fingerprint {fingerprint}.").format(
                version=held.version, fingerprint=held.fingerprint
            )
        )
        self.code_label.setText(held.verification_code)
        if held.is_coordinator:
            status = self.tr("This vault is a coordinator of the organisation.")
        else:
            status = (
                self.tr(
                    "Your coordinator still has to add this device before your bundles are accepted: "
                    "give them this device's card (public keys only, nothing secret) and your "
                    "enrolment token, which was checked."
                )
                if held.token_checked
                else self.tr(
                    "Your coordinator still has to add this device before your bundles are accepted: "
                    "give them this device's card (public keys only, nothing secret)."
                )
            )
        self.enrolment_status.setText(status)
        self.card_field.setText(held.device_card)
        self.card_field.setCursorPosition(0)
        self.current.setText(
            self.tr("To take a newer profile of your organisation, join again with it.")
            if not just_joined
            else ""
        )
        self.current.setVisible(not just_joined)
        self.result_box.show()

    @Slot()
    def _copy_card(self) -> None:
        QGuiApplication.clipboard().setText(self.card_field.text())


class OrgJoinDialog(QDialog):
    """The form in a dialog: from the Organisation menu, and after the
    recovery key at the first start when the user asked for it."""

    def __init__(
        self,
        vault: Vault,
        parent: QWidget | None = None,
        *,
        tasks: TaskRunner | None = None,
        choose_file: FileChooser | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Organisation"))
        self.setWindowIcon(icon("settings"))
        self.resize(720, 640)
        layout = QVBoxLayout(self)
        self.form = OrgJoinForm(vault, self, tasks=tasks, choose_file=choose_file)
        layout.addWidget(self.form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
