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
(``MAX_VOUCHED``).

A vouch is worth what its coordinator is: when the profile a vault takes no
longer names the coordinator that vouched for a device (``vouched_by``),
the device is set ``pending`` (``lapse_vouches``, from org_vault._keep), so
that revisions that arrive from then on are not authorised (an import keeps
them aside, parked, and stores them once the device is enrolled again:
db/sync_import.py ``_keep_aside``; review 15 F2) and its own bundles are
held for approval by verification code, as a stranger's. The
coordinator may have been removed because its laptop was seized, and the
devices it vouched for may be its own fakes. What was stored while the
vouch stood stays (it was authorised when it arrived; ``verify`` still
accepts it: db/signers.py). A current coordinator's vouch restores the
device (db/sync_import.py ``vouch_device``), as do an approval by code and
its card (``org add-device``)."""

from __future__ import annotations

from db.api import Device, Vault
from sync.bundle.format import AGE_RECIPIENT, LapsedDevice, VouchedDevice
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
        # Never pass on the word of a coordinator since removed (a vouch
        # lapse_vouches has not got to yet): only the origin we stand for.
        and (d.vouched_by is None or profile.coordinator(d.vouched_by) is not None)
        # A vouch names the device's age recipient (§4): a device approved
        # from a bundle without one (none is made so today) is left out.
        and AGE_RECIPIENT.fullmatch(d.age_recipient) is not None
    ]
    return tuple(devices[:MAX_VOUCHED])


def lapsed_relays(vault: Vault, profile: Profile | None) -> tuple[LapsedDevice, ...]:
    """The field devices this coordinator knows and no longer vouches for
    (§4 ``lapsed``, §8): ``pending`` on a lapsed coordinator's word
    (``vouch_lapsed_row``), or still ``enrolled`` on the word of a
    coordinator ``profile`` no longer names (``lapse_vouches`` not run yet).
    Its bundles may carry their revisions stored while the vouch stood; a
    coordinator reader that never knew them keeps those aside (parked, its
    row ``pending``) rather than refuse the bundle as an outsider's. Never a
    device ``profile`` revokes or names as a coordinator, never one this
    bundle vouches for; empty for a field worker's vault. Sorted by device
    id, at most MAX_VOUCHED."""
    if profile is None or not is_coordinator_vault(vault, profile):
        return ()
    devices = [
        LapsedDevice(d.public_key)
        for d in vault.sync.devices()  # sorted by device id
        if d.device_id not in profile.revoked
        and profile.coordinator(d.device_id) is None
        and (vouch_lapsed_row(d) or bool(lapsed_vouches([d], profile)))
    ]
    return tuple(devices[:MAX_VOUCHED])


def lapsed_vouches(devices: list[Device], profile: Profile) -> list[Device]:
    """The known field devices enrolled here only on the word of a
    coordinator that ``profile`` no longer names."""
    return [
        d
        for d in devices
        if d.role == "device"
        and d.status == "enrolled"
        and d.vouched_by is not None
        and profile.coordinator(d.vouched_by) is None
    ]


def vouch_lapsed_row(device: Device) -> bool:
    """Is ``device`` a field device whose coordinator's vouch lapsed here
    (``pending``, ``vouched_by`` kept by ``lapse_vouches``)? Its revisions
    that bundles relay are kept aside until it is enrolled again
    (db/sync_import.py ``_keep_aside``)."""
    return device.role == "device" and device.status == "pending" and device.vouched_by is not None


def lapse_vouches(vault: Vault, profile: Profile) -> tuple[str, ...]:
    """Set ``pending`` every device this vault knows only on the word of a
    coordinator ``profile`` (just taken) no longer names; ``vouched_by``
    stays, to say whose word lapsed. Returns their ids, sorted. A device the
    profile names otherwise (a coordinator) or this vault enrolled itself
    (``vouched_by`` None) is not touched, nor one revoked."""
    lapsed = lapsed_vouches(vault.sync.devices(), profile)
    for device in lapsed:
        vault.sync.set_device_status(device.device_id, "pending")
    return tuple(d.device_id for d in lapsed)
