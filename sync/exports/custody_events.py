"""The custody event of an export that carries evidence metadata but not
the bytes (docs/chain-of-custody.md, docs/exports.md "Custody").

A PDF report, a JSON or a CSV export holds each exported item's record:
its name, SHA-256, size, dates and what the file claimed (GPS, camera). So
it records one ``export-metadata`` event per evidence item it carries, in
one transaction, once the export is complete and just before it takes its
name: no such export exists that the custody log does not show. Items that
consent withheld are not in the export and get no event. (A BagIt package
records ``export`` events instead: its items' bytes are decrypted into it.)
"""

from __future__ import annotations

from pathlib import Path

from db.api import Vault
from sync.exports.casedata import CaseData


def record_metadata_export(vault: Vault, data: CaseData, export_format: str, target: Path) -> int:
    """Record the event for every item in ``data``; returns how many.
    ``details``: the export's format, its file or folder name (never its
    folder path) and its purpose."""
    item_ids = [item.id for item in data.evidence]
    if item_ids:
        vault.evidence.record_metadata_export(
            item_ids, {"format": export_format, "file_name": target.name, "purpose": data.purpose}
        )
    return len(item_ids)
