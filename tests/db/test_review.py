"""Review over a coordinator's merged vault (db/review.py, issue 14): the
records of two field workers, made in their own vaults and imported by
bundle as on a USB stick, filtered by case, date range, place, violation
type, device and evidence, alone and combined; a full-text query whose
bounded ranking is said; the timeline of incidents; and the custody history
of an item across the devices' chains, with a tampered chain flagged.

Every expectation is written from the records created here, never from what
a query returned."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text

from db.api import Incident, InvalidInput, ReviewFilter, ReviewService, Vault
from db.api import Testimony as TestimonyRecord
from sync.bundle.vault_io import import_bundle
from tests.db.sync_fixtures import FieldWork
from tests.sync.trust_fixtures import Organisation, make_organisation


@dataclass
class Merged:
    org: Organisation
    a: FieldWork
    b: FieldWork
    ids: dict[str, str]  # name -> entity id, as created below

    @property
    def coordinator(self) -> Vault:
        return self.org.coordinator

    def review(self, **given: object) -> set[str]:
        """The ids of every page of the review (paging through the cursor)."""
        service = ReviewService(self.coordinator.services.context)
        found: list[str] = []
        cursor = None
        while True:
            page = service.records(ReviewFilter(**given), cursor=cursor, limit=2)  # type: ignore[arg-type]
            found += [record.entity_id for record in page.records]
            cursor = page.next_cursor
            if cursor is None:
                break
        assert len(found) == len(set(found)), "a record came twice across pages"
        return set(found)

    def named(self, *names: str) -> set[str]:
        return {self.ids[name] for name in names}


def _record_worker_a(work: FieldWork, ids: dict[str, str]) -> None:
    vault = work.vault
    ids["a-case"], ids["a-photo"] = work.case_id, work.evidence_id
    ids["a-first-testimony"] = vault.testimonies.list(work.case_id)[0].id  # undated, no place
    torture = vault.incidents.create(
        Incident(
            case_id=work.case_id,
            title="Detention in the school basement",
            date="2022-03",
            date_precision="month",
            place="Ізюм, Харківська обл.",
            violation_types=["torture"],
        )
    )
    ids["a-march"] = torture.id
    ids["a-september"] = vault.incidents.create(
        Incident(
            case_id=work.case_id,
            title="Shooting at the checkpoint",
            date="2022-09-15",
            date_precision="day",
            place="Kupiansk",
            violation_types=["wilful-killing"],
        )
    ).id
    statement = vault.testimonies.create(
        TestimonyRecord(
            case_id=work.case_id,
            title="Statement about the basement",
            incident_id=torture.id,
            interview_date="2022-03-20",
            interview_place="IZIUM, school No. 2",
            violation_types=["torture"],
            narrative="Полонених тримали в підвалі школи.",
        )
    )
    ids["a-statement"] = statement.id
    ids["a-year"] = vault.testimonies.create(
        TestimonyRecord(
            case_id=work.case_id,
            title="Statement dated by year only",
            interview_date="2022",
            interview_place="Kharkiv",
            narrative="Свідок пам'ятає лише рік.",
        )
    ).id
    vault.evidence.edit(work.evidence_id, stated_date="2022-03-18", stated_place="Izium")
    vault.evidence_links.link(work.evidence_id, statement.id)


def _record_worker_b(work: FieldWork, ids: dict[str, str]) -> None:
    vault = work.vault
    ids["b-case"], ids["b-photo"] = work.case_id, work.evidence_id
    ids["b-first-testimony"] = vault.testimonies.list(work.case_id)[0].id
    shelling = vault.incidents.create(
        Incident(
            case_id=work.case_id,
            title="Shelling of the market",
            date="2022-03-15",
            date_precision="day",
            place="ізюм, центральний ринок",
            violation_types=["attack-on-civilians", "wilful-killing"],
        )
    )
    ids["b-march"] = shelling.id
    ids["b-april"] = vault.testimonies.create(
        TestimonyRecord(
            case_id=work.case_id,
            title="Statement about the market",
            incident_id=shelling.id,
            interview_date="2022-04",
            interview_place="Балаклія",
            violation_types=["attack-on-civilians"],
            narrative="Снаряд влучив у ринок.",
        )
    ).id
    vault.evidence.edit(work.evidence_id, stated_date="2022-04-02")
    vault.evidence_links.link(work.evidence_id, shelling.id)


def merge_two_workers(tmp_path: Path) -> Merged:
    org = make_organisation(tmp_path)
    ids: dict[str, str] = {}
    a = org.worker("worker-a", token=org.token())
    b = org.worker("worker-b", token=org.token())
    _record_worker_a(a, ids)
    _record_worker_b(b, ids)
    for work in (a, b):
        org.import_(org.export(work.vault).path)
    # A second bundle of A: it carries A's "sent" transfer of its photo.
    a.vault.testimonies.edit(ids["a-year"], notes="checked")
    org.import_(org.export(a.vault).path)
    # The coordinator edits one of A's testimonies: it is still A's record.
    org.coordinator.testimonies.edit(ids["a-statement"], notes="reviewed at the Kyiv desk")
    return Merged(org, a, b, ids)


@pytest.fixture(scope="module")
def merged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Merged]:
    m = merge_two_workers(tmp_path_factory.mktemp("review"))
    yield m
    m.org.close()


ALL_A = ("a-first-testimony", "a-march", "a-september", "a-statement", "a-year", "a-photo")
ALL_B = ("b-first-testimony", "b-march", "b-april", "b-photo")


def test_no_filter_gives_every_testimony_incident_and_evidence_of_both_workers(merged: Merged) -> None:
    assert merged.review() == merged.named(*ALL_A, *ALL_B)
    # Cases, persons and links are not reviewed records.
    assert merged.ids["a-case"] not in merged.review()


def test_case_filter(merged: Merged) -> None:
    assert merged.review(case_id=merged.ids["b-case"]) == merged.named(*ALL_B)


def test_date_ranges_meet_partial_dates_by_overlap(merged: Merged) -> None:
    # March 2022: the month-dated incident, the day-dated ones, the year-dated testimony.
    assert merged.review(date_from="2022-03", date_to="2022-03") == merged.named(
        "a-march", "a-statement", "a-photo", "b-march", "a-year"
    )
    # 16-31 March: "2022-03" and "2022" overlap it, 15 March does not.
    assert merged.review(date_from="2022-03-16", date_to="31.03.2022") == merged.named(
        "a-march", "a-statement", "a-photo", "a-year"
    )
    # A range that ends on 15 March takes the market (that day) and the month and year.
    assert merged.review(date_to="2022-03-15") == merged.named("a-march", "b-march", "a-year")
    # From 1 April: "2022-04" and "2022-04-02", September, the year; not March.
    assert merged.review(date_from="2022-04-01") == merged.named(
        "b-april", "b-photo", "a-september", "a-year"
    )
    # A range outside every date: nothing, and undated records never match a range.
    assert merged.review(date_from="2023") == set()
    assert merged.ids["a-first-testimony"] not in merged.review(date_from="1990", date_to="2022")


def test_an_impossible_date_is_refused_with_its_code(merged: Merged) -> None:
    service = ReviewService(merged.coordinator.services.context)
    with pytest.raises(InvalidInput) as refused:
        service.records(ReviewFilter(date_from="2022-13"))
    assert refused.value.code == "invalid-date"


def test_place_is_a_folded_substring(merged: Merged) -> None:
    assert merged.review(place="ІЗЮМ") == merged.named("a-march", "b-march")
    assert merged.review(place="  izium ") == merged.named("a-statement", "a-photo")
    assert merged.review(place="ринок") == merged.named("b-march")


def test_violation_types_match_any_of_the_codes_and_exclude_evidence(merged: Merged) -> None:
    assert merged.review(violation_types=("torture",)) == merged.named("a-march", "a-statement")
    assert merged.review(violation_types=("wilful-killing", "attack-on-civilians")) == merged.named(
        "a-september", "b-march", "b-april"
    )
    with pytest.raises(InvalidInput):
        merged.review(violation_types=("not-a-code",))


def test_device_is_the_signer_of_the_first_revision(merged: Merged) -> None:
    a_device, b_device = merged.a.vault.device_id, merged.b.vault.device_id
    # The coordinator's edit of a-statement does not make it the coordinator's.
    assert merged.review(device_id=a_device) == merged.named(*ALL_A)
    assert merged.review(device_id=b_device) == merged.named(*ALL_B)
    assert merged.review(device_id=merged.coordinator.device_id) == set()
    labels = ReviewService(merged.coordinator.services.context).device_labels()
    assert {a_device, b_device, merged.coordinator.device_id} <= set(labels)


def test_has_evidence(merged: Merged) -> None:
    assert merged.review(has_evidence=True) == merged.named("a-statement", "b-march", "a-photo", "b-photo")
    assert merged.review(has_evidence=False) == merged.named(
        "a-first-testimony", "a-march", "a-september", "a-year", "b-first-testimony", "b-april"
    )


def test_filters_combined(merged: Merged) -> None:
    assert merged.review(
        date_from="2022-03", date_to="2022-03", violation_types=("torture",), has_evidence=True
    ) == merged.named("a-statement")
    assert merged.review(
        device_id=merged.b.vault.device_id, date_from="2022-03", place="ізюм"
    ) == merged.named("b-march")
    assert merged.review(case_id=merged.ids["a-case"], record_types=("incident",)) == merged.named(
        "a-march", "a-september"
    )
    assert merged.review(case_id=merged.ids["a-case"], device_id=merged.b.vault.device_id) == set()


def test_text_with_filters_and_the_bounded_ranking_is_said(merged: Merged) -> None:
    # "statement" is in the title of every testimony of both workers.
    assert merged.review(text="statement") == merged.named(
        "a-first-testimony", "a-statement", "a-year", "b-first-testimony", "b-april"
    )
    assert merged.review(text="statement", device_id=merged.b.vault.device_id) == merged.named(
        "b-first-testimony", "b-april"
    )
    service = ReviewService(merged.coordinator.services.context)
    whole = service.records(ReviewFilter(text="statement"))
    assert not whole.ranking_bounded and whole.total == 5
    # Ranking only the newest two candidates of five matches: said.
    bounded = service.records(ReviewFilter(text="statement"), candidates=2)
    assert bounded.ranking_bounded
    assert {r.entity_id for r in bounded.records} <= merged.named(
        "a-first-testimony", "a-statement", "a-year", "b-first-testimony", "b-april"
    )


def test_the_count_stops_at_its_limit_and_says_so(merged: Merged, monkeypatch: pytest.MonkeyPatch) -> None:
    import db.review

    monkeypatch.setattr(db.review, "COUNT_LIMIT", 3)
    page = ReviewService(merged.coordinator.services.context).records(ReviewFilter(), limit=2)
    assert (page.total, page.total_capped, len(page.records)) == (3, True, 2)
    assert page.next_cursor is not None


def test_timeline_groups_incidents_by_month_and_day_with_counts(merged: Merged) -> None:
    service = ReviewService(merged.coordinator.services.context)
    months = service.timeline(ReviewFilter())
    assert [(g.key, g.precision, g.incidents) for g in months.groups] == [
        ("2022-03", "month", 2),
        ("2022-09", "month", 1),
    ]
    march = months.groups[0]
    # a-march: "2022-03" sorts before b-march's "2022-03-15".
    assert [i.entity_id for i in march.listed] == [merged.ids["a-march"], merged.ids["b-march"]]
    # a-march: one testimony names it; b-march: one testimony and one evidence link.
    assert [(i.testimonies, i.evidence) for i in march.listed] == [(1, 0), (1, 1)]
    assert (march.testimonies, march.evidence) == (2, 1)
    days = service.timeline(ReviewFilter(), by="day")
    assert [(g.key, g.precision, g.incidents) for g in days.groups] == [
        ("2022-03", "month", 1),
        ("2022-03-15", "day", 1),
        ("2022-09-15", "day", 1),
    ]
    only_b = service.timeline(ReviewFilter(device_id=merged.b.vault.device_id))
    assert [g.key for g in only_b.groups] == ["2022-03"] and only_b.total == 1


def _actions(history: object) -> list[tuple[str, str, str]]:
    events = history.events  # type: ignore[attr-defined]
    return [(e.device_id, e.action, e.details.get("direction", "")) for e in events]


def test_custody_history_holds_both_devices_events_in_order(merged: Merged) -> None:
    coordinator = merged.coordinator
    with coordinator.evidence.open(merged.ids["a-photo"]) as reader:
        reader.read(16)  # a view on the coordinator's own chain
    history = ReviewService(coordinator.services.context).custody_history(merged.ids["a-photo"])
    a_device, own = merged.a.vault.device_id, coordinator.device_id
    assert _actions(history) == [
        (a_device, "intake", ""),
        (a_device, "transfer", "sent"),
        (own, "transfer", "received"),
        (own, "view", ""),
    ]
    assert all(e.event_ok and e.chain_ok for e in history.events)
    assert {(c.device_id, c.verifies) for c in history.chains} == {(a_device, True), (own, True)}
    assert [e.own_chain for e in history.events] == [False, False, True, True]


def test_custody_history_flags_a_tampered_chain(tmp_path: Path) -> None:
    m = merge_two_workers(tmp_path)
    try:
        a_device = m.a.vault.device_id
        # Someone with the database key rewrites A's intake event of the photo.
        with m.coordinator.services.context.write_transaction("tamper") as session:
            signed = session.execute(
                text("SELECT signed FROM received_custody_events WHERE device_id = :d AND seq = 1"),
                {"d": a_device},
            ).scalar_one()
            forged = bytes(signed).replace(b'"action":"intake"', b'"action":"view"')
            assert forged != bytes(signed)
            session.execute(
                text("UPDATE received_custody_events SET signed = :s WHERE device_id = :d AND seq = 1"),
                {"s": forged, "d": a_device},
            )
        history = ReviewService(m.coordinator.services.context).custody_history(m.ids["a-photo"])
        chains = {c.device_id: c for c in history.chains}
        assert not chains[a_device].verifies and chains[a_device].problems
        assert chains[m.coordinator.device_id].verifies
        tampered = [e for e in history.events if e.device_id == a_device and e.seq == 1]
        assert len(tampered) == 1 and not tampered[0].event_ok and not tampered[0].chain_ok
        # B's item, whose chain is untouched, still verifies.
        b_history = ReviewService(m.coordinator.services.context).custody_history(m.ids["b-photo"])
        assert all(c.verifies for c in b_history.chains)
    finally:
        m.org.close()


def test_no_record_type_chosen_gives_nothing(merged: Merged) -> None:
    service = ReviewService(merged.coordinator.services.context)
    assert service.records(ReviewFilter(record_types=())).records == ()


def test_import_order_does_not_change_the_review(tmp_path: Path) -> None:
    """B's bundle before A's: the same records under each filter."""
    org = make_organisation(tmp_path)
    try:
        ids: dict[str, str] = {}
        a = org.worker("worker-a", token=org.token())
        b = org.worker("worker-b", token=org.token())
        _record_worker_a(a, ids)
        _record_worker_b(b, ids)
        bundles = [org.export(b.vault).path, org.export(a.vault).path]
        for path in bundles:
            import_bundle(org.coordinator, path, org.coordinator.vault_keys.age_identity(), org_id=org.org_id)
        m = Merged(org, a, b, ids)
        assert m.review(device_id=a.vault.device_id, violation_types=("torture",)) == m.named(
            "a-march", "a-statement"
        )
        assert m.review(date_from="2022-04") == m.named("b-april", "b-photo", "a-september", "a-year")
    finally:
        org.close()


def test_an_older_incident_is_not_crowded_out_by_newer_testimonies(tmp_path: Path) -> None:
    """Words matching more testimonies than are ranked: the ranking is
    bounded and said, and the incident, recorded before all of them, is
    still among the hits (the search bounds its groups apart)."""
    from db.api import Case
    from db.keyring_store import NoKeyring
    from tests.vault_helpers import FAST_ARGON2, PASSPHRASE

    vault = Vault.create(tmp_path / "v", PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault
    try:
        case = vault.cases.create(Case(title="Kupiansk"))
        incident = vault.incidents.create(Incident(case_id=case.id, title="Shooting at the checkpoint"))
        statements = {
            vault.testimonies.create(
                TestimonyRecord(
                    case_id=case.id, title=f"Statement {n}", narrative="They stopped us at the checkpoint."
                )
            ).id
            for n in range(6)
        }
        page = ReviewService(vault.services.context).records(ReviewFilter(text="checkpoint"), candidates=2)
        found = {record.entity_id for record in page.records}
        assert page.ranking_bounded
        assert incident.id in found
        assert len(found & statements) == 2  # the newest two ranked, the rest not considered
    finally:
        vault.lock()
