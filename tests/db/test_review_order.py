"""The review's pages without a case filter (db/review.py, issue 14): newest
first across every case and record type, each record once, and read in
that order from an index (migration 0017) rather than by sorting every live
record of a type for each page (at 1,000,000 testimonies that sort took
561 ms a page)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from db import review as review_module
from db.api import Case, Incident, ReviewFilter, ReviewService, Vault
from db.api import Testimony as _Testimony
from db.keyring_store import NoKeyring
from db.review import page_statement
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Vault, list[str], str]]:
    """A vault with testimonies and incidents of three cases created in turn;
    the ids in creation order (a deleted testimony left out) and one case."""
    folder = tmp_path_factory.mktemp("order") / "v"
    vault = Vault.create(folder, PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault
    cases = [vault.cases.create(Case(title=f"Case {n}")).id for n in range(3)]
    created: list[str] = []
    for n in range(12):
        case_id = cases[n % 3]
        if n % 4 == 1:
            created.append(vault.incidents.create(Incident(case_id=case_id, title=f"Incident {n}")).id)
        else:
            created.append(vault.testimonies.create(_Testimony(case_id=case_id, title=f"Statement {n}")).id)
    gone = created.pop(6)
    vault.testimonies.delete(gone)
    yield vault, created, cases[0]
    vault.lock()


def _pages(vault: Vault, review: ReviewFilter, limit: int) -> list[str]:
    service = ReviewService(vault.services.context)
    found: list[str] = []
    cursor = None
    while True:
        page = service.records(review, cursor=cursor, limit=limit)
        found += [record.entity_id for record in page.records]
        cursor = page.next_cursor
        if cursor is None:
            return found


@pytest.mark.parametrize("limit", [1, 2, 5, 50])
def test_pages_without_a_case_are_newest_first_across_cases_and_types(
    made: tuple[Vault, list[str], str], limit: int
) -> None:
    vault, created, _case = made
    assert _pages(vault, ReviewFilter(), limit) == created[::-1]


def test_a_case_filter_keeps_the_same_order(made: tuple[Vault, list[str], str]) -> None:
    vault, created, case_id = made
    in_case = [n for n in range(12) if n % 3 == 0 and n != 6]  # creation numbers of case 0, less the deleted
    expected = [created[n if n < 6 else n - 1] for n in in_case][::-1]
    assert _pages(vault, ReviewFilter(case_id=case_id), 2) == expected


def _plan_of_the_parts(
    vault: Vault, review: ReviewFilter, cursor: int | None, *, device_by_id: bool = False
) -> list[str]:
    """EXPLAIN QUERY PLAN's steps that choose the page's seqs (the merge of
    the types' parts), without those of the rows' columns read after (the
    first signer sorts one record's few revisions)."""
    sql, params = page_statement(review, cursor=cursor, limit=51, device_by_id=device_by_id)
    assert sql
    with vault.services.context.sessions() as session:
        rows = [
            (n, parent, detail)
            for n, parent, _, detail in session.execute(text("EXPLAIN QUERY PLAN " + sql), params)
        ]
    children: dict[int, list[int]] = {}
    for n, parent, _detail in rows:
        children.setdefault(parent, []).append(n)
    detail_of = {n: detail for n, _parent, detail in rows}

    def under(n: int) -> list[int]:
        return [n] + [m for child in children.get(n, []) for m in under(child)]

    for n, _parent, detail in rows:
        steps = [detail_of[m] for m in under(n)]
        if detail.startswith("LIST SUBQUERY") and "MERGE (UNION ALL)" in steps:
            return steps
    raise AssertionError(f"no merge of the parts in {list(detail_of.values())}")


@pytest.mark.parametrize("cursor", [None, 5])
@pytest.mark.parametrize("case", [False, True])
def test_the_page_walks_an_index_in_order_and_sorts_nothing(
    made: tuple[Vault, list[str], str], cursor: int | None, case: bool
) -> None:
    vault, _created, case_id = made
    plan = _plan_of_the_parts(vault, ReviewFilter(case_id=case_id if case else ""), cursor)
    assert not [step for step in plan if "TEMP B-TREE" in step], plan
    index = "ix_entities_live_in_case" if case else "ix_entities_live_by_seq"
    assert len([step for step in plan if f"COVERING INDEX {index}" in step]) == 3, plan


@pytest.mark.parametrize("dense", [False, True])
def test_the_device_filter_gives_the_same_pages_either_way(
    made: tuple[Vault, list[str], str], dense: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A device of many revisions is checked on the index's entries by id, one
    of few through its records' seqs: the same records, newest first."""
    vault, created, _case = made
    monkeypatch.setattr(review_module, "DENSE_DEVICE_REVISIONS", 1 if dense else 10**9)
    own = vault.services.context.identity.device_id
    assert _pages(vault, ReviewFilter(device_id=own), 2) == created[::-1]
    assert _pages(vault, ReviewFilter(device_id="0" * 32), 2) == []
    plan = _plan_of_the_parts(vault, ReviewFilter(device_id=own), None, device_by_id=dense)
    assert not [step for step in plan if "TEMP B-TREE" in step], plan
    if dense:
        # The device's records are found once for the statement, not per type.
        assert len([step for step in plan if step.startswith("MATERIALIZE")]) == 1, plan
        assert (
            len(
                [
                    step
                    for step in plan
                    if "COVERING INDEX ix_entities_live_by_seq (entity_type=? AND deleted=?)" in step
                ]
            )
            == 3
        ), plan
