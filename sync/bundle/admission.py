"""Who may send a bundle (docs/bundle-format.md §5 step 5, §8): a device
the coordinator knows and has enrolled; or a device it does not know yet
whose bundle proves an enrolment token this coordinator issued, unused and
unexpired (§2.1). Any other unknown device's bundle is not imported but
**held in quarantine** — left where it is, recorded with its reason — until
a coordinator approves the device after comparing the verification code
(sync/bundle/quarantine.py). A revoked device is refused outright.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from types import EllipsisType
from typing import ClassVar

from db.api import Codes, FieldvaultError, HeldBundle, Vault
from sync.bundle.errors import BundleRejected
from sync.bundle.format import BundleHeader
from sync.bundle.reader import CheckedBundle
from sync.bundle.vouching import is_coordinator_vault
from sync.enrolment_proof import proof_holds
from sync.org import Profile
from sync.org_vault import held_profile

# A field device a hand-over taken in part here names, held until the series
# is complete or ends (sync/bundle/hand_over_in_flight.py, review 18 R1).
HAND_OVER_INCOMPLETE = "hand-over-incomplete"

# Quarantine reason -> the English of BundleQuarantined (the GUI's is desktop/messages.py's).
HOLD_REASONS: dict[str, str] = {
    "device-unknown": "comes from a device this coordinator does not know, and proves no enrolment token",
    "token-unknown": "names an enrolment token this coordinator did not issue",
    "token-proof": "carries an enrolment-token proof that does not check out (a forged or another "
    "organisation's token, or a proof made for another device key)",
    "token-expired": "names an enrolment token that expired before it was used",
    "token-used": "names an enrolment token another device already used",
    HAND_OVER_INCOMPLETE: "comes from a device named by a history hand-over this desk has taken only in part",
}


class BundleQuarantined(BundleRejected):
    """A bundle from a device this vault does not know, not imported and
    held in quarantine with its reason (``reason``, a key of HOLD_REASONS;
    ``device-unknown`` also answers what BundleRejected("device-unknown")
    used to). Nothing of it was applied; the file was left where it is."""

    codes: ClassVar[Codes] = {
        "bundle-quarantined": ("bundle_id", "device_id"),
        "bundle-token-unknown": ("bundle_id", "token_id"),
        "bundle-token-proof": ("bundle_id", "token_id"),
        "bundle-token-expired": ("bundle_id", "token_id"),
        "bundle-token-used": ("bundle_id", "token_id"),
        # maker_label: the maker desk's label as this vault knows it ("" if none).
        "bundle-hand-over-incomplete": ("bundle_id", "device_id", "maker_id", "maker_label", "part", "parts"),
    }

    def __init__(
        self,
        reason: str,
        bundle_id: str,
        device_id: str,
        token_id: str | None,
        *,
        held: bool = True,
        awaited: tuple[str, int, int] = ("", 0, 0),  # hand-over-incomplete: (maker, part taken, of)
        maker_label: str = "",  # hand-over-incomplete: the maker desk's label here, if it has one
    ) -> None:
        self.kind = reason
        self.subject = None
        self.reason = reason
        self.bundle_id = bundle_id
        self.device_id = device_id
        self.token_id = token_id
        self.held = held  # False: a dry run (bundle verify) recorded nothing
        kept = "it is held in quarantine" if held else "an import would hold it in quarantine"
        message = (
            f"Bundle {bundle_id} {HOLD_REASONS[reason]}. Nothing of it was imported; {kept} "
            f"(device {device_id}). If the device should be enrolled, compare its "
            "verification code with the worker, then approve it ('fieldvault bundle approve')."
        )
        if reason == HAND_OVER_INCOMPLETE:
            maker, part, parts = awaited
            desk = f"{maker_label} ({maker})" if maker_label else maker
            message = (
                f"Bundle {bundle_id} {HOLD_REASONS[reason]} (part {part} of {parts} from coordinator desk "
                f"{desk}). Nothing of it was imported; {kept} (device {device_id}). It is taken once "
                "the rest of that hand-over, or any complete hand-over, is taken here, or once that desk "
                "is revoked. To take it now, compare its verification code with the worker, then approve "
                "it ('fieldvault bundle approve')."
            )
            FieldvaultError.__init__(
                self,
                message,
                "bundle-hand-over-incomplete",
                bundle_id=bundle_id,
                device_id=device_id,
                maker_id=maker,
                maker_label=maker_label,
                part=str(part),
                parts=str(parts),
            )
        elif reason == "device-unknown":
            FieldvaultError.__init__(
                self, message, "bundle-quarantined", bundle_id=bundle_id, device_id=device_id
            )
        else:
            FieldvaultError.__init__(
                self, message, f"bundle-{reason}", bundle_id=bundle_id, token_id=token_id
            )


@dataclass(frozen=True)
class Admission:
    """An unknown device to enrol inside the import of its bundle."""

    device_id: str
    public_key: bytes
    age_recipient: str
    token_id: str | None  # spent for it; None when a coordinator approved it


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _hold_reason(vault: Vault, header: BundleHeader, now_ms: int, profile: Profile | None) -> str | None:
    """Why an unknown device's bundle is not admitted (None: its token proof
    holds); ``profile`` is the held one, as admission read it."""
    enrolment = header.enrolment
    if enrolment is None or enrolment.token_id is None:
        return "device-unknown"
    org_key = vault.vault_keys.org_signing_key()
    token = next((t for t in vault.enrolment_tokens.issued() if t.token_id == enrolment.token_id), None)
    if (
        profile is None
        or org_key is None
        or token is None
        or profile.org_id != header.org_id
        or org_key.public_key().public_bytes_raw() != profile.org_key
    ):
        return "token-unknown"
    if not proof_holds(
        enrolment,
        org_key=org_key,
        org_id=profile.org_id,
        expires_ms=token.expires_ms,
        device_key=header.device_key,
    ):
        return "token-proof"
    if token.used_by is not None and token.used_by != header.device_id:
        return "token-used"
    if token.used_by is None and now_ms >= token.expires_ms:
        return "token-expired"
    return None


def admit(
    vault: Vault,
    checked: CheckedBundle,
    path: Path,
    *,
    record: bool = True,
    now_ms: int | None = None,
    profile: Profile | EllipsisType | None = ...,
) -> Admission | None:
    """§5.5 against the vault. None: the sender is a known, enrolled device.
    An Admission: an unknown device whose token proof holds (the import
    enrols it and spends the token, all or nothing with the bundle).
    BundleRejected ``device-revoked`` for a revoked device (known, or listed
    revoked by the profile); BundleQuarantined otherwise — after recording
    the bundle in quarantine unless ``record`` is False (a dry run).

    ``profile``: the held profile as the caller read it for its own checks
    before the write lock (import_bundle: one read a bundle, not three);
    read here when not given. Nothing here is decided under the lock: the
    import's unit enrols and records all or nothing, under it, and checks
    the revocation again there (sync/bundle/vault_io.py ``_apply``): one
    stored after this answer refuses the bundle ``device-revoked`` as here.
    A known sender whose row is no longer ``enrolled`` there (a vouch that
    lapsed meanwhile), or a newer profile, has this asked again, and any
    other answer than None is decided again outside the lock (import_bundle;
    past READMISSIONS rounds the last lock's answer stands, ``hold``).
    A re-read (sync/bundle/reread.py) asks it before the lock and again
    under it."""
    header = checked.header
    device = vault.sync.device(header.device_id)
    if isinstance(profile, EllipsisType):
        profile = held_profile(vault)
    if profile is not None and header.device_id in profile.revoked:
        raise BundleRejected("device-revoked")  # whatever the vault's row says
    if device is not None and device.public_key == header.device_key:
        # A device known on a coordinator's word (vouched_by): a coordinator
        # of the profile takes its bundles (another coordinator enrolled it,
        # docs/bundle-format.md §8 "Vouching between coordinators"); a field
        # worker, to which it was vouched for only to relay its revisions,
        # does not (it sends nothing there itself). The vouching coordinator
        # must still be one of the profile: a removed one's word lapsed
        # (sync/bundle/vouching.py; the device is held as a stranger's).
        if device.status == "enrolled" and (
            device.vouched_by is None
            or (
                is_coordinator_vault(vault, profile)
                and profile is not None
                and profile.coordinator(device.vouched_by) is not None
            )
        ):
            return None
        if device.status == "revoked":
            raise BundleRejected("device-revoked")
    now = _now_ms() if now_ms is None else now_ms
    reason = _hold_reason(vault, header, now, profile)
    enrolment = header.enrolment
    if reason is None:
        assert enrolment is not None
        return Admission(header.device_id, header.device_key, enrolment.age_recipient, enrolment.token_id)
    raise hold(vault, checked, path, reason, record=record, now_ms=now)


def hold(
    vault: Vault, checked: CheckedBundle, path: Path, reason: str, *, record: bool, now_ms: int | None = None
) -> BundleQuarantined:
    """Record the bundle in quarantine with ``reason`` (a key of
    HOLD_REASONS; nothing recorded unless ``record``: a dry run) and return
    the BundleQuarantined to raise. Also the import's answer once its
    sender's admission kept changing under its lock (vault_io.py
    ``import_bundle``): the reason the last lock gave."""
    header = checked.header
    enrolment = header.enrolment
    token_id = enrolment.token_id if enrolment is not None else None
    if record:
        vault.sync.hold_bundle(
            HeldBundle(
                bundle_id=checked.bundle_id,
                device_id=header.device_id,
                device_key=header.device_key,
                age_recipient=enrolment.age_recipient if enrolment is not None else None,
                sequence=header.sequence,
                reason=reason,
                token_id=token_id,
                path=str(path.absolute()),
                received_ms=_now_ms() if now_ms is None else now_ms,
            )
        )
    return BundleQuarantined(reason, checked.bundle_id, header.device_id, token_id, held=record)
