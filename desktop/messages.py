"""The vault's messages, in the user's language.

The core (``db/`` and ``sync/``) knows nothing of Qt, so its messages are
English. Each of its errors carries a stable ``code`` and ``params`` (ids,
paths, an errno; db/errors.py, sync/bundle/errors.py, sync/org.py); here each
code becomes a message in the interface language that says what happened and
what to do, made from those alone, never from the English text: rewording a
core message changes nothing here. Errors name
ids, never content, so nothing a witness said can reach these messages; and
none of them carries a traceback.

Where the core's English already says it well, the English source here is the
same text (e.g. the wrong passphrase, a file that cannot be read).

A test checks that every code of the core has a message here, in English and
in Ukrainian (tests/desktop/test_error_messages.py). A ``FieldvaultError``
without a known code (the CLI's own) is shown as ``str(err)``, which the core
guarantees is safe to show. An error that is not the vault's own is named by
type only: its message could quote data.
"""

from __future__ import annotations

import errno
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from db.api import CODES, FieldvaultError, Param
from desktop.blob_device import DeviceAborted
from desktop.workers import OperationFailed

if TYPE_CHECKING:
    from db.api import KeyringNotice  # db.vault loads the database stack: not needed here

Params = Mapping[str, Param]


# -- the vault and its keys --------------------------------------------------------


def _wrong_passphrase(_p: Params) -> str:
    return QCoreApplication.translate("Messages", "Wrong passphrase. Nothing was changed; try again.")


def _wrong_recovery_key(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "That recovery key does not open this vault. Check it for typos: it has only letters "
        "and digits (dashes and spaces do not matter).",
    )


def _keyring_secret_missing(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "This vault needs a secret from this computer's keyring, and the keyring does not "
        "have it (another computer or user account?). Unlock with the recovery key instead.",
    )


def _vault_locked(_p: Params) -> str:
    return QCoreApplication.translate("Messages", "The vault is locked. Unlock it with your passphrase.")


def _vault_not_found(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages", "There is no vault in {folder}. Check the folder, or create a new vault there."
    ).format(folder=p["path"])


def _vault_exists(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "There is already a vault in {folder}; nothing was overwritten. Unlock it, or choose another folder.",
    ).format(folder=p["path"])


def _vault_incomplete(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "{folder} holds a vault database but no key file (an interrupted creation, or "
        "vault.keys was removed). If you have a copy of vault.keys, put it back. Otherwise "
        "nothing can decrypt this database: delete the folder and create the vault again.",
    ).format(folder=p["path"])


def _database_missing(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "The vault database (vault.db) in {folder} is missing, empty or incomplete. Nothing was "
        "changed and no evidence file was touched. Put back vault.db from the copy or backup it "
        "came from, then unlock again.",
    ).format(folder=p["path"])


def _folder_not_empty(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages", "{folder} is not empty. A new vault needs an empty or new folder. Nothing was changed."
    ).format(folder=p["path"])


def _not_a_folder(p: Params) -> str:
    return QCoreApplication.translate("Messages", "{folder} is not a folder. Nothing was changed.").format(
        folder=p["path"]
    )


def _not_a_vault(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages", "{folder} is not a Fieldvault vault, so nothing there was changed."
    ).format(folder=p["path"])


def _examination_refused(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "{folder} cannot be examined without writing to it. Nothing was changed. Make a copy of "
        "the folder and check the copy.",
    ).format(folder=p["path"])


def _vault_read_only(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages", "This vault is open for examination only (read-only): nothing can be changed."
    )


def _decision_not_a_quarantine(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "Decision {id} did not move files to quarantine: there is nothing of it to restore.",
    ).format(id=p["decision_id"])


def _database_plaintext(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "The vault file {name} is not encrypted, so it is not a Fieldvault vault, and it was "
        "not opened: someone may have replaced it. Leave the folder as it is and ask your "
        "organisation for help.",
    ).format(name=p["path"])


# -- damage ------------------------------------------------------------------------------


def _intake_copy_differs(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "The copy of item {id} written into the vault did not match the file as it was "
        "read, so nothing was added. Your original file is untouched: add it again, and "
        "check the disk if this happens again.",
    ).format(id=p["blob_id"])


def _export_copy_differs(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "Item {id} no longer matches the fingerprint (SHA-256) taken when it was added: "
        "it is damaged or was altered, and nothing was exported. The other items are not "
        "affected; restore this one from a bundle or backup.",
    ).format(id=p["blob_id"])


def _blob_damaged(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "The stored file {id} is damaged or was altered. The other items are not affected; "
        "restore this one from a bundle or backup.",
    ).format(id=p["blob_id"])


def _damaged_part(id_param: str) -> Callable[[Params], str]:
    """Damage to one part of the vault, named by the id in ``id_param``."""

    def message(p: Params) -> str:
        return QCoreApplication.translate(
            "Messages",
            "Part of the vault is damaged or was altered ({ids}). Nothing was changed. Check "
            "the vault (fieldvault verify) and restore what is damaged from a backup or bundle.",
        ).format(ids=p[id_param])

    return message


def _held_revision_damaged(p: Params) -> str:
    # The vault's own state, not the sender (review 14 F5): a pull tries the bundle again.
    return QCoreApplication.translate(
        "Messages",
        "Bundle {bundle} was not imported: a record change this vault holds aside ({revision}) no "
        "longer checks out, although the bundle's copy did moments before. The fault is in this vault "
        "or this computer, not in the bundle; nothing of the bundle was applied. Import or sync again. "
        "If it fails again, check the vault (fieldvault verify; it cannot see what an import holds "
        "aside, so a clean result does not clear this), then restore it from a backup or ask your "
        "organisation for help.",
    ).format(bundle=p["bundle_id"], revision=p["revision_id"])


def _vault_key_missing(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "This vault has no key for exchanging bundles yet ({purpose}). Unlock it normally once "
        "(not for examination) to make it.",
    ).format(purpose=p["purpose"])


def _vault_damaged(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "The vault's files are damaged or were altered, so it cannot be used as it is. "
        "Nothing was changed. Leave the folder as it is and restore it from a backup, or ask "
        "your organisation for help.",
    )


# -- the disk ------------------------------------------------------------------------------


