"""Bundles held in quarantine, and a coordinator's approval of their device
(docs/bundle-format.md §8): a bundle from a device the coordinator did not
know, without a valid token proof, is recorded with its reason and left
where it is (sync/bundle/admission.py). The coordinator phones the worker,
who reads out the verification code their vault shows; the coordinator
types it; only if it is the code of the organisation key and the device
key in the bundle's header is the device enrolled — in the same
transaction as the bundle's import, so that a bundle that then fails
another check leaves the device unknown and the bundle held.
"""

from __future__ import annotations

import json
import logging
import re
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import pyrage

from db.api import (
    SYNC_SPOOL_DIR,
    CancelToken,
    Codes,
    FieldvaultError,
    HeldBundle,
    Param,
    StorageError,
    SyncClientState,
    Vault,
)
from sync.bundle.admission import Admission, BundleQuarantined
from sync.bundle.errors import BundleNotRead, BundleRejected
from sync.bundle.hand_over_in_flight import SeriesInFlight, awaited_series, devices_awaiting
from sync.bundle.reader import check_header
from sync.bundle.vault_io import BundleCancelled, ImportedBundle, Progress, approve_received, import_bundle
from sync.bundle.vouching import is_coordinator_vault
from sync.org import OrgRefused, verification_code
from sync.org_vault import held_profile, require_coordinator

log = logging.getLogger(__name__)

_BUNDLE_ID = re.compile(r"[0-9a-f]{64}")
# The held bundles whose import (an approval, a release) a later check
# refused: {bundle id: the refusal's reason code}. The bundle stays held, and
# its device may be verified by then: without this the devices view could
# only say "verified" and "held", as if nothing had been tried.
IMPORT_REFUSED = "held_import_refused"
# The held bundles whose automatic release failed for a reason that is not
# the bundle's (any error but a refusal, BundleRejected, and the three that
# stop a release: BundleCancelled, BundleNotRead, StorageError; a bundle
# held in quarantine again is not counted: release_held):
# {bundle id: {"code", "params", "count", "last_ms"}}, consecutive failures
# (``params``: the last error's, ids only, so that the GUI says it in words;
# entries written before it have none; an error that is not a
# FieldvaultError is kept under its type's name, without params). Not a
# refusal: the bundle stays held with its file, and a pull keeps its spool
# copy (review 30 F1's wider point). After RELEASE_TRIES of them in a row,
# automatic releases pass it over until a person tries it again (imports
# its file, or approves it by code), which clears the count; so does a
# success, or a refusal. An entry whose code is one of BundleQuarantined's
# (written from 48d06c8 until 6d4a2b7, which counted a bundle held in
# quarantine again) is no failure: read as none, dropped at the next write
# (review 33 L7).
RELEASE_FAILED = "held_release_failed"
RELEASE_TRIES = 3


class QuarantineRefused(FieldvaultError):
    """An approval was refused; nothing changed (the bundle stays held)."""

    codes: ClassVar[Codes] = {
        "quarantine-not-found": ("bundle",),
        "quarantine-code-form": (),
        "quarantine-code-mismatch": ("device_id",),
        "quarantine-file-changed": ("bundle_id", "path"),
        "quarantine-device-revoked": ("device_id",),
    }

    def __init__(self, message: str, code: str, **params: str) -> None:
        super().__init__(message, code, **params)


def normalise_code(text: str) -> str:
    """A verification code as typed (spaces, dashes anywhere) in its printed
    form, six groups of five digits; QuarantineRefused ``quarantine-code-form``."""
    digits = re.sub(r"[\s-]", "", text)
    if not re.fullmatch(r"[0-9]{30}", digits):
        raise QuarantineRefused(
            "A verification code is 30 digits (six groups of five), as the worker's vault shows it.",
            "quarantine-code-form",
        )
    return " ".join(digits[i : i + 5] for i in range(0, 30, 5))


