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
  since. Their revisions were authorised when imported; revocation stops
  new ones at the door, it does not make the stored history a forgery.

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

from db.device import DeviceIdentity, device_id_for
from db.model import KnownDevice

MAY_WRITE = ("enrolled",)
WROTE = ("enrolled", "revoked")


def _known_keys(session: Session, statuses: Iterable[str]) -> dict[str, bytes]:
    keys: dict[str, bytes] = {}
    for device_id, public_key in session.execute(
        select(KnownDevice.device_id, KnownDevice.public_key).where(KnownDevice.status.in_(tuple(statuses)))
    ):
        key = bytes(public_key)
        if device_id_for(key) == device_id:  # a row whose id is not its key's is ignored
            keys[device_id] = key
    return keys


def authorised_signers(identity: DeviceIdentity, session: Session) -> dict[str, bytes]:
    """Device id → public key of every key that may write into this vault now."""
    keys = _known_keys(session, MAY_WRITE)
    keys[identity.device_id] = identity.public_key
    return keys


def stored_signers(identity: DeviceIdentity, session: Session | None) -> dict[str, bytes]:
    """Device id → public key of every key whose stored revisions and custody
    events this vault accepts (without ``session``: its own key alone)."""
    keys = _known_keys(session, WROTE) if session is not None else {}
    keys[identity.device_id] = identity.public_key
    return keys
