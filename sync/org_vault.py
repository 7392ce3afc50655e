"""The organisation in a vault (docs/org-profile.md): a coordinator creates
it, signs new profile versions (a server, a revocation) and issues
enrolment tokens; a field worker enrols with a profile checked against the
fingerprint received out of band. The profile is kept by ``vault.sync`` (its
version only grows), the organisation key by ``vault.vault_keys``, the
tokens issued by ``vault.enrolment_tokens``.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from db.api import Device, OrgProfile, OrgProfileOutdated, SyncClientState, Vault
from sync.bundle.carried_receipts import keep_receipt_keys
from sync.bundle.vouching import lapse_vouches, vouch_lapsed_row
from sync.org import (
    DEFAULT_SEND_TO_WORKERS,
    Coordinator,
    DeviceCard,
    EnrolmentToken,
    OrgRefused,
    Profile,
    SignedProfile,
    check_send_to_workers,
    check_server,
    coordinators_key,
    device_card,
    fingerprint,
    make_token,
    new_profile,
    next_version,
    read_device_card,
    read_profile,
    read_token,
    sign_profile,
    verification_code,
)

MAX_TOKEN_HOURS = 24 * 30


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass(frozen=True)
class OrgStatus:
    """What ``fieldvault org show`` prints."""

    profile: Profile
    fingerprint: str
    verification_code: str  # of this device with the organisation key
    is_coordinator: bool  # this vault holds the organisation key
    devices: tuple[Device, ...]


def held_profile(vault: Vault) -> Profile | None:
    """The profile the vault holds, re-checked against its own key."""
    held = vault.sync.org_profile()
    return _checked_profile(held.signed) if held is not None else None


@lru_cache(maxsize=4)
def _checked_profile(signed: bytes) -> Profile:
    # The same bytes check the same way: an import asks several times a
    # bundle (~1.7 ms each: JSON, canonical form, Ed25519), and a merge of
    # 500 bundles re-read one unchanged profile a thousand times. Keyed by
    # the whole signed bytes, so a changed profile is checked afresh; a
    # refusal raises and is never cached. Profiles hold no witness data.
    return read_profile(signed)


def _require_profile(vault: Vault) -> Profile:
    profile = held_profile(vault)
    if profile is None:
        raise OrgRefused(
            "This vault belongs to no organisation yet: create one (org create) or enrol (enrol).", "org-none"
        )
    return profile


def _coordinator_key(vault: Vault, profile: Profile) -> Ed25519PrivateKey:
    """The organisation key, for what only the vault that created the
    organisation does. A coordinator desk added later is told so in its own
    words (org-not-key-holder): it is a coordinator, it just holds no key."""
    key = vault.vault_keys.org_signing_key()
    if key is None or key.public_key().public_bytes_raw() != profile.org_key:
        if profile.coordinator(vault.device_id) is not None:
            raise OrgRefused(
                f"Only the desk that created organisation {profile.org_id} holds its key and may do this "
                "(change the profile, revoke a device, issue a token); this coordinator desk does not hold "
                "it. Nothing was changed. Ask that desk to do it.",
                "org-not-key-holder",
                org_id=profile.org_id,
            )
        raise OrgRefused(
            f"This vault is not a coordinator of organisation {profile.org_id}: it does not hold the "
            "organisation key.",
            "org-not-coordinator",
            org_id=profile.org_id,
        )
    return key


def holds_org_key(vault: Vault, profile: Profile) -> bool:
    """Does this vault hold the key that signs ``profile`` (it created the
    organisation)? Only that vault changes the profile and issues tokens."""
    key = vault.vault_keys.org_signing_key()
    return key is not None and key.public_key().public_bytes_raw() == profile.org_key


def require_coordinator(vault: Vault, profile: Profile) -> None:
    """OrgRefused (org-not-coordinator) unless this vault is a coordinator
    of ``profile`` (the newest it holds) or holds the organisation key: what
    any coordinator may decide (approving a stranger's device by its code,
    enrolling one by its card). A desk added with ``add_coordinator`` has no
    key, yet reads every bundle, and the devices it enrols reach the other
    desks in its vouches (docs/bundle-format.md §8); changing the profile and
    tokens stay with the key (``_coordinator_key``)."""
    if profile.coordinator(vault.device_id) is None and not holds_org_key(vault, profile):
        raise OrgRefused(
            f"This vault is not a coordinator of organisation {profile.org_id}.",
            "org-not-coordinator",
            org_id=profile.org_id,
        )


def _own_coordinator_entry(vault: Vault, label: str) -> Coordinator:
    return Coordinator(vault.device_id, vault.device_public_key, vault.vault_keys.age_recipient(), label)


def _keep(vault: Vault, signed: SignedProfile) -> None:
    """Store a checked profile (refused if not newer: OrgProfileOutdated) and
    bring the known devices in line with it: its coordinators enrolled as
    such, its revocations, a removed coordinator a plain device, and the
    vouches of a removed coordinator lapsed (``lapse_vouches``).

    The devices first, the profile last (review 15 F4): each step is its own
    transaction, and a kill part-way must not leave the vault holding the
    new version with the devices of the old (a removed coordinator's row
    still ``coordinator``, its vouched devices still writing), since nothing
    applies a version the vault holds again (the pull takes only a newer
    one). Cut before the profile is stored, the vault still holds the older
    version, so the next pull, ``org update`` or enrolment applies the whole
    of it again; every step is idempotent."""
    profile = signed.profile
    held = vault.sync.org_profile()
    if held is not None:
        _check_revocations_kept(_checked_profile(held.signed), profile)
    # Checked before any device is touched: an older profile must not put
    # back a removed coordinator's row. The very same one again goes on.
    same = held is not None and (held.version, held.signed) == (profile.version, signed.signed)
    if held is not None and not same and held.version >= profile.version:
        raise OrgProfileOutdated(held.version, profile.version)
    _reconcile_devices(vault, profile)
    if profile.server is not None and profile.server.receipt_key is not None:
        # The vault keeps only its newest profile: the receipt keys the
        # versions pinned are kept apart, for the receipts signed before a switch.
        keep_receipt_keys(SyncClientState.of(vault), None, [profile.server.receipt_key])
    vault.sync.set_org_profile(OrgProfile(profile.version, signed.signed))


def _reconcile_devices(vault: Vault, profile: Profile) -> None:
    """The known devices brought in line with ``profile`` (idempotent: run
    again with the same profile, it changes nothing more)."""
    for coordinator in profile.coordinators:
        if coordinator.device_id == vault.device_id:
            continue
        vault.sync.put_device(
            Device(
                device_id=coordinator.device_id,
                public_key=coordinator.device_key,
                age_recipient=coordinator.age_recipient,
                status="enrolled",
                role="coordinator",
                label=coordinator.label,
            )
        )
    for device_id in profile.revoked:
        if vault.sync.device(device_id) is not None:
            vault.sync.set_device_status(device_id, "revoked")
    for known in vault.sync.devices():
        if known.role == "coordinator" and profile.coordinator(known.device_id) is None:
            # Removed as a coordinator: still a device of the organisation
            # (unless revoked), no longer a recipient.
            vault.sync.put_device(replace(known, role="device"))
    # The devices known here only on a removed coordinator's word may not
    # write on it any more (sync/bundle/vouching.py).
    lapse_vouches(vault, profile)


# -- a coordinator's side ---------------------------------------------------------------


def create_organisation(
    vault: Vault,
    name: str,
    *,
    label: str = "",
    purge_after_delivery: bool = False,
    send_to_workers: str = DEFAULT_SEND_TO_WORKERS,
) -> SignedProfile:
    """Make this vault the first coordinator of a new organisation: a new
    organisation key (sealed in the vault) and profile version 1."""
    held = held_profile(vault)
    if held is not None:
        raise OrgRefused(
            f"This vault already belongs to organisation {held.org_id}; a vault belongs to one organisation.",
            "org-exists",
            org_id=held.org_id,
        )
    # A key left by an interrupted create (stored, but no profile yet) is
    # reused: nothing signed by it has left the vault.
    key = vault.vault_keys.org_signing_key() or Ed25519PrivateKey.generate()
    profile = new_profile(
        name,
        key,
        _own_coordinator_entry(vault, label),
        purge_after_delivery=purge_after_delivery,
        send_to_workers=send_to_workers,
    )
    signed = sign_profile(profile, key)
    vault.vault_keys.put_org_signing_key(key)
    _keep(vault, signed)
    return signed


def _next_version(vault: Vault, **change: Any) -> SignedProfile:
    profile = _require_profile(vault)
    key = _coordinator_key(vault, profile)
    signed = sign_profile(next_version(profile, **change), key)
    _keep(vault, signed)
    return signed


def current_signed(vault: Vault) -> SignedProfile:
    """The held profile and its file bytes (what ``org export`` writes)."""
    held = vault.sync.org_profile()
    profile = _require_profile(vault)
    assert held is not None
    return SignedProfile(profile, held.signed)


def set_server_form(url: str, cert_sha256: str) -> None:
    """Refuse a malformed address or fingerprint (org-server-form) before
    anything is asked of the network."""
    check_server(url, cert_sha256)


def set_server(vault: Vault, url: str, cert_sha256: str, receipt_key: str | None = None) -> SignedProfile:
    """A new profile version naming the server, its pinned certificate and
    (when known) its pinned receipt key."""
    return _next_version(vault, server=check_server(url, cert_sha256, receipt_key))


def set_policy(
    vault: Vault, *, send_to_workers: str | None = None, purge_after_delivery: bool | None = None
) -> SignedProfile:
    """A new profile version with the policy members given changed (None:
    kept); the same policy again gives the current profile."""
    profile = _require_profile(vault)
    _coordinator_key(vault, profile)
    change: dict[str, Any] = {}
    if send_to_workers is not None and send_to_workers != profile.send_to_workers:
        change["send_to_workers"] = check_send_to_workers(send_to_workers)
    if purge_after_delivery is not None and purge_after_delivery != profile.purge_after_delivery:
        change["purge_after_delivery"] = purge_after_delivery
    return _next_version(vault, **change) if change else current_signed(vault)


def revoke_device(vault: Vault, device_id: str) -> SignedProfile:
    """A new profile version with ``device_id`` revoked (and no longer a
    coordinator if it was one). Revoking a device already revoked changes
    nothing; a coordinator cannot revoke itself."""
    device_id = device_id.strip().lower()
    if not re.fullmatch(r"[0-9a-f]{32}", device_id):
        raise OrgRefused("A device id is 32 hex digits (fieldvault info shows it).", "org-device-id-form")
    profile = _require_profile(vault)
    _coordinator_key(vault, profile)
    if device_id == vault.device_id:
        raise OrgRefused(
            f"This vault's own device ({device_id}) cannot revoke itself.",
            "org-revoke-self",
            device_id=device_id,
        )
    if device_id in profile.revoked:
        return current_signed(vault)
    return _next_version(
        vault,
        revoked=tuple(sorted({*profile.revoked, device_id})),
        coordinators=tuple(c for c in profile.coordinators if c.device_id != device_id),
    )


def issue_token(vault: Vault, *, hours: float, now_ms: int | None = None) -> EnrolmentToken:
    """A one-time enrolment token valid for ``hours`` (more than 0, at most
    30 days), recorded so that it is accepted once."""
    if not 0 < hours <= MAX_TOKEN_HOURS:
        raise ValueError(f"a token is valid for more than 0 and at most {MAX_TOKEN_HOURS} hours")
    profile = _require_profile(vault)
    key = _coordinator_key(vault, profile)
    now = _now_ms() if now_ms is None else now_ms
    token = make_token(key, profile.org_id, now + int(hours * 3_600_000))
    vault.enrolment_tokens.record_issued(token.token_id, token.expires_ms, issued_ms=now)
    return token


def accept_token(vault: Vault, text: str, device_id: str, *, now_ms: int | None = None) -> EnrolmentToken:
    """A coordinator takes a token presented by ``device_id``: signed by
    this organisation, not expired, issued here and not used by another
    device (then it is spent). The same device presenting it again is
    accepted (a re-sent first bundle)."""
    profile = _require_profile(vault)
    now = _now_ms() if now_ms is None else now_ms
    token = read_token(text, profile.org_key, profile.org_id, now_ms=now)
    use = vault.enrolment_tokens.use(token.token_id, device_id, now_ms=now)
    if use == "unknown":
        raise OrgRefused(
            f"Enrolment token {token.token_id} was not issued by this coordinator.",
            "token-unknown",
            token_id=token.token_id,
        )
    if use == "used":
        raise OrgRefused(
            f"Enrolment token {token.token_id} was already used by another device.",
            "token-used",
            token_id=token.token_id,
        )
    if use == "expired":
        raise OrgRefused(
            f"Enrolment token {token.token_id} has expired: ask your coordinator for a new one.",
            "token-expired",
            token_id=token.token_id,
        )
    return token


def add_device(vault: Vault, card_text: str, *, token: str | None = None, label: str = "") -> Device:
    """A coordinator of the profile enrols the device whose card a field
    worker handed over (after comparing the verification code with them).
    With ``token``, the token is spent for that device (accept_token): only
    at the vault holding the organisation key (elsewhere OrgRefused
    ``org-token-needs-key``). A revoked device stays revoked."""
    card = read_device_card(card_text)
    profile = _require_profile(vault)
    require_coordinator(vault, profile)
    if token is not None and not holds_org_key(vault, profile):
        # Tokens are issued, recorded and spent where the key is: this desk
        # knows none of them, so it cannot tell a fresh one from a spent one.
        raise OrgRefused(
            f"Only the coordinator that holds organisation {profile.org_id}'s key takes enrolment tokens. "
            "Add the device without its token, after comparing the verification code.",
            "org-token-needs-key",
            org_id=profile.org_id,
        )
    if card.device_id in profile.revoked:
        raise OrgRefused(
            f"Device {card.device_id} was revoked; it cannot be enrolled again.",
            "org-device-revoked",
            device_id=card.device_id,
        )
    if card.device_id == vault.device_id:
        raise OrgRefused(
            f"This vault's own device ({card.device_id}) is not one to add.",
            "org-revoke-self",
            device_id=card.device_id,
        )
    if token is not None:
        accept_token(vault, token, card.device_id)
    known = vault.sync.device(card.device_id)
    if known is not None and vouch_lapsed_row(known) and known.public_key == card.device_key:
        # Its vouch had lapsed: the revisions of its that bundles relayed
        # meanwhile were kept aside (db/sync_import.py _keep_aside). Enrolled
        # and those decided in ONE transaction (stored when their parents are
        # here), so that no kill leaves it enrolled with them still aside.
        with vault.sync.begin_import() as unit:
            unit.enrol_device("", card.device_id, card.device_key, card.age_recipient)
    device = Device(
        device_id=card.device_id,
        public_key=card.device_key,
        age_recipient=card.age_recipient,
        status="enrolled",
        role="device",
        label=label,
    )
    vault.sync.put_device(device)  # its label, and a device new here
    return device


def add_coordinator(vault: Vault, card_text: str, *, label: str = "") -> SignedProfile:
    """A new profile version with the device of ``card_text`` as one more
    coordinator: bundles made with it are encrypted to that device's age
    recipient too. (It does not get the organisation key: only this vault
    signs.) A coordinator already listed gives the current profile."""
    card = read_device_card(card_text)
    profile = _require_profile(vault)
    _coordinator_key(vault, profile)
    if card.device_id in profile.revoked:
        raise OrgRefused(
            f"Device {card.device_id} was revoked; it cannot be a coordinator.",
            "org-device-revoked",
            device_id=card.device_id,
        )
    if profile.coordinator(card.device_id) is not None:
        return current_signed(vault)
    entry = Coordinator(card.device_id, card.device_key, card.age_recipient, label)
    return _next_version(vault, coordinators=(*profile.coordinators, entry))


def remove_coordinator(vault: Vault, device_id: str) -> SignedProfile:
    """A new profile version without coordinator ``device_id`` (not revoked:
    its device may still send bundles); bundles made with it are no longer
    encrypted to it. This vault cannot remove itself."""
    device_id = device_id.strip().lower()
    profile = _require_profile(vault)
    _coordinator_key(vault, profile)
    if device_id == vault.device_id:
        raise OrgRefused(
            f"This vault's own device ({device_id}) cannot remove itself.",
            "org-revoke-self",
            device_id=device_id,
        )
    if profile.coordinator(device_id) is None:
        return current_signed(vault)
    return _next_version(
        vault, coordinators=tuple(c for c in profile.coordinators if c.device_id != device_id)
    )


def own_device_card(vault: Vault) -> DeviceCard:
    """This vault's card, for its coordinator (``add_device``)."""
    return device_card(vault.device_public_key, vault.vault_keys.age_recipient())


