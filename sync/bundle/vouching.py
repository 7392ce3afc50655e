"""What a coordinator's bundle to the other coordinators vouches for
(docs/bundle-format.md §4 ``devices``, §8 "Vouching between coordinators").

Only the vault that created the organisation holds its key and issues the
enrolment tokens, so a token proof can be checked by that vault alone (an
HMAC keyed with the token's signature); any coordinator adds devices by
their cards and approves held bundles by their verification codes. So that a
device one coordinator enrolled is known to every coordinator, each
coordinator's ordinary bundle (the one to all coordinators, not a send-back)
lists in its signed manifest every field device it holds as enrolled — the
ones it enrolled itself, and the ones it took on another coordinator's word,
whose revisions its bundles relay too. A reader that is a coordinator takes
the vouch as a field worker takes a send-back's (sync/bundle/vault_io.py
``_Applier.manifest``): from a coordinator of its newest profile only, never
over a revocation or a device it knows already.

The list is the whole of it at every bundle, not what is new since an
acknowledgement: no desk acknowledges another's bundles (the server's
receipt stands for all of them), a stick can be lost, and a coordinator
added later needs them all; one bundle that arrives is enough. It is bounded
(``MAX_VOUCHED``)."""

from __future__ import annotations

from db.api import Vault
from sync.bundle.format import AGE_RECIPIENT, VouchedDevice
from sync.org import Profile

# At most this many devices in one bundle's ``devices`` (about 150 bytes
# each inside the encrypted manifest, whose limit is 64 MiB): beyond it, the
# first by device id. No organisation is near it; the limit keeps the
# manifest's size bounded whatever a vault holds.
MAX_VOUCHED = 20_000


def is_coordinator_vault(vault: Vault, profile: Profile | None) -> bool:
    """Is this vault a coordinator of ``profile`` (the newest it holds)?"""
    return profile is not None and profile.coordinator(vault.device_id) is not None


def coordinator_vouches(vault: Vault, profile: Profile | None) -> tuple[VouchedDevice, ...]:
    """The devices this coordinator's bundle to coordinators vouches for:
    every known field device (role ``device``) enrolled here and not revoked
    by ``profile``, sorted by device id, at most MAX_VOUCHED. Empty for a
    field worker's vault (its bundles vouch for nobody) and for a vault with
    no profile."""
    if profile is None or not is_coordinator_vault(vault, profile):
        return ()
    devices = [
        VouchedDevice(d.public_key, d.age_recipient)
        for d in vault.sync.devices()  # sorted by device id
        if d.role == "device"
        and d.status == "enrolled"
        and d.device_id not in profile.revoked
        and profile.coordinator(d.device_id) is None
        # A vouch names the device's age recipient (§4): a device approved
        # from a bundle without one (none is made so today) is left out.
        and AGE_RECIPIENT.fullmatch(d.age_recipient) is not None
    ]
    return tuple(devices[:MAX_VOUCHED])
