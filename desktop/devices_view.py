"""Coordinator → Devices…: each device's last bundle, its sequence, the
bundles missing before it, verification and revocation (docs/merge.md,
"Devices"; the rows are sync/merge/devices.py's, as ``fieldvault devices``
prints them).

A missing bundle is a warning: the laptop may have been seized or lost
before it sent it. So is a receipt alarm about a device's deliveries (the
server showed that device another record of deliveries than this vault
checked; docs/sync.md §2.2). Such rows are coloured and say so in words.
Record changes parked here until their parents arrive (db/parked.py) are
counted under the list, with what to do in its tooltip, and per device in
the chosen device's details; "Set aside…" sets the chosen device's waiting
changes aside for good after a second click (db/parked_set_aside.py,
docs/sync.md §2.3, on the save lane). A held bundle a pull left whose
release failed here and is passed over (sync/bundle/quarantine.py
RELEASE_FAILED) is said with its error's message; "Try again" has the next
sync try it (``retry_release``, on the save lane). "Revoke…"
asks twice (the button, then the device id's first characters typed) and
signs a new profile version with ``sync.org_vault.revoke_device``; when the
profile names a server the new version is sent to it at once, as ``org
revoke`` does: the coordinator's sync does not carry profiles, so this is the
moment the server learns of it.

The list is read on the export lane, the revocation written on the save
lane and sent on the sync lane (desktop/tasks.py): the window never waits.
What the dialog shows is cleared when it closes (and so when the vault
locks).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, Slot
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.dialog_parts import drop_tasks, failure_text, wrapped_label
from desktop.frozen_records_view import FrozenRead, FrozenSummary, read_frozen
from desktop.icons import icon
from desktop.item_lists import ID_ROLE, item_list, row_texts, row_with
from desktop.lane_read_dialog import LaneReadDialog
from desktop.tasks import Lane, TaskHandle, TaskReport, TaskRunner

if TYPE_CHECKING:
    from db.api import TypeClashRow, Vault
    from desktop.coordinator_menu import CoordinatorMenu
    from sync.bundle.quarantine import HeldState
    from sync.client.org_link import ServerOutcome
    from sync.merge.devices import DeviceRow
    from sync.org import Profile


def _utc(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC).strftime("%Y-%m-%d %H:%M")


# How many leading characters of a device id the coordinator types to confirm.
CONFIRM_CHARS = 6
# Row colours: a warning (bundles missing or held) and a revoked device. Text
# is set dark on them so that it stays readable in a dark theme too.
WARNING_COLOUR = QColor("#ffe8a8")
REVOKED_COLOUR = QColor("#f6c6c6")
ROW_TEXT = QColor("#1a1a1a")


def key_fingerprint(public_key: bytes) -> str:
    """A short fingerprint of a device key: SHA-256, base32, first 8
    characters ("ABCD-EFGH"). The full check is the verification code."""
    letters = base64.b32encode(hashlib.sha256(public_key).digest()[:5]).decode("ascii")
    return f"{letters[:4]}-{letters[4:8]}"


# -- the tasks (plain Python) ----------------------------------------------------------


@dataclass(frozen=True)
class DeviceLine:
    """A row of sync/merge/devices.py and what only the GUI adds: the
    device key's short fingerprint and its verification code."""

    row: DeviceRow
    key: str  # key_fingerprint, "" when the key is not known
    code: str  # verification code with the organisation key, "" when unknown
    # Its bundles held in quarantine and why each still is (refused, file gone...).
    held: tuple[HeldState, ...] = ()


@dataclass(frozen=True)
class DevicesRead:
    lines: tuple[DeviceLine, ...]
    server_url: str  # the server the profile names, "" for none
    frozen: FrozenRead | None = None  # the records revoked devices froze (desktop/frozen_records_view.py)
    # Revisions parked here until their parents arrive (db/parked.py), all
    # signers: a signer no row shows (known by no bundle of its own) included.
    parked: int = 0
    # Revisions kept aside (parked) until their device, whose vouch lapsed,
    # is enrolled again (sync/merge/devices.py ``kept_aside_by_signer``):
    # not in ``parked``, they wait for no parent.
    kept_aside: int = 0


def read_devices(vault: Vault) -> DevicesRead:
    from db.api import parked_revision_count
    from sync.bundle.quarantine import held_states
    from sync.merge.devices import devices_view, kept_aside_by_signer
    from sync.org import verification_code
    from sync.org_vault import held_profile

    profile = held_profile(vault)
    keys = {device.device_id: device.public_key for device in vault.sync.devices()}
    held: dict[str, list[HeldState]] = {}
    for state in held_states(vault):
        keys.setdefault(state.held.device_id, state.held.device_key)
        held.setdefault(state.held.device_id, []).append(state)
    lines = []
    for row in devices_view(vault):
        key = keys.get(row.device_id)
        code = verification_code(profile.org_key, key) if key and profile is not None else ""
        lines.append(
            DeviceLine(row, key_fingerprint(key) if key else "", code, tuple(held.get(row.device_id, [])))
        )
    server = profile.server.url if profile is not None and profile.server is not None else ""
    kept_aside = sum(kept_aside_by_signer(vault).values())
    return DevicesRead(
        tuple(lines), server, read_frozen(vault), parked_revision_count(vault) - kept_aside, kept_aside
    )


@dataclass(frozen=True)
class Revoked:
    device_id: str
    version: int
    signed: bytes
    profile: Profile


def revoke(vault: Vault, device_id: str) -> Revoked:
    from sync.org_vault import revoke_device

    signed = revoke_device(vault, device_id)
    return Revoked(device_id, signed.profile.version, signed.signed, signed.profile)


def set_aside(vault: Vault, device_id: str) -> int:
    """Set aside the parked revisions ``device_id`` signed, with the parked
    ones following them; how many were set aside."""
    from db.api import set_aside_parked

    return len(set_aside_parked(vault, signer=device_id).set_aside)


