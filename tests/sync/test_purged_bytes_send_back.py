"""A coordinator's send-back carrying bytes equal to a file the field worker
delivered and purged (review 6, F1; docs/sync.md, "Purge after delivery").

The first worker took in the very photo the third worker took in, delivered
it and purged it. Under ``send_to_workers: all`` the coordinator's bundle
to the first worker carries the third worker's item with those bytes. They
are stored anew for that item: it opens, and ``verify`` passes. Before the
fix they were thrown away and the item attached to the purged blob: "not
on this laptop", and ``verify`` reported its file missing."""

from __future__ import annotations

import hashlib

from db.api import DeliveredBundle, EvidencePurge
from sync import org_vault
from sync.bundle.send_back import send_back
from tests.factory import make_case
from tests.sync.test_send_back import THIRD_PHOTO, Scene, saved_scene, scene  # noqa: F401 - the fixtures

SHA256 = hashlib.sha256(THIRD_PHOTO).hexdigest()


def test_a_send_back_stores_bytes_equal_to_a_purged_file_for_its_own_item(scene: Scene) -> None:  # noqa: F811
    first = scene.first
    photo = scene.conflict.org.tmp_path / "same-photo.jpg"
    photo.write_bytes(THIRD_PHOTO)
    own = first.evidence.ingest(photo, make_case(first).id).item
    first.sync.record_transfers([(own.id, SHA256)], bundle_id="bundle-1")
    purged = EvidencePurge.of(first).purge([DeliveredBundle("bundle-1", 7, "ab" * 32, (SHA256,))])
    assert purged.evidence_ids == [own.id]

    org_vault.set_policy(scene.coordinator, send_to_workers="all")
    sent = send_back(scene.coordinator, scene.usb, first.device_id)
    assert sent is not None and sent.blobs == 1  # the third worker's photo
    scene.take(first, sent.path)

    (theirs,) = [item for item in first.evidence.list() if item.sha256 == SHA256 and item.id != own.id]
    purge = EvidencePurge.of(first)
    assert purge.purged(theirs.id) is None
    with first.evidence.open(theirs.id) as reader:
        assert reader.read() == THIRD_PHOTO
    assert purge.purged(own.id) is not None  # the first worker's own item stays purged
    assert [e.action for e in first.evidence.custody(own.id)] == ["intake", "transfer", "purge"]
    report = first.verify()
    assert report.ok, report.problems
