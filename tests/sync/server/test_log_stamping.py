"""The head of a real server's receipt log time-stamped by a local TSA
(`openssl ts -reply`, tests/tsa_helpers.py), on demand and periodically:
the token verifies with `openssl ts -verify` over the checkpoint kept
beside it, and the checkpoint's head is the hash of the last receipt a
coordinator reads from the server's log."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from sync.server.keys import ServerFiles, load_receipt_key
from sync.server.log_stamping import LogStamper, TsaConfig
from sync.server.receipts import check_log
from sync.server.storage import Metadata, open_engine
from sync.server.timestamping import LogCheckpoint, TimestampError, verify_timestamp
from tests.sync.bundle_samples import ORG_ID, device_from_seed, write_sample
from tests.sync.server.server_helpers import Org, RunningServer, make_org, running_server
from tests.tsa_helpers import openssl_verify, running_tsa


def _upload(server: RunningServer, org: Org, folder: Path, seed: bytes) -> None:
    device = device_from_seed(seed)
    path = folder / f"{seed.hex()}.fvbundle"
    write_sample(path, org.recipients, seed=seed)
    with server.client() as client:
        client.enrol(org.token(), device.private_key)
        client.login(device.private_key, device.device_id)
        client.upload(path)


def _head_as_coordinator_sees_it(server: RunningServer, org: Org) -> str:
    with server.client() as coordinator:
        coordinator.login(org.coordinator_key, org.coordinator_id)
        return check_log(coordinator.receipts(), coordinator.server_key or b"")


def test_the_log_head_is_stamped_on_demand_and_periodically(tmp_path: Path) -> None:
    org = make_org(org_id=ORG_ID)
    with (
        running_tsa(tmp_path / "tsa") as tsa,
        running_server(tmp_path / "server", org.profile.fingerprint, profile=org.signed.signed) as server,
    ):
        metadata = Metadata(open_engine(f"sqlite:///{server.data / 'server.db'}"))
        server_key = load_receipt_key(ServerFiles(server.data)).public_key().public_bytes_raw()
        config = TsaConfig.from_files(tsa.url, tsa.ca_pem)
        stamper = LogStamper(metadata, server_key, config, server.data / "timestamps")
        assert stamper.stamp_now() is None  # an empty log: nothing to stamp

        _upload(server, org, tmp_path, b"first device")
        stamp = stamper.stamp_now()
        assert stamp is not None
        assert stamp.checkpoint == LogCheckpoint(
            server_key.hex(), 1, _head_as_coordinator_sees_it(server, org)
        )
        assert stamper.stamp_now() is None  # the head has a token already
        assert tsa.requests_seen == 1
        token, checkpoint = sorted((server.data / "timestamps").iterdir())[:2][::-1]
        assert (token.suffix, checkpoint.suffix) == (".tsr", ".checkpoint")
        court = openssl_verify(tsa, token, checkpoint)
        assert "Verification: OK" in court.stdout, court.stderr
        assert verify_timestamp(token.read_bytes(), stamp.checkpoint, config.roots) == stamp.gen_time

        stamper.start(interval=0.05)
        try:
            _upload(server, org, tmp_path, b"second device")
            deadline = time.monotonic() + 20
            while 2 not in stamper.stamped_sizes():
                assert time.monotonic() < deadline, "the periodic stamp did not come"
                time.sleep(0.05)
        finally:
            stamper.stop()
        head = _head_as_coordinator_sees_it(server, org)
        second = next((server.data / "timestamps").glob("000000000002-*.checkpoint"))
        assert LogCheckpoint.from_bytes(second.read_bytes()) == LogCheckpoint(server_key.hex(), 2, head)
        assert "Verification: OK" in openssl_verify(tsa, second.with_suffix(".tsr"), second).stdout
        metadata.engine.dispose()


def test_a_tsa_that_is_down_leaves_no_token_and_is_tried_again(tmp_path: Path) -> None:
    org = make_org(org_id=ORG_ID)
    with (
        running_tsa(tmp_path / "tsa") as tsa,
        running_server(tmp_path / "server", org.profile.fingerprint, profile=org.signed.signed) as server,
    ):
        _upload(server, org, tmp_path, b"first device")
        metadata = Metadata(open_engine(f"sqlite:///{server.data / 'server.db'}"))
        server_key = load_receipt_key(ServerFiles(server.data)).public_key().public_bytes_raw()
        roots = TsaConfig.from_files(tsa.url, tsa.ca_pem).roots
        down = LogStamper(metadata, server_key, TsaConfig("http://127.0.0.1:9/tsa", roots), tmp_path / "ts")
        with pytest.raises(TimestampError):
            down.stamp_now()
        assert down.stamped_sizes() == set()
        up = LogStamper(metadata, server_key, TsaConfig(tsa.url, roots), tmp_path / "ts")
        assert up.stamp_now() is not None
        assert up.stamped_sizes() == {1}
        metadata.engine.dispose()
