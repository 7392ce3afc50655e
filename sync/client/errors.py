"""What automatic sync tells a person (docs/sync.md, "What a worker sees"):
coded FieldvaultErrors that the GUI translates from the code
(desktop/messages.py) and the command line prints. Each says what happened
to the work: queued (nothing lost), or refused (nothing sent or applied).
Messages name ids and the server's address, never content."""

from __future__ import annotations

from typing import ClassVar

from db.api import CodedError, Codes


class SyncFailed(CodedError):
    """A sync run stopped; what was queued stays queued."""

    codes: ClassVar[Codes] = {
        "sync-no-organisation": (),
        "sync-no-server": ("org_id",),
        "sync-offline": ("url",),
        "sync-server-error": ("url",),
        "sync-pin-mismatch": ("url",),
        "sync-garbage": ("url",),
        "sync-server-key-changed": ("url",),
        "sync-device-revoked": (),
        "sync-refused": ("reason",),
        "sync-receipt-invalid": ("bundle_id",),
        "sync-log-broken": ("index",),
        "sync-download-mismatch": ("bundle_id",),
        "sync-payload-missing": ("bundle_id",),
        "sync-proxy-invalid": (),
        "sync-unexpected": ("kind",),
    }

    @property
    def transient(self) -> bool:
        """Worth trying again later by itself (the network, the server's
        health), as opposed to a refusal a person must look at."""
        return self.code in {"sync-offline", "sync-server-error"}


def no_organisation() -> SyncFailed:
    return SyncFailed(
        "This vault belongs to no organisation yet: enrol first (fieldvault enrol), then sync.",
        "sync-no-organisation",
    )


def no_server(org_id: str) -> SyncFailed:
    return SyncFailed(
        f"The profile of organisation {org_id} names no server. Ask your coordinator for a profile with "
        "one (org set-server), or carry bundles by USB (bundle export).",
        "sync-no-server",
        org_id=org_id,
    )


def offline(url: str) -> SyncFailed:
    return SyncFailed(
        f"The server {url} could not be reached. Your work is kept and queued; it is sent at the next "
        "sync with a connection.",
        "sync-offline",
        url=url,
    )


def server_error(url: str) -> SyncFailed:
    return SyncFailed(
        f"The server {url} had a problem and did not finish. Your work is kept and queued; it is sent "
        "at the next sync.",
        "sync-server-error",
        url=url,
    )


def pin_mismatch(url: str) -> SyncFailed:
    return SyncFailed(
        f"The server at {url} showed a certificate that is not the one your organisation pinned. "
        "Someone may be intercepting the connection: nothing was sent. Tell your coordinator; do not "
        "sync over this network.",
        "sync-pin-mismatch",
        url=url,
    )


def garbage(url: str) -> SyncFailed:
    return SyncFailed(
        f"The server at {url} answered something that is not a Fieldvault server's answer. Nothing was "
        "applied and your work stays queued. Tell your coordinator.",
        "sync-garbage",
        url=url,
    )


def server_key_changed(url: str) -> SyncFailed:
    return SyncFailed(
        f"The server at {url} signs with another receipt key than before. Its receipts were not "
        "trusted; nothing was marked delivered. Tell your coordinator.",
        "sync-server-key-changed",
        url=url,
    )


def device_revoked() -> SyncFailed:
    return SyncFailed(
        "The organisation revoked this device: the server refuses its bundles. Nothing was sent. Talk "
        "to your coordinator.",
        "sync-device-revoked",
    )


def refused(code: str) -> SyncFailed:
    return SyncFailed(
        f"The server refused ({code}). Your work stays queued; tell your coordinator the reason.",
        "sync-refused",
        reason=code,
    )


def receipt_invalid(bundle_id: str) -> SyncFailed:
    return SyncFailed(
        f"The server's receipt for bundle {bundle_id} does not verify. The bundle is not marked "
        "delivered and stays queued. Tell your coordinator.",
        "sync-receipt-invalid",
        bundle_id=bundle_id,
    )


def log_broken(index: int) -> SyncFailed:
    return SyncFailed(
        f"The server's receipt log does not join at entry {index}: it was rewritten or entries were "
        "dropped. Nothing more was downloaded. Keep this vault as it is and tell the organisation.",
        "sync-log-broken",
        index=str(index),
    )


def download_mismatch(bundle_id: str) -> SyncFailed:
    return SyncFailed(
        f"Bundle {bundle_id} as downloaded is not the bundle the server's receipt names. Nothing of it "
        "was imported; it is downloaded again at the next sync.",
        "sync-download-mismatch",
        bundle_id=bundle_id,
    )


def payload_missing(bundle_id: str) -> SyncFailed:
    return SyncFailed(
        f"The server's stored copy of bundle {bundle_id} is gone or cannot be read (the server says "
        "bundle-payload-missing). Nothing of it was imported; it is asked for again at later syncs, and "
        "the server's operator can restore it from a backup.",
        "sync-payload-missing",
        bundle_id=bundle_id,
    )


def proxy_invalid() -> SyncFailed:
    return SyncFailed(
        "The sync proxy setting is not a SOCKS5 address (socks5://HOST:PORT or socks5h://HOST:PORT, "
        "e.g. socks5h://127.0.0.1:9050 for Tor). Nothing was sent.",
        "sync-proxy-invalid",
    )


def unexpected(kind: str) -> SyncFailed:
    return SyncFailed(
        f"Sync stopped on an unexpected error ({kind}). Your work is kept and queued; sync tries again "
        "later. If this repeats, report the error type (not your data) to whoever supports the app.",
        "sync-unexpected",
        kind=kind,
    )