def _storage(p: Params) -> str:
    code = p["errno"]
    if code in (errno.ENOSPC, errno.EDQUOT):
        return QCoreApplication.translate(
            "Messages",
            "The disk is full, so this could not be finished. Nothing was lost: the vault "
            "still holds its state from before. Free some disk space, then try again.",
        )
    if code == errno.EIO:
        return QCoreApplication.translate(
            "Messages",
            "The disk reported an error while writing, so this could not be finished. Nothing "
            "was lost: the vault still holds its state from before. Check the drive (or the "
            "USB stick), then try again.",
        )
    if code in (errno.EACCES, errno.EPERM):
        return QCoreApplication.translate(
            "Messages",
            "Fieldvault may not write there (permission denied), so this could not be "
            "finished. Nothing was lost. Choose another place or check the folder's "
            "permissions, then try again.",
        )
    if code == errno.EROFS:
        return QCoreApplication.translate(
            "Messages",
            "The disk is read-only, so this could not be finished. Nothing was lost. Choose "
            "a writable place, then try again.",
        )
    if code == errno.EBUSY:
        return QCoreApplication.translate(
            "Messages",
            "Another program (a second Fieldvault window or a command) was writing to the vault "
            "for too long, so this could not be finished. Nothing was lost. Wait a moment, then "
            "try again.",
        )
    if code == errno.ENOENT:
        return QCoreApplication.translate(
            "Messages",
            "The folder is not there (removed, or on a drive that was unplugged), so this "
            "could not be finished. Nothing was lost. Choose another place, then try again.",
        )
    return QCoreApplication.translate(
        "Messages",
        "Writing to the disk failed (error {code}), so this could not be finished. Nothing "
        "was lost: the vault still holds its state from before. Check the drive, then try again.",
    ).format(code=code if code is not None else "?")


# -- records -------------------------------------------------------------------------------


def _not_found(p: Params) -> str:
    kind, entity_id = p["kind"], p["entity_id"]
    if kind == "case":
        return QCoreApplication.translate(
            "Messages",
            "Case {id} is not in the vault (deleted, perhaps on another device). Choose another case.",
        ).format(id=entity_id)
    if kind == "testimony":
        return QCoreApplication.translate(
            "Messages",
            "Testimony {id} is not in the vault (deleted, perhaps on another device). Choose "
            "another one from the list.",
        ).format(id=entity_id)
    if kind == "evidence":
        return QCoreApplication.translate(
            "Messages",
            "Evidence item {id} is not in the vault (deleted, perhaps on another device). "
            "Choose another one from the list.",
        ).format(id=entity_id)
    if kind == "coordinator":  # sync/bundle/hand_over.py: the chosen desk left the profile
        return QCoreApplication.translate(
            "Messages",
            "Device {id} is not another coordinator desk of your organisation's profile (any more). "
            "Nothing was written. Add it as a coordinator first, or choose another desk.",
        ).format(id=entity_id)
    return QCoreApplication.translate(
        "Messages", "Record {id} is not in the vault (deleted, perhaps on another device)."
    ).format(id=entity_id)


def _stored_file_not_found(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "The stored file of evidence item {id} is missing from the vault. The record is "
        "kept; restore the file from a bundle or backup.",
    ).format(id=p["entity_id"])


def _evidence_purged(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "Evidence item {id} was delivered to the organisation's server and its file was removed "
        "from this laptop, as the organisation's policy asks. Its description, SHA-256 and custody "
        "stay here. Ask a coordinator for a copy of the file.",
    ).format(id=p["evidence_id"])


def _revision_rejected(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "A change received from elsewhere (revision {id}) failed a check and was refused; "
        "nothing from it was stored. Tell your coordinator.",
    ).format(id=p["revision_id"])


def _custody_event_rejected(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "A custody record in a bundle (event {hash}) failed a check and was refused; "
        "nothing from the bundle was stored. Tell your coordinator.",
    ).format(hash=p["event_hash"])


def _blob_rejected(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "A file in a bundle (SHA-256 {sha256}) failed a check and was refused; nothing "
        "from the bundle was stored. Ask for the bundle to be sent again.",
    ).format(sha256=p["sha256"])


def _bundle_rejected(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "Bundle {id} was refused: it comes from a device this vault does not know, or "
        "repeats a bundle already received with other content. Nothing from it was "
        "stored. Tell your coordinator.",
    ).format(id=p["bundle_id"])


def _org_profile_outdated(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "This organisation profile (version {offered}) is not newer than the one this "
        "vault holds (version {held}), so it was not used. Ask your coordinator for the "
        "current profile.",
    ).format(offered=p["offered"], held=p["held"])


# -- bundles (sync/bundle/errors.py: docs/bundle-format.md §5) ---------------------------
# A refused bundle is never half applied: each message says so, names the id a
# check points at (a revision, custody event or file, never its content), and
# says what to do: fetch a clean copy when the file was damaged on its way,
# keep it and tell the coordinator when it may have been tampered with.


def _bundle_not_a_bundle(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "This file is not a Fieldvault bundle, or it was made by a newer version of Fieldvault. "
        "Nothing from it was stored. Check that you chose the right file; if you did, update "
        "Fieldvault and import it again.",
    )


def _bundle_damaged(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "This bundle is damaged or incomplete (perhaps cut short while it was copied). Nothing "
        "from it was stored. Copy it again from where it came from, or ask for it to be sent again.",
    )


def _bundle_tampered(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "This bundle was changed after it was made, or its signature does not check out: it may "
        "have been tampered with. Nothing from it was stored. Keep the file as it is and tell "
        "your coordinator.",
    )


def _bundle_other_organisation(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "This bundle belongs to another organisation. Nothing from it was stored. Check that "
        "you chose the right file.",
    )


def _bundle_device_unknown(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "This bundle comes from a device this vault does not know as enrolled in your "
        "organisation. Nothing from it was stored. If the sender should be enrolled, the "
        "coordinator adds their device first; then import the bundle again.",
    )


def _bundle_device_revoked(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "This bundle comes from a device whose access was revoked. Nothing from it was stored. "
        "Keep the file and tell your coordinator.",
    )


def _bundle_fork(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "This bundle has the same number as another bundle already received from the same "
        "device, with other content. Nothing from it was stored. Keep the file and tell your "
        "coordinator: the device may have been copied or tampered with.",
    )


def _bundle_chain(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "This bundle does not follow on from the last bundle received from the same device. "
        "Nothing from it was stored. Keep the file and tell your coordinator.",
    )


def _bundle_hand_over_part(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "This bundle is one part of a history hand-over split over several bundles, and the part "
        "before it (bundle number {number} from the same desk) has not been imported here yet. "
        "Nothing from it was stored. Import the parts in order, or all of the hand-over's files "
        "together; then import this one again.",
    ).format(number=p["subject"])


# -- trust: unknown devices, quarantine, acknowledgements (sync/bundle/admission.py,
# sync/bundle/quarantine.py, sync/acks.py) ----------------------------------------------


