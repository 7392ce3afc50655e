"""The background sync worker (docs/sync.md, "The background worker"): a
plain Python thread, not a QObject, that the desktop app observes. It
pushes (a field worker, then takes its inbox) or pulls (a coordinator, then
uploads what is due back to the field workers, sync/client/inbox.py, and
its own work to the other coordinators) now and then, notices a
connection by trying — after a failure it tries again with backoff and
jitter, after a success at the regular interval — and can be told to sync
now, to pause and to resume.

What the GUI reads (``status``, or each change through ``on_change``, called
on the worker's thread): the state, the last success, what is queued, the
progress of the current upload with its speed and time left, and the last
error as a coded FieldvaultError, mostly SyncFailed (the GUI translates it
from its code).

It yields to the user's saves: push and pull write to the vault only in
short transactions (a bundle is written to a file outside any transaction,
the upload holds none), so a save waits at most for one of those."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from db.api import CancelToken, FieldvaultError, Vault, parked_revision_count
from sync.bundle.carried_receipts import ReceiptAlarm, alarms
from sync.client import errors
from sync.client.retry import Backoff

if TYPE_CHECKING:
    from sync.bundle.quarantine import ReleaseFailure
    from sync.bundle.vault_io import HandOverFindings
    from sync.client.hand_over_sync import UntakenHandOver
    from sync.client.inbox import Untaken
    from sync.client.pull import StuckBundle

IDLE, SYNCING, WAITING, PAUSED, STOPPED = "idle", "syncing", "waiting", "paused", "stopped"
# Paused while a try is under way: that try goes on to its end (docs/sync.md,
# "The background worker", Controls), then the state is PAUSED.
PAUSING = "pausing"
# What resume() asks for: SYNCING while a try is under way, else IDLE.
_RESUMED = "resumed"
SPEED_WINDOW = 10.0  # seconds of progress the speed is measured over


@dataclass(frozen=True)
class Progress:
    done: int  # bytes of this run's queue delivered (or downloaded)
    total: int
    bytes_per_second: float | None  # None until measurable
    seconds_left: float | None


@dataclass(frozen=True)
class SyncStatus:
    # IDLE, SYNCING, WAITING (after a failure, until the next try), PAUSING
    # (paused while a try is under way, until it ends), PAUSED, STOPPED
    state: str
    role: str  # "worker" (push) or "coordinator" (pull)
    last_success_ms: int | None = None  # wall clock, ms since 1970
    queued: int = 0  # bundles waiting to be delivered (a worker's)
    progress: Progress | None = None  # while an upload or download runs
    last_error: FieldvaultError | None = None  # SyncFailed mostly; cleared by the next success
    next_try_in: float | None = None  # seconds, while WAITING or IDLE
    sent: int = 0  # bundles delivered by the last run (a coordinator's: send-backs to workers)
    # A coordinator's: bundles delivered to the other coordinators (its own
    # work, and other devices' bundles it had by USB, relayed as they are).
    shared: int = 0
    received: int = 0  # bundles imported by the last run (a worker's: from its inbox)
    purged: int = 0  # evidence files the last run removed after delivery (the purge policy)
    # A coordinator's last pull, for its pull view (pull.PullResult's):
    held: tuple[str, ...] = ()  # bundle ids held in quarantine (a device not added yet)
    refused: tuple[tuple[str, str], ...] = ()  # (bundle id, error code)
    gaps: tuple[tuple[str, int, int], ...] = ()  # (device id, first, last): not received yet
    # Revisions the last pull's imports left out of other desks' bundles
    # (signed by a device the newest profile revokes, or naming one as parent).
    withheld: int = 0
    # Revisions waiting here for their parents after the last pull
    # (db/parked.py): all of them, not only those this pull parked, and not
    # those a later bundle of the same pull brought the parents of; not those
    # kept aside for a lapsed vouch (``kept_aside``).
    parked: int = 0
    # Revisions kept aside (parked) after the last pull because their
    # device's vouch lapsed, until it is enrolled again (``signer_pending``;
    # sync/merge/devices.py ``kept_aside_by_signer``): all of them.
    kept_aside: int = 0
    # What the last pull's imports decided of revisions parked here (ids
    # counted; pull.Received): stored now that their parents came; kept
    # aside because they no longer verify (verify names them); left out
    # because their signer's parked slots were full (db/parked.py PARKED_CAP).
    unparked: int = 0
    damaged_parked: int = 0
    past_parked_cap: int = 0
    # A coordinator's send-backs delivered and not taken by their worker yet
    # (sync/client/inbox.py Untaken: waiting, resent, or left to a person).
    untaken: tuple[Untaken, ...] = ()
    # The key desk's history hand-overs a new desk has not taken (yet):
    # waiting, made again now, or left to a person (sync/client/hand_over_sync.py).
    hand_overs_untaken: tuple[UntakenHandOver, ...] = ()
    # The history hand-overs the last run took from this desk's inbox that
    # their check against the workers' signed manifests found incomplete
    # (counts and the maker's id; docs/bundle-format.md §10): told at once.
    hand_overs_incomplete: tuple[HandOverFindings, ...] = ()
    # The custody events those hand-overs carried of devices whose vouch
    # lapsed here since each was made, checked and not stored (pull.Received
    # custody_kept_out; bundle-format.md §10 "Lapsed since it was made"):
    # (the maker desk's id, the device's id, how many). Ids and counts only.
    hand_overs_kept_out: tuple[tuple[str, str, int], ...] = ()
    # A coordinator's bundles whose copy on the server cannot be downloaded
    # intact, with their device's later ones waiting behind each (pull.py).
    stuck: tuple[StuckBundle, ...] = ()
    # A coordinator's bundles held by a pull whose release (their device
    # enrolled since) failed here for a reason not their own, as the last
    # pull left them (pull.PullResult's release_failed): (bundle id, its
    # failures: the last error's code and params, how many in a row; at
    # RELEASE_TRIES passed over until a person tries again). The error may
    # say this vault is damaged (held-revision-damaged): shown as a warning.
    release_failed: tuple[tuple[str, ReleaseFailure], ...] = ()
    # Every receipt alarm the vault holds (sync/bundle/carried_receipts.py):
    # the server showed this device or a worker another receipt log than the
    # coordinators. Kept until someone looks; shown, never cleared by a run.
    server_forks: tuple[ReceiptAlarm, ...] = ()


def parked_counts(vault: Vault) -> tuple[int, int]:
    """The revisions parked here after a pull: (waiting for their parents,
    kept aside until their device, whose vouch lapsed, is enrolled again);
    each counted once."""
    from sync.merge.devices import kept_aside_by_signer

    kept_aside = sum(kept_aside_by_signer(vault).values())
    return parked_revision_count(vault) - kept_aside, kept_aside


class _Speed:
    """Bytes per second over the last SPEED_WINDOW seconds of progress."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.samples: deque[tuple[float, int]] = deque()

    def add(self, done: int, total: int) -> Progress:
        now = self.clock()
        self.samples.append((now, done))
        while len(self.samples) > 2 and now - self.samples[0][0] > SPEED_WINDOW:
            self.samples.popleft()
        first_time, first_done = self.samples[0]
        elapsed, moved = now - first_time, done - first_done
        if elapsed <= 0 or moved <= 0:
            return Progress(done, total, None, None)
        speed = moved / elapsed
        return Progress(done, total, speed, max(0, total - done) / speed)


