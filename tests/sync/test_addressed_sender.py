"""Who may declare ``addressed`` (review 7 #8; docs/bundle-format.md §2.3).

The header's ``addressed`` tells a reader which of the sender's sequence
numbers went to field workers' send-back bundles, so that they are not
shown as missing. Only a coordinator sends bundles back. A field worker's
app changed to declare numbers (the bundle properly signed by the worker's
own key) could otherwise hide a bundle of its own that never reached the
coordinators — the "laptop seized? bundle lost?" warning of the devices
view. The declaration is taken only from a coordinator of the profile the
importing vault holds; from anyone else it is ignored and the bundle itself
imported. Real vaults, bundles through a folder standing for a USB stick."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from db.sync_state import SyncStateService
from sync.bundle import check_bundle
from sync.merge.devices import devices_view
from tests.factory import make_case
from tests.sync.trust_fixtures import Organisation, make_organisation


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Organisation]:
    made = make_organisation(tmp_path)
    yield made
    made.close()


def test_a_field_workers_bundle_declaring_addressed_cannot_hide_its_own_gap(
    org: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    field = org.worker("field", token=org.token())
    first = org.export(field.vault)
    assert not org.import_(first.path).replay
    make_case(field.vault, title="lost on the way")
    lost = org.export(field.vault)  # 2: never reaches the coordinators
    assert lost.sequence == 2

    # The worker's app, changed, declares number 2 as sent back to a field worker.
    with monkeypatch.context() as hostile:
        hostile.setattr(SyncStateService, "addressed_since", lambda _self: ((2, 2),))
        make_case(field.vault, title="third")
        third = org.export(field.vault)
    assert third.sequence == 3
    assert check_bundle(third.path).header.addressed == ((2, 2),)  # signed by the worker's key

    imported = org.import_(third.path)
    assert not imported.replay and imported.revisions >= 1  # its work is taken
    assert [(gap.first, gap.last) for gap in imported.gaps] == [(2, 2)]  # () before: hidden
    [row] = [row for row in devices_view(org.coordinator) if row.device_id == field.vault.device_id]
    assert [(gap.first, gap.last) for gap in row.gaps] == [(2, 2)]
    assert "sequence-gap" in row.warnings and row.missing == 1
    [record] = [r for r in org.coordinator.sync.received_bundles() if r.bundle_id == third.bundle_id]
    assert record.addressed == ()  # not recorded: a later view cannot take it either
