"""A coordinator's send-back bundles and the other coordinators' sequence
gaps (issue 14; docs/merge.md "Devices", docs/bundle-format.md §2.3).

A coordinator numbers its bundles to field workers and its bundles to
coordinators in its one sequence (the server keeps one bundle per device and
number, chained). Other coordinators never receive the send-backs: without
more, their devices view showed those numbers as missing bundles of that
coordinator (a false "laptop seized?" warning). Its next bundle to
coordinators now declares them (the signed header's ``addressed``): the view
shows no gap for them, and a bundle to coordinators that truly never arrived
still shows as one.

Real vaults: a coordinator, a second coordinator (the Lviv desk) and a field
worker, bundles through a folder standing for a USB stick."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from db.api import Vault
from sync import org_vault
from sync.bundle import BundleRejected
from sync.bundle.format import BundleHeader, canonical, parse_header
from sync.bundle.send_back import SentBack, send_back
from sync.bundle.vault_io import ExportedBundle, ImportedBundle, import_bundle
from sync.merge.devices import devices_view
from tests.db.sync_fixtures import FieldWork
from tests.factory import make_case
from tests.sync.test_bundle_acks import second_coordinator
from tests.sync.trust_fixtures import Organisation, current_profile, make_organisation


class Desks:
    def __init__(self, tmp_path: Path) -> None:
        self.org: Organisation = make_organisation(tmp_path)
        self.lviv: Vault = second_coordinator(self.org, tmp_path)
        # Policy "all": the Kyiv desk's own records go back to the field, so
        # that its bundles to coordinators carry only what it signed itself.
        org_vault.set_policy(self.kyiv, send_to_workers="all")
        org_vault.update_profile(self.lviv, current_profile(self.kyiv))
        self.field: FieldWork = self.org.worker("field")
        org_vault.add_device(self.kyiv, org_vault.own_device_card(self.field.vault).text)
        self.cases: list[str] = []

    @property
    def kyiv(self) -> Vault:
        return self.org.coordinator

    def _edit(self) -> None:
        """The Kyiv desk records something: work for both kinds of bundle."""
        self.cases.append(make_case(self.kyiv, title=f"Kyiv desk case {len(self.cases) + 1}").id)

    def own_bundle(self) -> ExportedBundle:
        self._edit()
        return self.org.export(self.kyiv)

    def send_back(self) -> SentBack:
        self._edit()
        sent = send_back(self.kyiv, self.org.usb, self.field.vault.device_id)
        assert sent is not None
        return sent

    def to_lviv(self, path: Path) -> ImportedBundle:
        return import_bundle(self.lviv, path, self.lviv.vault_keys.age_identity(), org_id=self.org.org_id)

    def kyiv_row_gaps(self) -> list[tuple[int, int]]:
        [row] = [row for row in devices_view(self.lviv) if row.device_id == self.kyiv.device_id]
        return [(gap.first, gap.last) for gap in row.gaps]


@pytest.fixture
def desks(tmp_path: Path) -> Iterator[Desks]:
    made = Desks(tmp_path)
    yield made
    made.lviv.lock()
    made.org.close()


def test_send_backs_between_bundles_to_coordinators_are_no_gap(desks: Desks) -> None:
    first = desks.own_bundle()
    backs = [desks.send_back(), desks.send_back()]
    second = desks.own_bundle()
    # One sequence: the server's rule (one bundle per device and number, chained).
    assert [first.sequence, *(b.sequence for b in backs), second.sequence] == [1, 2, 3, 4]
    assert desks.to_lviv(first.path).gaps == ()
    imported = desks.to_lviv(second.path)
    assert imported.gaps == ()  # the import says no bundle is missing (it said 2-3 before)
    assert desks.kyiv_row_gaps() == []
    [row] = [row for row in devices_view(desks.lviv) if row.device_id == desks.kyiv.device_id]
    assert "sequence-gap" not in row.warnings and row.missing == 0
    # The worker takes its send-backs as before.
    for back in backs:
        taken = import_bundle(
            desks.field.vault, back.path, desks.field.vault.vault_keys.age_identity(), org_id=desks.org.org_id
        )
        assert not taken.replay and taken.revisions >= 1
    assert {case.id for case in desks.field.vault.cases.list()} >= set(desks.cases[:3])


def test_a_bundle_to_coordinators_that_never_arrived_is_still_a_gap(desks: Desks) -> None:
    first = desks.own_bundle()  # 1
    desks.send_back()  # 2: declared by 3
    desks.own_bundle()  # 3: lost on the way to Lviv (a seized laptop, a lost stick)
    desks.send_back()  # 4: declared by 5
    fifth = desks.own_bundle()  # 5
    desks.to_lviv(first.path)
    imported = desks.to_lviv(fifth.path)
    # Bundle 3's own declaration (number 2) never arrived: 2 and 3 are missing
    # as far as Lviv can tell; 4, declared by 5, is not.
    assert [(g.first, g.last) for g in imported.gaps] == [(2, 3)]
    assert desks.kyiv_row_gaps() == [(2, 3)]


def test_a_missing_bundle_before_the_send_backs_is_a_gap_and_theirs_are_not(desks: Desks) -> None:
    desks.own_bundle()  # 1: never reaches Lviv
    backs = [desks.send_back(), desks.send_back()]  # 2, 3
    last = desks.own_bundle()  # 4: declares 2-3
    assert check_addressed(last.path) == ((backs[0].sequence, backs[1].sequence),)
    assert [(g.first, g.last) for g in desks.to_lviv(last.path).gaps] == [(1, 1)]
    assert desks.kyiv_row_gaps() == [(1, 1)]


def check_addressed(path: Path) -> tuple[tuple[int, int], ...]:
    from sync.bundle import check_bundle

    return check_bundle(path).header.addressed


# -- the header member's form (adversarial) ---------------------------------------------


def _header(**changes: object) -> BundleHeader:
    base = BundleHeader(
        org_id="0190e0a0-0000-7000-8000-000000000000",
        profile_version=1,
        device_id="a" * 32,
        device_key=b"k" * 32,
        sequence=5,
        previous="b" * 64,
        created_ms=1,
        custody_head=None,
        payload_size=1,
        payload_sha256="c" * 64,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def _parsed(value: dict[str, object]) -> BundleHeader:
    return parse_header(canonical(value))


def test_the_addressed_member_reads_back_and_is_absent_when_empty() -> None:
    assert "addressed" not in _header().to_json()
    header = _header(addressed=((1, 2), (4, 4)))
    assert header.to_json()["addressed"] == [[1, 2], [4, 4]]
    assert _parsed(header.to_json()).addressed == ((1, 2), (4, 4))


@pytest.mark.parametrize(
    "runs",
    [
        [],  # present but empty
        [[2, 1]],  # backwards
        [[0, 1]],  # no number 0
        [[4, 5]],  # the bundle's own number
        [[1, 6]],  # beyond it
        [[3, 3], [1, 2]],  # out of order
        [[1, 2], [2, 3]],  # overlapping
        [[1, True]],  # a boolean is no number
        [[1, 2, 3]],
        [1],
        "1-2",
    ],
)
def test_a_malformed_addressed_member_is_header_form(runs: object) -> None:
    value = json.loads(canonical(_header().to_json())) | {"addressed": runs}
    with pytest.raises(BundleRejected) as refused:
        _parsed(value)
    assert refused.value.reason == "header-form"


def test_a_send_back_bundle_cannot_declare_numbers() -> None:
    value = _header(addressee="d" * 32).to_json() | {"addressed": [[1, 2]]}
    with pytest.raises(BundleRejected) as refused:
        _parsed(value)
    assert refused.value.reason == "header-form"