class _Cancel(CancelToken):
    """Stops a bundle being made or imported when the worker stops (the
    vault is left as it was: export_bundle writes nothing on cancel, an
    import applies nothing)."""

    def __init__(self, stopping: threading.Event) -> None:
        super().__init__()
        self._stopping = stopping

    @property
    def cancelled(self) -> bool:
        return self._stopping.is_set()


def role_of(vault: Vault) -> str:
    from sync.org_vault import held_profile

    profile = held_profile(vault)
    return "coordinator" if profile is not None and profile.coordinator(vault.device_id) else "worker"


class SyncWorker:
    def __init__(
        self,
        vault: Vault,
        *,
        interval: float = 300.0,
        retry: Backoff | None = None,
        on_change: Callable[[SyncStatus], None] | None = None,
        proxy: str | bool | None = True,
        chunk: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.vault = vault
        self.interval = interval  # between runs after a success
        self.retry = retry or Backoff(base=5.0, cap=600.0)  # between runs after failures
        self.on_change = on_change
        self.proxy = proxy
        self.chunk = chunk
        self.clock = clock
        self._lock = threading.Condition()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._paused = False
        self._trying = False  # a try (run_once) is under way: SYNCING set, its end not yet
        self._failures = 0
        self._thread: threading.Thread | None = None
        self._status = SyncStatus(
            IDLE, role_of(vault), queued=self._queued(), server_forks=tuple(alarms(vault))
        )

    # -- what the GUI calls ---------------------------------------------------------------

    @property
    def status(self) -> SyncStatus:
        with self._lock:
            return self._status

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="fieldvault-sync", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop after the current step (a chunk, a download piece, a bundle
        being made is cancelled); what was queued stays queued."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._set(state=STOPPED, next_try_in=None, progress=None)

    def sync_now(self) -> None:
        """Try at once (also right after a failure: the person asked)."""
        self._wake.set()

    def pause(self) -> None:
        """No try starts until resume(). A try under way goes on to its end
        (state PAUSING until then, PAUSED after): it is not cancelled, so it
        delivers or imports what it has begun (docs/sync.md, "Controls")."""
        with self._lock:
            self._paused = True
        self._set(state=PAUSED, next_try_in=None)

    def resume(self) -> None:
        """Tries again at once; during PAUSING the try under way simply goes
        on (SYNCING again)."""
        with self._lock:
            self._paused = False
        self._set(state=_RESUMED)
        self._wake.set()

    def wait_until(self, predicate: Callable[[SyncStatus], bool], timeout: float) -> SyncStatus:
        """Block until the status satisfies ``predicate`` (for tests and for
        a caller that must know, e.g. before locking the vault)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while not predicate(self._status):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"sync status still {self._status.state}")
                self._lock.wait(left)
            return self._status

    # -- the loop ---------------------------------------------------------------------------

    def run_once(self) -> SyncStatus:
        """One push or pull, now, in the caller's thread."""
        from sync.client.connection import one_login
        from sync.client.round_lock import one_round

        self._set(state=SYNCING, next_try_in=None, progress=None)
        speed = _Speed(self.clock)
        role = role_of(self.vault)
        once = Backoff(attempts=1)  # the worker's own schedule retries, not the run
        try:
            # One round per vault at a time: another (a 'fieldvault sync')
            # makes this one stop at once, tried again on the backoff.
            with one_round(self.vault), one_login(self.vault):  # one connection and login for both steps
                self._round(role, speed, once)
        except FieldvaultError as failure:
            # SyncFailed, or the vault's own (a full disk while making the
            # bundle; cancelled because the worker stops): shown, tried again.
            self._failures += 1
            self._set(
                state=WAITING,
                role=role,
                last_error=failure,
                progress=None,
                queued=self._queued(),
                **self._stuck_now(role),
            )
        return self.status

    def _stuck_now(self, role: str) -> dict[str, tuple[StuckBundle, ...]]:
        """A coordinator's stuck bundles as the vault holds them now: a
        pull stopped on the way saved what it learned (pull.py
        ``_learn_why_open``: a bundle stuck, why a record stays open), which
        the panel then tells instead of the last complete run's list."""
        if role != "coordinator":
            return {}
        from sync.client.pull import stuck_bundles

        try:
            return {"stuck": tuple(stuck_bundles(self.vault))}
        except FieldvaultError:
            return {}  # the vault cannot be read now (locked on the way): the last list stays

    def _round(self, role: str, speed: _Speed, once: Backoff) -> None:
        from sync.client.inbox import receive_inbox, send_back_over_server
        from sync.client.pull import pull
        from sync.client.push import push

        if role == "coordinator":
            from sync.client.hand_over_sync import hand_over_over_server

            # First its inbox: a history hand-over from the key desk, taken
            # before the pull so that the workers' earlier bundles in the
            # feed are replays and their next bundles follow (bundle-format.md §10).
            # A stop also stops the bundle being imported (review 30 F6).
            handed = receive_inbox(self.vault, proxy=self.proxy, backoff=once, cancel=_Cancel(self._stopping))
            pulled = pull(
                self.vault,
                proxy=self.proxy,
                backoff=once,
                progress=lambda _bundle, done, total: self._set(progress=speed.add(done, total)),
                cancel=_Cancel(self._stopping),
            )
            # Then what is due back to the field workers, through their inboxes.
            relayed = send_back_over_server(
                self.vault, proxy=self.proxy, backoff=once, cancel=_Cancel(self._stopping)
            )
            # The key desk's hand-over to each coordinator added since its last round.
            handing = hand_over_over_server(
                self.vault, proxy=self.proxy, backoff=once, cancel=_Cancel(self._stopping)
            )
            # Last, its own work and what it took in by USB, to the other
            # coordinators (never what it pulled: the server holds that).
            shared = push(
                self.vault,
                proxy=self.proxy,
                backoff=once,
                chunk=self.chunk,
                progress=lambda done, total: self._set(progress=speed.add(done, total)),
                cancel=_Cancel(self._stopping),
                coordinator=True,
            )
            waiting_for_parents, kept_aside = parked_counts(self.vault)
            self._succeeded(
                role,
                sent=len(relayed.sent),
                shared=len(shared.sent) + len(shared.relayed),
                received=len(pulled.received) + len(handed.received),
                held=tuple(pulled.held),
                refused=tuple(pulled.refused) + tuple(handed.refused),
                gaps=tuple((g["device_id"], g["first"], g["last"]) for g in pulled.gaps),
                withheld=sum(len(r.withheld_revisions) for r in pulled.received),
                parked=waiting_for_parents,
                kept_aside=kept_aside,
                unparked=sum(len(r.unparked_revisions) for r in pulled.received),
                damaged_parked=len({i for r in pulled.received for i in r.damaged_parked}),
                past_parked_cap=sum(len(r.past_parked_cap) for r in pulled.received),
                untaken=tuple(relayed.untaken),
                hand_overs_untaken=tuple(handing.untaken),
                hand_overs_incomplete=tuple(
                    r.hand_over_findings
                    for r in handed.received
                    if r.hand_over_findings is not None and r.hand_over_findings.incomplete
                ),
                hand_overs_kept_out=tuple(
                    (r.device_id, device_id, count)
                    for r in handed.received
                    for device_id, count in r.custody_kept_out
                ),
                stuck=tuple(pulled.stuck),
                release_failed=self._release_failed(pulled.release_failed),
            )
        else:
            pushed = push(
                self.vault,
                proxy=self.proxy,
                backoff=once,
                chunk=self.chunk,
                progress=lambda done, total: self._set(progress=speed.add(done, total)),
                cancel=_Cancel(self._stopping),
            )
            # Then what coordinators sent back to this device (its inbox).
            taken = receive_inbox(
                self.vault,
                proxy=self.proxy,
                backoff=once,
                progress=lambda _bundle, done, total: self._set(progress=speed.add(done, total)),
                cancel=_Cancel(self._stopping),
            )
            self._succeeded(
                role,
                sent=len(pushed.sent),
                received=len(taken.received),
                purged=len(pushed.purged),
                refused=tuple(taken.refused),  # from its inbox: tried again later or set aside
            )

    def _succeeded(
        self,
        role: str,
        *,
        sent: int,
        received: int,
        shared: int = 0,
        purged: int = 0,
        held: tuple[str, ...] = (),
        refused: tuple[tuple[str, str], ...] = (),
        gaps: tuple[tuple[str, int, int], ...] = (),
        withheld: int = 0,
        parked: int = 0,
        kept_aside: int = 0,
        unparked: int = 0,
        damaged_parked: int = 0,
        past_parked_cap: int = 0,
        untaken: tuple[Untaken, ...] = (),
        hand_overs_untaken: tuple[UntakenHandOver, ...] = (),
        hand_overs_incomplete: tuple[HandOverFindings, ...] = (),
        hand_overs_kept_out: tuple[tuple[str, str, int], ...] = (),
        stuck: tuple[StuckBundle, ...] = (),
        release_failed: tuple[tuple[str, ReleaseFailure], ...] = (),
    ) -> None:
        self._failures = 0
        self._set(
            state=IDLE,
            role=role,
            last_success_ms=time.time_ns() // 1_000_000,
            last_error=None,
            progress=None,
            queued=self._queued(),
            sent=sent,
            received=received,
            shared=shared,
            purged=purged,
            held=held,
            refused=refused,
            gaps=gaps,
            withheld=withheld,
            parked=parked,
            kept_aside=kept_aside,
            unparked=unparked,
            damaged_parked=damaged_parked,
            past_parked_cap=past_parked_cap,
            untaken=untaken,
            hand_overs_untaken=hand_overs_untaken,
            hand_overs_incomplete=hand_overs_incomplete,
            hand_overs_kept_out=hand_overs_kept_out,
            stuck=stuck,
            release_failed=release_failed,
            server_forks=tuple(alarms(self.vault)),
        )

    def _release_failed(self, reported: list[tuple[str, str, int]]) -> tuple[tuple[str, ReleaseFailure], ...]:
        """The pull's release failures (bundle id, code, count) with what the
        vault keeps of each: the error's params too, for its message."""
        if not reported:
            return ()
        from sync.bundle.quarantine import ReleaseFailure, release_failures

        kept = release_failures(self.vault)
        return tuple(
            (bundle_id, kept.get(bundle_id) or ReleaseFailure(code, count, 0))
            for bundle_id, code, count in reported
        )

    def _delay(self) -> float:
        if self._failures == 0:
            return self.interval
        return self.retry.delay(self._failures - 1)

    def _loop(self) -> None:
        while not self._stopping.is_set():
            with self._lock:
                paused = self._paused
            if not paused:
                try:
                    self.run_once()
                except Exception as error:  # noqa: BLE001 - the thread must not die unseen
                    # Shown by its type only (its text could quote data); tried again later.
                    self._failures += 1
                    self._set(
                        state=WAITING, last_error=errors.unexpected(type(error).__name__), progress=None
                    )
            if self._stopping.is_set():
                return
            delay = None if self.status.state == PAUSED else self._delay()
            self._set(next_try_in=delay)
            self._wake.wait(delay)
            self._wake.clear()

    # -- state --------------------------------------------------------------------------------

    def _queued(self) -> int:
        from sync.client.push import queued_count

        return queued_count(self.vault)

    def _shown(self, asked: object) -> object:
        """The state shown for a state set (under the lock). SYNCING begins
        a try, IDLE, WAITING and STOPPED end it; while paused, PAUSING as
        long as a try is under way, then PAUSED (a stop is shown as such).
        pause() and resume() ask PAUSED and _RESUMED: whichever of them
        set the flag last decides, whatever order their statuses come in."""
        if asked == SYNCING:
            self._trying = True
        elif asked in (IDLE, WAITING, STOPPED):
            self._trying = False
        if asked == STOPPED:
            return STOPPED
        if self._paused:
            return PAUSING if self._trying else PAUSED
        if asked in (PAUSED, _RESUMED):
            return SYNCING if self._trying else IDLE
        return asked

    def _set(self, **change: object) -> None:
        with self._lock:
            if "state" in change:
                change["state"] = self._shown(change["state"])
            self._status = replace(self._status, **change)  # type: ignore[arg-type]
            status = self._status
            self._lock.notify_all()
        if self.on_change is not None:
            self.on_change(status)
