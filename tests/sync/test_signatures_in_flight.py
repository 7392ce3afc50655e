"""An import checks its revisions' signatures on threads while it checks,
sorts out and writes them (db/revisions.py ``SignaturesInFlight``,
db/sync_import.py ``add_revisions``). What that must never change: a bundle
with one badly signed revision is refused naming it, and nothing of it
stays, not even in memory (the vault's clock); and the refusal is the one
checking each revision in order, signature first, gives. Real vaults,
real bundles, batches large enough to be checked on threads."""

from __future__ import annotations

import base64
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from db import revisions as revisions_module
from db import sync_import
from db.device import DeviceIdentity
from db.entities import ENTITY_TYPES, Case
from db.errors import RevisionRejected
from db.hlc import Timestamp, wall_clock_ms
from db.parked import parked_among
from db.revisions import _SIGNATURE_CHUNK, Revision, create_revision, revisions_from_wire
from db.search_terms import word_terms
from sync.bundle import BundleContents, BundleRejected, write_bundle
from sync.bundle.vault_io import PAGE, import_bundle
from sync.bundle.writer import DeviceIdentity as SigningIdentity
from tests.sync.test_bundle_roundtrip import ORG, Org, counts, make_org

# Past the size below which a batch is checked on the calling thread.
MANY = 2 * _SIGNATURE_CHUNK + 40
# Ahead of the coordinator's clock (within the allowed drift): a revision
# stored moves the clock to it, so the clock tells whether one was taken.
AHEAD_MS = 60 * 60 * 1000


@pytest.fixture
def org(tmp_path: Path) -> Org:
    return make_org(tmp_path)


