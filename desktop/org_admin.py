"""A coordinator's organisation screens (docs/org-profile.md, issue 11):
Organisation → Create an organisation…, and Coordinator → Issue enrolment
token… (here) and Add a device… (desktop/org_add_device.py). The work is ``sync.org_vault``'s, on the window's
task runner (it writes the vault, signs, draws the QR code); these dialogs
only ask, explain and show.

What a dialog shows that is good for an enrolment (a token, its QR code)
lives in the dialog alone: never in a file unless the coordinator saves it,
and cleared when the dialog closes (the menus close it at lock).
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QDateTime, Qt, Signal, Slot
from PySide6.QtGui import QClipboard, QGuiApplication, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.dialog_parts import (
    FolderChooser,
    TaskDialog,
    action_button,
    big_code_label,
    button_row,
    choose_folder,
    close_button,
    field_row,
    os_reason,
    text_box,
    text_field,
    wrapped_label,
)
from desktop.dialog_parts import failure_text as dialog_failure_text
from desktop.icons import icon
from desktop.tasks import Lane, OperationFailed, TaskContext, TaskReport, TaskRunner

if TYPE_CHECKING:
    from db.api import Vault
    from desktop.coordinator_menu import CoordinatorMenu

DEFAULT_TOKEN_HOURS = 48  # as `fieldvault org token`
QR_BOX_PIXELS = 8  # in the PNG, which may be printed
QR_SHOWN_PIXELS = 520  # the most the code takes on screen: a phone reads 4-pixel modules
QR_BORDER = 4  # modules of quiet zone around a code that may be printed


def belongs_to_organisation(vault: Vault | None) -> bool:
    """Does the vault hold an organisation profile? A stored profile that no
    longer reads counts as one: a second organisation is never offered over it."""
    from db.api import FieldvaultError
    from sync.org_vault import held_profile

    if vault is None:
        return False
    try:
        return held_profile(vault) is not None
    except FieldvaultError:
        return True


def failure_text(failure: OperationFailed | None) -> str:
    return dialog_failure_text(
        failure, QCoreApplication.translate("OrgAdmin", "Stopped; nothing was changed.")
    )


def write_new_file(path: Path, data: bytes) -> None:
    """Create ``path`` (never over an existing file or through a link),
    0600: a profile names the organisation, a QR code carries a token."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
    except OSError:
        path.unlink(missing_ok=True)  # ours: created just above
        raise


@dataclass(frozen=True)
class Saved:
    """A file written for the user, or why not (``exists``, the OS's reason)."""

    path: Path
    exists: bool = False
    error: str = ""


class SaveFile:
    """Write ``data`` as a new file (a task: a USB stick may be slow)."""

    def __init__(self, path: Path, data: bytes) -> None:
        self._path = path
        self._data = data

    def __call__(self, _context: TaskContext) -> Saved:
        try:
            write_new_file(self._path, self._data)
        except FileExistsError:
            return Saved(self._path, exists=True)
        except OSError as err:
            return Saved(self._path, error=os_reason(err))
        return Saved(self._path)


def _saved_text(saved: Saved) -> str:
    if saved.exists:
        return QCoreApplication.translate(
            "OrgAdmin", "{name} exists already in that folder; nothing was replaced. Choose another folder."
        ).format(name=saved.path.name)
    if saved.error:
        return QCoreApplication.translate("OrgAdmin", "{name} could not be written ({reason}).").format(
            name=saved.path.name, reason=saved.error
        )
    return QCoreApplication.translate("OrgAdmin", "Saved: {path}").format(path=saved.path)


# -- create an organisation ---------------------------------------------------------------


@dataclass(frozen=True)
class CreateRequest:
    name: str
    purge_after_delivery: bool
    server_url: str  # "" for none
    cert_sha256: str
    receipt_key: str | None  # base64, typed or announced by the server; None: not pinned