def _bundle_quarantined(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "Bundle {bundle_id} comes from device {device_id}, which your organisation has not enrolled, "
        "and it carries no enrolment token. Nothing from it was stored; it is kept in quarantine. If "
        "the sender should be enrolled, phone them, compare the verification code their vault shows, "
        "and then approve the bundle.",
    ).format(bundle_id=p["bundle_id"], device_id=p["device_id"])


def _bundle_token_unknown(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "Bundle {bundle_id} names enrolment token {token_id}, which this coordinator did not issue. "
        "Nothing from it was stored; it is kept in quarantine. Approve it only after comparing the "
        "verification code with the sender by phone or in person.",
    ).format(bundle_id=p["bundle_id"], token_id=p["token_id"])


def _bundle_token_proof(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "Bundle {bundle_id} claims enrolment token {token_id}, but its proof does not check out: the "
        "token may be forged, or the claim copied from someone else's bundle. Nothing from it was "
        "stored; it is kept in quarantine. Do not approve it unless the sender's verification code "
        "matches, and tell whoever looks after your organisation's security.",
    ).format(bundle_id=p["bundle_id"], token_id=p["token_id"])


def _bundle_token_expired(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "Bundle {bundle_id} names enrolment token {token_id}, which expired before it was used. "
        "Nothing from it was stored; it is kept in quarantine. Compare the verification code with the "
        "sender, then approve the bundle, or send them a new token.",
    ).format(bundle_id=p["bundle_id"], token_id=p["token_id"])


def _bundle_token_used(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "Bundle {bundle_id} names enrolment token {token_id}, which another device has already used. "
        "Nothing from it was stored; it is kept in quarantine. Someone may have copied the token: "
        "compare the verification code with the sender before you approve anything.",
    ).format(bundle_id=p["bundle_id"], token_id=p["token_id"])


def _bundle_hand_over_incomplete(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "Bundle {bundle_id} comes from device {device_id}, which a history hand-over from coordinator "
        "desk {maker_id} names, and this desk has taken only part {part} of {parts} of it. Nothing from "
        "the bundle was stored; it is kept in quarantine until the rest of that hand-over, or any "
        "complete hand-over, is imported here, or until that desk is revoked. To take it now, compare "
        "the verification code with the worker, then approve the bundle.",
    ).format(
        bundle_id=p["bundle_id"],
        device_id=p["device_id"],
        # The desk by its label where this vault knows one, its id after it (as the Devices view names desks).
        maker_id=f"{p['maker_label']} ({p['maker_id']})" if p.get("maker_label") else p["maker_id"],
        part=p["part"],
        parts=p["parts"],
    )


def _quarantine_not_found(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "No bundle kept in quarantine matches {bundle}. Nothing was changed. Check the list of "
        "bundles in quarantine and choose one from it.",
    ).format(bundle=p["bundle"])


def _quarantine_code_form(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "A verification code is 30 digits, in six groups of five. Nothing was approved. Ask the "
        "sender to read their code again, and type all of it.",
    )


def _quarantine_code_mismatch(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "That is not the verification code of device {device_id}. Nothing was approved. Read the "
        "codes again; if they still differ, the bundle did not come from the sender's laptop: do not "
        "approve it.",
    ).format(device_id=p["device_id"])


def _quarantine_file_changed(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "The file {path} is not (or no longer) bundle {bundle_id}. Nothing was approved. Choose the "
        "bundle file where it is now.",
    ).format(path=p["path"], bundle_id=p["bundle_id"])


def _quarantine_device_revoked(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "Device {device_id} was revoked, so its bundles cannot be approved. Nothing was changed.",
    ).format(device_id=p["device_id"])


def _ack_form(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "This file is not a Fieldvault acknowledgement, or it is damaged. Nothing was changed. Ask "
        "your coordinator for the acknowledgement again.",
    )


def _ack_signature(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "This acknowledgement was changed after it was signed, or forged. Nothing was changed. Keep "
        "the file and tell your coordinator.",
    )


def _ack_other_organisation(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "This acknowledgement belongs to another organisation ({org_id}). Nothing was changed. Check "
        "that you chose the right file.",
    ).format(org_id=p["org_id"])


def _ack_other_device(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "This acknowledgement is for device {device_id}, not for this laptop. Nothing was changed. "
        "Give it to the person it belongs to.",
    ).format(device_id=p["device_id"])


def _ack_not_coordinator(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "This acknowledgement is signed by device {device_id}, which is not a coordinator of your "
        "organisation. It may be forged. Nothing was changed; your next bundle will carry your work "
        "again. Tell your coordinator.",
    ).format(device_id=p["device_id"])


def _ack_unknown_bundle(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "This acknowledgement names bundle {bundle_id}, which this laptop did not make. Nothing was "
        "changed. Check that you chose the right file.",
    ).format(bundle_id=p["bundle_id"])


def _ack_not_imported(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "Bundle {bundle_id} was not imported into this vault, so it cannot be acknowledged. Import it first.",
    ).format(bundle_id=p["bundle_id"])


# automatic sync (sync/client/errors.py)


def _sync_no_organisation(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "This vault belongs to no organisation yet, so there is nowhere to sync to. Enrol with your "
        "organisation first.",
    )


def _sync_no_server(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "Your organisation ({org_id}) has not named a server, so your work cannot be sent over the "
        "internet. Ask your coordinator for a profile with a server, or carry a bundle on a USB "
        "stick.",
    ).format(org_id=p["org_id"])


def _sync_offline(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "The server {url} could not be reached. Your work is kept and waits in the queue: it is "
        "sent by itself when there is a connection. Nothing was lost.",
    ).format(url=p["url"])


def _sync_round_running(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "A sync round is already running on this vault (the app's own, or one started from a "
        "terminal). This one did nothing; the app tries again by itself shortly. From a terminal, run "
        "it again once the other round has finished.",
    )


def _sync_server_error(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "The server {url} had a problem and did not finish. Your work is kept and waits in the "
        "queue; it is sent again later. Nothing was lost.",
    ).format(url=p["url"])


def _sync_pin_mismatch(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "The server at {url} did not show the certificate your organisation pinned. Someone may be "
        "intercepting this connection, so nothing was sent. Do not sync over this network; tell "
        "your coordinator.",
    ).format(url=p["url"])


def _sync_garbage(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "The answer from {url} is not what a Fieldvault server says (a hotel or café login page can "
        "do this). Nothing was applied and your work stays in the queue. Open a web page to log in "
        "to the network, or try another connection.",
    ).format(url=p["url"])