def try_again(vault: Vault, bundle_ids: Sequence[str]) -> int:
    """Have the next sync try these held bundles again (their release
    failures forgotten: quarantine.retry_release, as ``fieldvault bundle
    quarantine retry`` does); how many."""
    from sync.bundle.quarantine import retry_release

    for bundle_id in bundle_ids:
        retry_release(vault, bundle_id)
    return len(bundle_ids)


def retryable(held: Sequence[HeldState]) -> list[str]:
    """The held bundles a pull left in the spool whose release failed here
    RELEASE_TRIES times in a row, no longer tried by themselves: what Try
    again is for. (One from a USB stick is tried when its file is imported
    again; one not passed over, at the next sync anyway.)"""
    return [
        state.held.bundle_id
        for state in held
        if state.state == "release-failed"
        and state.failure is not None
        and state.failure.passed_over
        and state.from_server
    ]


def publish(revoked: Revoked) -> ServerOutcome:
    from sync.client.org_link import publish_profile

    return publish_profile(revoked.signed, revoked.profile)


# -- the dialog ------------------------------------------------------------------------


def _holds_key(vault: Vault) -> bool:
    from sync.org_vault import held_profile, holds_org_key

    profile = held_profile(vault)
    return profile is not None and holds_org_key(vault, profile)