@dataclass(frozen=True)
class CreatedOrganisation:
    name: str
    org_id: str
    version: int
    fingerprint: str
    server_url: str  # "" for none: then nothing is uploaded
    profile: bytes  # the signed profile file, for "Save the profile file…" and the upload
    receipt_key_pinned: bool


class CreateOrganisation:
    """The task: a new organisation with this vault as its first
    coordinator; with a server, a second version naming it (uploaded
    afterwards by ``PublishProfile``, as ``org set-server`` does)."""

    def __init__(self, vault: Vault, request: CreateRequest) -> None:
        self._vault = vault
        self._request = request

    def __call__(self, _context: TaskContext) -> CreatedOrganisation:
        from sync import org_vault

        request = self._request
        check_request(request)  # again: nothing is made from a malformed form
        signed = org_vault.create_organisation(
            self._vault, request.name, purge_after_delivery=request.purge_after_delivery
        )
        if request.server_url:
            signed = org_vault.set_server(
                self._vault, request.server_url, request.cert_sha256, request.receipt_key
            )
        profile = signed.profile
        server = profile.server
        return CreatedOrganisation(
            profile.name,
            profile.org_id,
            profile.version,
            profile.fingerprint,
            server.url if server is not None else "",
            signed.signed,
            server is not None and server.receipt_key is not None,
        )


def check_request(request: CreateRequest) -> None:
    """The name and the server entry's form (OrgRefused), before any network or write."""
    from sync import org

    org.check_name(request.name)
    if request.server_url:
        org.check_server(request.server_url, request.cert_sha256, request.receipt_key)


class AskReceiptKey:
    """The task: the receipt key the server announces, over a connection
    pinned to the typed certificate (as ``org set-server`` does when no key
    is given): the key or, when it cannot be asked, the outcome's state."""

    def __init__(self, url: str, cert_sha256: str) -> None:
        self._url = url
        self._cert = cert_sha256

    def __call__(self, _context: TaskContext) -> tuple[str | None, str]:
        from sync.client.org_link import fetch_receipt_key

        asked = fetch_receipt_key(self._url, self._cert)
        return (asked, "done") if isinstance(asked, str) else (None, asked.state)


class PublishProfile:
    """The task: send a new profile version to the server it names (on the
    sync lane: the network must not hold up the vault's writes). The outcome
    is said, never raised: the version is the organisation's already."""

    def __init__(self, signed: bytes) -> None:
        self._signed = signed

    def __call__(self, _context: TaskContext) -> str:
        from sync.client.org_link import publish_profile
        from sync.org import read_profile

        return publish_profile(self._signed, read_profile(self._signed)).state


def upload_text(state: str, url: str) -> str:
    """What became of a profile sent to ``url`` (``PublishProfile``'s state)."""
    texts = {
        "done": QCoreApplication.translate("OrgAdmin", "The new profile was sent to {url}."),
        "offline": QCoreApplication.translate(
            "OrgAdmin",
            "{url} could not be reached: the new profile was not sent yet (fieldvault org export sends it).",
        ),
        "pin-mismatch": QCoreApplication.translate(
            "OrgAdmin",
            "{url} showed another certificate than the pinned one: the new profile was not sent. Check the "
            "address and the certificate fingerprint.",
        ),
        "refused": QCoreApplication.translate("OrgAdmin", "{url} refused the new profile."),
        "server-too-old": QCoreApplication.translate(
            "OrgAdmin",
            "{url} is too old for the new profile and refused it: nothing of it is in force there (a device "
            "revoked in it is not revoked at the server). Have the server updated, then send the profile "
            "again (fieldvault org export sends it).",
        ),
    }
    return texts.get(state, texts["offline"]).format(url=url)