def _sync_server_key_changed(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "The server at {url} signs its receipts with another key than before. Its receipts were not "
        "trusted and nothing was marked as delivered. Tell your coordinator.",
    ).format(url=p["url"])


def _sync_device_revoked(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "Your organisation has revoked this laptop, so the server refuses its work. Nothing was "
        "sent. Talk to your coordinator.",
    )


def _sync_refused(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "The server refused the work ({reason}). It stays in the queue on this laptop. Tell your "
        "coordinator this reason.",
    ).format(reason=p["reason"])


def _sync_receipt_invalid(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "The server's receipt for bundle {bundle_id} does not check out, so the bundle is not "
        "marked as delivered and stays in the queue. Tell your coordinator.",
    ).format(bundle_id=p["bundle_id"])


def _sync_log_broken(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "The server's list of receipts does not fit together at entry {index}: it was changed or "
        "entries were removed. Nothing more was downloaded. Keep this vault as it is and tell the "
        "people responsible for your organisation's security.",
    ).format(index=p["index"])


def _sync_download_mismatch(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "Bundle {bundle_id} arrived different from what the server's receipt names, so nothing of "
        "it was imported. It is downloaded again at the next sync.",
    ).format(bundle_id=p["bundle_id"])


def _sync_payload_missing(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "The server's stored copy of bundle {bundle_id} is gone or cannot be read, so nothing of it was "
        "imported. It is asked for again at later syncs; the server's operator can restore it from a "
        "backup.",
    ).format(bundle_id=p["bundle_id"])


def _sync_proxy_invalid(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "The proxy setting for sync is not a SOCKS5 proxy address this app can use. Nothing was sent. "
        "Correct it under Organisation → Sync… as host:port (for Tor usually 127.0.0.1:9050) and sync "
        "again.",
    )


def _sync_unexpected(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "Sync stopped on an unexpected error ({kind}). Your work is kept and waits in the queue; sync "
        "tries again later. If this repeats, tell whoever supports the app the error type, never your data.",
    ).format(kind=p["kind"])


def _bundle_not_a_recipient(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "This bundle was not made for this vault (it is addressed to another coordinator). "
        "Nothing from it was stored. Import it in the vault it was made for, or ask for it "
        "to be sent to you again.",
    )


def _bundle_revision(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "A record in this bundle ({id}) does not match the bundle's list of contents, or its "
        "signature does not check out. Nothing from the bundle was stored. Keep the file and "
        "tell your coordinator.",
    ).format(id=p["subject"])


def _bundle_signer(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "A record in this bundle ({id}) was signed by a device that may not write to this "
        "vault. Nothing from the bundle was stored. Keep the file and tell your coordinator.",
    ).format(id=p["subject"])


def _bundle_custody(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "A custody record in this bundle ({id}) does not match the bundle's list of contents "
        "or does not follow the records before it. Nothing from the bundle was stored. Keep "
        "the file and tell your coordinator.",
    ).format(id=p["subject"])


def _bundle_blob(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "An evidence file in this bundle (SHA-256 {sha256}) does not match the bundle's list "
        "of contents. Nothing from the bundle was stored. Ask for the bundle to be sent again; "
        "if this happens again, tell your coordinator.",
    ).format(sha256=p["subject"])


def _bundle_exists(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages", "{path} already exists, so no bundle was written. Choose another name."
    ).format(path=p["path"])


def _bundle_blob_changed(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "The evidence file with SHA-256 {sha256} no longer reads back as it was stored, so no "
        "bundle was written. Check the vault (fieldvault verify) and tell your coordinator.",
    ).format(sha256=p["sha256"])


def _bundle_number_taken(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "Another bundle made at the same moment took bundle number {sequence}, so this bundle was "
        "not written and nothing was changed. Try again.",
    ).format(sequence=p["sequence"])


def _bundle_helper_stopped(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "The bundle could not be read: the helper process that decrypts it was stopped (status {status}), "
        "perhaps by the system for lack of memory. Nothing of this bundle was kept. The reading stopped on "
        "this computer, so the bundle itself was not judged. Close other programs and try again.",
    ).format(status=p["status"])


def _bundle_helper_pipe(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "The bundle could not be read: its bytes could not be exchanged with the helper process that "
        "decrypts it (error {errno}). Nothing of this bundle was kept. The reading stopped on this "
        "computer, so the bundle itself was not judged. Try again.",
    ).format(errno=p["errno"])


# -- the organisation (sync/org.py, sync/org_vault.py: docs/org-profile.md) -----------------


def _org_profile_form(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "This is not a valid organisation profile file. Nothing was changed. Check that you "
        "chose the file your coordinator sent.",
    )


def _org_profile_signature(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "The signature of this organisation profile does not check out: it may have been "
        "changed or forged. Nothing was changed. Do not use it; ask your coordinator for the "
        "profile again.",
    )


def _org_fingerprint_form(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "That is not an organisation fingerprint: it has 32 letters and digits, in groups of "
        "four. Check it for typos (dashes and spaces do not matter).",
    )


def _org_fingerprint_mismatch(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "This organisation profile is signed by the key with fingerprint {actual}, not by the "
        "organisation whose fingerprint you were given ({expected}). It may be forged: do not "
        "use it. Nothing was changed. Check the fingerprint with your coordinator by phone or "
        "in person.",
    ).format(actual=p["actual"], expected=p["expected"])


def _org_other_organisation(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "This vault belongs to organisation {org_id}; what you chose belongs to another "
        "organisation, so it was not used. Nothing was changed.",
    ).format(org_id=p["org_id"])


def _org_key_changed(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "This profile of organisation {org_id} is signed by another key than the one this "
        "vault knows: it may be forged. Nothing was changed. Tell your coordinator.",
    ).format(org_id=p["org_id"])


def _org_exists(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "This vault already belongs to organisation {org_id}, and a vault belongs to one "
        "organisation only. Nothing was changed.",
    ).format(org_id=p["org_id"])


def _org_none(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "This vault belongs to no organisation yet. Create an organisation, or enrol this vault "
        "with your coordinator, first.",
    )


def _org_not_coordinator(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "This vault is not a coordinator of organisation {org_id}, so it cannot do this. "
        "Nothing was changed. Ask a coordinator.",
    ).format(org_id=p["org_id"])


def _org_not_key_holder(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "Only the desk that created organisation {org_id} holds its key, so only that desk can "
        "do this (add or remove a coordinator, revoke a device, issue a token, set the server or "
        "the policy). This coordinator desk does not hold the key. Nothing was changed. Ask the "
        "desk that created the organisation to do it.",
    ).format(org_id=p["org_id"])