# -- a field worker's side ----------------------------------------------------------------


def enrol(
    vault: Vault,
    signed: bytes,
    *,
    fingerprint_given: str,
    token: str | None = None,
    now_ms: int | None = None,
) -> Profile:
    """Join the organisation whose profile file is ``signed``: its signature
    must verify with the key whose fingerprint the user was given out of
    band (a profile signed by another key is refused), and ``token``, if
    given, must be this organisation's and unexpired. Stores the profile and
    its coordinators as known devices (role coordinator, enrolled). A vault
    already in this organisation takes a newer version; another
    organisation's profile is refused."""
    profile = read_profile(signed, expected_fingerprint=fingerprint_given)
    held = held_profile(vault)
    if held is not None:
        if held.org_id != profile.org_id:
            raise OrgRefused(
                f"This vault already belongs to organisation {held.org_id}; a vault belongs to one organisation.",
                "org-other-organisation",
                org_id=held.org_id,
            )
        if held.org_key != profile.org_key:
            raise OrgRefused(
                f"This profile of organisation {profile.org_id} is signed by another key than the one this "
                "vault holds for it. It may be forged: it was not used.",
                "org-key-changed",
                org_id=profile.org_id,
            )
        _check_coordinators_since(held, profile)
    if token is not None:
        read_token(token, profile.org_key, profile.org_id, now_ms=_now_ms() if now_ms is None else now_ms)
    _keep(vault, SignedProfile(profile, signed))
    if token is not None:
        # Its bundles prove it until acknowledged (sync/enrolment_proof.py).
        vault.sync.set_enrolment_token(token.strip())
    return profile


