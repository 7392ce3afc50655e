"""``fieldvault sync``: push and take the inbox (a field worker), or pull,
send back to the field workers and push its own work to the other
coordinators (a coordinator), once,
now, through the organisation's server (docs/cli.md, docs/sync.md). Parsing
and wiring only; the work is sync/client's."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from db.api import Vault
from fieldvault.passphrases import SecretSource
from sync.org_vault import held_profile

if TYPE_CHECKING:  # the network stack (httpx) loads when sync runs, not at every start
    from sync.client.hand_over_sync import HandOverResult
    from sync.client.inbox import RelayResult
    from sync.client.pull import PullResult, Received
    from sync.client.push import PushResult

Opener = Callable[[argparse.Namespace, SecretSource], Vault]


class Output(Protocol):
    def result(self, data: dict[str, Any], human: str) -> None: ...


def add_sync_parser(commands: Any) -> None:
    sync = commands.add_parser(
        "sync",
        help="send this device's work to the organisation's server (worker) or fetch and import "
        "what it received and send this desk's own work to the other coordinators (coordinator), "
        "once, now",
    )
    how = sync.add_mutually_exclusive_group()
    how.add_argument(
        "--proxy",
        metavar="URL",
        help="a SOCKS5 proxy for this run (socks5h://127.0.0.1:9050 for Tor); default: the "
        "vault's sync_proxy setting",
    )
    how.add_argument("--no-proxy", action="store_true", help="connect directly, whatever the setting")
    sync.add_argument(
        "--attempts",
        type=_attempts,
        default=3,
        metavar="N",
        help="connections tried before giving up when the server cannot be reached, with growing "
        "waits between them (1 to 20; default 3). Nothing is lost when it gives up: run sync again",
    )


def _attempts(text: str) -> int:
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= 20:
        raise argparse.ArgumentTypeError("a whole number from 1 to 20")
    return int(text)


def is_coordinator(vault: Vault) -> bool:
    profile = held_profile(vault)
    return profile is not None and profile.coordinator(vault.device_id) is not None


def _pushed(result: PushResult, inbox: PullResult) -> tuple[dict[str, Any], str]:
    made = result.made
    data = {
        "role": "worker",
        "sent": len(result.sent),
        # Bundles coordinators sent back to this device (its inbox), imported.
        "received": len(inbox.received),
        "inbox": [r.to_json() for r in inbox.received],
        # Each with when it is tried again, or that it was set aside for good.
        "inbox_refused": [r.to_json() for r in inbox.inbox_refusals],
        "bundles": result.sent,
        "receipts": result.receipts,
        "made": made.bundle_id if made is not None else None,
        "queued": len(result.queued),
        "bytes_sent": result.bytes_sent,
        "retries": result.retries,
        # Evidence items whose bytes left this laptop after a checked receipt
        # (the organisation's purge-after-delivery policy; docs/sync.md).
        "purged": len(result.purged),
        # Receipts that fail this device's own checks (docs/sync.md, "Fork detection").
        "server_forks": [a.to_json() for a in inbox.server_forks],
    }
    human = (
        f"{len(result.sent)} bundle(s) delivered, receipts {', '.join(map(str, result.receipts)) or '-'}; "
        f"{len(result.queued)} still queued."
        if result.sent or result.queued
        else "Nothing new to send."
    )
    if result.purged:
        human += (
            f" {len(result.purged)} evidence file(s) delivered and removed from this laptop "
            "(organisation policy); their records, hashes and custody stay."
        )
    if result.purge_deferred:
        human += " Delivered files could not be removed now; the next sync removes them."
    if inbox.received:
        human += f" {len(inbox.received)} bundle(s) from a coordinator imported."
    if inbox.refused:
        human += f" {len(inbox.refused)} bundle(s) from a coordinator refused."
    return data, human


def _pulled(
    result: PullResult, relayed: RelayResult, shared: PushResult, hand_overs: Sequence[Received] = ()
) -> tuple[dict[str, Any], str]:
    """The JSON and the plain line of a coordinator's round; ``hand_overs``:
    the history hand-over bundles taken from its inbox before the pull."""
    data = {
        "role": "coordinator",
        # Send-back bundles delivered to field workers' inboxes (docs/sync.md §9).
        "sent": len(relayed.sent),
        "sent_back": [{"device_id": d, "bundle_id": b} for d, b in relayed.sent],
        # Made for a worker and not delivered yet (the next sync tries again).
        "send_back_queued": [{"device_id": d, "bundle_id": b} for d, b in relayed.queued],
        # Delivered send-backs the server says their worker took (now known),
        # and those not taken yet: waiting, resent now, or left to a person.
        "send_back_taken": [{"device_id": d, "bundle_id": b} for d, b in relayed.taken],
        "send_back_untaken": [u.to_json() for u in relayed.untaken],
        "received": len(result.received),
        "bundles": [r.to_json() for r in result.received],
        "held": result.held,
        # Held by an earlier pull, imported now: their device was vouched for
        # since by another coordinator (docs/bundle-format.md §8); also in ``bundles``.
        "released": result.released,
        # Held, their device vouched for, but their import failed for a reason
        # not theirs (this vault's state): still held, their spool copy kept.
        "release_failed": [{"bundle_id": b, "code": c, "failures": n} for b, c, n in result.release_failed],
        # A revoked maker's bundle read to keep its ids: how many kept, and not kept for the cap.
        "refused": [
            {"bundle_id": b, "code": c}
            | (
                {
                    "refused_ids_kept": result.refused_reads[b][0],
                    "refused_ids_not_kept": result.refused_reads[b][1],
                }
                if b in result.refused_reads
                else {}
            )
            for b, c in result.refused
        ],
        "gaps": result.gaps,
        # Revisions this pull kept aside, their device's vouch lapsed (each
        # bundle's ``signer_pending`` lists their ids): counted apart from
        # those waiting for their parents, they wait for its enrolment.
        "signer_pending": sum(len(r.signer_pending) for r in result.received),
        # Bundles whose copy on the server cannot be downloaded intact, tried
        # again with growing waits, with their device's later ones waiting
        # behind each (docs/sync.md §2, "A bundle stuck on the server").
        "stuck": [s.to_json() for s in result.stuck],
        # Stuck bundles this run settled, and how: downloaded, received (by
        # another path), or carried (a later bundle of its device brought its
        # work: a one-desk organisation only, review 18 R2).
        "unstuck": [{"bundle_id": b, "how": how} for b, how in result.unstuck],
        "bytes_received": result.bytes_received,
        "retries": result.retries,
        # Carried receipts that differ from the receipt log this vault checked:
        # the server showed a worker another log (docs/sync.md, "Fork detection").
        "server_forks": [a.to_json() for a in result.server_forks],
        # Its own work (and what it took in by USB) for the other coordinators
        # (docs/sync.md §2.3): the bundle made now, delivered, still queued.
        "to_coordinators": {
            "made": shared.made.bundle_id if shared.made is not None else None,
            "sent": shared.sent,
            "queued": shared.queued,
            # Other devices' bundles it had by USB, uploaded as they are.
            "relayed": shared.relayed,
            # Those set aside (refused for the bundle's sake, or the kept file
            # lost or not the one imported): this desk's own bundle carries them.
            "relays_set_aside": [{"bundle_id": b, "reason": why} for b, why in shared.relays_set_aside],
        },
    }
    human = f"{len(result.received)} bundle(s) imported"
    if hand_overs:
        # Its own phrase: "0 bundle(s) imported" after taking a hand-over was false.
        taken = ", ".join(r.bundle_id + (" (already held)" if r.replay else "") for r in hand_overs)
        human = (
            f"{len(hand_overs)} history hand-over bundle(s) taken from the inbox ({taken}) and "
            f"{len(result.received)} other bundle(s) imported"
        )
    if result.released:
        human += f" ({len(result.released)} held before, their device now vouched for by another coordinator)"
    if result.held:
        human += f", {len(result.held)} held in quarantine (fieldvault bundle quarantine list)"
    if result.refused:
        human += f", {len(result.refused)} refused"
    from fieldvault.bundle_cli import held_again, held_again_text

    # A release whose import held the bundle in quarantine again is not a
    # failure of this computer (review 32 L3): said apart, with what to do.
    again = [(b, c) for b, c, _n in result.release_failed if held_again(c)]
    if failed_here := [(b, c, n) for b, c, n in result.release_failed if not held_again(c)]:
        failed = "; ".join(f"{b}: release failed {n} time(s) ({c})" for b, c, n in failed_here)
        human += (
            f", {len(failed_here)} held whose import failed on this computer, not refused "
            f"({failed}; fieldvault bundle quarantine list)"
        )
    if again:
        human += f", {len(again)} held bundle(s) held in quarantine again by their release, not refused"
    if result.stuck:
        human += f", {len(result.stuck)} stuck on the server (see below)"
    human += "."
    for bundle_id, code in again:
        human += f" Bundle {bundle_id}: {held_again_text(bundle_id, code)}."
    if kept_aside := sum(len(r.signer_pending) for r in [*hand_overs, *result.received]):
        human += (
            f" {kept_aside} record change(s) from devices whose vouch lapsed kept aside until they are "
            "enrolled again (fieldvault devices)."
        )
    if relayed.sent:
        human += f" Sent back to {len({d for d, _ in relayed.sent})} field worker(s) through the server."
    if relayed.queued:
        human += f" {len(relayed.queued)} bundle(s) for field workers wait to be sent."
    if relayed.untaken:
        human += f" {len(relayed.untaken)} bundle(s) sent back not taken by their field worker yet."
    if shared.sent:
        human += f" {len(shared.sent)} bundle(s) of this desk's work sent to the other coordinators."
    if shared.relayed:
        human += f" {len(shared.relayed)} bundle(s) imported from USB relayed to the other coordinators."
    if shared.relays_set_aside:
        human += (
            f" {len(shared.relays_set_aside)} bundle(s) imported from USB not relayed"
            " (their work goes in this desk's own bundle)."
        )
    return data, human


def _when(ms: int | None) -> str:
    import datetime

    moment = datetime.datetime.fromtimestamp((ms or 0) / 1000, tz=datetime.UTC).astimezone()
    return moment.strftime("%Y-%m-%d %H:%M")


def _warn_forks(result: PullResult) -> None:
    for alarm in result.server_forks:
        print(
            f"fieldvault: WARNING: the server's receipt {alarm.index} for device {alarm.device_id} "
            f"({alarm.kind}): the server showed that device another receipt log than this vault "
            "checked, or the receipt is not what it says. Tell the organisation's coordinators.",
            file=sys.stderr,
        )


# Why a stuck bundle is still asked for although a later bundle of its
# device was imported here (StuckBundle.open_because, sync/client/pull.py).
_STILL_ASKED = {
    "other-desks": "; this one is still asked for, as another coordinator desk may have acknowledged it first "
    "and a later bundle then leaves its work out",
    "parked": "; this one is still asked for, as some of that device's changes wait here for a parent, "
    "likely in it",
    "acknowledged-elsewhere": "; this one is still asked for, as another key acknowledged it on the server "
    "and a later bundle then leaves its work out",
    "no-answer": "; this one is still asked for, as the server did not say who acknowledged it",
}


# What the server's operator can do, by why the copy cannot be downloaded:
# a lost copy (410 bundle-payload-missing) is restored, a damaged one repaired.
_OPERATOR_FIX = {"sync-payload-missing": "restore the stored copy from a backup"}
_WHAT_FAILS = {"sync-payload-missing": "is gone from the server's store, or cannot be read there"}


def _warn_stuck(result: PullResult, desk_id: str) -> None:
    for stuck in result.stuck:
        operator = _OPERATOR_FIX.get(stuck.code, "repair the stored copy")
        fails = _WHAT_FAILS.get(stuck.code, "cannot be downloaded intact from the server")
        behind = f"; {len(stuck.waiting)} later bundle(s) of it wait behind" if stuck.waiting else ""
        if stuck.later:
            # Review 17 F1: a later bundle carries its work only where no other desk had acknowledged it.
            behind += f"; its device's bundle {stuck.later} was imported here, which may not carry its work"
        if stuck.held_by:
            # Review 17 F2: the worker's own bundle may be refused here (bundle-custody).
            desks = ", ".join(f"{label or '?'} ({device_id})" for device_id, label in stuck.held_by)
            todo = (
                f"The coordinator desk(s) {desks} acknowledged it and hold its work: a history hand-over "
                "from such a desk brings it (fieldvault org hand-over --to-device "
                f"{desk_id} there, fieldvault bundle import here); a bundle the "
                f"worker brings by USB may be refused (bundle-custody). Or have the server's operator {operator}."
            )
        elif stuck.later:
            # The worker's later bundle is here already: asking for it again helps nothing.
            todo = (
                f"The work of its device's later bundles arrived here{_STILL_ASKED.get(stuck.open_because, '')}. "
                f"Have the server's operator {operator}."
            )
        else:
            todo = (
                "Have the worker bring its work by USB (fieldvault bundle export on its laptop, fieldvault "
                f"bundle import here), or the server's operator {operator}."
            )
        print(
            f"fieldvault: bundle {stuck.sequence} of device {stuck.device_id} ({stuck.bundle_id}) {fails} "
            f"({stuck.code}) since {_when(stuck.first_ms)}; tried "
            f"{stuck.attempts} time(s), again at a sync after {_when(stuck.next_ms)}{behind}. {todo}",
            file=sys.stderr,
        )


def _warn_untaken(relayed: RelayResult) -> None:
    from sync.client.inbox import BY_HAND, RESENT

    for untaken in relayed.untaken:
        if untaken.action == RESENT:
            then = "its changes are sent again in a new bundle"
        elif untaken.action == BY_HAND:
            then = (
                "it was resent as often as it will be; bring it by USB: "
                f"fieldvault bundle export --to DIR --to-device {untaken.device_id} --resend"
            )
        else:
            continue
        print(
            f"fieldvault: bundle {untaken.bundle_id} for field worker {untaken.device_id} was not taken "
            f"from its inbox since {_when(untaken.sent_ms)}; {then}",
            file=sys.stderr,
        )


def _warn_incomplete_hand_overs(handed: PullResult) -> None:
    """A hand-over taken from the inbox that its check found incomplete:
    said now, as ``bundle import`` says it (ids and counts only)."""
    from fieldvault.bundle_cli import hand_over_warning

    for received in handed.received:
        findings = received.hand_over_findings
        if findings is not None and findings.incomplete:
            print(hand_over_warning(received.bundle_id, findings), file=sys.stderr)


def _kept_out_text(handed: PullResult) -> str:
    """What a hand-over taken from the inbox kept out of a lapsed device's
    custody chain, in ``bundle import``'s words (ids and counts only)."""
    return "".join(
        f" History hand-over {received.bundle_id}: {count} custody event(s) of device {device_id} NOT "
        "TAKEN, its vouch lapsed here (each checked with its key, none stored): its own bundles bring "
        "them once it is enrolled again (org add-device, or approve its bundle by code)."
        for received in handed.received
        for device_id, count in received.custody_kept_out
    )