def _org_token_needs_key(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "Only the coordinator whose vault holds the key of organisation {org_id} takes enrolment "
        "tokens. Nothing was changed. Add the device without its token, after comparing the "
        "verification code with the worker.",
    ).format(org_id=p["org_id"])


def _org_revoke_self(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "Device {device_id} is this vault's own: a vault cannot add, remove or revoke itself. "
        "Nothing was changed.",
    ).format(device_id=p["device_id"])


def _org_device_id_form(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "That is not a device id: a device id has 32 hexadecimal digits (the vault's "
        "information shows it). Check it for typos.",
    )


def _org_server_form(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "The server needs an address that begins with https://, the SHA-256 of its "
        "certificate (64 hexadecimal digits) and, if given, its receipt key (as the server "
        "printed it). Check them for typos.",
    )


def _org_name_form(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages", "An organisation's name is 1 to {maximum} characters on one line."
    ).format(maximum=p["maximum"])


def _org_device_card_form(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "That is not a device card. Copy the whole card that the field worker's vault showed "
        "at enrolment, and try again.",
    )


def _org_device_revoked(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "Device {device_id} was revoked: it cannot be enrolled again or made a coordinator. "
        "Nothing was changed.",
    ).format(device_id=p["device_id"])


def _token_form(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "That is not an enrolment token. Copy the whole token your coordinator sent, and try again.",
    )


def _token_signature(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "This enrolment token was not signed by your organisation's key: it may be forged. "
        "Nothing was changed. Ask your coordinator for a new token.",
    )


def _token_other_organisation(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "This enrolment token belongs to another organisation ({org_id}). Nothing was changed. "
        "Check that the token and the organisation profile came from the same coordinator.",
    ).format(org_id=p["org_id"])


def _token_expired(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages", "Enrolment token {token_id} has expired. Ask your coordinator for a new one."
    ).format(token_id=p["token_id"])


def _token_unknown(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "Enrolment token {token_id} was not issued by this coordinator's vault. Nothing was "
        "changed. Check that it is the right token.",
    ).format(token_id=p["token_id"])


def _token_used(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "Enrolment token {token_id} was already used by another device. Nothing was changed. "
        "Ask your coordinator for a new token, and tell them if you did not use it yourself.",
    ).format(token_id=p["token_id"])


def _org_enrol_payload_form(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "That is not the text of a Fieldvault enrolment QR code, or it is incomplete. Nothing was "
        "changed. Copy the whole text again, or choose the profile file.",
    )


def _not_storable(_p: Params) -> str:
    """A refusal the forms prevent (a value of the wrong type, an id that is
    not one…): it means a bug or data from elsewhere, not a typing mistake."""
    return QCoreApplication.translate(
        "Messages", "The vault did not accept this: a value is not one it can store. Nothing was changed."
    )


# -- input the user can correct --------------------------------------------------------------


def _file_not_regular(p: Params) -> str:
    return QCoreApplication.translate("Messages", "{name} is not a regular file.").format(name=p["name"])


def _file_record_in_conflict(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "Evidence {id} has no stored file, and its record has an edit and a deletion made apart. "
        "Resolve that conflict, then add the file again. Nothing was stored.",
    ).format(id=p["entity_id"])


def _file_missing(p: Params) -> str:
    return QCoreApplication.translate("Messages", "{name}: no such file.").format(name=p["name"])


def _file_permission_denied(p: Params) -> str:
    return QCoreApplication.translate("Messages", "{name}: permission denied.").format(name=p["name"])


def _file_unreadable(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "{name} cannot be read, so nothing was added. Copy the file to this computer, then add it.",
    ).format(name=p["name"])


def _export_target_exists(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages", "{name} already exists; nothing was overwritten. Choose another name."
    ).format(name=p["path"])


def _export_target_unusable(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages", "Nothing can be exported to {name}, so nothing was written. Choose another place."
    ).format(name=p["path"])


def _export_target_symlink(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "{name} is a link to another place; an export never writes through one, so nothing "
        "was written. Choose another name.",
    ).format(name=p["path"])


def _export_target_not_regular(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "{name} exists and is not a regular file; nothing was overwritten. Choose another name.",
    ).format(name=p["path"])


def _passphrase_is_duress(_p: Params) -> str:
    return QCoreApplication.translate("Messages", "That is the duress passphrase; choose another passphrase.")


def _duress_same_as_passphrase(_p: Params) -> str:
    return QCoreApplication.translate("Messages", "The duress passphrase must differ from the passphrase.")


def _recovery_key_characters(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "The recovery key contains characters that cannot be in one: it has only letters and digits.",
    )


def _recovery_key_mistyped(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages", "The recovery key is mistyped (its check digits do not match). Check it again."
    )


def _invalid_date(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages", "A date is written YYYY, YYYY-MM or YYYY-MM-DD, such as 2022, 2022-03 or 2022-03-15."
    )


def _unknown_violation_type(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages", "A violation type is not in the list. Choose the types from the list."
    )


def _unknown_person_role(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages", "A role is not in the list. Choose the roles from the list."
    )


def _consent_no_scope(_p: Params) -> str:
    return QCoreApplication.translate("Messages", "Tick at least one use the witness agreed to.")


def _consent_not_narrowing(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "A withdrawal removes uses the witness still agrees to. To allow a new use, record a new consent.",
    )


def _not_a_choice(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages", "A value is not one of those offered. Choose one from the list."
    )


def _case_title_required(_p: Params) -> str:
    return QCoreApplication.translate("Messages", "A case needs a title.")


def _invalid_language(_p: Params) -> str:
    return QCoreApplication.translate("Messages", "The language is a code such as uk or en.")


def _field_unencodable(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "A text is too long, or holds characters the vault cannot store. Shorten it or remove "
        "the unusual characters. Nothing was saved.",
    )


def _latitude_out_of_range(_p: Params) -> str:
    return QCoreApplication.translate("Messages", "The latitude is a number from -90 to 90.")


def _longitude_out_of_range(_p: Params) -> str:
    return QCoreApplication.translate("Messages", "The longitude is a number from -180 to 180.")


def _auto_lock_out_of_range(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages", "The automatic lock takes a whole number of minutes, from {minimum} to {maximum}."
    ).format(minimum=p["minimum"], maximum=p["maximum"])


# -- the passphrase rule (db/passphrase_policy.py) --------------------------------------


def _passphrase_too_short(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages", "The passphrase needs at least {count} characters; nothing was changed."
    ).format(count=p["minimum"])


def _passphrase_guessable(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "Someone with a copy of the vault could guess this passphrase within a year: it is too short, "
        "too common or too predictable. Nothing was changed. Use several unusual words, for example "
        "the suggestion shown.",
    )


