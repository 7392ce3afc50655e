"""The records a revocation froze, as the coordinator's devices view and
``fieldvault devices frozen`` show them (issue 14; review 11 F2;
docs/sync.md §2.3 "What it costs"), and their re-root by a coordinator
(``reroot``, ``fieldvault devices reroot``). The counting is
db/revocation_impact.py's; here only which devices count as revoked: those
the newest profile this vault holds revokes, never this vault's own (as a
desk's bundles decide it, sync/bundle/vault_io.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from db.api import Rerooted, RevocationImpact, Vault


def revoked_devices(vault: Vault) -> frozenset[str]:
    """The devices the newest profile this vault holds revokes, but this one."""
    from sync.org_vault import held_profile

    profile = held_profile(vault)
    return frozenset(profile.revoked) - {vault.device_id} if profile is not None else frozenset()


def frozen_records(vault: Vault) -> RevocationImpact:
    """Every record of this vault whose edits a revocation holds back from
    the other desks, or of which this vault's imports left revisions out;
    and, apart, per revoked device, how many revision ids its refused
    bundles named (no record listed for them: review 13 F5)."""
    from db.api import revocation_impact

    return revocation_impact(vault, revoked_devices(vault))


def reroot(vault: Vault, entity_id: str, choice: str, *, despite_old_readers: bool = False) -> Rerooted:
    """Re-root a frozen record (db/reroot.py; docs/sync.md §2.3 "Re-rooting
    a frozen record"), as a person at a coordinator desk chose: ``as-before``
    or ``as-held``. Refused (``reroot-not-coordinator``) at a vault that is
    no coordinator of the newest profile it holds: the other desks would
    refuse its bundle; and (``reroot-readers-behind``) while a device enrolled
    here has not declared it reads a re-root, unless ``despite_old_readers``."""
    from db.api import not_a_coordinator, reroot_record
    from sync.bundle.vouching import is_coordinator_vault
    from sync.org_vault import held_profile

    profile = held_profile(vault)
    if not is_coordinator_vault(vault, profile):
        raise not_a_coordinator()
    return reroot_record(
        vault, entity_id, choice, revoked_devices(vault), despite_old_readers=despite_old_readers
    )
