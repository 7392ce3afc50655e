"""What the organisation commands do with the server a profile names
(docs/server.md, "Enrolment"): a coordinator's new profile version is
uploaded to it; a worker's enrolment registers the device there at once, so
a reused or expired token is refused while the worker is still with the
coordinator. Offline, both are left for later: the outcome says which.

The transport (httpx) is imported when a server is called, not with this
module: the command line stays quick to start."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync.org import Profile

if TYPE_CHECKING:
    from sync.client.transport import ServerClient

TIMEOUT = 15.0


@dataclass(frozen=True)
class ServerOutcome:
    # "none" (no server named), "done", "offline", "pin-mismatch", "refused",
    # "server-too-old" (the server cannot read a member of this profile)
    state: str
    detail: str = ""  # the server's code, or the kind of network failure
    url: str = ""


def publish_profile(signed: bytes, profile: Profile, *, proxy: str | None = None) -> ServerOutcome:
    """Upload a profile version to the server it names. A refusal or a
    certificate that is not the pinned one is reported, not raised: the new
    version is already the organisation's, whatever the server says.

    A server older than the ``coordinators_since`` member (238dd87) refuses
    every profile carrying it as ``org-profile-form``, and keeps the version
    it holds: a revocation is then not in force there. This profile was
    signed here and passed the same form check, so that refusal of a
    profile carrying the member is told as "server-too-old", not as one
    refusal among others (docs/org-profile.md §1, the rollout order)."""
    if profile.server is None:
        return ServerOutcome("none")
    from sync.client.transport import PinMismatch, ServerClient, ServerSaid, ServerUnreachable

    url = profile.server.url
    try:
        with ServerClient(url, profile.server.cert_sha256, proxy=proxy, timeout=TIMEOUT) as client:
            client.put_profile(signed)
    except ServerUnreachable as error:
        return ServerOutcome("offline", str(error), url)
    except PinMismatch as error:
        return ServerOutcome("pin-mismatch", error.actual, url)
    except ServerSaid as said:
        if said.code == "org-profile-form" and carries_coordinators_since(profile):
            return ServerOutcome("server-too-old", said.code, url)
        return ServerOutcome("refused", said.code, url)
    return ServerOutcome("done", "", url)


def carries_coordinators_since(profile: Profile) -> bool:
    """Whether the profile file has the ``coordinators_since`` member, which
    readers before 238dd87 refuse: written when the coordinators are older
    than this version (absent, it is the version itself)."""
    return profile.coordinators_since != profile.version


def fetch_receipt_key(url: str, cert_sha256: str, *, proxy: str | None = None) -> str | ServerOutcome:
    """The receipt key a server announces (GET /v1/server), read over a
    connection pinned to ``cert_sha256``: the pin makes the answer the
    server's own. An outcome instead when it cannot be asked."""
    from sync.client.transport import PinMismatch, ServerClient, ServerSaid, ServerUnreachable

    try:
        with ServerClient(url, cert_sha256, proxy=proxy, timeout=TIMEOUT) as client:
            key: str = client.request("GET", "/v1/server").json()["server_key"]
    except ServerUnreachable as error:
        return ServerOutcome("offline", str(error), url)
    except PinMismatch as error:
        return ServerOutcome("pin-mismatch", error.actual, url)
    except ServerSaid as said:
        return ServerOutcome("refused", said.code, url)
    except (ValueError, KeyError, TypeError):
        return ServerOutcome("refused", "garbage", url)
    return key


def register_device(
    profile: Profile, token: str, key: Ed25519PrivateKey, *, proxy: str | None = None
) -> ServerOutcome:
    """Enrol this device at the profile's server with the token. Raises
    ServerSaid when the server refuses (token used, expired, revoked…),
    PinMismatch when the certificate is not the pinned one, and SyncFailed
    (sync-server-key-changed) when the profile pins a receipt key and the
    server shows another: the token is not sent then (docs/server.md §4),
    as a server with the real certificate but its own key could redeem it
    at the real server for a key of its choosing. Offline is an outcome,
    not an error."""
    if profile.server is None:
        return ServerOutcome("none")
    from sync.client.transport import ServerClient, ServerUnreachable

    url = profile.server.url
    try:
        with ServerClient(url, profile.server.cert_sha256, proxy=proxy, timeout=TIMEOUT) as client:
            if profile.server.receipt_key is not None:
                _check_receipt_key(client, profile.server.receipt_key, url)
            client.enrol(token, key)
    except ServerUnreachable as error:
        return ServerOutcome("offline", str(error), url)
    return ServerOutcome("done", "", url)


def _check_receipt_key(client: ServerClient, pinned: bytes, url: str) -> None:
    """The receipt key GET /v1/server announces must be the pinned one, as
    at a login (sync/client/connection.py ``_check_server_key``)."""
    from sync.client import errors
    from sync.server.protocol import unb64

    try:
        info = client.info()
    except ValueError:  # not JSON: not a Fieldvault server's answer
        raise errors.garbage(url) from None
    offered = unb64(info.get("server_key"), 32) if isinstance(info, dict) else None
    if offered is None:
        raise errors.garbage(url)
    if offered != pinned:
        raise errors.server_key_changed(url)