class CreateOrganisationDialog(TaskDialog):
    """Name, policy, optional server; then the fingerprint and what to tell
    field workers. ``created`` is emitted once the organisation exists. It
    does not close while the organisation is being made: its result must be seen."""

    created = Signal()

    def __init__(
        self,
        vault: Vault,
        parent: QWidget | None = None,
        *,
        tasks: TaskRunner | None = None,
        chooser: FolderChooser = choose_folder,
    ) -> None:
        super().__init__(parent, tasks)
        self._vault = vault
        self._chooser = chooser
        self.result_value: CreatedOrganisation | None = None
        self._key_note = ""
        self.setWindowTitle(self.tr("Create an organisation"))
        self.setWindowIcon(icon("settings"))
        self.resize(720, 620)
        layout = QVBoxLayout(self)

        self.form_box = QGroupBox(self.tr("New organisation"))
        form = QFormLayout(self.form_box)
        intro = self.tr(
            "This vault becomes the organisation's first coordinator: it keeps the organisation "
            "key, and the bundles field workers send are encrypted to its coordinators only. "
            "Create an organisation once; every other laptop joins it."
        )
        form.addRow(wrapped_label(intro))
        self.name_field = text_field(
            self.tr("Organisation name"), self.tr("for example: Kharkiv documentation group")
        )
        form.addRow(self.tr("&Name:"), self.name_field)
        self.purge_box = QCheckBox(
            self.tr("Field workers' laptops delete evidence files the server has received")
        )
        self.purge_box.setAccessibleName(self.tr("Purge after delivery"))
        form.addRow(self.purge_box)
        self.purge_why = wrapped_label(
            self.tr(
                "Tick this if a laptop that is seized or lost should carry as little as possible: once "
                "the organisation's server has confirmed with its signed receipt that it holds a worker's "
                "bundle, their laptop deletes its copy of the evidence files that bundle carried. The "
                "records, the files' fingerprints and the chain of custody stay. Leave it unticked if "
                "workers need the files themselves afterwards. Files carried only by USB stick are "
                "never deleted (a stick gives no receipt)."
            )
        )
        form.addRow(self.purge_why)
        self.server_url = text_field(self.tr("Server address"), self.tr("optional: https://…"))
        form.addRow(self.tr("&Server:"), self.server_url)
        self.cert_field = text_field(
            self.tr("Server certificate fingerprint"),
            self.tr("its certificate's SHA-256 (64 hex digits)"),
            fixed_font=True,
        )
        form.addRow(self.tr("&Certificate:"), self.cert_field)
        self.receipt_key_field = text_field(
            self.tr("Server receipt key"),
            self.tr("optional: its receipt key (base64); asked of the server when empty"),
            fixed_font=True,
        )
        form.addRow(self.tr("&Receipt key:"), self.receipt_key_field)
        server_why = self.tr(
            "Leave these empty to work by USB stick only; a server can be named later "
            "(fieldvault org set-server). Its certificate fingerprint and receipt key are what "
            "`fieldvault serve --init` printed: devices then talk to that server only, and trust "
            "only its receipts."
        )
        form.addRow(wrapped_label(server_why))
        self.create_button = action_button(
            "check",
            self.tr("Create the organisation"),
            self.tr("Create the organisation"),
            self.create_organisation,
        )
        form.addRow(self.create_button)
        self.status = wrapped_label(name=self.tr("Result"))
        form.addRow(self.status)
        layout.addWidget(self.form_box)

        self.result_box = QGroupBox(self.tr("Your organisation"))
        rlayout = QVBoxLayout(self.result_box)
        self.result_heading = wrapped_label(selectable=True)
        rlayout.addWidget(self.result_heading)
        self.upload_status = wrapped_label(name=self.tr("Sending the profile to the server"))
        rlayout.addWidget(self.upload_status)
        rlayout.addWidget(QLabel(self.tr("Organisation fingerprint")))
        self.fingerprint_label = big_code_label(self.tr("Organisation fingerprint"))
        rlayout.addWidget(self.fingerprint_label)
        self.tell_workers = wrapped_label(
            self.tr(
                "Tell each field worker this fingerprint in person or by phone, never in the same "
                "message or on the same stick as the profile: that is how their laptop knows the "
                "profile is yours. Give them the profile as a QR code (Coordinator → Issue enrolment "
                "token…) or as a file (Save the profile file…). When they have joined, add their "
                "device card (Coordinator → Add a device…) and compare the verification code."
            )
        )
        rlayout.addWidget(self.tell_workers)
        self.save_profile_button = action_button(
            "save",
            self.tr("Save the profile file…"),
            self.tr("Save the organisation profile file"),
            self.save_profile,
        )
        self.saved_status = wrapped_label()
        row = QHBoxLayout()
        row.addWidget(self.save_profile_button)
        row.addWidget(self.saved_status, 1)
        rlayout.addLayout(row)
        self.result_box.hide()
        layout.addWidget(self.result_box)
        layout.addStretch(1)
        self.close_button = close_button(self, self.tr("Close"))
        layout.addLayout(button_row([], self.close_button))

    def request(self) -> CreateRequest | None:
        name = self.name_field.text().strip()
        if not name:
            self.status.setText(self.tr("Type the organisation's name."))
            self.name_field.setFocus()
            return None
        url, cert = self.server_url.text().strip(), self.cert_field.text().strip()
        if bool(url) != bool(cert):
            self.status.setText(
                self.tr(
                    "A server needs both its address and its certificate fingerprint (or leave both empty)."
                )
            )
            return None
        from db.api import FieldvaultError

        key = self.receipt_key_field.text().strip() or None
        request = CreateRequest(name, self.purge_box.isChecked(), url, cert, key if url else None)
        try:
            check_request(request)
        except FieldvaultError as refused:
            from desktop.tasks import failure

            self.status.setText(failure_text(failure(refused)))
            return None
        return request

    @Slot()
    def create_organisation(self) -> None:
        request = self.request()
        if request is None or self.busy:
            return
        self._set_busy(True)
        self._key_note = ""
        if request.server_url and request.receipt_key is None:
            # Pinned too, as `org set-server` does: asked of the server itself.
            self.status.setText(self.tr("Asking {url} for its receipt key…").format(url=request.server_url))
            task = AskReceiptKey(request.server_url, request.cert_sha256)
            self.start_task(Lane.SYNC, task, lambda report: self._on_key(report, request))
            return
        self._create(request)

    def _on_key(self, report: TaskReport, request: CreateRequest) -> None:
        if not report.finished:
            return
        key, state = report.value if isinstance(report.value, tuple) else (None, "offline")
        if key is None:
            self._key_note = self.tr(
                "{url} could not be asked for its receipt key ({state}): the profile does not pin it, and "
                "devices will trust the key they see first. Pin it later with fieldvault org set-server "
                "--receipt-key (fieldvault serve --init printed it)."
            ).format(url=request.server_url, state=state)
        self._create(replace(request, receipt_key=key))

    def _create(self, request: CreateRequest) -> None:
        self.status.setText(self.tr("Creating the organisation…"))
        self.start_task(Lane.SAVE, CreateOrganisation(self._vault, request), self._on_created)

    def _set_busy(self, busy: bool) -> None:
        self.create_button.setEnabled(not busy)
        self.close_button.setEnabled(not busy)

    def _on_created(self, report: TaskReport) -> None:
        if not report.finished:
            return
        self.task_ended()
        self._set_busy(False)
        if report.state != "succeeded" or not isinstance(report.value, CreatedOrganisation):
            self.status.setText(failure_text(report.failure))
            return
        made = self.result_value = report.value
        self.status.clear()
        self.form_box.setEnabled(False)  # a vault belongs to one organisation
        self.result_heading.setText(
            self.tr("Organisation {name} created; this vault is its coordinator.").format(name=made.name)
            + (f"\n{self._key_note}" if self._key_note else "")
        )
        self.fingerprint_label.setText(made.fingerprint)
        self.result_box.show()
        self.created.emit()
        if made.server_url:
            self.upload_status.setText(self.tr("Sending the profile to {url}…").format(url=made.server_url))
            self.tasks.start(Lane.SYNC, PublishProfile(made.profile), self._on_published, owner=self)

    def _on_published(self, report: TaskReport) -> None:
        if not report.finished or self.result_value is None:
            return
        state = report.value if isinstance(report.value, str) else "offline"
        self.upload_status.setText(upload_text(state, self.result_value.server_url))

    @Slot()
    def save_profile(self) -> None:
        made = self.result_value
        if made is None or self.busy:
            return
        folder = self._chooser(self, self.tr("Choose the folder for the profile file"))
        if not folder:
            return
        path = Path(folder) / f"org-profile-v{made.version}.fvorg"
        self.save_profile_button.setEnabled(False)
        self.start_task(Lane.EXPORT, SaveFile(path, made.profile), self._on_saved)

    def _on_saved(self, report: TaskReport) -> None:
        if not report.finished:
            return
        self.task_ended()
        self.save_profile_button.setEnabled(True)
        if isinstance(report.value, Saved):
            self.saved_status.setText(_saved_text(report.value))
        else:
            self.saved_status.setText(failure_text(report.failure))


