"""Revisions below one left out past the cap carry that reason, not a
revocation's (issue 14; db/past_cap_lineage.py, db/revocation_impact.py,
``fieldvault devices frozen``).

Desk A's parked slots for signer S are full (PARKED_CAP patched to 3, as
tests/db/test_parked_cap_desks.py does): S's edit goes past the cap, and the
edits of it that follow are left out below it. Before, those were kept as
``left-out``, the revocation's value, and the frozen report counted their
record as left out because of a revocation while naming no revoked device.
Real vaults, real signed revisions, the real CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from db.model import WithheldRevision
from db.parked import PAST_CAP, past_cap_by_signer
from db.past_cap_lineage import BELOW_PAST_CAP
from db.revisions import Revision
from db.revocation_impact import revocation_impact
from db.vault import Vault
from db.withheld import withheld_revision_ids
from tests.cli_helpers import Cli, child_env
from tests.db.test_parked_cap_desks import (
    FULL,
    OTHER_DESK,
    RECORD,
    REVOKED,
    SIGNER,
    WORKER,
    _case,
    _flood,
    _read,
    _stored,
    _vault,
)
from tests.vault_helpers import PASSPHRASE


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Vault]:
    vault = _vault(tmp_path / "a")
    try:
        yield vault
    finally:
        vault.lock()


def _learned(vault: Vault) -> dict[str, str]:
    with vault.services.context.sessions() as session:
        return dict(session.execute(select(WithheldRevision.revision_id, WithheldRevision.learned)).all())


def _chain() -> tuple[Revision, Revision, Revision, Revision]:
    """An enrolled worker's creation (late), S's edit of it, T's edit of
    that, and T's next edit."""
    created = _case(WORKER, 0, [])
    edit = _case(SIGNER, 1, [created.revision_id])
    edit_of_edit = _case(OTHER_DESK, 2, [edit.revision_id])
    third = _case(OTHER_DESK, 3, [edit_of_edit.revision_id])
    return created, edit, edit_of_edit, third


def test_edits_below_a_past_cap_revision_are_left_out_for_that_reason(
    desk: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parked then left out below it (db/parked.py ``leave_out_parked``), and
    a later bundle's edit of those (db/sync_import.py ``_sort_out``)."""
    _created, edit, edit_of_edit, third = _chain()
    _read(desk, FULL, _flood(), monkeypatch)
    assert _read(desk, FULL, [edit, edit_of_edit], monkeypatch) == [edit.revision_id]
    _read(desk, FULL, [third], monkeypatch)
    assert _learned(desk) == {
        edit.revision_id: PAST_CAP,
        edit_of_edit.revision_id: BELOW_PAST_CAP,
        third.revision_id: BELOW_PAST_CAP,
    }  # before: the two edits below it were 'left-out'
    assert past_cap_by_signer(desk) == {SIGNER.device_id: 1}  # OTHER_DESK's slots were never full

    impact = revocation_impact(desk, {REVOKED.device_id})
    [record] = impact.records
    assert record.entity_id == RECORD and record.revoked_devices == ()
    assert record.left_out == 0 and record.left_out_past_cap == 3  # before: left_out == 2, no reason
    assert impact.left_out == () and impact.left_out_past_cap == (record,)
    assert record.to_json()["left_out_past_cap"] == 3
    assert desk.verify().ok


def test_a_held_back_edit_below_a_past_cap_revision_is_marked_too(
    desk: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The child comes first in the bundle, its parent (an edit of the
    past-cap revision) after it: held back, then left out at settle
    (db/sync_import.py ``_leave_out_held_back``)."""
    _created, edit, edit_of_edit, third = _chain()
    _read(desk, FULL, _flood(), monkeypatch)
    _read(desk, FULL, [edit], monkeypatch)
    _read(desk, FULL, [third, edit_of_edit], monkeypatch)
    assert _learned(desk) == {
        edit.revision_id: PAST_CAP,
        edit_of_edit.revision_id: BELOW_PAST_CAP,
        third.revision_id: BELOW_PAST_CAP,
    }


def test_a_revoked_ancestor_keeps_the_revocation_as_the_reason(
    desk: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Adversarial: an edit with one parent past the cap and one left out
    because its signer is revoked is the revocation's: the mark never hides
    a revocation."""
    _read(desk, FULL, _flood(), monkeypatch)
    created = _case(WORKER, 0, [])
    past = _case(SIGNER, 1, [created.revision_id])
    revoked = _case(REVOKED, 2, [created.revision_id])
    _read(desk, FULL, [past, revoked], monkeypatch)
    merge = _case(OTHER_DESK, 3, [past.revision_id, revoked.revision_id])
    _read(desk, FULL, [merge], monkeypatch)
    learned = _learned(desk)
    assert learned[past.revision_id] == PAST_CAP and learned[revoked.revision_id] == "left-out"
    assert learned[merge.revision_id] == "left-out"
    [record] = revocation_impact(desk, {REVOKED.device_id}).records
    assert record.revoked_devices == (REVOKED.device_id,)
    assert record.left_out == 2 and record.left_out_past_cap == 1


def test_arriving_again_after_their_parent_they_are_stored_and_the_report_is_empty(
    desk: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The re-decision rule of db/parked.py still holds for the marked rows:
    once the creation is here, the chain relayed again is stored, every row
    saying it was left out goes, and nothing is reported frozen."""
    created, edit, edit_of_edit, third = _chain()
    _read(desk, FULL, _flood(), monkeypatch)
    _read(desk, FULL, [edit, edit_of_edit, third], monkeypatch)
    assert set(_learned(desk).values()) == {PAST_CAP, BELOW_PAST_CAP}
    _read(desk, FULL, [created], monkeypatch)
    _read(desk, FULL, [third, edit_of_edit, edit], monkeypatch)  # relayed again by another desk
    assert set(_stored(desk)) == {r.revision_id for r in (created, edit, edit_of_edit, third)}
    assert withheld_revision_ids(desk) == set()
    assert revocation_impact(desk, {REVOKED.device_id}).records == ()
    report = desk.verify()
    assert report.ok, report.problems


def test_devices_frozen_gives_the_past_cap_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    vault = _vault(tmp_path / "a")
    _created, edit, edit_of_edit, _third = _chain()
    _read(vault, FULL, _flood(), monkeypatch)
    _read(vault, FULL, [edit, edit_of_edit], monkeypatch)
    vault.lock()
    cli = Cli(tmp_path / "a", child_env(tmp_path))
    plain = cli.run("devices", "frozen", secrets=[PASSPHRASE])
    assert f"record (none of it held here) {RECORD}  revoked device(s): -" in plain.stdout
    assert "left out: the signer's parked slots were full: 2 revision(s)" in plain.stdout
    assert "left out here:" not in plain.stdout  # not counted as a revocation's
    assert "1 with edits left out because their signer's parked slots were full" in plain.stderr
    [row] = [
        json.loads(line)
        for line in cli.run("devices", "frozen", "--json", secrets=[PASSPHRASE]).stdout.splitlines()
    ]
    assert row["left_out"] == 0 and row["left_out_past_cap"] == 2 and row["revoked_devices"] == []
