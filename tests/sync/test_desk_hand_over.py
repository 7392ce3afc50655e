"""A coordinator desk added after a field worker's bundles were acknowledged
(issue 14; docs/sync.md §2.3, "A desk added later"): Kyiv, alone, pulls
the worker's bundles 1..3 through the server and acknowledges them; then
Kyiv adds Lviv (``org add-coordinator``), the worker takes the new profile
and makes bundle 4, encrypted to both desks.

What Lviv gets today (found with this test, session 10): the worker's
bundles 1..3 are ``bundle-not-a-recipient`` (encrypted to Kyiv alone), and
bundle 4 is refused as ``bundle-custody``: its custody events start after
what Kyiv acknowledged, and Lviv holds none of that chain
(db/custody.py ``extend_received_chain``). Kyiv's own bundle to the
coordinators leaves out what it pulled (held by the organisation, sync.md
§2.3), so Lviv holds nothing of the worker's records, and every later
bundle of the worker is refused the same way, for good.

What a user expects: the desk added later holds what the organisation
holds and takes the worker's next bundle. That needs the history hand-over
(docs/sync.md §2.3, docs/bundle-format.md §10: designed, not built yet),
so the test is marked xfail until it lands. Real vaults, a real server on
loopback."""

from __future__ import annotations

from pathlib import Path

import pytest

from sync import org_vault
from sync.client.pull import pull
from tests.sync.client.sync_helpers import organisation, quick_backoff, record_work
from tests.sync.desk_world import add_desk, desk_sync, know_worker, narratives, worker_push


@pytest.mark.xfail(
    strict=True,
    reason="history hand-over not built yet: the worker's bundle 4 is refused at Lviv as bundle-custody",
)
def test_a_desk_added_after_acknowledged_bundles_takes_the_workers_next_bundle(tmp_path: Path) -> None:
    with organisation(tmp_path) as org:
        kyiv = org.coordinator
        worker = org.worker("field")
        earlier = []
        for name in ("first", "second", "third"):
            earlier.append(record_work(worker, tmp_path, name, size=3_000))
            assert worker_push(worker).sent
            desk_sync(kyiv)  # Kyiv alone: pulls it (and acknowledges it through the server)
        taken = worker_push(worker)  # the worker takes Kyiv's acknowledgements
        assert taken.made is None and taken.acknowledged
        held = kyiv.sync.device(worker.device_id)
        assert held is not None and held.last_sequence == 3

        lviv = add_desk(kyiv, tmp_path / "lviv", label="Lviv", publish=True)
        try:
            know_worker(lviv, worker)
            desk_sync(kyiv)  # Kyiv's own work to the coordinators (what it pulled stays out)
            org_vault.update_profile(worker, org_vault.current_signed(kyiv).signed)
            fourth = record_work(worker, tmp_path, "fourth", size=3_000)
            made = worker_push(worker).made
            assert made is not None and made.sequence == 4

            pulled = pull(lviv, proxy=False, backoff=quick_backoff())
            # Today: [(bundle 4, "bundle-custody")] beside bundles 1..3's
            # "bundle-not-a-recipient", and Lviv holds none of the worker's work.
            refused = dict(pulled.refused)
            assert made.bundle_id not in refused, refused[made.bundle_id]
            assert made.bundle_id in {r.bundle_id for r in pulled.received}
            expected = {w.narrative for w in (*earlier, fourth)}
            assert expected <= narratives(lviv)
            at_lviv = lviv.sync.device(worker.device_id)
            assert at_lviv is not None and (at_lviv.last_sequence, at_lviv.last_bundle_id) == (
                4,
                made.bundle_id,
            )
            report = lviv.verify()
            assert report.ok, report.problems
        finally:
            lviv.lock()