# -- backups (db/backup.py) -------------------------------------------------------------


def _backup_inside_vault(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "A backup cannot go into the vault's own folder ({folder}). Choose another place, such as a USB stick.",
    ).format(folder=p["path"])


def _backup_target_not_a_folder(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "{folder} is not a folder that can hold a backup; nothing was written. Choose a folder, "
        "such as a USB stick.",
    ).format(folder=p["path"])


def _backup_reminder_out_of_range(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "The backup reminder takes a whole number of days, from {minimum} to {maximum} (0: never remind).",
    ).format(minimum=p["minimum"], maximum=p["maximum"])


def _backup_cancelled(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages", "Backup cancelled: the partial copy was removed. Make a backup again when you can."
    )


# -- coordinator exports (sync/exports/) -------------------------------------------------


def _export_font_missing(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "No font with Cyrillic letters was found for the report, so no report was written. Ask whoever "
        "set up this computer to install one (on Debian or Ubuntu: fonts-dejavu-core), then try again.",
    )


def _export_purpose_unknown(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "An export cannot have the purpose “{purpose}”, so nothing was exported. Choose what the "
        "export is for: documentation only, the NGO internally, prosecution or public anonymised.",
    ).format(purpose=p["purpose"])


# -- coordinator merge (sync/merge/) ----------------------------------------------------


def _same_as_self(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages", "A person cannot be marked as the same as itself ({id}). Nothing was changed."
    ).format(id=p["person_id"])


def _reroot_not_frozen(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "Record {id} is not frozen here: nothing of it is held back from the other desks or left out "
        "for a revocation. Nothing was signed.",
    ).format(id=p["entity_id"])


def _reroot_line_not_held(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "Record {id}: this desk does not hold the revoked device's edits, so it cannot keep them. Re-root "
        "it as it was before them, or at the desk that took them. Nothing was signed.",
    ).format(id=p["entity_id"])


def _reroot_nothing_before(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "Record {id} was created by a revoked device: there is no state before its edits. Re-root it as "
        "this desk holds it, or leave it. Nothing was signed.",
    ).format(id=p["entity_id"])


def _reroot_not_coordinator(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages", "Only a coordinator desk may re-root a record. Nothing was signed."
    )


def _reroot_too_many(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "Record {id}: more than {limit} revisions of the revoked line; one re-root cannot name them all. "
        "Nothing was signed.",
    ).format(id=p["entity_id"], limit=p["limit"])


def _reroot_readers_behind(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "Devices enrolled here that have not said they read a re-root: {count} ({devices}). Their app would "
        "refuse this desk's next bundles. Upgrade them and import a bundle from each first, or sign anyway. "
        "Nothing was signed.",
    ).format(count=p["count"], devices=p["devices"])


def _reroot_unknown_choice(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages", "Choose how to re-root: as before the revoked edits, or as this desk holds it."
    )


# -- re-reading a bundle received before (sync/bundle/reread.py) -----------------------


def _reread_not_coordinator(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages", "Only a coordinator desk re-reads a bundle it received. Nothing was applied."
    )


def _reread_not_received(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "Bundle {id} was never received here, so there is nothing to re-read. Import it as any bundle. "
        "Nothing was applied.",
    ).format(id=p["bundle_id"])


def _reread_differs(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "Bundle {id} is not the bundle this desk received under its device and number: another bundle, or "
        "one whose record or signed manifest here differs. Nothing was applied.",
    ).format(id=p["bundle_id"])


def _reread_hand_over(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "Bundle {id} is a history hand-over, which is not re-read. Ask that desk for a new hand-over. "
        "Nothing was applied.",
    ).format(id=p["bundle_id"])


def _reread_device_pending(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "Bundle {id} comes from device {device}, which this desk holds as pending: the coordinator that "
        "vouched for it was removed. Enrol it again (compare its verification code and approve it), then "
        "re-read the bundle. Nothing was applied.",
    ).format(id=p["bundle_id"], device=p["device_id"])


def _same_as_not_a_link(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "Link {id} does not say that two persons are one, so it was not undone here. Nothing was changed.",
    ).format(id=p["link_id"])


# -- recording an interview (db/recording.py) -----------------------------------------


def _recording_stopped(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages", "This recording was already stopped and saved. Start a new recording to go on."
    )


def _recording_encoder_missing(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "This installation lacks the recorder's audio library, so nothing was recorded. Reinstall "
        "Fieldvault; on Linux, install the libsndfile1 package.",
    )


def _recording_audio_format(_p: Params) -> str:
    return QCoreApplication.translate(
        "Messages",
        "The microphone delivers sound in a form the recorder cannot take, so nothing was recorded. "
        "Choose another microphone, or set this one to mono or stereo at 48 kHz in the system's sound "
        "settings.",
    )


# -- stopped on purpose ----------------------------------------------------------------


def _intake_cancelled(_p: Params) -> str:
    return QCoreApplication.translate("Messages", "Cancelled: nothing was added to the vault.")


def _export_cancelled(p: Params) -> str:
    return QCoreApplication.translate(
        "Messages", "The export of item {id} was cancelled: no file was written."
    ).format(id=p["entity_id"])


def _cancelled(_p: Params) -> str:
    return QCoreApplication.translate("Messages", "Cancelled: nothing was changed.")