def _warn_untaken_hand_overs(made: HandOverResult) -> None:
    from sync.client.hand_over_sync import BY_HAND, REMADE

    for untaken in made.untaken:
        if untaken.action == REMADE:
            then = "a fresh one was made and sent now"
        elif untaken.action == BY_HAND:
            then = (
                "it was made again as often as it will be; hand over by USB: "
                f"fieldvault org hand-over --to-device {untaken.device_id} --to DIR"
            )
        else:
            continue
        print(
            f"fieldvault: the history hand-over {untaken.bundle_id} for coordinator desk {untaken.device_id} "
            f"was not taken since {_when(untaken.made_ms)}; {then}",
            file=sys.stderr,
        )


def cmd_sync(args: argparse.Namespace, out: Output, secrets: SecretSource, open_vault: Opener) -> None:
    from sync.client.connection import one_login
    from sync.client.inbox import receive_inbox, send_back_over_server
    from sync.client.pull import pull
    from sync.client.push import push
    from sync.client.retry import Backoff
    from sync.client.round_lock import one_round

    proxy: str | bool = False if args.no_proxy else (args.proxy or True)
    # one_round: not beside the app's round on this vault (sync-round-running, docs/sync.md §5).
    with open_vault(args, secrets) as vault, one_round(vault), one_login(vault):  # one login for both steps
        if is_coordinator(vault):
            from sync.client.hand_over_sync import hand_over_over_server

            # First its inbox: a history hand-over, before the pull (bundle-format.md §10).
            handed = receive_inbox(vault, proxy=proxy, backoff=Backoff(attempts=args.attempts))
            for bundle_id, code in handed.refused:
                print(f"fieldvault: hand-over {bundle_id} refused ({code})", file=sys.stderr)
            _warn_incomplete_hand_overs(handed)
            pulled = pull(vault, proxy=proxy, backoff=Backoff(attempts=args.attempts))
            for bundle_id, code in pulled.refused:
                print(f"fieldvault: bundle {bundle_id} refused ({code})", file=sys.stderr)
            _warn_forks(pulled)
            _warn_stuck(pulled, vault.device_id)
            # After the pull: what is due back to each field worker, through its inbox.
            relayed = send_back_over_server(vault, proxy=proxy, backoff=Backoff(attempts=args.attempts))
            _warn_untaken(relayed)
            # The key desk's hand-over to each coordinator added since its last sync.
            made = hand_over_over_server(vault, proxy=proxy, backoff=Backoff(attempts=args.attempts))
            # Last, its own work to the other coordinators (docs/sync.md §2.3).
            shared = push(vault, proxy=proxy, backoff=Backoff(attempts=args.attempts), coordinator=True)
            data, human = _pulled(pulled, relayed, shared, handed.received)
            data["hand_over"] = {
                "taken": [r.bundle_id for r in handed.received],
                # What the check against the workers' signed manifests found in
                # each hand-over taken (its last part), counts and the maker's id
                # (docs/bundle-format.md §10); zeros for an honest one.
                "findings": [
                    {"bundle_id": r.bundle_id} | r.hand_over_findings.to_json()
                    for r in handed.received
                    if r.hand_over_findings is not None
                ],
                # Custody events of devices whose vouch lapsed here since a
                # hand-over was made: checked, not stored (docs/bundle-format.md
                # §10 "Lapsed since it was made"); each bundle's row as
                # ``bundle import`` gives it, with the hand-over's id.
                "custody_kept_out": [
                    {"bundle_id": r.bundle_id} | kept
                    for r in handed.received
                    for kept in r.to_json()["custody_kept_out"]
                ],
                "made": [{"device_id": d, "bundle_id": b} for d, b in made.made],
                "sent": made.sent,
                # The key desk's hand-overs the new desk took (known now), and
                # those it has not: waiting, made again now, or left to a person.
                "taken_by_new_desk": [{"device_id": d, "bundle_id": b} for d, b in made.taken],
                "untaken": [u.to_json() for u in made.untaken],
            }
            incomplete = [
                r
                for r in handed.received
                if r.hand_over_findings is not None and r.hand_over_findings.incomplete
            ]
            if incomplete:
                human += (
                    f" {len(incomplete)} history hand-over(s) taken incomplete: see above and "
                    "fieldvault devices parked."
                )
            human += _kept_out_text(handed)
            _warn_untaken_hand_overs(made)
        else:
            pushed = push(vault, proxy=proxy, backoff=Backoff(attempts=args.attempts))
            inbox = receive_inbox(vault, proxy=proxy, backoff=Backoff(attempts=args.attempts))
            for refusal in inbox.inbox_refusals:
                then = (
                    "set aside for good (the server keeps it; tell your coordinator)"
                    if refusal.set_aside
                    else f"tried again at a sync after {_when(refusal.next_ms)}"
                )
                print(
                    f"fieldvault: bundle {refusal.bundle_id} refused ({refusal.code}); {then}",
                    file=sys.stderr,
                )
            _warn_forks(inbox)
            data, human = _pushed(pushed, inbox)
    out.result(data, human)
