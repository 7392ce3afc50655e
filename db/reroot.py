"""Re-rooting a record a revocation froze (review 11 F2; docs/sync.md §2.3
"Re-rooting a frozen record"; docs/merge.md "Frozen records").

A record a revoked device edited has every later edit descend from that
edit; each desk holds back or leaves out that line (db/withheld.py
``revoked_lineage``), so the record stops converging between desks. A
coordinator who has looked at the record **re-roots** it: one new revision
signed with this desk's key, of format version 2 (db/revisions.py), whose

- **parents** are the record's newest revisions outside the revoked line
  (no revoked device signed them nor do they descend from one), so every
  desk can take it: it is in no desk's revoked line;
- **content** is what a person chose: ``as-before`` (the state at those
  parents: the revoked edits undone) or ``as-held`` (this desk's current
  state: the revoked device's content, and later edits made here, kept
  under the desk's signature);
- ``reroot.supersedes`` names the revisions of the line it replaces: every
  revoked-line revision of the record held here and every one its imports
  left out, those an earlier re-root already covers included (review 20
  F2: that re-root may be in the line itself now, withheld elsewhere). The heads rule (db/store.py,
  db/derive.py) makes a superseded revision of the same record no head, so
  at a desk holding the line the old head stops being one, and every desk
  ends with the same heads whatever order things arrive in.

Never automatic: a revocation alone signs nothing; this runs only when a
person asks (``fieldvault devices reroot``, Frozen records… → Re-root…).
Who re-rooted what, and which choice, is the revision itself: its signer,
its ``reroot`` member, its clock. An import takes a re-root only from a
coordinator (``may_reroot``); from anyone else the bundle is refused.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.derive import hidden_ids
from db.errors import CodedError, Codes
from db.model import EntityRow, KnownDevice, RevisionRow, WithheldRevision
from db.parked_set_aside import SET_ASIDE
from db.revisions import MAX_PARENTS, REROOT_CHOICES, REROOT_VERSION, Reroot
from db.revoked_signers import revoked_signers
from db.withheld import LEFT_OUT

if TYPE_CHECKING:
    from db.vault import Vault

AS_BEFORE, AS_HELD = REROOT_CHOICES


class RerootRefused(CodedError):
    """Why a record was not re-rooted (nothing was signed)."""

    codes: ClassVar[Codes] = {
        # The record has nothing held back nor left out for a revocation here.
        "reroot-not-frozen": ("entity_id",),
        # ``as-held`` at a desk that does not hold the revoked line.
        "reroot-line-not-held": ("entity_id",),
        # ``as-before`` when a revoked device created the record: there is no before.
        "reroot-nothing-before": ("entity_id",),
        # Only a coordinator desk re-roots (the other desks refuse anyone else's).
        "reroot-not-coordinator": (),
        # More revisions of the line than one revision may name (MAX_PARENTS).
        "reroot-too-many": ("entity_id", "limit"),
        "reroot-unknown-choice": ("choice",),
        # Devices enrolled here have not declared they read a re-root (bundle
        # manifest ``reads``, docs/bundle-format.md §4): their app would refuse
        # this desk's bundle carrying it, and every later one (docs/sync.md
        # §2.3 "Old readers"). ``devices``: the first few ids; the exception's
        # ``device_ids`` holds them all.
        "reroot-readers-behind": ("count", "devices"),
    }

    # Every device behind, sorted, for ``reroot-readers-behind``; empty otherwise.
    device_ids: tuple[str, ...] = ()


def not_a_coordinator() -> RerootRefused:
    return RerootRefused(
        "Only a coordinator desk may re-root a record; nothing was signed.", "reroot-not-coordinator"
    )


# How many ids of the devices behind the refusal's message names (all are in ``device_ids``).
NAMED_READERS = 3


def readers_behind(device_ids: Collection[str]) -> RerootRefused:
    """The refusal naming the devices that have not declared they read a re-root."""
    ids = tuple(sorted(device_ids))
    shown = ", ".join(ids[:NAMED_READERS]) + (", …" if len(ids) > NAMED_READERS else "")
    refused = RerootRefused(
        f"{len(ids)} device(s) enrolled here have not declared that they read a re-root (revision format "
        f"version {REROOT_VERSION}): {shown}. Their app would refuse this desk's next bundles. Upgrade "
        "them and import a bundle from each, or sign despite the old readers. Nothing was signed.",
        "reroot-readers-behind",
        count=len(ids),
        devices=shown,
    )
    refused.device_ids = ids
    return refused


def old_readers(session: Session, revoked: Collection[str]) -> list[str]:
    """The devices this vault counts as enrolled (field devices and the other
    coordinator desks; this vault's own is never a row), not revoked by the
    newest profile, whose newest bundle applied here did not declare reading
    revision format REROOT_VERSION: no bundle since migration 0031 counts as
    not declared (``known_devices.reads_revision``)."""
    rows = session.execute(
        select(KnownDevice.device_id, KnownDevice.reads_revision).where(KnownDevice.status == "enrolled")
    ).all()
    return sorted(
        device_id
        for device_id, reads in rows
        if device_id not in revoked and (reads is None or reads < REROOT_VERSION)
    )


@dataclass(frozen=True)
class Rerooted:
    """The re-root signed here: ids and counts only, never what the record says."""

    entity_id: str
    entity_type: str
    revision_id: str
    choice: str
    op: str  # "put", or "delete" when the chosen state is a deletion
    parents: tuple[str, ...]
    supersedes: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "entity_id": self.entity_id,
            "entity_type": self.entity_type,
            "revision_id": self.revision_id,
            "choice": self.choice,
            "op": self.op,
            "parents": list(self.parents),
            "supersedes": list(self.supersedes),
        }


@dataclass(frozen=True)
class _Rev:
    revision_id: str
    device_id: str
    op: str
    hlc: tuple[int, int]
    parents: tuple[str, ...]
    body: dict[str, Any]
    supersedes: tuple[str, ...]


def may_reroot(session: Session, own_device_id: str) -> frozenset[str]:
    """The devices whose re-roots an import takes: the coordinators enrolled
    here (rows written from the signed profile), and this vault's own key
    (it signs one only as a coordinator: ``reroot_record``'s caller checks)."""
    rows = session.scalars(
        select(KnownDevice.device_id).where(
            KnownDevice.role == "coordinator", KnownDevice.status == "enrolled"
        )
    )
    return frozenset(rows) | {own_device_id}


def _history(session: Session, entity_id: str) -> tuple[str, list[_Rev]]:
    rows = session.execute(
        select(
            RevisionRow.revision_id,
            RevisionRow.entity_type,
            RevisionRow.device_id,
            RevisionRow.op,
            RevisionRow.hlc_ms,
            RevisionRow.hlc_counter,
            RevisionRow.signed,
        ).where(RevisionRow.entity_id == entity_id)
    ).all()
    history = []
    entity_type = ""
    for revision_id, etype, device_id, op, ms, counter, signed in rows:
        entity_type = etype
        envelope = json.loads(bytes(signed))
        history.append(
            _Rev(
                revision_id,
                device_id,
                op,
                (ms, counter),
                tuple(envelope["parents"]),
                envelope["body"],
                tuple(envelope.get("reroot", {}).get("supersedes", ())),
            )
        )
    return entity_type, history


def _line(history: list[_Rev], revoked: Collection[str]) -> set[str]:
    """The record's revisions a revoked device signed and their descendants,
    as db/withheld.py ``revoked_lineage`` marks them."""
    children: dict[str, list[str]] = {}
    for rev in history:
        for parent in rev.parents:
            children.setdefault(parent, []).append(rev.revision_id)
    todo = [rev.revision_id for rev in history if rev.device_id in revoked]
    marked: set[str] = set()
    while todo:
        revision_id = todo.pop()
        if revision_id not in marked:
            marked.add(revision_id)
            todo.extend(children.get(revision_id, ()))
    return marked


def _left_out(session: Session, entity_id: str, held: set[str]) -> set[str]:
    """The record's revisions this vault's imports left out (a revocation's
    line, or set aside by hand), as the frozen report counts them: never
    the ids read from a refused bundle (their record id is a revoked
    device's word), never those left out past the parked cap (no revocation
    froze them), never one held here."""
    rows = session.scalars(
        select(WithheldRevision.revision_id).where(
            WithheldRevision.entity_id == entity_id, WithheldRevision.learned.in_((LEFT_OUT, SET_ASIDE))
        )
    )
    return set(rows) - held


def _newest(revisions: list[_Rev]) -> _Rev:
    """The revision shown of these heads (the latest ``put``, else the latest):
    the rule of db/derive.py."""
    ordered = sorted(revisions, key=lambda r: (r.hlc, r.revision_id), reverse=True)
    puts = [rev for rev in ordered if rev.op == "put"]
    return puts[0] if puts else ordered[0]


def reroot_record(
    vault: Vault,
    entity_id: str,
    choice: str,
    revoked: Collection[str],
    *,
    despite_old_readers: bool = False,
) -> Rerooted:
    """Sign and store the re-root of ``entity_id`` with ``choice``
    (``as-before`` or ``as-held``); ``revoked``: the devices the newest
    profile revokes (the caller reads it, and checks this vault is a
    coordinator's). RerootRefused, with nothing signed, when the record is
    not frozen here, when ``as-held`` is asked where the revoked line is not
    held, or ``as-before`` where the record has no revision outside it; and
    (``reroot-readers-behind``) when a device enrolled here has not declared
    it reads a re-root, unless ``despite_old_readers``: a person decided to
    cut those devices off until they are upgraded."""
    if choice not in REROOT_CHOICES:
        raise RerootRefused(
            f"Unknown re-root choice {choice[:20]!r}; use as-before or as-held.",
            "reroot-unknown-choice",
            choice=choice[:20],
        )
    ctx = vault.services.context
    with ctx.write_transaction("re-root the record") as session:
        entity_type, history = _history(session, entity_id)
        held = {rev.revision_id for rev in history}
        # What earlier re-roots of it cover: held revisions they hide (named,
        # or below one named), and left-out ones they name.
        hidden = hidden_ids(
            ((rev.revision_id, rev.parents, rev.supersedes, rev.device_id) for rev in history),
            revoked_signers(session),
        )
        named = {gone for rev in history for gone in rev.supersedes}
        line = _line(history, frozenset(revoked))
        held_back = line - hidden
        left_out_all = _left_out(session, entity_id, held)
        left_out = left_out_all - named
        if not history or not (held_back or left_out):
            raise RerootRefused(
                f"Record {entity_id} is not frozen here: nothing of it is held back from the other "
                "desks or left out for a revocation; nothing was signed.",
                "reroot-not-frozen",
                entity_id=entity_id,
            )
        outside = [rev for rev in history if rev.revision_id not in line | hidden]
        parents_named = {parent for rev in outside for parent in rev.parents}
        heads = [rev for rev in outside if rev.revision_id not in parents_named]
        if choice == AS_HELD:
            if not held_back:
                raise RerootRefused(
                    f"Record {entity_id}: this desk does not hold the revoked edits, so it cannot keep "
                    "them; re-root it as before them, or at the desk that took them. Nothing was signed.",
                    "reroot-line-not-held",
                    entity_id=entity_id,
                )
            row = session.scalar(select(EntityRow).where(EntityRow.entity_id == entity_id))
            assert row is not None  # the record has revisions here: refresh made its row
            body: dict[str, Any] = json.loads(row.body)
            op = "delete" if row.deleted else "put"
        else:
            if not heads:
                raise RerootRefused(
                    f"Record {entity_id} was created by a revoked device: there is no state before "
                    "its edits. Re-root it as held, or leave it. Nothing was signed.",
                    "reroot-nothing-before",
                    entity_id=entity_id,
                )
            shown = _newest(heads)
            body, op = shown.body, shown.op
        # Every revision of the line held here and every one left out, also
        # those an earlier re-root names or hides: that re-root may itself be
        # in the line now (its desk revoked since) and withheld from the desks
        # that never took it, where only this one can hide them (review 20 F2).
        supersedes = sorted(line | left_out_all)
        if len(supersedes) > MAX_PARENTS:
            raise RerootRefused(
                f"Record {entity_id}: more than {MAX_PARENTS} revisions of the revoked line; one "
                "re-root cannot name them all. Nothing was signed.",
                "reroot-too-many",
                entity_id=entity_id,
                limit=MAX_PARENTS,
            )
        # Last, once the record could be re-rooted: whichever record, such a
        # revision in this desk's bundles cuts off every device that cannot read it.
        behind = [] if despite_old_readers else old_readers(session, revoked)
        if behind:
            raise readers_behind(behind)
        rev = ctx.commit_local(
            session,
            {
                "entity_id": entity_id,
                "entity_type": entity_type,
                "op": op,
                "body": body,
                "parents": [h.revision_id for h in heads],
                "reroot": Reroot(choice, tuple(supersedes)),
            },
        )
        return Rerooted(entity_id, entity_type, rev.revision_id, choice, op, rev.parents, rev.supersedes)


__all__ = [
    "AS_BEFORE",
    "AS_HELD",
    "RerootRefused",
    "Rerooted",
    "may_reroot",
    "not_a_coordinator",
    "old_readers",
    "readers_behind",
    "reroot_record",
]