# Every code of the core (db/errors.py CODES) and what the user reads for it.
BY_CODE: dict[str, Callable[[Params], str]] = {
    "wrong-passphrase": _wrong_passphrase,
    "wrong-recovery-key": _wrong_recovery_key,
    "keyring-secret-missing": _keyring_secret_missing,
    "vault-locked": _vault_locked,
    "vault-not-found": _vault_not_found,
    "vault-exists": _vault_exists,
    "vault-incomplete": _vault_incomplete,
    "database-missing": _database_missing,
    "folder-not-empty": _folder_not_empty,
    "not-a-folder": _not_a_folder,
    "not-a-vault": _not_a_vault,
    "examination-needs-merge": _examination_refused,
    "examination-needs-upgrade": _examination_refused,
    "vault-read-only": _vault_read_only,
    "decision-not-a-quarantine": _decision_not_a_quarantine,
    "database-plaintext": _database_plaintext,
    # damage
    "blob-damaged": _blob_damaged,
    "intake-copy-differs": _intake_copy_differs,
    "export-copy-differs": _export_copy_differs,
    "blob-key-undecryptable": _damaged_part("blob_id"),
    "blob-missing": _damaged_part("blob_id"),
    "device-key-undecryptable": _damaged_part("device_id"),
    "device-key-mismatch": _damaged_part("device_id"),
    "vault-key-undecryptable": _damaged_part("purpose"),
    "vault-key-mismatch": _damaged_part("purpose"),
    "vault-key-missing": _vault_key_missing,
    "entity-mixed-types": _damaged_part("entity_id"),
    "evidence-untrusted": _damaged_part("entity_id"),
    "held-revision-damaged": _held_revision_damaged,
    "sqlcipher-missing": _vault_damaged,
    "database-undecryptable": _vault_damaged,
    "database-damaged": _vault_damaged,
    "key-file-damaged": _vault_damaged,
    "key-file-of-another-vault": _vault_damaged,
    "key-file-changed": _vault_damaged,
    # the disk
    "storage-failed": _storage,
    # records
    "not-found": _not_found,
    "stored-file-not-found": _stored_file_not_found,
    "evidence-purged": _evidence_purged,
    "revision-rejected": _revision_rejected,
    # sync (db/sync_import.py, db/sync_state.py)
    "custody-event-rejected": _custody_event_rejected,
    "blob-rejected": _blob_rejected,
    "bundle-rejected": _bundle_rejected,
    "org-profile-outdated": _org_profile_outdated,
    # bundles (sync/bundle/errors.py)
    "bundle-magic": _bundle_not_a_bundle,
    "bundle-header-size": _bundle_damaged,
    "bundle-header-form": _bundle_damaged,
    "bundle-truncated": _bundle_damaged,
    "bundle-trailing-data": _bundle_damaged,
    "bundle-payload-form": _bundle_damaged,
    "bundle-archive-form": _bundle_damaged,
    "bundle-header-signature": _bundle_tampered,
    "bundle-device-id": _bundle_tampered,
    "bundle-payload-hash": _bundle_tampered,
    "bundle-manifest-signature": _bundle_tampered,
    "bundle-manifest-binding": _bundle_tampered,
    "bundle-organisation": _bundle_other_organisation,
    "bundle-device-unknown": _bundle_device_unknown,
    "bundle-device-revoked": _bundle_device_revoked,
    "bundle-fork": _bundle_fork,
    "bundle-chain": _bundle_chain,
    "bundle-hand-over-part": _bundle_hand_over_part,
    "bundle-not-a-recipient": _bundle_not_a_recipient,
    "bundle-revision": _bundle_revision,
    "bundle-signer": _bundle_signer,
    "bundle-custody": _bundle_custody,
    "bundle-blob": _bundle_blob,
    "bundle-exists": _bundle_exists,
    "bundle-blob-changed": _bundle_blob_changed,
    "bundle-number-taken": _bundle_number_taken,
    "bundle-helper-stopped": _bundle_helper_stopped,
    "bundle-helper-pipe": _bundle_helper_pipe,
    # unknown devices, quarantine, acknowledgements
    "bundle-quarantined": _bundle_quarantined,
    "bundle-token-unknown": _bundle_token_unknown,
    "bundle-token-proof": _bundle_token_proof,
    "bundle-token-expired": _bundle_token_expired,
    "bundle-token-used": _bundle_token_used,
    "bundle-hand-over-incomplete": _bundle_hand_over_incomplete,
    "quarantine-not-found": _quarantine_not_found,
    "quarantine-code-form": _quarantine_code_form,
    "quarantine-code-mismatch": _quarantine_code_mismatch,
    "quarantine-file-changed": _quarantine_file_changed,
    "quarantine-device-revoked": _quarantine_device_revoked,
    "ack-form": _ack_form,
    "ack-signature": _ack_signature,
    "ack-other-organisation": _ack_other_organisation,
    "ack-other-device": _ack_other_device,
    "ack-not-coordinator": _ack_not_coordinator,
    "ack-unknown-bundle": _ack_unknown_bundle,
    "ack-not-imported": _ack_not_imported,
    # automatic sync (sync/client)
    "sync-no-organisation": _sync_no_organisation,
    "sync-no-server": _sync_no_server,
    "sync-offline": _sync_offline,
    "sync-round-running": _sync_round_running,
    "sync-server-error": _sync_server_error,
    "sync-pin-mismatch": _sync_pin_mismatch,
    "sync-garbage": _sync_garbage,
    "sync-server-key-changed": _sync_server_key_changed,
    "sync-device-revoked": _sync_device_revoked,
    "sync-refused": _sync_refused,
    "sync-receipt-invalid": _sync_receipt_invalid,
    "sync-log-broken": _sync_log_broken,
    "sync-download-mismatch": _sync_download_mismatch,
    "sync-payload-missing": _sync_payload_missing,
    "sync-proxy-invalid": _sync_proxy_invalid,
    "sync-unexpected": _sync_unexpected,
    # the organisation (sync/org.py)
    "org-profile-form": _org_profile_form,
    "org-profile-signature": _org_profile_signature,
    "org-fingerprint-form": _org_fingerprint_form,
    "org-fingerprint-mismatch": _org_fingerprint_mismatch,
    "org-other-organisation": _org_other_organisation,
    "org-key-changed": _org_key_changed,
    "org-exists": _org_exists,
    "org-none": _org_none,
    "org-not-coordinator": _org_not_coordinator,
    "org-not-key-holder": _org_not_key_holder,
    "org-token-needs-key": _org_token_needs_key,
    "org-revoke-self": _org_revoke_self,
    "org-device-id-form": _org_device_id_form,
    "org-server-form": _org_server_form,
    "org-name-form": _org_name_form,
    "org-device-card-form": _org_device_card_form,
    "org-device-revoked": _org_device_revoked,
    "token-form": _token_form,
    "token-signature": _token_signature,
    "token-other-organisation": _token_other_organisation,
    "token-expired": _token_expired,
    "token-unknown": _token_unknown,
    "token-used": _token_used,
    "org-enrol-payload-form": _org_enrol_payload_form,
    # input
    "file-not-regular": _file_not_regular,
    "file-record-in-conflict": _file_record_in_conflict,
    "file-missing": _file_missing,
    "file-permission-denied": _file_permission_denied,
    "file-unreadable": _file_unreadable,
    "export-target-unusable": _export_target_unusable,
    "export-target-symlink": _export_target_symlink,
    "export-target-not-regular": _export_target_not_regular,
    "export-target-exists": _export_target_exists,
    "invalid-date": _invalid_date,
    "unknown-violation-type": _unknown_violation_type,
    "unknown-person-role": _unknown_person_role,
    "field-not-a-choice": _not_a_choice,
    "consent-no-scope": _consent_no_scope,
    "consent-not-narrowing": _consent_not_narrowing,
    "case-title-required": _case_title_required,
    "invalid-language": _invalid_language,
    "field-unencodable": _field_unencodable,
    "latitude-out-of-range": _latitude_out_of_range,
    "longitude-out-of-range": _longitude_out_of_range,
    "auto-lock-out-of-range": _auto_lock_out_of_range,
    "recovery-key-characters": _recovery_key_characters,
    "recovery-key-mistyped": _recovery_key_mistyped,
    "passphrase-is-duress": _passphrase_is_duress,
    "duress-same-as-passphrase": _duress_same_as_passphrase,
    # what the forms prevent: a bug, or data from elsewhere
    "field-wrong-type": _not_storable,
    "field-not-an-id": _not_storable,
    "invalid-sha256": _not_storable,
    "negative-size": _not_storable,
    "invalid-relation": _not_storable,
    "consent-unknown-scope": _not_storable,
    "consent-scope-both": _not_storable,
    "link-target-type": _not_storable,
    "link-other-case": _not_storable,
    "deletion-holds-more": _not_storable,
    "unknown-field": _not_storable,
    "required-field-missing": _not_storable,
    "new-record-has-id": _not_storable,
    "unknown-record-type": _not_storable,
    "unknown-setting": _not_storable,
    "draft-key-length": _not_storable,
    "search-no-candidates": _not_storable,
    # recording an interview
    "recording-stopped": _recording_stopped,
    "recording-audio-format": _recording_audio_format,
    "recording-encoder-missing": _recording_encoder_missing,
    # stopped on purpose
    "intake-cancelled": _intake_cancelled,
    "export-cancelled": _export_cancelled,
    "cancelled": _cancelled,
    # the passphrase rule
    "passphrase-too-short": _passphrase_too_short,
    "passphrase-guessable": _passphrase_guessable,
    # backups
    "backup-inside-vault": _backup_inside_vault,
    "backup-target-not-a-folder": _backup_target_not_a_folder,
    "backup-reminder-out-of-range": _backup_reminder_out_of_range,
    "backup-cancelled": _backup_cancelled,
    # coordinator exports
    "export-font-missing": _export_font_missing,
    "export-purpose-unknown": _export_purpose_unknown,
    "same-as-self": _same_as_self,
    "same-as-not-a-link": _same_as_not_a_link,
    # re-rooting a frozen record (db/reroot.py)
    "reroot-not-frozen": _reroot_not_frozen,
    "reroot-line-not-held": _reroot_line_not_held,
    "reroot-nothing-before": _reroot_nothing_before,
    "reroot-not-coordinator": _reroot_not_coordinator,
    "reroot-too-many": _reroot_too_many,
    "reroot-unknown-choice": _reroot_unknown_choice,
    "reroot-readers-behind": _reroot_readers_behind,
    "reread-not-coordinator": _reread_not_coordinator,
    "reread-not-received": _reread_not_received,
    "reread-differs": _reread_differs,
    "reread-hand-over": _reread_hand_over,
    "reread-device-pending": _reread_device_pending,
}


