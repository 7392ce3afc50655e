"""``fieldvault devices``: the coordinator's devices view (docs/cli.md,
docs/merge.md "Devices"). Parsing and wiring only; the rows are
sync/merge/devices.py's. A device with a warning (bundles missing, bundles
held for verification, revoked) also prints a line on stderr, so that a
script piping the rows still sees it."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from typing import Any, Protocol

from db.api import Vault
from fieldvault.passphrases import SecretSource
from sync.merge.devices import DeviceRow, age_text, devices_view

Opener = Callable[[argparse.Namespace, SecretSource], Vault]


class Output(Protocol):
    def rows(self, rows: list[dict[str, Any]], human: Callable[[dict[str, Any]], str]) -> None: ...


def add_devices_parser(commands: Any) -> None:
    commands.add_parser(
        "devices",
        help="each device's last bundle, its sequence, missing bundles (a warning), "
        "verification and revocation (a coordinator's view)",
    )


def _when(ms: int | None) -> str:
    if ms is None:
        return "-"
    stamp = dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"{stamp} ({age_text(ms)})"


def _gaps_text(row: DeviceRow) -> str:
    return ", ".join(str(g.first) if g.first == g.last else f"{g.first}-{g.last}" for g in row.gaps)


def _human(row: DeviceRow) -> str:
    label = f" ({row.label})" if row.label else ""
    lines = [
        f"{row.device_id}{label}  {row.role}, {row.verification}",
        f"  last bundle: #{row.last_sequence} {row.last_bundle_id or '-'}, imported {_when(row.last_imported_ms)}",
        f"  bundles imported: {row.bundles_imported}"
        + (f"; MISSING: {_gaps_text(row)}" if row.gaps else "")
        + (f"; held for verification: {row.held_bundles}" if row.held_bundles else ""),
    ]
    return "\n".join(lines)


def _warning(row: DeviceRow) -> str | None:
    parts = []
    if row.gaps:
        parts.append(
            f"{row.missing} bundle(s) missing ({_gaps_text(row)}): the device may have been lost or "
            "seized, or the bundles are still on their way"
        )
    if row.held_bundles:
        parts.append(
            f"{row.held_bundles} bundle(s) held until its verification code is compared "
            "(fieldvault quarantine list)"
        )
    if row.status == "revoked":
        parts.append("revoked: its bundles are refused")
    if row.receipt_alarms:
        receipts = ", ".join(str(index) for _kind, index in row.receipt_alarms)
        parts.append(
            f"receipt alarm (receipt {receipts}): the server showed it another record of deliveries "
            "than this vault checked; tell the organisation, and have it bring its bundles by USB"
        )
    return f"warning: device {row.device_id}: " + "; ".join(parts) if parts else None


def cmd_devices(args: argparse.Namespace, out: Output, secrets: SecretSource, open_vault: Opener) -> None:
    with open_vault(args, secrets) as vault:
        rows = devices_view(vault)
    by_id = {row.device_id: row for row in rows}
    out.rows([row.to_json() for row in rows], lambda data: _human(by_id[str(data["device_id"])]))
    for row in rows:
        warning = _warning(row)
        if warning is not None:
            print(warning, file=sys.stderr)
    if not rows:
        print("No other devices are known to this vault yet.", file=sys.stderr)