def find_held(vault: Vault, ref: str) -> tuple[HeldBundle, Path]:
    """The held bundle named by ``ref`` — its bundle id (64 hex) or a bundle
    file — and the file to import it from (the one given, else where it was
    left). QuarantineRefused ``quarantine-not-found``."""
    held: HeldBundle | None = None
    given: Path | None = None
    if _BUNDLE_ID.fullmatch(ref.strip().lower()):
        held = vault.sync.held_bundle(ref.strip().lower())
    else:
        given = Path(ref)
        try:
            held = vault.sync.held_bundle(check_header(given).bundle_id)
        except (FieldvaultError, OSError):
            held = None
    if held is None:
        raise QuarantineRefused(
            f"No bundle held in quarantine matches {ref} ('fieldvault bundle quarantine list' shows them).",
            "quarantine-not-found",
            bundle=ref,
        )
    return held, given if given is not None else Path(held.path)


def approve_bundle(
    vault: Vault,
    ref: str,
    code: str,
    identity: str | pyrage.x25519.Identity,
    *,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> ImportedBundle:
    """Approve the device of a held bundle with the verification code the
    worker read out, and import the bundle (all or nothing, the device's
    enrolment included). QuarantineRefused for a code that is not the
    device's (nothing changes), a device the profile revoked, or a file that
    is no longer the held bundle; BundleRejected for a bundle that fails
    another check (it stays held, the device unknown). A held bundle this
    vault counts as received already (a hand-over named it) is approved
    from its row, with or without its file (``approve_received``)."""
    typed = normalise_code(code)
    held, path = find_held(vault, ref)
    profile = held_profile(vault)
    if profile is None:
        raise OrgRefused(
            "This vault belongs to no organisation yet: create one (org create) or enrol (enrol).", "org-none"
        )
    # Only a coordinator enrols devices: a field worker's vault holds
    # strangers' bundles too, but approving one is not its decision. Any
    # coordinator of the profile may, with or without the organisation key:
    # the device it enrols reaches the other desks in its vouches.
    require_coordinator(vault, profile)
    expected = verification_code(profile.org_key, held.device_key)
    if typed != expected:
        raise QuarantineRefused(
            f"That is not the verification code of device {held.device_id}: the key in its bundle is not "
            "the one on the worker's laptop, or the code was misheard. Nothing was approved. Read the "
            "codes again; if they differ, do not approve this bundle.",
            "quarantine-code-mismatch",
            device_id=held.device_id,
        )
    if held.device_id in profile.revoked:
        raise QuarantineRefused(
            f"Device {held.device_id} was revoked; its bundles cannot be approved.",
            "quarantine-device-revoked",
            device_id=held.device_id,
        )
    try_again(vault, held.bundle_id)  # a person asked: automatic releases may try it again
    admission = Admission(held.device_id, held.device_key, held.age_recipient or "", None)
    if vault.sync.received_bundle(held.bundle_id) is not None:
        # Counted as received already (a hand-over's word: the row is
        # ``received``; an upgraded vault's may say ``approved``): the
        # approval enrols the device and reads nothing of the bundle, so it
        # needs no file, which a pull removes from the spool once the row is
        # received (review 23 F3). The key enrolled is the row's, from the
        # bundle's signed header when it was held, the one the code matched.
        try:
            imported = approve_received(vault, held, admission)
        except BundleRejected as refused:
            # Revoked in this vault's devices table only: it stays as it was.
            # (One the profile held revokes since the check above gives this
            # check's refusal, QuarantineRefused: _approve_received.)
            _remember_refusal(vault, held.bundle_id, refused_reason(refused))
            raise
        _remember_refusal(vault, held.bundle_id, None)
        return imported
    try:
        matches = check_header(path, org_id=profile.org_id).bundle_id == held.bundle_id
    except (FieldvaultError, OSError):
        matches = False
    if not matches:
        raise QuarantineRefused(
            f"The file {path} is not (or no longer) bundle {held.bundle_id}; nothing was approved. Give the "
            "bundle file: fieldvault bundle approve FILE --code CODE.",
            "quarantine-file-changed",
            bundle_id=held.bundle_id,
            path=str(path),
        )
    known = vault.sync.device(held.device_id)
    approved = (
        None
        if known is not None and known.status == "enrolled"  # approved with another of its bundles
        else admission
    )
    try:
        imported = import_bundle(
            vault,
            path,
            identity,
            org_id=profile.org_id,
            progress=progress,
            cancel=cancel,
            approved=approved,
            approval=admission,  # should the device be enrolled no longer under the lock
            # One a pull held came from the server: held there, not relayed (org_held.py).
            from_server=in_spool(vault, held),
            # The code compared is a deliberate human act: past a hand-over's
            # hold too, which no part may ever end (review 18 R1).
            code_compared=True,
        )
    except BundleRejected as refused:
        if _file_is(path, held.bundle_id):  # not another file's refusal (swapped since the check)
            _remember_refusal(vault, held.bundle_id, refused_reason(refused))
        raise
    _remember_refusal(vault, imported.bundle_id, None)
    return imported


# -- what became of a held bundle's import -------------------------------------------------


def refused_reason(refused: FieldvaultError) -> str:
    """A refusal's reason code as the CLI prints it: docs/bundle-format.md §5's
    (``payload-hash``, ``signer:<revision>``), else the error's code."""
    return getattr(refused, "reason", None) or refused.code or "refused"


def _remember_refusal(vault: Vault, bundle_id: str, reason: str | None) -> None:
    """Record (or, with None, forget) why ``bundle_id``'s import was refused."""

    def change(old: str | None) -> str | None:
        refusals: dict[str, str] = json.loads(old) if old else {}
        if reason is None and bundle_id not in refusals:
            return None  # nothing to write
        if reason is None:
            del refusals[bundle_id]
        else:
            refusals[bundle_id] = reason
        return json.dumps(refusals, sort_keys=True)

    SyncClientState.of(vault).update_value(IMPORT_REFUSED, change)


def import_refusals(vault: Vault) -> dict[str, str]:
    """{bundle id: reason code} of held bundles whose import was refused."""
    stored = SyncClientState.of(vault).value(IMPORT_REFUSED)
    refusals: dict[str, str] = json.loads(stored) if stored else {}
    return refusals


@dataclass(frozen=True)
class ReleaseFailure:
    """A held bundle's automatic release failed ``count`` times in a row, the
    last at ``last_ms`` with the error code ``code`` and its ``params`` (ids;
    (name, value) pairs, empty when not kept): not the bundle's fault
    (RELEASE_FAILED). At RELEASE_TRIES, automatic releases pass it over."""

    code: str
    count: int
    last_ms: int
    params: tuple[tuple[str, Param], ...] = ()

    @property
    def passed_over(self) -> bool:
        return self.count >= RELEASE_TRIES

    @property
    def held_again(self) -> bool:
        """Not a failure of this computer: the release's own import held the
        bundle in quarantine again (BundleQuarantined; its device's admission
        changed after ``releasable``). Reported by the release that met it,
        never kept (``release_held``)."""
        return self.code in BundleQuarantined.codes


class UnexpectedReleaseError(FieldvaultError):
    """What a release reports (``Released.error``) for an import that failed
    with an error that is not a FieldvaultError: a fault of ours (a bug, a
    KeyError, a database error the import did not turn into one of ours).
    Never raised, so it carries no code (the count keeps ``kind``, and the
    GUI says it from there: desktop/messages.py ``kept_error_message``).
    Its message names the error's type only (``kind``): the error's own
    text may quote what the bundle carries."""

    def __init__(self, kind: str) -> None:
        super().__init__(
            f"The import failed on this computer with an unexpected error ({kind}). The bundle was not "
            "refused and its file is kept; if this stays, tell your organisation."
        )
        self.kind = kind


def _counted(stored: str | None) -> dict[str, dict[str, object]]:
    """The entries of RELEASE_FAILED's value ``stored`` that count failures:
    not those whose code is BundleQuarantined's. From 48d06c8 until 6d4a2b7
    a bundle its release held in quarantine again was counted; since, such
    a code reads as ``held_again`` (this try's, never kept), and a kept one
    at RELEASE_TRIES was passed over for ever, said held in quarantine
    again though nothing was tried (review 33 L7). Its device was admitted
    again since, or it would not be releasable: its next release is a
    first try, as 6d4a2b7 has it."""
    entries: dict[str, dict[str, object]] = json.loads(stored) if stored else {}
    return {
        bundle_id: entry
        for bundle_id, entry in entries.items()
        if str(entry["code"]) not in BundleQuarantined.codes
    }


def _params(entry: Mapping[str, object]) -> dict[str, Param]:
    """An entry's kept params (none in entries written before they were kept)."""
    params = entry.get("params")
    return {str(name): value for name, value in params.items()} if isinstance(params, dict) else {}


def release_failures(vault: Vault) -> dict[str, ReleaseFailure]:
    """{bundle id: its release failures} of bundles still held."""
    stored = SyncClientState.of(vault).value(RELEASE_FAILED)
    if not stored:
        return {}
    held = {held.bundle_id for held in vault.sync.held_bundles()}
    return {
        bundle_id: ReleaseFailure(
            str(entry["code"]),
            int(str(entry["count"])),
            int(str(entry["last_ms"])),
            tuple(sorted(_params(entry).items())),
        )
        for bundle_id, entry in _counted(stored).items()
        if bundle_id in held
    }


def _remember_release_failure(
    vault: Vault, bundle_id: str, code: str | None, params: Mapping[str, Param] | None = None
) -> ReleaseFailure | None:
    """Count one more failure of ``bundle_id``'s release, with ``code`` and
    the error's ``params``; with None, forget its failures. Entries of
    bundles no longer held are dropped, and so are those that count no
    failure (``_counted``)."""
    if code is None and not SyncClientState.of(vault).value(RELEASE_FAILED):
        return None  # the common case: no release ever failed here
    held = {held.bundle_id for held in vault.sync.held_bundles()}
    now = time.time_ns() // 1_000_000
    counted: list[ReleaseFailure] = []

    def change(old: str | None) -> str | None:
        if code is None and bundle_id not in (json.loads(old) if old else {}):
            return None  # nothing to write
        stored = _counted(old)
        failures = {key: entry for key, entry in stored.items() if key in held and key != bundle_id}
        if code is not None:
            before = stored.get(bundle_id)
            count = int(str(before["count"])) + 1 if before is not None else 1
            kept = dict(params or {})
            failures[bundle_id] = {"code": code, "params": kept, "count": count, "last_ms": now}
            counted[:] = [ReleaseFailure(code, count, now, tuple(sorted(kept.items())))]
        return json.dumps(failures, sort_keys=True)

    SyncClientState.of(vault).update_value(RELEASE_FAILED, change)
    return counted[0] if counted else None


def try_again(vault: Vault, bundle_id: str) -> None:
    """A person asks for ``bundle_id``'s import (they import its file again,
    or approve it by code): its release failures are forgotten, so that
    automatic releases try it again should this try fail too."""
    _remember_release_failure(vault, bundle_id, None)


def retry_release(vault: Vault, ref: str) -> tuple[HeldBundle, ReleaseFailure | None]:
    """A person asks that the held bundle ``ref`` (its id, or its file) be
    tried again by the automatic releases (``bundle quarantine retry``):
    its release failures are forgotten. Returns it and the failures it had
    (None: none). One a pull left in the spool is then tried by the next
    sync, as a pull imports it (acknowledged on the server); importing a
    spool file by hand would take it as from a USB stick. QuarantineRefused
    ``quarantine-not-found``."""
    held, _path = find_held(vault, ref)
    if held.status != "held":  # imported since (approved, or received on a hand-over's word)
        raise QuarantineRefused(
            f"Bundle {held.bundle_id} is no longer held in quarantine ('fieldvault bundle quarantine list' "
            "shows those that are).",
            "quarantine-not-found",
            bundle=ref,
        )
    before = release_failures(vault).get(held.bundle_id)
    try_again(vault, held.bundle_id)
    return held, before


def try_again_file(vault: Vault, path: Path) -> None:
    """``try_again`` for the held bundle a person imports from ``path``
    (reads its header only when some release failed)."""
    if not SyncClientState.of(vault).value(RELEASE_FAILED):
        return
    try:
        bundle_id = check_header(path).bundle_id
    except (FieldvaultError, OSError):
        return  # the import says what is wrong with it
    try_again(vault, bundle_id)


# Why a bundle is still held (``held_states``):
# - refused: its import (an approval, a release) failed a later check; ``reason`` says which;
# - awaiting-verification: its device is not known as enrolled (compare its code; the
#   approval is given the file);
# - awaiting-hand-over: its device is enrolled, but a history hand-over taken here only
#   in part names it (``awaited``: the series; sync/bundle/hand_over_in_flight.py): the
#   rest of it, or any complete hand-over, releases it; an approval by code takes it now;
# - file-gone: its device is verified now, but nothing at the path it was left at is
#   that bundle any more (release_held's file_gone): give the file again;
# - release-failed: releasable, but its automatic release failed for a reason that
#   is not the bundle's (``failure``: the code, how many times in a row; at
#   RELEASE_TRIES automatic releases pass it over): importing the file again
#   (or approving it by code) tries it;
# - releasable: its device is verified now and its file is there: importing the file
#   again takes it (one a pull left in the spool: the next sync).
# - received-awaiting-verification: a history hand-over counted it as received
#   while its device is pending here (row ``received``, ``awaits_approval``): no
#   longer held, but its device's changes are kept aside until it is enrolled;
#   comparing its code and approving it does that, with or without the file
#   (review 23 F1).
HELD_STATES = (
    "awaiting-verification",
    "awaiting-hand-over",
    "refused",
    "file-gone",
    "release-failed",
    "releasable",
    "received-awaiting-verification",
)


@dataclass(frozen=True)
class HeldState:
    held: HeldBundle
    state: str  # HELD_STATES
    from_server: bool = False  # a pull left it in the spool (in_spool): the next sync imports it
    reason: str | None = None  # refused: the refusal's reason code
    awaited: SeriesInFlight | None = None  # awaiting-hand-over: the series it waits for
    failure: ReleaseFailure | None = None  # release-failed: its failures in a row


def _file_is(path: Path, bundle_id: str) -> bool:
    # Anything but a regular file at ``path`` (a FIFO on an ext4 stick) is
    # refused by the reader at once (sync/bundle/regular_file.py): the
    # devices view's worker is never left waiting on it.
    try:
        return check_header(path).bundle_id == bundle_id
    except (FieldvaultError, OSError):
        return False


def held_states(vault: Vault) -> list[HeldState]:
    """Every bundle held in quarantine and why it still is, for the devices
    view: a verified device with a bundle "held" says nothing true unless it
    says what happened to that bundle. Reads each held file's header (a few
    hundred bytes; held bundles are few)."""
    refusals = import_refusals(vault)
    failures = release_failures(vault)
    enrolled = {held.bundle_id for held in releasable(vault)}
    states = []
    for held in vault.sync.held_bundles():
        if held.bundle_id in refusals:
            states.append(HeldState(held, "refused", reason=refusals[held.bundle_id]))
        elif held.bundle_id not in enrolled:
            # Enrolled but named by a hand-over taken in part: that is what it
            # waits for, not its code (review 18 R1).
            awaited = awaited_series(vault, held.device_id) if _enrolled_with_key(vault, held) else None
            if awaited is not None:
                states.append(HeldState(held, "awaiting-hand-over", awaited=awaited))
            else:
                states.append(HeldState(held, "awaiting-verification"))
        elif not _file_is(Path(held.path), held.bundle_id):
            states.append(HeldState(held, "file-gone", from_server=in_spool(vault, held)))
        elif held.bundle_id in failures:
            states.append(
                HeldState(
                    held,
                    "release-failed",
                    from_server=in_spool(vault, held),
                    failure=failures[held.bundle_id],
                )
            )
        else:
            states.append(HeldState(held, "releasable", from_server=in_spool(vault, held)))
    for held in vault.sync.held_bundles(include_approved=True):
        if held.status != "held" and held.bundle_id not in refusals and awaits_approval(vault, held):
            states.append(
                HeldState(held, "received-awaiting-verification", from_server=in_spool(vault, held))
            )
    return states


def awaits_approval(vault: Vault, held: HeldBundle) -> bool:
    """Is ``held`` a bundle this vault counts as received (a hand-over's word,
    its row ``received``; an upgraded vault's ``approved``) whose device is
    still pending here, so that approving it by code (``approve_bundle``)
    would enrol the device and store what it kept aside (review 23 F1)? An
    import of its file answers a replay, which alone would say nothing to do."""
    if held.status == "held" or vault.sync.received_bundle(held.bundle_id) is None:
        return False
    device = vault.sync.device(held.device_id)
    return device is not None and device.status == "pending"


# -- held bundles of a device enrolled since ---------------------------------------------


@dataclass(frozen=True)
class Released:
    """What became of one held bundle whose device this vault now holds as
    enrolled (``release_held``): imported, refused by a later check, failed
    for a reason not its own, or not tried because its file is no longer
    that bundle where it was left or its release failed RELEASE_TRIES
    times in a row."""

    held: HeldBundle
    imported: ImportedBundle | None = None
    refusal: BundleRejected | None = None  # a check the bundle failed; it stays held
    # Failed for a reason not the bundle's (the error: ``error``; one that is
    # not a FieldvaultError, as an UnexpectedReleaseError): it stays held
    # with its file, neither refused nor removed; ``failed`` counts the
    # failures in a row. With ``error`` None, not tried: passed over. Held in
    # quarantine again (``failed.held_again``, ``error`` the
    # BundleQuarantined): this try only, not counted.
    failed: ReleaseFailure | None = None
    error: FieldvaultError | None = None
    file_gone: bool = False  # nothing at its path is that bundle now: give the file again
    # The file was another bundle by the time the import read it (swapped
    # after the check): that one is imported, as it passed every check and
    # admission; this one stays held, and nothing names it imported.
    imported_instead: ImportedBundle | None = None


def in_spool(vault: Vault, held: HeldBundle) -> bool:
    """Was ``held`` left in the vault's spool by a pull (then a pull imports
    it and acknowledges it on the server), not where a USB import found it?"""
    return Path(held.path).parent == (vault.folder / SYNC_SPOOL_DIR).absolute()


def releasable(vault: Vault) -> list[HeldBundle]:
    """Bundles held in quarantine whose device this vault now knows as an
    enrolled device with the key in their header — enrolled since by its
    card, an approval of another of its bundles, or another coordinator's
    vouch (docs/bundle-format.md §8). Oldest sequence first, by device. None
    on a field worker's vault: only a coordinator takes a device's bundles."""
    if not is_coordinator_vault(vault, held_profile(vault)):
        return []
    found = []
    # Not while a hand-over taken in part names the device: its chain and the
    # bundles it follows come with the rest (sync/bundle/hand_over_in_flight.py).
    awaiting = devices_awaiting(vault)
    for held in vault.sync.held_bundles():
        if _enrolled_with_key(vault, held) and held.device_id not in awaiting:
            found.append(held)
    return found


def _enrolled_with_key(vault: Vault, held: HeldBundle) -> bool:
    """Does this vault know ``held``'s device as enrolled, with its key?"""
    device = vault.sync.device(held.device_id)
    return device is not None and device.status == "enrolled" and device.public_key == held.device_key


_SOURCE_ROOT = Path(__file__).resolve().parents[2]
_CHAINED_AT_MOST = 5


def _where(error: BaseException) -> str:
    """Where ``error`` was raised, for a log to debug a fault of ours from
    (review 33 L8): each frame of its traceback as ``file:line function``
    (``traceback.extract_tb``; a file of ours relative to the source tree),
    the release's own first and the one that raised it last, as Python
    prints them; then those of the error it was raised from (or while
    handling, as Python says it), named by its type. Never an error's text
    or args, a frame's locals or its source line: they may quote what the
    bundle carries."""
    parts = []
    seen: set[int] = set()
    link: BaseException | None = error
    while link is not None and id(link) not in seen and len(seen) < _CHAINED_AT_MOST:
        seen.add(id(link))
        frames = []
        for frame in traceback.extract_tb(link.__traceback__):
            path = Path(frame.filename)
            if path.is_absolute() and path.is_relative_to(_SOURCE_ROOT):
                path = path.relative_to(_SOURCE_ROOT)
            frames.append(f"{path.as_posix()}:{frame.lineno} {frame.name}")
        said = "traceback" if link is error else f"from {type(link).__name__}"
        parts.append(f"{said}: {' -> '.join(frames) or 'no frames'}")
        if link.__cause__ is not None:
            link = link.__cause__
        else:
            link = None if link.__suppress_context__ else link.__context__
    return "; ".join(parts)


def release_held(
    vault: Vault,
    identity: str | pyrage.x25519.Identity,
    *,
    org_id: str | None = None,
    which: Callable[[HeldBundle], bool] | None = None,
    cancel: CancelToken | None = None,
) -> list[Released]:
    """Import the held bundles of devices enrolled since (``releasable``;
    those ``which`` picks, default all), each from where it was left and
    only if the file there is still that bundle; each all or nothing, with
    every check of an import (its device now admitted as known). An
    imported one is marked approved (``record_bundle``); one refused or
    whose file is gone stays held, and is reported. So does one whose file
    was another bundle by the import's read (``imported_instead``: that
    other bundle is imported, having passed every check).

    Only BundleRejected is a refusal. BundleCancelled, BundleNotRead and
    StorageError stop the release (raised; nothing recorded). Any other
    error (this vault's state, HeldRevisionDamaged included; or a fault of
    ours, FieldvaultError or not) is a release failure: counted for that
    bundle (RELEASE_FAILED), reported (``failed``, ``error``), and the
    release goes on with the next one; after RELEASE_TRIES in a row the
    bundle is passed over (reported, not tried) until a person tries it
    again (``try_again``). An error that is not a FieldvaultError (a bug of
    ours: a KeyError, a database error not turned into ours) is counted
    under its type's name (``KeyError``), never its text, which may quote
    what the bundle carries, and reported as an UnexpectedReleaseError; the
    import is one transaction (``import_bundle``), so it left nothing of
    the bundle. Before, such an error escaped, and one bundle that tripped
    a bug stopped every other held bundle's release, at every pull.
    (Exception only: a KeyboardInterrupt or SystemExit still ends it.)

    BundleQuarantined (a BundleRejected) is neither a refusal nor counted:
    this import held the bundle in quarantine again, its device's admission
    having changed after ``releasable`` (a vouch that lapsed, a hand-over
    taken in part that names the device). Reported as ``failed`` with its
    code (``ReleaseFailure.held_again``; the count, 1, is this try's) so
    that no caller takes it for a refusal (a pull keeps its spool copy,
    review 31 F7), and its earlier failures are forgotten: it is not
    releasable until its device is admitted again, and that admission's
    release is a first try. Kept, the count would pass the bundle over
    after RELEASE_TRIES admission changes though nothing failed here."""
    results: list[Released] = []
    failures = release_failures(vault)
    for held in releasable(vault):
        if which is not None and not which(held):
            continue
        failure = failures.get(held.bundle_id)
        if failure is not None and failure.passed_over:
            # Failed RELEASE_TRIES times in a row for a reason not its own:
            # tried at every release it would most likely fail alike each
            # time. Reported, not tried, until a person asks (try_again).
            results.append(Released(held, failed=failure))
            continue
        path = Path(held.path)
        try:
            same = check_header(path, org_id=org_id).bundle_id == held.bundle_id
        except (FieldvaultError, OSError):
            same = False
        if not same:
            results.append(Released(held, file_gone=True))
            continue
        try:
            # One a pull left in the spool came from the server: what it
            # brings is held there (sync/bundle/org_held.py), not pushed again.
            imported = import_bundle(
                vault, path, identity, org_id=org_id, cancel=cancel, from_server=in_spool(vault, held)
            )
        except (BundleCancelled, BundleNotRead, StorageError):
            # Not the bundle's doing (a stop, the system stopping the reading,
            # a full disk; review 30 F1): nothing is recorded against it, it
            # stays held with its file, and the caller stops. The next
            # release tries again (a pull removed the spool copy of one
            # "refused" before, for good).
            raise
        except BundleQuarantined as held_again:
            # Held in quarantine again, not refused: its device's admission
            # changed between releasable() and the import (a vouch that
            # lapsed, a hand-over taken in part naming it; a revocation is
            # a refusal, device-revoked). Reported as failed, so that no pull
            # removes its spool copy (review 31 F7; a subclass of
            # BundleRejected, it was taken for a refusal before), but not
            # counted: see the docstring.
            _remember_release_failure(vault, held.bundle_id, None)
            code = held_again.code or "bundle-quarantined"
            now = time.time_ns() // 1_000_000
            this_try = ReleaseFailure(code, 1, now, tuple(sorted(held_again.params.items())))
            results.append(Released(held, failed=this_try, error=held_again))
            continue
        except BundleRejected as refused:  # the bundle's own fault; it stays held with its record
            # Kept, so that the devices view says why a verified device's bundle is held.
            _remember_refusal(vault, held.bundle_id, refused_reason(refused))
            _remember_release_failure(vault, held.bundle_id, None)
            results.append(Released(held, refusal=refused))
            continue
        except FieldvaultError as error:
            # Not the bundle's doing (HeldRevisionDamaged: this vault's own
            # state; or any other error of ours): not a refusal, so no pull
            # removes its spool copy; counted, and the others are tried.
            counted = _remember_release_failure(
                vault, held.bundle_id, error.code or type(error).__name__, error.params
            )
            results.append(Released(held, failed=counted, error=error))
            continue
        except OSError:
            results.append(Released(held, file_gone=True))
            continue
        except Exception as error:  # noqa: BLE001 -- a fault of ours must not stop the other releases
            # Its type's name and where it was raised, never its text (it may quote the bundle).
            kind = type(error).__name__
            log.warning(
                "the release of held bundle %s failed with an unexpected %s; %s",
                held.bundle_id,
                kind,
                _where(error),
            )
            counted = _remember_release_failure(vault, held.bundle_id, kind)
            results.append(Released(held, failed=counted, error=UnexpectedReleaseError(kind)))
            continue
        # The check above read the file once and the import again: only the
        # bundle id the import verified says what was imported. (That import
        # marked its own held row approved, if any, never this one.)
        if imported.bundle_id != held.bundle_id:
            results.append(Released(held, imported_instead=imported))
            continue
        _remember_refusal(vault, held.bundle_id, None)
        _remember_release_failure(vault, held.bundle_id, None)
        results.append(Released(held, imported=imported))
    return results
