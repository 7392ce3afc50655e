"""The desktop's sync worker tells of a held bundle whose release failed
here (review 31 F1). A pull's release failure (sync/bundle/quarantine.py
RELEASE_FAILED: HeldRevisionDamaged, which says this vault may be damaged)
ends the pull well and is reported in PullResult.release_failed; the worker
dropped it, so the window said "Synced at ..." and nothing else for three
pulls, after which the bundle was passed over without anyone in the GUI
being told. Its status now carries each such bundle with the error's code
and params (what the GUI makes its message from) and the failures in a row.

Same scene as tests/sync/test_release_failures.py's pull test (real vaults,
a real server on loopback; ``import_bundle`` as the quarantine module calls
it raises HeldRevisionDamaged for the one bundle), through the worker the
desktop runs (run_once, on the test's thread)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from db.api import Vault
from sync import org_vault
from sync.bundle.quarantine import RELEASE_TRIES, release_failures
from sync.bundle.vault_io import export_bundle, import_bundle
from sync.client.pull import pull
from sync.client.push import push
from sync.client.retry import Backoff
from sync.client.worker import IDLE, SyncWorker
from tests.sync.client.sync_helpers import Org, organisation, quick_backoff, record_work
from tests.sync.test_release_failures import DAMAGED_ASIDE, FailingImport


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Org]:
    with organisation(tmp_path) as made:
        yield made


def held_then_vouched(org: Org, tmp_path: Path) -> tuple[Vault, str]:
    """Anna's bundle held by a pull at the Lviv desk (her device not known
    there), then Kyiv's bundle vouching for her taken at Lviv by USB: the
    next pull releases it from the spool. (Lviv's vault, the bundle's id)"""
    lviv = org.second_desk()
    anna = org.worker("anna")
    record_work(anna, tmp_path, "anna")
    made = push(anna, backoff=quick_backoff()).made
    assert made is not None
    assert pull(lviv, backoff=quick_backoff()).held == [made.bundle_id]
    pull(org.coordinator, backoff=quick_backoff())
    profile = org_vault.held_profile(org.coordinator)
    assert profile is not None
    usb = tmp_path / "usb"
    usb.mkdir()
    kyiv = export_bundle(
        org.coordinator, usb, [c.age_recipient for c in profile.coordinators], profile.org_id, profile.version
    )
    assert (
        anna.device_id
        in import_bundle(lviv, kyiv.path, lviv.vault_keys.age_identity(), org_id=profile.org_id).vouched
    )
    return lviv, made.bundle_id


def test_the_workers_status_names_a_held_bundle_whose_release_failed_at_each_pull(
    org: Org, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lviv, bundle_id = held_then_vouched(org, tmp_path)
    failing = FailingImport(monkeypatch, bundle_id)  # HeldRevisionDamaged: this vault's state
    worker = SyncWorker(lviv, interval=3600, retry=Backoff(base=0.05, cap=0.2))

    for count in range(1, RELEASE_TRIES + 2):  # the last one passed over: not tried, still told
        status = worker.run_once()
        assert status.state == IDLE and status.last_error is None  # the pull itself went well
        assert [bundle for bundle, _failure in status.release_failed] == [bundle_id], (
            f"pull {count}: the window is told nothing of the held bundle whose release failed"
        )
        [(_bundle, failure)] = status.release_failed
        assert (failure.code, failure.count) == ("held-revision-damaged", min(count, RELEASE_TRIES))
        # What the GUI makes the error's message from: the ids it names.
        assert dict(failure.params) == {"bundle_id": bundle_id, "revision_id": DAMAGED_ASIDE}
        assert failure.passed_over == (count >= RELEASE_TRIES)
    assert failing.tries == RELEASE_TRIES
    assert release_failures(lviv)[bundle_id].passed_over

    # The cause gone and the bundle tried again (a person's retry): the next
    # round imports it, and the status no longer names it.
    failing.failing = None
    from sync.bundle.quarantine import retry_release

    retry_release(lviv, bundle_id)
    status = worker.run_once()
    assert status.release_failed == () and status.last_error is None
    assert status.received == 1