class DevicesDialog(LaneReadDialog[DevicesRead]):
    """The devices of the organisation as this vault knows them."""

    (
        DEVICE_COLUMN,
        ROLE_COLUMN,
        KEY_COLUMN,
        STATUS_COLUMN,
        LAST_COLUMN,
        HELD_COLUMN,
        VERIFICATION_COLUMN,
        WARNING_COLUMN,
    ) = range(8)

    def __init__(
        self, vault: Vault, parent: QWidget | None = None, *, tasks: TaskRunner | None = None
    ) -> None:
        super().__init__(parent, tasks, DevicesRead)
        self._vault = vault
        self._publishing: TaskHandle | None = None
        self._lines: list[DeviceLine] = []
        self._server_url = ""
        self._last_revoked: Revoked | None = None
        self.setWindowTitle(self.tr("Devices"))
        self.resize(1060, 480)
        layout = QVBoxLayout(self)
        intro = self.tr(
            "Every device of the organisation this vault knows, with its last bundle. A bundle "
            "missing before the last one is a warning: the laptop may have been seized or lost "
            "before it sent it, or the bundle is still on its way."
        )
        layout.addWidget(wrapped_label(intro))
        self.table = item_list(
            self.tr("Devices and their bundles"),
            [
                self.tr("Device"),
                self.tr("Role"),
                self.tr("Key"),
                self.tr("Status"),
                self.tr("Last bundle"),
                self.tr("Held"),
                self.tr("Verification"),
                self.tr("Warning"),
            ],
            word_wrap=True,
        )
        # Columns as wide as their contents (the words differ by language);
        # the warning takes what is left.
        header = self.table.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.currentItemChanged.connect(self._selection_changed)
        layout.addWidget(self.table, 1)
        # The chosen device in full: its id and its warnings in words.
        self.details = wrapped_label(name=self.tr("The chosen device"), selectable=True)
        layout.addWidget(self.details)
        # Record changes waiting for their parents (db/parked.py): how many, what to do in the tooltip.
        self.parked = wrapped_label(name=self.tr("Record changes waiting for their parents"), selectable=True)
        self.parked.hide()
        layout.addWidget(self.parked)
        # Record changes kept aside because their device's vouch lapsed: they
        # wait for its enrolment, not for parents, so they are counted apart.
        self.kept_aside = wrapped_label(
            name=self.tr("Record changes kept aside from devices whose vouch lapsed"), selectable=True
        )
        self.kept_aside.hide()
        layout.addWidget(self.kept_aside)
        # The records revoked devices froze (review 11 F2), per device, and their list.
        self.frozen = FrozenSummary()
        # Its list offers Re-root… (db/reroot.py); the view reads again once one is signed.
        self.frozen.enable_reroot(vault, self.tasks, self.refresh)
        layout.addWidget(self.frozen)

        # The second step of a revocation: the device id's first characters typed.
        self.confirm_box = QFrame()
        self.confirm_box.setFrameShape(QFrame.Shape.StyledPanel)
        confirm_layout = QVBoxLayout(self.confirm_box)
        self.confirm_text = wrapped_label()
        confirm_layout.addWidget(self.confirm_text)
        confirm_row = QHBoxLayout()
        self.confirm_field = QLineEdit()
        self.confirm_field.setAccessibleName(self.tr("First characters of the device id, to confirm"))
        self.confirm_field.setMaxLength(32)
        self.confirm_field.textChanged.connect(self._confirm_typed)
        self.confirm_button = QPushButton(icon("wipe"), self.tr("Revoke this device"))
        self.confirm_button.setAccessibleName(self.tr("Revoke this device"))
        self.confirm_button.setEnabled(False)
        self.confirm_button.clicked.connect(self.confirm_revoke)
        self.keep_button = QPushButton(self.tr("Keep it"))
        self.keep_button.clicked.connect(self.cancel_revoke)
        confirm_row.addWidget(self.confirm_field, 1)
        confirm_row.addWidget(self.confirm_button)
        confirm_row.addWidget(self.keep_button)
        confirm_layout.addLayout(confirm_row)
        self.confirm_box.hide()
        layout.addWidget(self.confirm_box)

        # Setting the chosen device's waiting changes aside: asked once more here.
        self.aside_box = QFrame()
        self.aside_box.setFrameShape(QFrame.Shape.StyledPanel)
        aside_layout = QVBoxLayout(self.aside_box)
        self.aside_text = wrapped_label()
        aside_layout.addWidget(self.aside_text)
        aside_row = QHBoxLayout()
        self.aside_confirm_button = QPushButton(self.tr("Set them aside"))
        self.aside_confirm_button.clicked.connect(self.confirm_set_aside)
        self.aside_keep_button = QPushButton(self.tr("Keep them waiting"))
        self.aside_keep_button.clicked.connect(self.cancel_set_aside)
        aside_row.addStretch(1)
        aside_row.addWidget(self.aside_confirm_button)
        aside_row.addWidget(self.aside_keep_button)
        aside_layout.addLayout(aside_row)
        self.aside_box.hide()
        layout.addWidget(self.aside_box)

        self.status = wrapped_label(name=self.tr("Result"), selectable=True)
        layout.addWidget(self.status)
        buttons = QHBoxLayout()
        self.refresh_button = QPushButton(icon("search"), self.tr("Refresh"))
        self.refresh_button.clicked.connect(self.refresh)
        self.revoke_button = QPushButton(icon("wipe"), self.tr("Revoke…"))
        self.revoke_button.setAccessibleName(self.tr("Revoke the chosen device"))
        self.revoke_button.setEnabled(False)
        self.revoke_button.clicked.connect(self.ask_revoke)
        # Revoking signs a new profile version: only where the organisation
        # key is. A coordinator desk without it sees the devices, not the button.
        self.revoke_button.setVisible(_holds_key(vault))
        self.set_aside_button = QPushButton(self.tr("Set aside…"))
        self.set_aside_button.setAccessibleName(
            self.tr("Set aside the chosen device's waiting record changes")
        )
        self.set_aside_button.setEnabled(False)
        self.set_aside_button.clicked.connect(self.ask_set_aside)
        # A held bundle whose release failed here, passed over: the next sync tries it again.
        self.retry_button = QPushButton(self.tr("Try again"))
        self.retry_button.setAccessibleName(
            self.tr("Try the chosen device's held bundles again at the next sync")
        )
        self.retry_button.hide()
        self.retry_button.clicked.connect(self.retry)
        self.resend_button = QPushButton(icon("export"), self.tr("Send the profile to the server again"))
        self.resend_button.clicked.connect(self.resend)
        self.resend_button.hide()
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.clicked.connect(self.reject)
        for button in (
            self.refresh_button,
            self.retry_button,
            self.set_aside_button,
            self.revoke_button,
            self.resend_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self.refresh()

    # -- reading (on the export lane: LaneReadDialog.refresh) ----------------------------

    def _read_list(self) -> DevicesRead:
        return read_devices(self._vault)

    def _read_not_done(self, report: TaskReport) -> None:
        """A failed read is said; a cancelled one leaves the status line as it was."""
        if report.state == "failed":
            assert report.failure is not None
            from desktop.messages import failure_message

            self.status.setText(failure_message(report.failure))

    def _show(self, read: DevicesRead) -> None:
        chosen = self.chosen_device()
        self._lines = list(read.lines)
        self._server_url = read.server_url
        self.table.clear()
        for line in self._lines:
            item = self._item(line)
            self.table.addTopLevelItem(item)
            if line.row.device_id == chosen:
                self.table.setCurrentItem(item)
        first = self.table.topLevelItem(0)
        if self.table.currentItem() is None and first is not None:
            self.table.setCurrentItem(first)  # the first warning, if any
        if not self._lines:
            self.status.setText(self.tr("No other devices are known to this vault yet."))
        if read.frozen is not None:
            self.frozen.show_read(read.frozen)
        self._show_parked(read.parked)
        self._show_kept_aside(read.kept_aside)
        self._selection_changed()

    def _show_parked(self, count: int) -> None:
        self.parked.setVisible(bool(count))
        if not count:
            self.parked.clear()
            self.parked.setToolTip("")
            return
        self.parked.setText(
            self.tr(
                "%n record change(s) wait for their parents: they follow changes this vault has not "
                "received yet. Point here for what to do.",
                "",
                count,
            )
        )
        explained = self.parked_explained()
        self.parked.setToolTip(explained)
        self.parked.setAccessibleDescription(explained)

    def _show_kept_aside(self, count: int) -> None:
        self.kept_aside.setVisible(bool(count))
        self.kept_aside.setText(
            self.tr(
                "%n record change(s) from devices whose vouch lapsed, kept until they are enrolled "
                "again: a current coordinator vouches for the device, or you approve it by its "
                "verification code. Then they are stored.",
                "",
                count,
            )
            if count
            else ""
        )

    def parked_explained(self) -> str:
        """The waiting changes' tooltip: what they are and what to do."""
        return self.tr(
            "A bundle brought edits of records whose earlier changes (their parents) this vault does "
            "not hold yet, often a field worker's that another desk took directly. They are kept "
            "apart, in no list, search or export, and stored as soon as those changes arrive. To bring "
            "them, import the bundle of the device that made them (ask the desk whose edits wait which "
            "worker's records it edited), or sync. If a revoked device made them they never come: the "
            "waiting edits are then left out when that device's bundle is read."
        )

    def _item(self, line: DeviceLine) -> QTreeWidgetItem:
        row = line.row
        texts = [""] * 8
        short_id = f"{row.device_id[:12]}…"
        texts[self.DEVICE_COLUMN] = f"{row.label} · {short_id}" if row.label else short_id
        texts[self.ROLE_COLUMN] = self._role(row.role)
        texts[self.KEY_COLUMN] = line.key or "–"
        texts[self.STATUS_COLUMN] = self._status(row.status)
        texts[self.LAST_COLUMN] = self._last(row)
        texts[self.HELD_COLUMN] = str(row.held_bundles) if row.held_bundles else ""
        texts[self.VERIFICATION_COLUMN] = self._verification(row.verification)
        texts[self.WARNING_COLUMN] = self.short_warning(row, line.held)
        item = QTreeWidgetItem(texts)
        item.setData(self.DEVICE_COLUMN, ID_ROLE, row.device_id)
        item.setToolTip(self.DEVICE_COLUMN, row.device_id)
        item.setToolTip(self.WARNING_COLUMN, "\n".join(self.warning_texts(row, line.held)))
        if line.code:
            item.setToolTip(
                self.KEY_COLUMN,
                self.tr("Verification code (compare it with the worker's): {code}").format(code=line.code),
            )
        if row.warnings:
            colour = REVOKED_COLOUR if row.status == "revoked" else WARNING_COLOUR
            for column in range(8):
                item.setBackground(column, QBrush(colour))
                item.setForeground(column, QBrush(ROW_TEXT))
        return item

    def short_warning(self, row: DeviceRow, held: Sequence[HeldState] = ()) -> str:
        """What the Warning column says; warning_texts says it in full."""
        parts = []
        if row.gaps:
            parts.append(self.tr("%n missing", "", row.missing))
        if row.held_bundles:
            parts.append(self.tr("%n held", "", row.held_bundles))
        if gone := sum(state.state == "file-gone" for state in held):
            parts.append(self.tr("%n file(s) gone", "", gone))
        if refused := sum(state.state == "refused" for state in held):
            parts.append(self.tr("%n refused", "", refused))
        for state in held:
            if state.state == "release-failed" and state.failure is not None:
                parts.append(
                    self.tr("release failed %n time(s) ({code})", "", state.failure.count).format(
                        code=state.failure.code
                    )
                )
        if row.status == "revoked":
            parts.append(self.tr("revoked"))
        if "vouch-lapsed" in row.warnings:
            parts.append(self.tr("vouch lapsed"))
        if row.refused_bundles_read:
            parts.append(self.tr("%n refused bundle(s) read", "", row.refused_bundles_read))
        if clashes := row.type_clash_revisions + row.type_clash_held_revisions:
            # Either side of a clash (review 17 F4): neither is blamed.
            parts.append(self.tr("%n type clash(es)", "", clashes))
        if row.receipt_alarms:
            parts.append(self.tr("%n receipt alarm(s)", "", len(row.receipt_alarms)))
        if row.not_handed_over:
            # A hand-over short of what the worker's own manifests name (or
            # carrying manifests that do not verify): the maker is in the details.
            parts.append(
                self.tr(
                    "%n not handed over",
                    "",
                    sum(missing + unverifiable for _desk, missing, unverifiable in row.not_handed_over),
                )
            )
        if row.files_not_handed_over:
            # Evidence files whose records came and whose bytes did not (review
            # 21 "Bytes-only drop"): the maker is in the details.
            parts.append(
                self.tr(
                    "%n file(s) not handed over", "", sum(count for _desk, count in row.files_not_handed_over)
                )
            )
        if row.hand_over_unchecked:
            # Bundles a hand-over named without a manifest to check them by:
            # not found short, but not checked either (the maker in the details).
            parts.append(
                self.tr(
                    "%n bundle(s) not checked", "", sum(count for _desk, count in row.hand_over_unchecked)
                )
            )
        return "⚠ " + ", ".join(parts) if parts else ""

    def _role(self, role: str) -> str:
        return {
            "device": self.tr("field device"),
            "coordinator": self.tr("coordinator"),
            "unknown": self.tr("unknown"),
        }.get(role, role)

    def _status(self, status: str) -> str:
        return {
            "enrolled": self.tr("enrolled"),
            "pending": self.tr("pending"),
            "revoked": self.tr("revoked"),
            "unknown": self.tr("unknown"),
        }.get(status, status)

    def _verification(self, verification: str) -> str:
        return {
            "verified": self.tr("verified"),
            "awaiting-verification": self.tr("awaiting verification"),
            "pending": self.tr("pending"),
            "revoked": self.tr("revoked"),
        }.get(verification, verification)

    def _last(self, row: DeviceRow) -> str:
        if row.last_imported_ms is None:
            return self.tr("none yet")
        when = dt.datetime.fromtimestamp(row.last_imported_ms / 1000, tz=dt.UTC).strftime("%Y-%m-%d %H:%M")
        days = max(0, (dt.datetime.now(tz=dt.UTC).timestamp() * 1000 - row.last_imported_ms) // 86_400_000)
        age = self.tr("today") if days == 0 else self.tr("%n day(s) ago", "", int(days))
        return self.tr("#{sequence} · {when} UTC ({age})").format(
            sequence=row.last_sequence, when=when, age=age
        )

    def warning_texts(self, row: DeviceRow, held: Sequence[HeldState] = ()) -> list[str]:
        """The row's warnings in words (tests read them as a user does);
        ``held`` says why each held bundle still is (else only their count)."""
        texts = []
        if row.gaps:
            numbers = ", ".join(
                str(g.first) if g.first == g.last else f"{g.first}–{g.last}" for g in row.gaps
            )
            texts.append(
                self.tr(
                    "Bundles missing: {numbers}. The laptop may have been seized or lost, or they are "
                    "still on their way."
                ).format(numbers=numbers)
            )
        awaiting = sum(state.state == "awaiting-verification" for state in held) if held else row.held_bundles
        if awaiting:
            texts.append(self.tr("%n bundle(s) held until its verification code is compared.", "", awaiting))
        texts += [self._held_text(state) for state in held if state.state != "awaiting-verification"]
        if row.status == "revoked":
            texts.append(self.tr("Revoked: its bundles are refused."))
        if "vouch-lapsed" in row.warnings:
            texts.append(self._lapsed_text(row))
        if row.refused_bundles_read:
            texts.append(self._refused_read_text(row))
        if row.parked_revisions:
            texts.append(
                self.tr(
                    "%n record change(s) it signed wait here for their parents, changes this vault has "
                    "not received yet: import the bundle of the device that made those (often the "
                    "field worker whose records it edited).",
                    "",
                    row.parked_revisions,
                )
            )
        if row.kept_aside_revisions:
            texts.append(
                self.tr(
                    "%n record change(s) it signed are kept aside here until it is enrolled again.",
                    "",
                    row.kept_aside_revisions,
                )
            )
        if row.type_clash_revisions or row.type_clash_held_revisions:
            texts += self._type_clash_texts(row)
        texts += [self._kept_out_elsewhere_text(desk, count) for desk, count in row.kept_out_elsewhere]
        for desk, missing, unverifiable in row.not_handed_over:
            texts += self._not_handed_over_texts(desk, missing, unverifiable)
        texts += [self._files_not_handed_over_text(desk, count) for desk, count in row.files_not_handed_over]
        texts += [self._hand_over_unchecked_text(desk, count) for desk, count in row.hand_over_unchecked]
        texts += [self._receipt_alarm_text(kind, index) for kind, index in row.receipt_alarms]
        return texts

    def _type_clash_texts(self, row: DeviceRow) -> list[str]:
        """The clashes this device is a party to, each as a pair (db/type_clash.py,
        review 17 F4): the vault keeps the type that arrived first, and either
        side may be the forger, so the words blame neither."""
        texts = [
            self.tr(
                "This device is a party to %n type clash(es): another device claims a record with a "
                "different type. This vault keeps the type that arrived here first, which may not be "
                "the honest one; the other side is never stored, and the rest of its bundles was taken.",
                "",
                row.type_clash_revisions + row.type_clash_held_revisions,
            )
        ]
        texts += [self._type_clash_pair_text(pair) for pair in row.type_clashes]
        if shown := len(row.type_clashes):
            texts.append(
                self.tr(
                    "Ask the people who use both devices which record they made, and tell your "
                    "organisation. fieldvault devices parked lists every clash ({shown} shown here)."
                ).format(shown=shown)
            )
        return texts

    def _type_clash_pair_text(self, pair: TypeClashRow) -> str:
        held = pair.held_first
        left = self.tr(
            "the change {revision} signed by {device} claims another type and was left out on {when} UTC"
        ).format(
            revision=pair.revision_id[:12], device=self._device_name(pair.signer), when=_utc(pair.left_out_ms)
        )
        if held is None:
            kept = self.tr("no change of it is held here")
        else:
            kept = self.tr(
                "this vault holds it as {type}, first from the change {revision} signed by {device} "
                "(made {when} UTC by its signer's clock), stored here before the other arrived"
            ).format(
                type=QCoreApplication.translate("ConflictsDialog", held.entity_type),
                revision=held.revision_id[:12],
                device=self._device_name(held.signer),
                when=_utc(held.made_ms),
            )
        return self.tr("Two devices claim record {record} with different types: {kept}; {left}.").format(
            record=pair.entity_id, kept=kept, left=left
        )

    def _device_name(self, device_id: str) -> str:
        """A device by its label when known here; this vault's own as this desk."""
        if device_id == self._vault.device_id:
            return self.tr("this desk ({device})").format(device=device_id)
        label = next((line.row.label for line in self._lines if line.row.device_id == device_id), "")
        return f"{label} ({device_id})" if label else device_id

    def _kept_out_elsewhere_text(self, desk: str, count: int) -> str:
        """Another desk's word, from its history hand-over (docs/bundle-format.md
        §10 "The maker's decisions"): that desk named, by its label when known here."""
        label = next((line.row.label for line in self._lines if line.row.device_id == desk), "")
        return self.tr(
            "%n record change(s) it signed were kept out (left out or set aside) at the coordinator "
            "desk {desk}, as that desk's history hand-over says. This vault does not hold them; if "
            "they arrive here, this desk decides them itself.",
            "",
            count,
        ).format(desk=f"{label} ({desk})" if label else desk)

    def _hand_over_unchecked_text(self, desk: str, bundles: int) -> str:
        """This device's bundles a history hand-over named without the
        worker's signed manifest, none kept here (docs/bundle-format.md §10
        "Completeness against the workers' signatures"): the new desk cannot
        tell an honest maker's (no room, or none kept) from a stripped one,
        so the words say what is true: not checked, and how to check."""
        return self.tr(
            "%n of this device's bundles came with the history hand-over from the coordinator desk {desk} "
            "without the worker's signed list of what they brought, and none is kept here: they were not "
            "checked. That desk may have had no such list or no room for it, or may have removed it to hide "
            "what it left out: compare with the worker's laptop or another desk. fieldvault devices parked "
            "lists them.",
            "",
            bundles,
        ).format(desk=self._device_name(desk))

    def _files_not_handed_over_text(self, desk: str, files: int) -> str:
        """Evidence files this worker's own signed bundles name that a
        history hand-over did not bring, their items stored here without
        them (docs/bundle-format.md §10 "Completeness against the workers'
        signatures", ``missing-file``): the words say how to get them."""
        return self.tr(
            "%n evidence file(s) that this device's own signed bundles name did not come with the history "
            "hand-over from the coordinator desk {desk}: their records are here, their files are not "
            "(verify names them). That desk may have left them out. Re-reading the worker's own bundle "
            "file brings them (fieldvault bundle import --reread), as does a later bundle that carries them. "
            "fieldvault devices parked lists them.",
            "",
            files,
        ).format(desk=self._device_name(desk))

    def _not_handed_over_texts(self, desk: str, missing: int, unverifiable: int) -> list[str]:
        """What a history hand-over's check against this worker's own signed
        manifests found (docs/bundle-format.md §10 "Completeness against the
        workers' signatures"): the desk that handed over named, by its label
        when known here. Listed, never acted on: the words say what to do."""
        texts = []
        if missing:
            texts.append(
                self.tr(
                    "%n record change(s) that this device's own signed bundles name did not come with the "
                    "history hand-over from the coordinator desk {desk}, and nothing here explains them. "
                    "That desk may have left them out: compare with the worker's laptop or another desk. "
                    "fieldvault devices parked lists them.",
                    "",
                    missing,
                ).format(desk=self._device_name(desk))
            )
        if unverifiable:
            texts.append(
                self.tr(
                    "%n of this device's bundle records, as the history hand-over from the coordinator "
                    "desk {desk} carried them, do not match its signature: not trusted. That desk's "
                    "hand-over may have been tampered with.",
                    "",
                    unverifiable,
                ).format(desk=self._device_name(desk))
            )
        return texts

    def _lapsed_text(self, row: DeviceRow) -> str:
        """Whose word lapsed and the ways back. The voucher is a removed
        coordinator (sync/bundle/vouching.py ``lapse_vouches``), or a
        current one whose bundle named the device in ``lapsed``: its vouch
        lapsed at that desk (docs/bundle-format.md §4)."""
        voucher = next((line.row for line in self._lines if line.row.device_id == row.vouched_by), None)
        if voucher is not None and voucher.role == "coordinator" and voucher.status == "enrolled":
            return self.tr(
                "Coordinator {id} relays changes of it and no longer vouches for it (the coordinator "
                "that did was removed there): its bundles are held and its changes kept aside until a "
                "current coordinator vouches for it, or you approve it by its verification code."
            ).format(id=row.vouched_by)
        return self.tr(
            "Known here only on the word of coordinator {id}, which the organisation has removed: its "
            "bundles are held and its changes that other desks relay kept aside until a current "
            "coordinator vouches for it, or you approve it by its verification code."
        ).format(id=row.vouched_by)

    def _refused_read_text(self, row: DeviceRow) -> str:
        """What its refused bundles left here (db/withheld.py): read once
        each, their revision ids kept as left out so that other desks'
        edits of them are left out too; past the cap, counted only."""
        text = self.tr(
            "%n of its bundles were refused and read here: {kept} revision id(s) from them are kept as left "
            "out, so that edits of them that other desks send are left out too.",
            "",
            row.refused_bundles_read,
        ).format(kept=row.refused_ids_kept)
        if row.refused_ids_not_kept:
            text += " " + self.tr(
                "{not_kept} more were not kept: the limit of ids kept per revoked device was reached."
            ).format(not_kept=row.refused_ids_not_kept)
        return text

    def _held_text(self, state: HeldState) -> str:
        """A held bundle of a verified device (or one whose import was
        refused): what happened to it, and what to do."""
        if state.state == "awaiting-hand-over" and state.awaited is not None:
            # Named by a history hand-over taken in part (review 18 R1).
            return self.tr(
                "Bundle {sequence} is held until this desk has the rest of the history hand-over from "
                "coordinator desk {maker} (part {part} of {parts} imported here), or any complete "
                "hand-over, or until that desk is revoked. To take it now, compare its verification code "
                "with the worker, then approve it."
            ).format(
                sequence=state.held.sequence,
                maker=self._device_name(state.awaited.maker),  # its label first, as other lines name desks
                part=state.awaited.part,
                parts=state.awaited.of,
            )
        if state.state == "received-awaiting-verification":
            # Counted as received on a hand-over's word while the device is
            # pending (review 23 F1): no longer held, yet approving it by
            # code is what enrols the device; the file is not needed.
            return self.tr(
                "Bundle {sequence} came with a history hand-over while this device is pending here: its "
                "changes are kept aside. To take them, compare its verification code with the worker, "
                "then approve it: Import bundles… of its file, or fieldvault bundle approve {bundle} "
                "--code CODE (the file is not needed)."
            ).format(sequence=state.held.sequence, bundle=state.held.bundle_id)
        if state.state == "refused":
            # Its device may be verified: the bundle itself failed a check.
            return self.tr(
                "Bundle {sequence} is still held: importing it was refused ({reason}), and nothing of "
                "it was applied. Keep the file aside and report it."
            ).format(sequence=state.held.sequence, reason=state.reason)
        if state.state == "release-failed" and state.failure is not None:
            # Not the bundle's fault (this vault's state, or ours): not refused.
            text = self.tr(
                "Bundle {sequence} is still held, though its device is verified now: release failed %n "
                "time(s) ({code}) on this computer. It was not refused and its file is kept.",
                "",
                state.failure.count,
            ).format(sequence=state.held.sequence, code=state.failure.code)
            # The error's own message: what is wrong and what to do (review 31 F1).
            from desktop.messages import kept_error_message

            text += " " + kept_error_message(state.failure.code, dict(state.failure.params))
            if state.failure.passed_over and state.from_server:
                # Imported by hand from the spool it would be taken as from a
                # USB stick: Try again (retry_release) makes the next sync take it as pulled.
                return (
                    text
                    + " "
                    + self.tr(
                        "It is no longer tried automatically: once the cause is dealt with, click Try "
                        "again; the next sync then tries it."
                    )
                )
            if state.failure.passed_over:
                return (
                    text
                    + " "
                    + self.tr(
                        "It is no longer tried automatically: once the cause is dealt with, import its file "
                        "again ({path})."
                    ).format(path=state.held.path)
                )
            if state.from_server:
                return text + " " + self.tr("The next sync tries it again.")
            return text + " " + self.tr("Import its file again ({path}).").format(path=state.held.path)
        if state.state == "file-gone":
            return self.tr(
                "Bundle {sequence} is still held: its device is verified now, but the file it was "
                "imported from ({path}) is gone or is another file. Import the bundle file again."
            ).format(sequence=state.held.sequence, path=state.held.path)
        if state.from_server:
            return self.tr(
                "Bundle {sequence} is still held, though its device is verified now: the next sync "
                "imports it."
            ).format(sequence=state.held.sequence)
        return self.tr(
            "Bundle {sequence} is still held, though its device is verified now: import its file "
            "again ({path})."
        ).format(sequence=state.held.sequence, path=state.held.path)

    def _receipt_alarm_text(self, kind: str, index: int) -> str:
        """A receipt alarm (sync/bundle/carried_receipts.py) in words, with what to do."""
        what = {
            "log-differs": self.tr(
                "Receipt alarm: the server showed this device another record of deliveries than the "
                "one this vault checked (receipt {index})."
            ),
            "log-lacks": self.tr(
                "Receipt alarm: this device holds the server's receipt {index}, but the record of "
                "deliveries the server showed this vault ends before it."
            ),
            "receipt-invalid": self.tr(
                "Receipt alarm: receipt {index} this device carried is not signed by the server's key, "
                "or names another device or bundle."
            ),
            "receipt-order": self.tr(
                "Receipt alarm: the server numbered a later bundle of this device before an earlier "
                "one (receipt {index})."
            ),
        }.get(kind, self.tr("Receipt alarm about receipt {index}."))
        advice = self.tr(
            "The server may be hiding or rewriting deliveries: tell your organisation, and have this "
            "worker bring its bundles by USB."
        )
        return f"{what.format(index=index)} {advice}"

    def full_warnings(self, device_id: str) -> list[str]:
        line = next(line for line in self._lines if line.row.device_id == device_id)
        return self.warning_texts(line.row, line.held)

    def row_texts(self) -> list[list[str]]:
        """Each row's cells as shown."""
        return row_texts(self.table)

    def row_colour(self, device_id: str) -> QColor | None:
        """The background of a device's row (None: the default)."""
        brush = row_with(self.table, self.DEVICE_COLUMN, device_id).background(self.DEVICE_COLUMN)
        return brush.color() if brush.style() != Qt.BrushStyle.NoBrush else None

    def choose(self, device_id: str) -> None:
        self.table.setCurrentItem(row_with(self.table, self.DEVICE_COLUMN, device_id))

    def chosen_device(self) -> str | None:
        item = self.table.currentItem()
        value = item.data(self.DEVICE_COLUMN, ID_ROLE) if item is not None else None
        return str(value) if value else None

    def _chosen_line(self) -> DeviceLine | None:
        chosen = self.chosen_device()
        return next((line for line in self._lines if line.row.device_id == chosen), None)

    @Slot()
    def _selection_changed(self) -> None:
        line = self._chosen_line()
        if line is None:
            self.details.clear()
        else:
            name = f"{line.row.label} ({line.row.device_id})" if line.row.label else line.row.device_id
            self.details.setText("\n".join([name, *self.warning_texts(line.row, line.held)]))
        self.revoke_button.setEnabled(line is not None and line.row.status != "revoked")
        self.set_aside_button.setEnabled(line is not None and _parked(line.row) > 0 and not self.busy)
        self.retry_button.setVisible(line is not None and bool(retryable(line.held)))
        self.retry_button.setEnabled(not self.busy)
        if line is None or line.row.device_id != self._confirming:
            self.confirm_box.hide()
        if line is None or line.row.device_id != self.aside_box.property("device_id"):
            self.aside_box.hide()

    # -- revoking --------------------------------------------------------------------

    @property
    def _confirming(self) -> str | None:
        value = self.confirm_box.property("device_id")
        return str(value) if self.confirm_box.isVisible() and value else None

    @Slot()
    def ask_revoke(self) -> None:
        """The first step: say what revoking does, ask for the id's start."""
        line = self._chosen_line()
        if line is None or line.row.status == "revoked":
            return
        device_id = line.row.device_id
        name = f"{line.row.label} ({device_id})" if line.row.label else device_id
        self.confirm_text.setText(
            self.tr(
                "Revoke {name}? A new version of the organisation's profile will list it as revoked: "
                "its bundles will be refused from then on, and it can never be enrolled again. What it "
                "sent before stays. Type the first {count} characters of its id ({start}…) to confirm."
            ).format(name=name, count=CONFIRM_CHARS, start=device_id[:CONFIRM_CHARS])
        )
        self.confirm_box.setProperty("device_id", device_id)
        self.confirm_field.clear()
        self.confirm_button.setEnabled(False)
        self.confirm_box.show()
        self.confirm_field.setFocus()

    @Slot()
    def _confirm_typed(self) -> None:
        device_id = self.confirm_box.property("device_id") or ""
        typed = self.confirm_field.text().strip().lower()
        self.confirm_button.setEnabled(
            not self.busy and len(typed) >= CONFIRM_CHARS and str(device_id).startswith(typed)
        )

    @Slot()
    def cancel_revoke(self) -> None:
        self.confirm_box.hide()
        self.confirm_field.clear()

    @Slot()
    def confirm_revoke(self) -> None:
        """The second step: sign the new profile version (on the save lane)."""
        device_id = str(self.confirm_box.property("device_id") or "")
        if not device_id or not self.confirm_button.isEnabled() or self.busy:
            return
        self.confirm_box.hide()
        self.confirm_field.clear()
        self._set_busy(True)
        self.status.setText(self.tr("Signing the new profile version…"))
        self._handle = self.tasks.start(
            Lane.SAVE, lambda _context: revoke(self._vault, device_id), self._on_revoked, owner=self
        )

    # -- trying a held bundle again ---------------------------------------------------

    @Slot()
    def retry(self) -> None:
        """Try again: the chosen device's held bundles whose release failed
        here and that are passed over are tried by the next sync (on the
        save lane)."""
        line = self._chosen_line()
        bundle_ids = retryable(line.held) if line is not None else []
        if not bundle_ids or self.busy:
            return
        self._set_busy(True)
        self.status.setText(self.tr("Saving…"))
        self._handle = self.tasks.start(
            Lane.SAVE, lambda _context: try_again(self._vault, bundle_ids), self._on_retried, owner=self
        )

    def _on_retried(self, report: TaskReport) -> None:
        if not self._task_ended(report):
            return
        if report.state != "succeeded":
            self.status.setText(failure_text(report.failure))
            self.refresh()
            return
        count = report.value
        assert isinstance(count, int)
        self.status.setText(
            self.tr(
                "The next sync tries %n held bundle(s) again (Organisation → Sync…, Sync now, to sync "
                "at once).",
                "",
                count,
            )
        )
        self.refresh()

    # -- setting waiting changes aside ---------------------------------------------------

    @Slot()
    def ask_set_aside(self) -> None:
        """The first step: say what setting aside does (final), ask again."""
        line = self._chosen_line()
        if line is None or not _parked(line.row) or self.busy:
            return
        device_id = line.row.device_id
        name = f"{line.row.label} ({device_id})" if line.row.label else device_id
        self.aside_text.setText(
            self.tr(
                "Set aside the %n record change(s) {name} signed that wait here for their parents, and "
                "the waiting changes that follow them? They are kept as left out for good: never "
                "stored, even if their parents arrive later, and in no list, search or export. Do it "
                "only for changes whose parents will never come (a seized device's, or a lost "
                "device's). Files they name are kept until moved to quarantine from the command line.",
                "",
                _parked(line.row),
            ).format(name=name)
        )
        self.aside_box.setProperty("device_id", device_id)
        self.aside_box.show()
        self.aside_keep_button.setFocus()

    @Slot()
    def cancel_set_aside(self) -> None:
        self.aside_box.hide()

    @Slot()
    def confirm_set_aside(self) -> None:
        """The second step: set them aside (on the save lane)."""
        device_id = str(self.aside_box.property("device_id") or "")
        if not device_id or not self.aside_box.isVisible() or self.busy:
            return
        self.aside_box.hide()
        self._set_busy(True)
        self.status.setText(self.tr("Setting the waiting changes aside…"))
        self._handle = self.tasks.start(
            Lane.SAVE, lambda _context: set_aside(self._vault, device_id), self._on_set_aside, owner=self
        )

    def _on_set_aside(self, report: TaskReport) -> None:
        if not self._task_ended(report):
            return
        if report.state != "succeeded":
            self.status.setText(
                failure_text(report.failure)
                + "\n"
                + self.tr("Nothing was set aside; the changes still wait.")
            )
            return
        count = report.value
        assert isinstance(count, int)
        self.status.setText(
            self.tr("%n record change(s) set aside: kept as left out here for good.", "", count)
        )
        self.refresh()

    def _task_ended(self, report: TaskReport) -> bool:
        """A save-lane task of this view has ended (else only its progress
        came): the view is usable again."""
        if not report.finished:
            return False
        self._handle = None
        self._set_busy(False)
        return True

    def _set_busy(self, busy: bool) -> None:
        for button in (
            self.refresh_button,
            self.retry_button,
            self.set_aside_button,
            self.revoke_button,
            self.resend_button,
            self.close_button,
        ):
            button.setEnabled(not busy)
        if not busy:
            self._selection_changed()

    def _on_revoked(self, report: TaskReport) -> None:
        if not self._task_ended(report):
            return
        if report.state != "succeeded":
            self.status.setText(
                failure_text(report.failure)
                + "\n"
                + self.tr("The device was not revoked; the profile is as it was.")
            )
            return
        revoked = report.value
        assert isinstance(revoked, Revoked)
        self._last_revoked = revoked
        done = self.tr(
            "Device {device_id} is revoked in profile version {version}. This vault refuses its bundles "
            "from now on."
        ).format(device_id=revoked.device_id, version=revoked.version)
        if revoked.profile.server is None:
            self.status.setText(
                done
                + "\n"
                + self.tr(
                    "No server is named in the profile: give the new profile to the other coordinators "
                    "(fieldvault org export), so that their vaults refuse it too."
                )
            )
            self.refresh()
            return
        self.status.setText(done + "\n" + self.tr("Sending the new profile to the server…"))
        self._send(revoked, done)
        self.refresh()

    def _send(self, revoked: Revoked, done: str) -> None:
        self.resend_button.hide()
        self._publishing = self.tasks.start(
            Lane.SYNC,
            lambda _context: publish(revoked),
            lambda report: self._on_published(report, done),
            owner=self,
        )

    @Slot()
    def resend(self) -> None:
        if self._last_revoked is not None:
            self.status.setText(self.tr("Sending the new profile to the server…"))
            self._send(self._last_revoked, "")

    def _on_published(self, report: TaskReport, done: str) -> None:
        if not report.finished:
            return
        self._publishing = None
        outcome = report.value if report.state == "succeeded" else None
        state = getattr(outcome, "state", "offline")
        url = getattr(outcome, "url", "") or self._server_url
        detail = getattr(outcome, "detail", "")
        line = {
            "done": self.tr(
                "The server {url} has the new profile: it refuses the device from its next request."
            ),
            "offline": self.tr(
                "The server {url} could not be reached: until it receives the new profile it still accepts "
                "this device. Send it again when the connection is back."
            ),
            "pin-mismatch": self.tr(
                "The server {url} showed another certificate than the pinned one: the profile was not sent. "
                "Check the server before you send it again."
            ),
            "refused": self.tr("The server {url} refused the new profile ({detail})."),
            # An older server refuses the coordinators_since member (docs/org-profile.md §1).
            "server-too-old": self.tr(
                "The server {url} is too old for this profile and refused it: it must be updated. Until "
                "then the revocation is NOT in force at the server, which still accepts this device's "
                "uploads. Have the server updated, then send the profile again."
            ),
        }.get(state, "")
        self.resend_button.setVisible(state != "done")
        self.status.setText((done + "\n" if done else "") + line.format(url=url, detail=detail))

    # -- closing ---------------------------------------------------------------------

    def clear(self) -> None:
        """Forget what is shown (the dialog closes, the vault locks)."""
        self.table.clear()
        self._lines = []
        self._last_revoked = None
        self.details.clear()
        self._show_parked(0)
        self._show_kept_aside(0)
        self.frozen.clear()
        self.status.clear()
        self.confirm_text.clear()
        self.confirm_field.clear()
        self.confirm_box.hide()
        self.aside_text.clear()
        self.aside_box.hide()

    def reject(self) -> None:
        if self.busy:
            return  # a revocation is being signed: its result is shown, then Close
        super().reject()

    def done(self, result: int) -> None:
        drop_tasks(self.tasks, [self._handle, self._publishing])
        self._handle = self._publishing = None
        self.clear()
        super().done(result)


def _parked(row: DeviceRow) -> int:
    """All of the device's parked revisions, those kept aside included:
    setting aside takes every one of them (db/parked_set_aside.py)."""
    return row.parked_revisions + row.kept_aside_revisions


def make_devices_dialog(vault: Vault, parent: QWidget, tasks: TaskRunner) -> QDialog:
    return DevicesDialog(vault, parent, tasks=tasks)


def add_devices_entry(menu: CoordinatorMenu) -> None:
    """Coordinator → Devices…"""
    menu.add_entry(lambda: QCoreApplication.translate("DevicesDialog", "&Devices…"), make_devices_dialog)
