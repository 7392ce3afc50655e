"""A pull's import stops on cancel (review 30 F6): the app's sync worker
passes its stop to pull, so a stop no longer waits for a bundle's whole
import, nor for ever on a decrypting helper process that gives nothing.
Nothing of the bundle is applied, it is not acknowledged, and the next
pull imports it.

Real vaults, a real server on loopback; the decrypting child is the real
one, stopped with SIGSTOP as a stalled process would be."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from db.api import CancelToken
from sync.bundle import reader
from sync.bundle.vault_io import BundleCancelled
from sync.client.pull import pull
from sync.client.push import push
from tests.sync.child_processes import NewChildren, gone, ran_within, wait_for, workers
from tests.sync.client.sync_helpers import Org, organisation, quick_backoff, record_work


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Org]:
    with organisation(tmp_path) as made:
        yield made


class _Stop(CancelToken):
    def __init__(self) -> None:
        super().__init__()
        self.event = threading.Event()

    @property
    def cancelled(self) -> bool:
        return self.event.is_set()


def test_a_stop_ends_a_pull_whose_decrypting_child_stalled(
    org: Org, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader, "CHILD_FROM_BYTES", 0)  # this small bundle too is decrypted in a child
    anna = org.worker("anna")
    record_work(anna, tmp_path, "anna", size=4 << 20)
    made = push(anna, backoff=quick_backoff()).made
    assert made is not None
    children = NewChildren()
    stopped: list[int] = []
    stop = _Stop()

    def halt_the_child_then_stop(_bundle: str, done: int, total: int) -> None:
        if done and not stopped:  # the download is done: the import's child will start

            def later() -> None:
                assert wait_for(lambda: bool(workers(children())), 30)
                stopped.extend(workers(children()))
                for pid in stopped:
                    os.kill(pid, signal.SIGSTOP)
                time.sleep(0.5)
                stop.event.set()

            threading.Thread(target=later, daemon=True).start()

    done, outcome = ran_within(
        60,
        lambda: pull(
            org.coordinator, backoff=quick_backoff(), progress=halt_the_child_then_stop, cancel=stop
        ),
        lambda: stopped,
    )
    assert done, "the stop waited for the stalled child"
    assert stopped, "no decrypting child was seen"
    assert len(outcome) == 1 and isinstance(outcome[0], BundleCancelled), outcome
    assert wait_for(lambda: all(gone(pid) for pid in stopped))
    assert org.coordinator.sync.received_bundle(made.bundle_id) is None  # nothing applied

    again = pull(org.coordinator, backoff=quick_backoff())
    assert [r.bundle_id for r in again.received] == [made.bundle_id]
