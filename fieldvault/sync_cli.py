"""``fieldvault sync``: push (a field worker) or pull (a coordinator) once,
now, through the organisation's server (docs/cli.md, docs/sync.md). Parsing
and wiring only; the work is sync/client's."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from db.api import Vault
from fieldvault.passphrases import SecretSource
from sync.org_vault import held_profile

if TYPE_CHECKING:  # the network stack (httpx) loads when sync runs, not at every start
    from sync.client.pull import PullResult
    from sync.client.push import PushResult

Opener = Callable[[argparse.Namespace, SecretSource], Vault]


class Output(Protocol):
    def result(self, data: dict[str, Any], human: str) -> None: ...


def add_sync_parser(commands: Any) -> None:
    sync = commands.add_parser(
        "sync",
        help="send this device's work to the organisation's server (worker) or fetch and import "
        "what it received (coordinator), once, now",
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


def _pushed(result: PushResult) -> tuple[dict[str, Any], str]:
    made = result.made
    data = {
        "role": "worker",
        "sent": len(result.sent),
        "received": 0,
        "bundles": result.sent,
        "receipts": result.receipts,
        "made": made.bundle_id if made is not None else None,
        "queued": len(result.queued),
        "bytes_sent": result.bytes_sent,
        "retries": result.retries,
        # Evidence items whose bytes left this laptop after a checked receipt
        # (the organisation's purge-after-delivery policy; docs/sync.md).
        "purged": len(result.purged),
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
    return data, human


def _send_back_due(vault: Vault) -> list[str]:
    """The field workers with something perhaps due under the profile's
    send-back policy: the server does not carry their bundles yet, so the
    coordinator is told to write them (docs/sync.md §9)."""
    from sync.bundle.send_back import workers

    profile = held_profile(vault)
    if profile is None:
        return []
    return [w for w in workers(vault) if vault.sync.relay_pending(w, profile.send_to_workers)]


def _pulled(result: PullResult, due: list[str]) -> tuple[dict[str, Any], str]:
    data = {
        "role": "coordinator",
        "sent": 0,
        "received": len(result.received),
        "bundles": [r.to_json() for r in result.received],
        "held": result.held,
        "refused": [{"bundle_id": b, "code": c} for b, c in result.refused],
        "gaps": result.gaps,
        "bytes_received": result.bytes_received,
        "retries": result.retries,
        # Field workers with changes due under the send-back policy (by USB for now).
        "send_back_due": due,
    }
    human = f"{len(result.received)} bundle(s) imported"
    if result.held:
        human += f", {len(result.held)} held in quarantine (fieldvault bundle quarantine list)"
    if result.refused:
        human += f", {len(result.refused)} refused"
    human += "."
    if due:
        human += (
            f" {len(due)} field worker(s) have changes due under the organisation's policy: write their "
            "bundles with 'fieldvault bundle export --to DIR --to-workers' (the server does not carry "
            "them yet)."
        )
    return data, human


def cmd_sync(args: argparse.Namespace, out: Output, secrets: SecretSource, open_vault: Opener) -> None:
    from sync.client.pull import pull
    from sync.client.push import push
    from sync.client.retry import Backoff

    proxy: str | bool = False if args.no_proxy else (args.proxy or True)
    with open_vault(args, secrets) as vault:
        if is_coordinator(vault):
            pulled = pull(vault, proxy=proxy, backoff=Backoff(attempts=args.attempts))
            for bundle_id, code in pulled.refused:
                print(f"fieldvault: bundle {bundle_id} refused ({code})", file=sys.stderr)
            data, human = _pulled(pulled, _send_back_due(vault))
        else:
            data, human = _pushed(push(vault, proxy=proxy, backoff=Backoff(attempts=args.attempts)))
    out.result(data, human)