def error_message(error: FieldvaultError | None, error_type: str = "") -> str:
    """What happened and what to do, in the interface language."""
    if error is None:
        return QCoreApplication.translate(
            "Messages", "An unexpected error stopped this ({error_type}). Try again."
        ).format(error_type=error_type or "?")
    if error.code is not None and (message := BY_CODE.get(error.code)) is not None:
        return message(error.params)
    if isinstance(error, DeviceAborted):  # the GUI's own, not the core's
        return QCoreApplication.translate("Messages", "Reading the item was stopped.")
    return str(error)


def kept_error_message(code: str, params: Mapping[str, Param]) -> str:
    """The message of an error the vault kept as its code and params (a
    held bundle's release failure: sync/bundle/quarantine.py
    RELEASE_FAILED; review 31 F1), in the interface language: the live
    error's message, from the kept params (ids only). One kept without the
    params its message names (written before they were kept), or whose code
    has no message (an unexpected error, kept by its type's name), is named
    by its code."""
    message = BY_CODE.get(code)
    declared = CODES.get(code)
    if message is not None and declared is not None and set(declared.params) <= set(params):
        return message(params)
    return QCoreApplication.translate(
        "Messages", "An error stopped it ({code}). If this stays, tell your organisation."
    ).format(code=code)


BUNDLE_ID_SHOWN = 12  # leading characters of a bundle id shown (as desktop/sync_panel.py shows one)


def held_again_message(bundle_id: str, code: str) -> str:
    """A held bundle its release's own import held in quarantine again
    (sync/bundle/quarantine.py ReleaseFailure.held_again; review 32 L3):
    its device's admission changed after the release read it as verified.
    Said as what it is, held again, with why and what to do, not as a
    release failure of this computer (it is not counted as one); ``code``,
    the BundleQuarantined's, says what it waits for now. One wording for
    the sync panel (a pull's release) and Import bundles… (a USB import's)."""
    bundle = f"{bundle_id[:BUNDLE_ID_SHOWN]}…"
    if code == "bundle-hand-over-incomplete":
        return QCoreApplication.translate(
            "Messages",
            "Bundle {bundle} was not imported and is held in quarantine again: a history hand-over "
            "this desk has taken only in part now names its device, and its bundles wait for the rest "
            "of that hand-over. Nothing of it was stored, it was not refused, and its file is kept; "
            "Coordinator → Devices… says which hand-over it waits for.",
        ).format(bundle=bundle)
    return QCoreApplication.translate(
        "Messages",
        "Bundle {bundle} was not imported and is held in quarantine again: by the time its import "
        "began, its device was no longer verified on this computer (the coordinator who vouched for "
        "it was removed from your organisation, for one). Nothing of it was stored, it was not "
        "refused, and its file is kept. If the device should be enrolled, phone the worker, compare "
        "the verification code, then approve the bundle (fieldvault bundle approve); Coordinator → "
        "Devices… says what it waits for.",
    ).format(bundle=bundle)


def failure_message(report: OperationFailed) -> str:
    return error_message(report.error, report.error_type)


def keyring_notice(notice: KeyringNotice) -> str:
    """Vault.create's keyring notice, in the interface language."""
    if notice.code == "keyring-used":
        return QCoreApplication.translate(
            "Messages", "Part of the key is kept in this computer's keyring ({backend})."
        ).format(backend=notice.backend)
    if notice.code == "no-secure-keyring":
        return QCoreApplication.translate(
            "Messages",
            "No secure keyring on this system: the vault is protected by the passphrase alone. "
            "Choose a long passphrase.",
        )
    if notice.code == "keyring-not-used":
        return QCoreApplication.translate("Messages", "The keyring is not used.")
    return notice.text
