"""Whose signatures this vault accepts: its own device key, and the keys of
the organisation's devices and coordinators it knows (``known_devices``).

Two questions, two answers:

- **may write now** (``authorised_signers``): a revision or custody event
  arriving from elsewhere is applied only when its key is this vault's own,
  or that of a known device or coordinator whose status is ``enrolled``. A
  valid signature alone proves nothing: a revision carries the key that
  signed it.
- **was trusted when stored** (``trusted_signers``): what ``verify`` and
  export accept in the vault: the keys above plus those of devices revoked
  since, and of devices whose coordinator's vouch lapsed (below). Their
  revisions were authorised when imported; revocation stops new ones at the
  door, it does not make the stored history a forgery.

A device known only on a coordinator's word (``vouched_by``) may write only
while that coordinator is one: an enrolled row whose voucher is not an
enrolled coordinator here is not authorised, and a newer profile without
that coordinator sets the row ``pending`` (sync/bundle/vouching.py
``lapse_vouches``: a **lapsed vouch**, ``vouched_by`` kept to say whose word
it was). An import keeps such a device's revisions aside (parked), never
stored and never a refusal of the bundle relaying them, until it is
enrolled again (db/sync_import.py ``_keep_aside``, review 15 F2). The coordinator may have been removed because its laptop was
seized; the devices it vouched for may be its own fakes. A current
coordinator's vouch, an approval by verification code or the device's card
enrols it again (docs/bundle-format.md §8).

Neither reads the ``device`` table: anyone with the database key could add a
row there. ``known_devices`` is written only by sync from the organisation's
signed profile and enrolments (sync/), and in a field worker's vault from a
coordinator's bundle that vouches for the devices whose revisions it relays
(``vouched_by``; never for a device the profile revokes, never over a known
row: db/sync_import.py ``vouch_device``); someone holding the database key can
change it too, which the org profile's signature is meant to close once sync
checks the stored rows against it (docs/threat-model.md).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.chunked_ids import driver_execute, marks
from db.device import DeviceIdentity, device_id_for
from db.model import KnownDevice

MAY_WRITE = ("enrolled",)
WROTE = ("enrolled", "revoked")
# _may_write's statement: enrolled rows, vouched for by nobody or by an enrolled coordinator.
_MAY_WRITE_SQL = (
    "SELECT k.device_id, k.public_key FROM known_devices k"  # noqa: S608 -- only placeholders are formatted in
    " LEFT OUTER JOIN known_devices v ON v.device_id = k.vouched_by"
    f" WHERE k.status IN ({marks(len(MAY_WRITE))})"
    " AND (k.vouched_by IS NULL OR (v.role = 'coordinator' AND v.status = 'enrolled'))"
)


def _checked(rows: Iterable[tuple[str, bytes]]) -> dict[str, bytes]:
    keys: dict[str, bytes] = {}
    for device_id, public_key in rows:
        key = bytes(public_key)
        if device_id_for(key) == device_id:  # a row whose id is not its key's is ignored
            keys[device_id] = key
    return keys


def _known_keys(session: Session, statuses: Iterable[str]) -> dict[str, bytes]:
    return _checked(
        session.execute(
            select(KnownDevice.device_id, KnownDevice.public_key).where(
                KnownDevice.status.in_(tuple(statuses))
            )
        ).all()
    )


def _may_write(session: Session) -> dict[str, bytes]:
    """Enrolled rows, those vouched for only while their voucher is an
    enrolled coordinator here (a profile that removed it demoted its row to
    ``device``, org_vault._keep), whatever ``lapse_vouches`` got to do."""
    # Through the driver: every import asks this (db/chunked_ids.py).
    return _checked(
        driver_execute(
            session,
            _MAY_WRITE_SQL,
            MAY_WRITE,
        ).all()
    )


def lapsed_vouch_signers(session: Session) -> dict[str, bytes]:
    """Device id → key of every device whose coordinator's vouch lapsed
    (``pending`` with ``vouched_by`` kept): it wrote while vouched for, and
    may not write now."""
    # Through the driver: every import asks this (db/chunked_ids.py).
    return _checked(
        driver_execute(
            session,
            "SELECT device_id, public_key FROM known_devices WHERE status = 'pending' AND vouched_by IS NOT NULL",
        ).all()
    )


def authorised_signers(identity: DeviceIdentity, session: Session) -> dict[str, bytes]:
    """Device id → public key of every key that may write into this vault now."""
    keys = _may_write(session)
    keys[identity.device_id] = identity.public_key
    return keys


def stored_signers(identity: DeviceIdentity, session: Session | None) -> dict[str, bytes]:
    """Device id → public key of every key whose stored revisions and custody
    events this vault accepts (without ``session``: its own key alone): the
    enrolled, the revoked since and those whose vouch lapsed since."""
    keys = {**_known_keys(session, WROTE), **lapsed_vouch_signers(session)} if session is not None else {}
    keys[identity.device_id] = identity.public_key
    return keys


def vouch_lapsed(session: Session, row: KnownDevice) -> bool:
    """Is ``row`` a field device known only on the word of a coordinator
    that is no longer one here: ``pending`` with ``vouched_by`` kept
    (lapse_vouches), or still ``enrolled`` on the word of a row that is not
    an enrolled coordinator now? A current coordinator's vouch may enrol it
    again (db/sync_import.py ``vouch_device``)."""
    if row.role != "device" or row.vouched_by is None:
        return False
    if row.status == "pending":
        return True
    voucher = session.get(KnownDevice, row.vouched_by)
    return row.status == "enrolled" and (
        voucher is None or voucher.role != "coordinator" or voucher.status != "enrolled"
    )