def update_profile(vault: Vault, signed: bytes) -> Profile:
    """Take a newer version of the organisation's profile, signed by the key
    the vault already holds (no fingerprint needed)."""
    held = _require_profile(vault)
    profile = read_profile(signed, org_key=held.org_key)
    if profile.org_id != held.org_id:
        raise OrgRefused(
            f"This vault belongs to organisation {held.org_id}; a profile of another was not used.",
            "org-other-organisation",
            org_id=held.org_id,
        )
    _check_coordinators_since(held, profile)
    _keep(vault, SignedProfile(profile, signed))
    return profile


def _check_coordinators_since(held: Profile, newer: Profile) -> None:
    """A newer version whose coordinators (devices, age recipients) differ
    from the held version's changed them after it: its
    ``coordinators_since`` must be above the held version. One that says
    otherwise would have this desk count as held, and relay, bundles a new
    coordinator cannot read (sync/bundle/org_held.py). Only the
    organisation key signs it, but the key holder's own code never makes
    one (org.next_version): a faulty signer did."""
    if newer.version <= held.version or coordinators_key(newer) == coordinators_key(held):
        return
    if newer.coordinators_since <= held.version:
        raise OrgRefused(
            f"Profile version {newer.version} changes the coordinators of version {held.version}, "
            f"which this vault holds, but says they are unchanged since version "
            f"{newer.coordinators_since}. It was not used.",
            "org-profile-form",
        )


def _check_revocations_kept(held: Profile, newer: Profile) -> None:
    """A revocation is for good (docs/org-profile.md): a newer version must
    revoke every device the held one does. One that drops a revocation
    would have desks holding the same profile derive records differently
    (what a re-root hides depends on who is revoked, db/derive.py; a desk
    that left the device's line out never stores it) and refuse each
    other's bundles (review 20 F4). Only the organisation key signs it, and
    the key holder's own code never makes one: a faulty signer did."""
    if newer.version <= held.version:
        return
    dropped = sorted(set(held.revoked) - set(newer.revoked))
    if dropped:
        raise OrgRefused(
            f"Profile version {newer.version} no longer revokes device {dropped[0]}, which version "
            f"{held.version}, held here, revokes; a revocation is for good. It was not used.",
            "org-profile-form",
        )


def status(vault: Vault) -> OrgStatus:
    profile = _require_profile(vault)
    key = vault.vault_keys.org_signing_key()
    return OrgStatus(
        profile=profile,
        fingerprint=fingerprint(profile.org_key),
        verification_code=verification_code(profile.org_key, vault.device_public_key),
        is_coordinator=key is not None and key.public_key().public_bytes_raw() == profile.org_key,
        devices=tuple(vault.sync.devices()),
    )