# -- issue an enrolment token ---------------------------------------------------------------


def qr_png(text: str) -> bytes:
    """The QR code of ``text`` as PNG bytes, in memory (medium error
    correction: it may be printed). ValueError when it does not fit."""
    import qrcode
    import qrcode.constants
    from qrcode.exceptions import DataOverflowError
    from qrcode.image.pil import PilImage

    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=QR_BORDER,
        box_size=QR_BOX_PIXELS,
        image_factory=PilImage,
    )
    code.add_data(text.encode("ascii"))
    try:
        code.make(fit=True)
    except DataOverflowError:
        raise ValueError("too large for a QR code") from None
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def shown_qr(pixmap: QPixmap) -> QPixmap:
    """The PNG's code at a whole number of pixels a module (sharp edges),
    at most QR_SHOWN_PIXELS wide, at least 3 pixels a module."""
    modules = pixmap.width() // QR_BOX_PIXELS
    box = min(QR_BOX_PIXELS, max(3, QR_SHOWN_PIXELS // max(modules, 1)))
    side = modules * box
    return pixmap.scaled(
        side, side, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.FastTransformation
    )


@dataclass(frozen=True)
class IssuedToken:
    token_id: str
    token: str  # fvt1.…
    expires_ms: int
    payload: str  # fieldvault:enrol?v=1&… (profile, fingerprint, token)
    png: bytes  # b"" when the payload does not fit a QR code


class IssueToken:
    """The task: a one-time token (recorded in the vault) and the enrolment
    QR code carrying it with the profile and its fingerprint."""

    def __init__(self, vault: Vault, hours: float) -> None:
        self._vault = vault
        self._hours = hours

    def __call__(self, _context: TaskContext) -> IssuedToken:
        from sync import org, org_vault

        token = org_vault.issue_token(self._vault, hours=self._hours)
        signed = org_vault.current_signed(self._vault)
        payload = org.enrol_payload_text(signed.signed, signed.profile.fingerprint, token.text)
        try:
            png = qr_png(payload)
        except ValueError:
            png = b""
        return IssuedToken(token.token_id, token.text, token.expires_ms, payload, png)


class IssueTokenDialog(QDialog):
    """Validity, then the QR code, the token with Copy, and Save QR as PNG…."""

    def __init__(
        self,
        vault: Vault,
        parent: QWidget | None = None,
        *,
        tasks: TaskRunner | None = None,
        chooser: FolderChooser = choose_folder,
    ) -> None:
        super().__init__(parent)
        self._vault = vault
        self.tasks = tasks if tasks is not None else TaskRunner(self)
        self._chooser = chooser
        self.issued: IssuedToken | None = None
        self.busy = False
        self.setWindowTitle(self.tr("Issue enrolment token"))
        self.setWindowIcon(icon("key"))
        self.resize(640, 820)
        layout = QVBoxLayout(self)
        intro = self.tr(
            "A token lets one new laptop join: its first bundle is accepted without waiting for you "
            "to add the device. It is good once and only until it expires. The QR code carries the "
            "organisation profile and the token; the worker still types the fingerprint you tell them."
        )
        layout.addWidget(wrapped_label(intro))
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Valid for:")))
        self.hours = QSpinBox()
        self.hours.setRange(1, 24 * 30)
        self.hours.setValue(DEFAULT_TOKEN_HOURS)
        self.hours.setSuffix(self.tr(" hours"))
        self.hours.setAccessibleName(self.tr("Hours the token is valid"))
        row.addWidget(self.hours)
        self.issue_button = action_button(
            "key", self.tr("Issue the token"), self.tr("Issue the token"), self.issue
        )
        row.addWidget(self.issue_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.qr_label = QLabel()
        self.qr_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr_label.setAccessibleName(self.tr("Enrolment QR code"))
        layout.addWidget(self.qr_label, 1)
        self.expiry = wrapped_label()
        layout.addWidget(self.expiry)
        self.token_field = text_field(self.tr("Enrolment token"), read_only=True)
        self.copy_button = action_button(
            "export", self.tr("Copy"), self.tr("Copy the token"), self.copy_token
        )
        layout.addLayout(field_row(self.token_field, self.copy_button))
        self.payload_field = text_box(self.tr("Text of the enrolment QR code"), lines=4, read_only=True)
        layout.addWidget(self.payload_field)
        save_row = QHBoxLayout()
        self.save_button = action_button(
            "save", self.tr("Save QR as PNG…"), self.tr("Save the QR code as a PNG file"), self.save_png
        )
        self.status = wrapped_label(name=self.tr("Result"))
        save_row.addWidget(self.save_button)
        save_row.addWidget(self.status, 1)
        layout.addLayout(save_row)
        self.handling = wrapped_label(
            self.tr(
                "Anyone holding this token and the profile can join once: show the code to the worker "
                "in person, or save it only onto a stick you hand over yourself. The copied token is "
                "cleared from the clipboard when the vault locks."
            )
        )
        layout.addWidget(self.handling)
        layout.addLayout(button_row([], close_button(self, self.tr("Close"))))
        self._show_issued(None)

    @Slot()
    def issue(self) -> None:
        if self.busy:
            return
        self.busy = True
        self.issue_button.setEnabled(False)
        self.status.setText(self.tr("Issuing the token…"))
        task = IssueToken(self._vault, float(self.hours.value()))
        self.tasks.start(Lane.SAVE, task, self._on_issued, owner=self)

    def _on_issued(self, report: TaskReport) -> None:
        if not report.finished:
            return
        self.busy = False
        self.issue_button.setEnabled(True)
        if report.state == "succeeded" and isinstance(report.value, IssuedToken):
            self.status.clear()
            self._forget_copied_token()  # the token shown before stays valid: not left on the clipboard
            self._show_issued(report.value)
        else:
            self.status.setText(failure_text(report.failure))

    def _show_issued(self, issued: IssuedToken | None) -> None:
        self.issued = issued
        has = issued is not None
        for widget in (self.copy_button, self.token_field, self.payload_field):
            widget.setEnabled(has)
        self.save_button.setEnabled(has and bool(issued and issued.png))
        if issued is None:
            self.qr_label.clear()
            self.qr_label.setText(self.tr("Choose how long the token is valid, then issue it."))
            self.token_field.clear()
            self.payload_field.clear()
            self.expiry.clear()
            return
        pixmap = QPixmap()
        if issued.png and pixmap.loadFromData(issued.png, "PNG"):
            self.qr_label.setPixmap(shown_qr(pixmap))
        else:
            self.qr_label.setText(
                self.tr(
                    "The profile is too large for a QR code: give the worker the profile file and the token."
                )
            )
        self.token_field.setText(issued.token)
        self.token_field.setCursorPosition(0)
        self.payload_field.setPlainText(issued.payload)
        expires = QDateTime.fromMSecsSinceEpoch(issued.expires_ms).toString("yyyy-MM-dd HH:mm")
        self.expiry.setText(
            self.tr("Token {token} is good for one device until {time} (this computer's time).").format(
                token=issued.token_id[:8], time=expires
            )
        )

    @Slot()
    def copy_token(self) -> None:
        if self.issued is not None:
            # The window's clipboard guard empties it at lock (desktop/clipboard_guard.py).
            QGuiApplication.clipboard().setText(self.issued.token)
            self.status.setText(self.tr("Token copied."))

    @Slot()
    def save_png(self) -> None:
        issued = self.issued
        if issued is None or not issued.png or self.busy:
            return
        folder = self._chooser(self, self.tr("Choose the folder for the QR code"))
        if not folder:
            return
        path = Path(folder) / f"fieldvault-enrol-{issued.token_id[:8]}.png"
        self.busy = True
        self.save_button.setEnabled(False)
        self.tasks.start(Lane.EXPORT, SaveFile(path, issued.png), self._on_saved, owner=self)

    def _on_saved(self, report: TaskReport) -> None:
        if not report.finished:
            return
        self.busy = False
        self.save_button.setEnabled(self.issued is not None and bool(self.issued.png))
        self.status.setText(
            _saved_text(report.value) if isinstance(report.value, Saved) else failure_text(report.failure)
        )

    def _forget_copied_token(self) -> None:
        """Empty the clipboard (and the X11 selection) if it holds the shown
        token, copied alone or within the QR code's text: a clipboard
        manager would keep it, and it enrols a laptop until it expires.
        Anything else there is not ours to clear."""
        if self.issued is None:
            return
        clipboard = QGuiApplication.clipboard()
        for mode in (QClipboard.Mode.Clipboard, QClipboard.Mode.Selection):
            if mode == QClipboard.Mode.Selection and not clipboard.supportsSelection():
                continue
            if self.issued.token in clipboard.text(mode):
                clipboard.clear(mode)

    def done(self, result: int) -> None:
        # The token is good for one enrolment: it does not outlive the dialog,
        # on the screen or on the clipboard.
        self._forget_copied_token()
        self._show_issued(None)
        super().done(result)


# -- the menus -----------------------------------------------------------------------------------


def add_coordinator_entries(menu: CoordinatorMenu) -> None:
    """Coordinator → Issue enrolment token…, Add a device…, Write
    acknowledgements to USB…."""
    menu.add_entry(
        lambda: QCoreApplication.translate("OrgAdmin", "Issue enrolment &token…"),
        lambda vault, parent, tasks: IssueTokenDialog(vault, parent, tasks=tasks),
        "key",
        needs_key=True,  # tokens are signed, recorded and spent where the key is
    )
    menu.add_entry(
        lambda: QCoreApplication.translate("OrgAdmin", "&Add a device…"),
        _add_device_dialog,
        "new-vault",
    )
    menu.add_entry(
        lambda: QCoreApplication.translate("OrgAdmin", "&Write acknowledgements to USB…"),
        _write_acks_dialog,
        "export",
    )


def _write_acks_dialog(vault: Vault, parent: QWidget, tasks: TaskRunner) -> QDialog:
    from desktop.org_acks import WriteAcksDialog

    return WriteAcksDialog(vault, parent, tasks=tasks)


def _add_device_dialog(vault: Vault, parent: QWidget, tasks: TaskRunner) -> QDialog:
    from desktop.org_add_device import AddDeviceDialog

    return AddDeviceDialog(vault, parent, tasks=tasks)
