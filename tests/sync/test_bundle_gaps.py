"""A late bundle filling a gap (issue 11, docs/bundle-format.md §8 step 6):
bundle N arriving after N+1 must be the bundle N+1 names as ``previous``
(else ``fork``) and must name bundle N−1 if that was imported (else
``chain``); nothing of a refused one is applied."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.bundle import BundleContents, BundleRejected, DeviceIdentity, write_bundle
from sync.bundle.vault_io import ExportedBundle
from tests.factory import make_case
from tests.sync.trust_fixtures import Organisation, make_organisation


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Organisation]:
    made = make_organisation(tmp_path)
    yield made
    made.close()


def three_bundles(org: Organisation) -> tuple[list[ExportedBundle], DeviceIdentity]:
    work = org.worker("field", token=org.token())
    made = [org.export(work.vault)]
    for _ in range(2):
        make_case(work.vault)
        made.append(org.export(work.vault))
    return made, DeviceIdentity(work.vault.sync.signing_key(), work.vault.device_id)


def other_bundle_two(org: Organisation, device: DeviceIdentity, previous: str, dest: Path) -> Path:
    """A second bundle 2 signed by the device itself (a fork: a copied or
    restored vault, or a stolen key), carrying nothing."""
    return write_bundle(
        dest,
        BundleContents(
            org_id=org.org_id, profile_version=1, sequence=2, previous=previous, custody_head=None
        ),
        device,
        [org.coordinator.vault_keys.age_recipient()],
    ).path


def test_a_late_bundle_is_checked_against_the_previous_of_its_successor(
    org: Organisation, tmp_path: Path
) -> None:
    (first, second, third), device = three_bundles(org)
    org.import_(first.path)
    gap = org.import_(third.path)
    assert [(g.first, g.last) for g in gap.gaps] == [(2, 2)]

    # Another bundle 2 by the same key, chained to bundle 1: bundle 3 names another.
    forked = other_bundle_two(org, device, first.bundle_id, tmp_path / "fork.fvbundle")
    received = org.coordinator.sync.received_bundle(third.bundle_id)
    assert received is not None and received.previous == second.bundle_id
    with pytest.raises(BundleRejected) as refused:
        org.import_(forked)
    assert refused.value.reason == "fork"
    # One that does not even follow bundle 1.
    unchained = other_bundle_two(org, device, "a" * 64, tmp_path / "unchained.fvbundle")
    with pytest.raises(BundleRejected) as refused:
        org.import_(unchained)
    assert refused.value.reason == "chain"
    assert org.coordinator.sync.received_bundle(second.bundle_id) is None

    # The genuine bundle 2 fills the gap.
    filled = org.import_(second.path)
    assert not filled.replay and filled.gaps == ()
    assert org.coordinator.sync.received_bundle(second.bundle_id) is not None
    with pytest.raises(BundleRejected) as refused:
        org.import_(forked)
    assert refused.value.reason == "fork"
    assert org.coordinator.verify().ok


def test_the_fork_is_found_whichever_bundle_two_comes_first(org: Organisation, tmp_path: Path) -> None:
    (first, second, third), device = three_bundles(org)
    forked = other_bundle_two(org, device, first.bundle_id, tmp_path / "fork.fvbundle")
    org.import_(first.path)
    org.import_(forked)  # nothing to compare it with yet: it fills the gap
    # Bundle 3 does not follow the bundle 2 held: refused as before (chain).
    with pytest.raises(BundleRejected) as refused:
        org.import_(third.path)
    assert refused.value.reason == "chain"
    with pytest.raises(BundleRejected) as refused:
        org.import_(second.path)
    assert refused.value.reason == "fork"
