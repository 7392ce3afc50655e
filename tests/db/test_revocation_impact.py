"""Which records a revocation froze (issue 14; review 11 F2; docs/sync.md
§2.3 "What it costs"): db/revocation_impact.py, on the desk that took the
revoked worker's edits and on the desk that left them out, in real vaults
with real bundles (tests/db/revocation_world.py); a seized laptop's refused
bundle naming another desk's records lists none of them (review 13 F5); and
its cost, counted in queries, at a few thousand revisions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.engine import Engine

from db.api import Vault, record_labels, revocation_impact
from db.device import DeviceIdentity
from db.hlc import Timestamp
from db.model import WithheldRevision
from db.revisions import Revision, create_revision
from db.withheld import LEFT_OUT, RefusedMakersRevisions
from tests.db.revocation_world import KYIV_TITLE, build, build_before_revocation, revoked_here
from tests.sync.desk_world import UsbDesks, usb_desks

desks = usb_desks  # the fixture, under the name the tests ask for


def test_the_desk_that_took_the_revoked_edits_lists_exactly_the_records_it_holds_back(
    desks: UsbDesks,
) -> None:
    world = build(desks)
    impact = revocation_impact(world.kyiv, revoked_here(world.kyiv))
    by_id = {record.entity_id: record for record in impact.records}
    assert set(by_id) == world.worker_records
    assert world.kyiv_case in by_id and world.control_case not in by_id
    assert impact.left_out == ()  # Kyiv left nothing out: it took the worker's bundles before
    for record in impact.records:
        assert record.revoked_devices == (world.worker_id,)
        assert record.revoked_signed == world.worker_revisions_of(record.entity_id)
        assert record.held_back_newest_ms is not None and record.left_out == 0
    # Kyiv's case: the worker's edit and Kyiv's check after it are held back;
    # the case's creation (Kyiv's) reached Lviv.
    case = by_id[world.kyiv_case]
    assert (case.entity_type, case.revoked_signed, case.later_edits, case.whole) == ("case", 1, 1, False)
    # A record the worker only created, nobody edited since: reported, no later edits, whole.
    own = by_id[world.field.case_id]
    assert (own.entity_type, own.later_edits, own.whole) == ("case", 0, True)
    assert impact.of_device(world.worker_id) == impact.records
    assert impact.of_device(world.kyiv.device_id) == ()


def test_the_desk_that_left_them_out_lists_the_same_records_and_stays_as_it_was(desks: UsbDesks) -> None:
    world = build(desks)
    impact = revocation_impact(world.lviv, revoked_here(world.lviv))
    by_id = {record.entity_id: record for record in impact.records}
    assert set(by_id) == world.worker_records
    assert impact.held_back == ()  # Lviv holds nothing the worker signed
    for record in impact.records:
        assert record.revoked_devices == (world.worker_id,)
        assert record.left_out == world.worker_revisions_of(record.entity_id)
        assert record.left_out_newest_ms is not None
    # Kyiv's case is at Lviv as it was before the worker's edit, for good:
    # neither the edit nor Kyiv's check after it arrived.
    case = by_id[world.kyiv_case]
    assert (case.entity_type, case.left_out) == ("case", 1)
    assert world.lviv.cases.get(world.kyiv_case).title == KYIV_TITLE
    # The worker's own records: Lviv holds none of them, so their type is unknown here.
    assert by_id[world.field.case_id].entity_type == ""
    assert by_id[world.field.case_id].to_json()["entity_type"] is None
    # The app's own list may name what this vault holds: Kyiv's case, as it is here.
    assert record_labels(world.lviv, by_id) == {world.kyiv_case: KYIV_TITLE}


def test_an_organisation_with_no_revocation_lists_nothing(desks: UsbDesks) -> None:
    build_before_revocation(desks)
    for vault in (desks.kyiv, desks.lviv):
        assert revoked_here(vault) == frozenset()
        assert revocation_impact(vault, revoked_here(vault)).records == ()


def test_the_report_names_ids_never_what_the_records_say(desks: UsbDesks) -> None:
    world = build(desks)
    for vault in (world.kyiv, world.lviv):
        text = repr([record.to_json() for record in revocation_impact(vault, revoked_here(vault)).records])
        for words in ("Kyiv's case", "touched in the field", "checked at the Kyiv desk", "Izium"):
            assert words not in text


def test_a_refused_bundle_naming_an_honest_desks_records_lists_none_of_them(vault: Vault) -> None:
    """Review 13 F5: a seized laptop, revoked, signs fresh revisions "of"
    this desk's cases (it knew their ids: send_to_workers = all); its
    refused bundle is read and its revision ids kept as left out. Before,
    the report listed the three cases as frozen ("left out here: 5"), and
    the app named them by title. They are this desk's own, untouched by
    the laptop: now none is listed, and the ids are counted apart, per
    device."""
    own = vault.services.context.identity
    seized = DeviceIdentity.generate()
    cases = [_case(own, n, [], f"Bucha street {n}") for n in range(3)]
    assert vault.revisions.apply(cases) == 3
    refused = RefusedMakersRevisions(seized.device_id)
    refused.add(
        [
            _case(seized, n, [], f"forged {n}.{k}").to_wire()  # same record ids, its own signature
            for n in range(3)
            for k in range(5)
        ]
    )
    assert len(refused.keep(vault, "a" * 64)) == 15

    impact = revocation_impact(vault, {seized.device_id})
    assert not impact.records and not impact.left_out
    assert impact.refused_ids == {seized.device_id: 15}
    assert record_labels(vault, [r.entity_id for r in impact.records]) == {}


# -- at scale: a handful of queries, whatever the number of records -------------------------


@contextmanager
def counted_queries() -> Iterator[list[str]]:
    """Every SQL statement any engine runs meanwhile."""
    statements: list[str] = []
    engine = Engine

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _case(identity: DeviceIdentity, n: int, parents: list[str], title: str) -> Revision:
    return create_revision(
        identity,
        entity_id=f"01900000-0000-7000-8000-{n:012d}",
        entity_type="case",
        op="put",
        body={"title": title, "description": "", "notes": ""},
        parents=parents,
        hlc=Timestamp(1_700_000_000_000 + n * 10 + len(parents), 0),
    )


def test_the_report_reads_in_a_few_set_queries_at_a_few_thousand_revisions(vault: Vault) -> None:
    """1,000 records a revoked device created and this desk edited, 1,000
    of this desk's own edited twice (4,000 revisions held), 1,000 revisions
    of the revoked device imports left out, and 1,000 ids read from its
    refused bundle: every count right, in a number of queries bounded by
    the chunks of 500 ids, not by records."""
    own = vault.services.context.identity
    revoked = DeviceIdentity.generate()
    held: list[Revision] = []
    for n in range(1_000):
        created = _case(revoked, n, [], f"case {n}")
        held += [created, _case(own, n, [created.revision_id], f"case {n}, checked")]
        first = _case(own, 10_000 + n, [], f"own case {n}")
        held += [first, _case(own, 10_000 + n, [first.revision_id], f"own case {n}, checked")]
    assert vault.revisions.apply(held) == 4_000
    # What an import leaves out it writes as db/sync_import.py does (learned = left-out).
    with vault.services.context.write_transaction("rows an import left out") as session:
        session.execute(
            insert(WithheldRevision),
            [
                {
                    "revision_id": left.revision_id,
                    "entity_id": left.entity_id,
                    "device_id": revoked.device_id,
                    "withheld_ms": 1_700_000_000_000 + n,
                    "learned": LEFT_OUT,
                }
                for n, left in enumerate(
                    _case(revoked, 20_000 + n, [], f"left out {n}") for n in range(1_000)
                )
            ],
        )
    refused = RefusedMakersRevisions(revoked.device_id)
    refused.add([_case(revoked, 30_000 + n, [], f"refused {n}").to_wire() for n in range(1_000)])
    assert len(refused.keep(vault)) == 1_000

    with counted_queries() as statements:
        impact = revocation_impact(vault, {revoked.device_id})
    assert len(impact.held_back) == 1_000 and len(impact.left_out) == 1_000
    assert len(impact.records) == 2_000
    assert all(
        (r.held_back, r.revoked_signed, r.later_edits, r.whole) == (2, 1, 1, True) for r in impact.held_back
    )
    assert all((r.left_out, r.entity_type) == (1, "") for r in impact.left_out)
    assert all(r.revoked_devices == (revoked.device_id,) for r in impact.records)
    assert impact.refused_ids == {revoked.device_id: 1_000}  # counted, no record listed for them
    # revoked_lineage: 1 + 2 chunks of records; the held-back rows: 4 chunks;
    # the left-out: 1; the refused ids: 1; the types of the 1,000
    # left-out-only records: 2 chunks; the records a re-root names (none): 1.
    assert len(statements) <= 1 + 2 + 4 + 1 + 1 + 2 + 2 + 1
