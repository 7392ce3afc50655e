"""LazyRecordModel: a list of 100,000 records reads only the pages a view shows."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication, QListView

from db import entities
from db.device import DeviceIdentity
from db.errors import VaultLocked
from db.hlc import Timestamp
from db.ids import new_id
from db.revisions import create_revision
from desktop.models import ID_ROLE, RECORD_ROLE, LazyRecordModel
from tests.factory import make_case

ROWS = 100_000
PAGE = 200


class FakeSource:
    """A plain callable list of ``size`` records that counts how it is read."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.fetches: list[tuple[int, int]] = []
        self.counts = 0

    def fetch(self, offset: int, limit: int) -> list[dict[str, str]]:
        self.fetches.append((offset, limit))
        end = min(offset + limit, self.size)
        return [{"id": f"id-{i}", "title": f"Testimony {i}"} for i in range(offset, end)]

    def count(self) -> int:
        self.counts += 1
        return self.size


def make_model(source: FakeSource, page_size: int = PAGE) -> LazyRecordModel:
    return LazyRecordModel(
        source.fetch,
        source.count,
        label=lambda r: r["title"],
        record_id=lambda r: r["id"],
        page_size=page_size,
    )


def make_view(qtbot, model: LazyRecordModel) -> QListView:
    view = QListView()
    view.setUniformItemSizes(True)
    view.resize(320, 240)
    view.setModel(model)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    return view


def settle() -> None:
    """Let the view run its pending layout and fetch timers (no sleeping)."""
    for _ in range(5):
        QApplication.processEvents()


def test_scrolling_100k_rows_fetches_only_the_pages_shown(qtbot):
    source = FakeSource(ROWS)
    model = make_model(source)
    assert source.counts == 1 and source.fetches == []  # counting reads no row
    assert model.total() == ROWS and model.rowCount() == 0

    view = make_view(qtbot, model)
    qtbot.waitUntil(lambda: model.rowCount() == PAGE)
    settle()
    assert source.fetches == [(0, PAGE)]  # the first screen needs one page
    shown = view.indexAt(view.viewport().rect().topLeft()).row()
    assert shown == 0

    for step in range(1, 8):
        view.scrollToBottom()
        qtbot.waitUntil(lambda step=step: model.rowCount() == (step + 1) * PAGE)
        settle()
        # One more page per step, read in order, each exactly once.
        assert source.fetches == [(i * PAGE, PAGE) for i in range(step + 1)]
        # The rows read are the rows scrolled to, plus the page just fetched.
        bottom = view.indexAt(view.viewport().rect().bottomLeft()).row()
        assert bottom >= step * PAGE - 1
        assert model.rowCount() - bottom <= PAGE + 1

    assert model.rowCount() == 8 * PAGE
    assert model.total() == ROWS and source.counts == 1
    index = model.index(1234, 0)
    assert index.data(Qt.ItemDataRole.DisplayRole) == "Testimony 1234"
    assert index.data(ID_ROLE) == "id-1234"
    assert index.data(RECORD_ROLE) == {"id": "id-1234", "title": "Testimony 1234"}
    assert model.index(8 * PAGE, 0).data() is None  # not fetched: no row


def test_the_last_page_is_short_and_fetching_stops(qtbot):
    source = FakeSource(1_050)
    model = make_model(source)
    view = make_view(qtbot, model)
    for _ in range(10):
        view.scrollToBottom()
        settle()
    assert model.rowCount() == 1_050
    assert source.fetches == [(0, 200), (200, 200), (400, 200), (600, 200), (800, 200), (1000, 50)]
    assert not model.canFetchMore(QModelIndex())


def test_reset_on_another_source_and_clear(qtbot):
    first, second = FakeSource(ROWS), FakeSource(30)
    model = make_model(first)
    view = make_view(qtbot, model)  # kept: qtbot holds widgets weakly
    qtbot.waitUntil(lambda: model.rowCount() == PAGE)

    with qtbot.waitSignal(model.modelReset):
        model.set_source(second.fetch, second.count)
    qtbot.waitUntil(lambda: model.rowCount() == 30)
    assert second.fetches == [(0, 30)]  # never more than the count
    assert model.index(0, 0).data() == "Testimony 0"

    model.clear()
    assert model.rowCount() == 0 and model.total() == 0
    assert not model.canFetchMore(QModelIndex())
    settle()
    assert len(second.fetches) == 1  # a cleared model reads nothing more
    assert view.model() is model