class SignatureChecks:
    """Counts the chunks of signatures checked on the process's threads
    (the real check, db/revisions.py ``_bad_signatures``, begun and ended)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.begun = self.ended = 0
        self._lock = threading.Lock()
        real = revisions_module._bad_signatures

        def counted(chunk: Any) -> Any:
            with self._lock:
                self.begun += 1
            try:
                return real(chunk)
            finally:
                with self._lock:
                    self.ended += 1

        monkeypatch.setattr(revisions_module, "_bad_signatures", counted)

    def none_left(self) -> bool:
        """No check under way now, and none begins after (a chunk queued
        and not cancelled would start within a moment on the idle threads)."""
        begun = self.begun
        time.sleep(0.3)
        return self.begun == begun == self.ended


@pytest.fixture
def signature_checks(monkeypatch: pytest.MonkeyPatch) -> SignatureChecks:
    return SignatureChecks(monkeypatch)


def _cases(signer: DeviceIdentity, count: int, start_ms: int) -> list[dict[str, str]]:
    return [
        create_revision(
            signer,
            entity_id=str(uuid.uuid4()),
            entity_type="case",
            op="put",
            body=Case(title=f"Case {n}").body(),
            parents=[],
            hlc=Timestamp(start_ms + n, 0),
        ).to_wire()
        for n in range(count)
    ]


def _badly_signed(wire: dict[str, str]) -> dict[str, str]:
    """The same revision with one bit of its signature flipped (still the
    canonical base64 of 64 bytes): only the signature check can refuse it."""
    signature = bytearray(base64.b64decode(wire["signature"]))
    signature[10] ^= 0x01
    return {**wire, "signature": base64.b64encode(bytes(signature)).decode()}


def _bundle(org: Org, revisions: list[dict[str, str]], dest: Path) -> Path:
    worker = org.worker
    contents = BundleContents(
        org_id=ORG,
        profile_version=1,
        sequence=1,
        previous=None,
        custody_head=None,
        revisions=revisions,
    )
    return write_bundle(
        dest, contents, SigningIdentity(worker.sync.signing_key(), worker.device_id), [org.recipient]
    ).path


def _refused(org: Org, path: Path) -> str:
    coordinator = org.coordinator
    clock = coordinator.services.context.clock
    before, last = counts(coordinator), clock.last
    with pytest.raises(BundleRejected) as error:
        org.import_(path)
    assert counts(coordinator) == before, "a refused bundle left rows"
    assert clock.last == last, "a refused bundle moved the vault's clock"
    return error.value.reason


def _worker_key(org: Org) -> DeviceIdentity:
    return org.worker.services.context.identity


@pytest.mark.parametrize("at", [0, MANY // 2, MANY - 1])
def test_one_badly_signed_revision_of_an_enrolled_device_refuses_the_bundle(
    org: Org, tmp_path: Path, at: int
) -> None:
    revisions = _cases(_worker_key(org), MANY, wall_clock_ms() + AHEAD_MS)
    revisions[at] = _badly_signed(revisions[at])
    path = _bundle(org, revisions, tmp_path / "bad.fvbundle")
    assert _refused(org, path) == f"revision:{revisions[at]['id']}"


def test_the_same_bundle_signed_well_is_stored_and_moves_the_clock(org: Org, tmp_path: Path) -> None:
    """The scene above without the flipped bit: what the refusals are held
    against (the clock moves, the rows arrive)."""
    coordinator = org.coordinator
    start = wall_clock_ms() + AHEAD_MS
    revisions = _cases(_worker_key(org), MANY, start)
    last = coordinator.services.context.clock.last
    assert org.import_(_bundle(org, revisions, tmp_path / "good.fvbundle")).revisions == MANY
    assert coordinator.services.context.clock.last > last
    assert coordinator.services.context.clock.last.ms >= start + MANY - 1


def test_a_bad_signature_before_an_outsider_s_revision_is_what_is_named(org: Org, tmp_path: Path) -> None:
    start = wall_clock_ms() + AHEAD_MS
    revisions = _cases(_worker_key(org), MANY, start)
    revisions[40] = _badly_signed(revisions[40])
    revisions[70] = _cases(DeviceIdentity.generate(), 1, start + 70)[0]
    path = _bundle(org, revisions, tmp_path / "both.fvbundle")
    assert _refused(org, path) == f"revision:{revisions[40]['id']}"


def test_an_outsider_s_revision_before_a_bad_signature_is_what_is_named(org: Org, tmp_path: Path) -> None:
    start = wall_clock_ms() + AHEAD_MS
    revisions = _cases(_worker_key(org), MANY, start)
    revisions[30] = _cases(DeviceIdentity.generate(), 1, start + 30)[0]
    revisions[70] = _badly_signed(revisions[70])
    path = _bundle(org, revisions, tmp_path / "both.fvbundle")
    assert _refused(org, path) == f"signer:{revisions[30]['id']}"


def test_a_badly_signed_outsider_s_revision_is_refused_for_its_signature(org: Org, tmp_path: Path) -> None:
    """One revision failing both: its signature is checked first, as one
    revision_from_wire at a time checks it."""
    start = wall_clock_ms() + AHEAD_MS
    revisions = _cases(_worker_key(org), MANY, start)
    revisions[50] = _badly_signed(_cases(DeviceIdentity.generate(), 1, start + 50)[0])
    path = _bundle(org, revisions, tmp_path / "outsider.fvbundle")
    assert _refused(org, path) == f"revision:{revisions[50]['id']}"


def test_revisions_from_wire_gives_each_revision_s_first_failed_check() -> None:
    """The whole batch's outcomes as one call at a time gives them, on the
    threaded path: the bad signatures, wherever they are, and only they."""
    signer = DeviceIdentity.generate()
    wires = _cases(signer, MANY, 1_700_000_000_000)
    bad_at = {0, _SIGNATURE_CHUNK - 1, _SIGNATURE_CHUNK, MANY - 1}
    for at in bad_at:
        wires[at] = _badly_signed(wires[at])
    wires[5] = {**wires[5], "signed": "not base64!"}
    outcomes = revisions_from_wire(wires, ENTITY_TYPES)
    assert len(outcomes) == MANY
    reasons = {n: o.reason for n, o in enumerate(outcomes) if isinstance(o, RevisionRejected)}
    assert reasons == {5: "malformed wire encoding", **dict.fromkeys(bad_at, "bad signature")}
    assert [o.revision_id for o in outcomes if isinstance(o, Revision)] == [
        w["id"] for n, w in enumerate(wires) if n not in reasons
    ]


# Review 26: the clock, the word cache and an interrupt (tests adapted from
# its reproductions).


def test_a_bad_signature_in_a_later_page_leaves_the_clock_as_it_was(org: Org, tmp_path: Path) -> None:
    """A bundle of more than PAGE revisions is applied a page at a time: the
    first page's signatures hold and its rows move the clock; the bad one in
    the second page refuses the bundle, and the clock goes back (F1)."""
    revisions = _cases(_worker_key(org), PAGE + 80, wall_clock_ms() + AHEAD_MS)
    at = PAGE + 40
    revisions[at] = _badly_signed(revisions[at])
    assert _refused(org, _bundle(org, revisions, tmp_path / "two-pages.fvbundle")) == (
        f"revision:{revisions[at]['id']}"
    )


def test_a_bad_custody_event_signature_leaves_the_clock_as_it_was(org: Org, tmp_path: Path) -> None:
    worker = org.worker
    events = [event.to_wire() for event in worker.sync.custody_since(0, 1000)]
    assert events, "the worker has custody events"
    signature = bytearray(base64.b64decode(events[0]["signature"]))
    signature[10] ^= 0x01
    events[0] = {**events[0], "signature": base64.b64encode(bytes(signature)).decode()}
    contents = BundleContents(
        org_id=ORG,
        profile_version=1,
        sequence=1,
        previous=None,
        custody_head=events[-1]["hash"],
        revisions=_cases(_worker_key(org), MANY, wall_clock_ms() + AHEAD_MS),
        custody=events,
    )
    signing = SigningIdentity(worker.sync.signing_key(), worker.device_id)
    path = write_bundle(tmp_path / "custody.fvbundle", contents, signing, [org.recipient]).path
    assert _refused(org, path) == f"custody:{events[0]['hash']}"


def test_a_dry_run_leaves_the_clock_as_it_was(org: Org, tmp_path: Path) -> None:
    coordinator = org.coordinator
    clock = coordinator.services.context.clock
    path = _bundle(
        org, _cases(_worker_key(org), MANY, wall_clock_ms() + AHEAD_MS), tmp_path / "good.fvbundle"
    )
    before, last = counts(coordinator), clock.last
    import_bundle(coordinator, path, org.identity, org_id=ORG, dry_run=True)
    assert counts(coordinator) == before
    assert clock.last == last


def test_a_badly_signed_revision_s_words_do_not_stay_in_the_word_cache(org: Org, tmp_path: Path) -> None:
    """The search index is written before the signatures' verdict: the
    process-wide word cache must not keep the words of a body nobody
    signed once the bundle is refused (F2)."""
    word = "zqxforged" + uuid.uuid4().hex[:8].translate(str.maketrans("0123456789", "ghijklmnop"))
    start = wall_clock_ms() + AHEAD_MS
    revisions = _cases(_worker_key(org), MANY, start)
    forged = create_revision(
        _worker_key(org),
        entity_id=str(uuid.uuid4()),
        entity_type="case",
        op="put",
        body=Case(title=f"Witness {word} statement").body(),
        parents=[],
        hlc=Timestamp(start + 50, 0),
    ).to_wire()
    revisions[50] = _badly_signed(forged)
    assert _refused(org, _bundle(org, revisions, tmp_path / "forged.fvbundle")) == f"revision:{forged['id']}"
    hits = word_terms.cache_info().hits
    word_terms(word)
    assert word_terms.cache_info().hits == hits, "the forged revision's word stayed in the word cache"


def test_an_interrupt_while_a_bad_signature_is_checked_stays_an_interrupt(
    org: Org, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, signature_checks: SignatureChecks
) -> None:
    """A KeyboardInterrupt that lands after the loop (standing for a signal:
    the first read after it raises) is not turned into the bundle's refusal (F3)."""

    def interrupted(*args: object, **kwargs: object) -> object:
        monkeypatch.setattr(sync_import, "parked_among", parked_among)
        raise KeyboardInterrupt

    monkeypatch.setattr(sync_import, "parked_among", interrupted)
    revisions = _cases(_worker_key(org), MANY, wall_clock_ms() + AHEAD_MS)
    revisions[60] = _badly_signed(revisions[60])
    with pytest.raises(KeyboardInterrupt):
        org.import_(_bundle(org, revisions, tmp_path / "interrupted.fvbundle"))
    # (Its chunks may all be cancelled before a thread takes one: none need have begun.)
    assert signature_checks.none_left(), "a signature check ran on after the import returned"


def test_no_signature_check_outlives_a_refusal_and_the_next_bundle_is_taken(
    org: Org, tmp_path: Path, signature_checks: SignatureChecks
) -> None:
    start = wall_clock_ms() + AHEAD_MS
    revisions = _cases(_worker_key(org), MANY, start)
    revisions[3] = _badly_signed(revisions[3])
    assert (
        _refused(org, _bundle(org, revisions, tmp_path / "bad.fvbundle")) == f"revision:{revisions[3]['id']}"
    )
    assert signature_checks.begun > 0, "the batch was not checked on the signature threads"
    assert signature_checks.none_left(), "a signature check ran on after the import returned"
    good = _cases(_worker_key(org), MANY, start)
    assert org.import_(_bundle(org, good, tmp_path / "good.fvbundle")).revisions == MANY
    assert org.coordinator.verify().ok
