"""`kill -9` of the client in the middle of an upload and of a download
(issue 13): the next run resumes where the killed one stopped — the upload
from the server's offset (its address was kept in the vault before the
first byte), the download from the part file in the spool — and the
bundle arrives whole, once."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from db.api import SYNC_SPOOL_DIR, SyncClientState, Vault
from sync.client.pull import pull
from sync.client.push import push
from tests.cli_helpers import REPO
from tests.sync.client.sync_helpers import CuttingProxy, Org, organisation, quick_backoff, record_work
from tests.vault_helpers import PASSPHRASE

CHILD = """
import sys
from pathlib import Path
from db.api import NoKeyring, Vault
from sync.client.{module} import {module}
from sync.client.retry import Backoff
vault = Vault.open(Path(sys.argv[1]), sys.argv[2], keyring=NoKeyring())
{module}(vault, backoff=Backoff(attempts=1), **{extra})
"""


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Org]:
    with organisation(tmp_path) as made:
        yield made


def _run_then_kill(module: str, folder: Path, started: Callable[[], bool], extra: str = "{}") -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD.format(module=module, extra=extra), str(folder), PASSPHRASE],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    try:
        while not started():
            assert child.poll() is None, child.stderr.read() if child.stderr else b""
            assert time.monotonic() < deadline, "the child never got going"
            time.sleep(0.05)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
        if child.stderr:
            child.stderr.close()


def _bundle_size(worker: Vault, bundle_id: str) -> int:
    delivery = SyncClientState.of(worker).delivery(bundle_id)
    assert delivery is not None and delivery.receipt is not None
    entry = base64.b64decode(json.loads(delivery.receipt)["entry"])
    return int(json.loads(entry)["size"])


def _staged_bytes(org: Org) -> int:
    staged = org.data / "payloads" / "staged"
    return sum(p.stat().st_size for p in staged.iterdir()) if staged.is_dir() else 0


def _connections(org: Org) -> set[object]:
    """The server's open connections, by uvicorn's own record (read from
    this thread while the server's loop may change it: copied again then)."""
    while True:
        try:
            return set(org.server.server.server_state.connections)
        except RuntimeError:  # the set changed size while it was copied
            continue


def _staged_bytes_once_the_child_is_done(org: Org, before: set[object]) -> int:
    """The staged bytes once the server has finished with what the killed
    child sent: every connection it made (through the proxy, which relays
    what it still holds, then closes) closed at the server, and no request
    still being handled (the last chunk may still be stored after the kill,
    which the resumed push then skips). A second's quiet, the rule before,
    is no proof of that on a loaded machine."""
    deadline = time.monotonic() + 60
    while _connections(org) - before or org.server.server.server_state.tasks:
        assert time.monotonic() < deadline, "the server kept handling the killed child's requests"
        time.sleep(0.05)
    return _staged_bytes(org)


def test_a_push_killed_mid_upload_resumes_at_the_servers_offset(org: Org, tmp_path: Path) -> None:
    worker = org.worker("anna")
    record_work(worker, tmp_path, "anna", size=6 * 1024 * 1024)
    slow = CuttingProxy(org.port, every=1 << 40, cuts=0, pace=0.02)
    before = _connections(org)  # the child's come through the proxy after these
    try:
        org.point_at(slow.url, org.server.cert_sha256)
        _run_then_kill(
            "push", worker.folder, lambda: _staged_bytes(org) > 1024 * 1024, "{'chunk': 128 * 1024}"
        )
    finally:
        slow.close()
    org.point_at(org.server.url, org.server.cert_sha256)
    kept = [d for d in SyncClientState.of(worker).deliveries() if d.upload_url is not None]
    assert len(kept) == 1 and not kept[0].delivered  # the killed run's upload, remembered
    already = _staged_bytes_once_the_child_is_done(org, before)
    pushed = push(worker, backoff=quick_backoff())
    assert pushed.made is None and pushed.sent == [kept[0].bundle_id]  # the same bundle, not a new one
    # Resumed at the server's offset: what it had was not sent again.
    assert pushed.bytes_sent == _bundle_size(worker, kept[0].bundle_id) - already
    pulled = pull(org.coordinator, backoff=quick_backoff())
    assert [r.bundle_id for r in pulled.received] == [kept[0].bundle_id]


def test_a_pull_killed_mid_download_resumes_from_the_part_file(org: Org, tmp_path: Path) -> None:
    worker = org.worker("anna")
    work = record_work(worker, tmp_path, "anna", size=6 * 1024 * 1024)
    bundle_id = push(worker, backoff=quick_backoff()).sent[0]
    spool = org.coordinator.folder / SYNC_SPOOL_DIR
    part = spool / f"{bundle_id}.fvbundle.part"
    slow = CuttingProxy(org.port, every=1 << 40, cuts=0, pace=0.02)
    try:
        org.point_at(slow.url, org.server.cert_sha256)
        _run_then_kill(
            "pull", org.coordinator.folder, lambda: part.is_file() and part.stat().st_size > 1024 * 1024
        )
    finally:
        slow.close()
    org.point_at(org.server.url, org.server.cert_sha256)
    had = part.stat().st_size
    assert had > 1024 * 1024 and org.coordinator.testimonies.list() == []  # nothing imported yet
    pulled = pull(org.coordinator, backoff=quick_backoff())
    assert [r.bundle_id for r in pulled.received] == [bundle_id]
    assert pulled.bytes_received == _bundle_size(worker, bundle_id) - had  # only what was missing
    assert work.narrative in {t.narrative for t in org.coordinator.testimonies.list()}
    assert not part.exists()