def test_put_and_remove_records():
    source = FakeSource(3)
    model = make_model(source, page_size=2)
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 2
    # Edited and loaded: replaced in place.
    assert model.put_record({"id": "id-1", "title": "Renamed"}) == 1
    assert model.index(1, 0).data() == "Renamed"
    # New while the end is not loaded: counted, fetched with the last page.
    source.size = 4
    assert model.put_record({"id": "id-3", "title": "Testimony 3"}) == -1
    assert model.total() == 4 and model.rowCount() == 2
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 4 and model.row_of("id-3") == 3
    # New with everything loaded: appended at once.
    source.size = 5
    assert model.put_record({"id": "id-4", "title": "Testimony 4"}) == 4
    assert model.rowCount() == 5 and not model.canFetchMore(QModelIndex())
    model.remove_record("id-0")
    assert model.rowCount() == 4 and model.total() == 4 and model.row_of("id-1") == 0


def test_fetch_until_reads_pages_up_to_the_record():
    source = FakeSource(ROWS)
    model = make_model(source)
    assert model.fetch_until("id-650") == 650
    assert source.fetches == [(0, PAGE), (200, PAGE), (400, PAGE), (600, PAGE)]
    assert model.fetch_until("id-10") == 10
    assert len(source.fetches) == 4  # already loaded: nothing read
    small = make_model(FakeSource(450))
    assert small.fetch_until("no-such-id") == -1
    assert small.rowCount() == 450


def test_a_locked_vault_stops_the_model_without_raising(qtbot, vault):
    case = make_case(vault)
    model = LazyRecordModel(
        lambda offset, limit: vault.testimonies.list(case.id, offset=offset, limit=limit),
        lambda: 5,
    )
    failures: list[object] = []
    model.fetch_failed.connect(failures.append)
    vault.lock()
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 0 and not model.canFetchMore(QModelIndex())
    assert len(failures) == 1 and isinstance(failures[0], VaultLocked)


def add_testimonies(vault, case_id: str, count: int) -> list[str]:
    """Many testimonies in one transaction: signed revisions applied as a batch
    (as a sync would bring them); vault.testimonies.create is ~6 ms apiece."""
    device = DeviceIdentity.generate()
    ids = [new_id() for _ in range(count)]
    revisions = [
        create_revision(
            device,
            entity_id=entity_id,
            entity_type="testimony",
            op="put",
            body=entities.Testimony(case_id=case_id, title=f"Statement {i:04d}", language="uk").body(),
            parents=[],
            hlc=Timestamp(1_700_000_000_000 + i, 0),
        )
        for i, entity_id in enumerate(ids)
    ]
    assert vault.revisions.apply(revisions) == count
    return ids


def test_a_real_vault_of_2000_testimonies_scrolls_end_to_end(qtbot, vault):
    case = make_case(vault)
    other_case = make_case(vault, title="Another case")
    ids = add_testimonies(vault, case.id, 2_000)
    vault.testimonies.create(entities.Testimony(case_id=other_case.id, title="Elsewhere"))
    reads: list[tuple[int, int]] = []

    def fetch(offset: int, limit: int) -> list[entities.Testimony]:
        reads.append((offset, limit))
        return vault.testimonies.list(case.id, offset=offset, limit=limit)

    model = LazyRecordModel(fetch, lambda: vault.testimonies.count(case.id))
    assert model.total() == 2_000
    view = make_view(qtbot, model)
    qtbot.waitUntil(lambda: model.rowCount() == PAGE)
    while model.rowCount() < 2_000:
        before = model.rowCount()
        view.scrollToBottom()
        qtbot.waitUntil(lambda before=before: model.rowCount() > before)
    settle()
    assert reads == [(i * PAGE, PAGE) for i in range(10)]
    assert [model.record_id(row) for row in range(model.rowCount())] == ids  # oldest first, each once
    assert model.index(1999, 0).data() == "Statement 1999"
    assert isinstance(model.index(0, 0).data(RECORD_ROLE), entities.Testimony)

    # After an edit and a new testimony, the model shows both without a reset.
    edited = vault.testimonies.edit(ids[5], title="Statement 0005, corrected")
    assert model.put_record(edited) == 5
    assert model.index(5, 0).data() == "Statement 0005, corrected"
    new = vault.testimonies.create(entities.Testimony(case_id=case.id, title="The latest"))
    assert model.put_record(new) == 2_000
    assert model.total() == 2_001 == vault.testimonies.count(case.id)

    # Another case: a reset, and only its own rows.
    model.set_source(
        lambda offset, limit: vault.testimonies.list(other_case.id, offset=offset, limit=limit),
        lambda: vault.testimonies.count(other_case.id),
    )
    qtbot.waitUntil(lambda: model.rowCount() == 1)
    assert model.index(0, 0).data() == "Elsewhere"
    model.clear()
    assert model.rowCount() == 0


@pytest.mark.parametrize("size", [0, 1, PAGE, PAGE + 1])
def test_sizes_at_the_edges(size):
    source = FakeSource(size)
    model = make_model(source)
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == size
    assert len(source.fetches) == -(-size // PAGE)
