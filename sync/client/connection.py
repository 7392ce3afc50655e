"""Connecting to the organisation's server for a sync run: the pinned
transport (transport.py) with timeouts for slow links and the vault's proxy
setting, login by the device key (registering the device first when it
enrolled offline), the server's receipt key remembered at the first login
and required at every later one, and the transport's failures turned into
the coded errors a person reads (errors.py)."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from db.api import SyncClientState, Vault
from sync.bundle.carried_receipts import keep_receipt_keys
from sync.client import errors
from sync.client.errors import SyncFailed
from sync.client.transport import PinMismatch, ServerClient, ServerSaid, ServerUnreachable
from sync.org import OrgRefused, Profile, read_profile
from sync.org_vault import held_profile
from sync.server.protocol import unb64
from sync.server.receipts import ReceiptInvalid

# Slow links: a phone hotspot at a few kB/s must still finish the first
# 1 MiB chunk (chunking.py shrinks later ones to the link), and a server far
# away may answer slowly.
TIMEOUT = httpx.Timeout(120.0, connect=20.0)
SERVER_KEY = "server_key"


@dataclass(frozen=True)
class Target:
    profile: Profile
    url: str
    cert_sha256: str
    receipt_key: bytes | None  # pinned by the profile (None: trusted on first use)


def target_of(vault: Vault) -> Target:
    profile = held_profile(vault)
    if profile is None:
        raise errors.no_organisation()
    if profile.server is None:
        raise errors.no_server(profile.org_id)
    server = profile.server
    return Target(profile, server.url, server.cert_sha256, server.receipt_key)


def checked_proxy(value: str) -> str:
    """A SOCKS5 proxy URL (socks5:// or socks5h://HOST:PORT), else SyncFailed."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:  # a port that is not a number, or out of range
        raise errors.proxy_invalid() from None
    if parts.scheme not in {"socks5", "socks5h"} or not parts.hostname or port is None:
        raise errors.proxy_invalid()
    return value.strip()


def proxy_setting(vault: Vault) -> str | None:
    """The vault's ``sync_proxy`` setting: a SOCKS5 proxy (Tor) or None."""
    value = vault.settings.get("sync_proxy").strip()
    return checked_proxy(value) if value else None


def chosen_proxy(vault: Vault, proxy: str | bool | None) -> str | None:
    """True: the vault's setting; a string: that proxy; None or False: none."""
    if proxy is True:
        return proxy_setting(vault)
    return checked_proxy(proxy) if isinstance(proxy, str) else None


@contextmanager
def translated(url: str) -> Iterator[None]:
    """The transport's failures as SyncFailed: unreachable (queued), a
    certificate that is not the pinned one, a refusal with its code, and
    answers that are not a Fieldvault server's (garbage)."""
    try:
        yield
    except ServerUnreachable:
        raise errors.offline(url) from None
    except PinMismatch:
        raise errors.pin_mismatch(url) from None
    except ServerSaid as said:
        if said.code == "device-revoked":
            raise errors.device_revoked() from None
        if said.status >= 500 and said.code in {"http-error", "internal-error"}:
            raise errors.server_error(url) from None
        if said.code in {"upload-busy", "upload-idle", "rate-limited"}:
            # Busy for now, not a refusal: tried again later by itself.
            raise errors.server_error(url) from None
        if said.status < 400 or said.code == "http-error":
            raise errors.garbage(url) from None
        raise errors.refused(said.code) from None
    except (ValueError, KeyError, TypeError, IndexError, ReceiptInvalid):
        # httpx's JSON decoding, a missing member, a malformed receipt.
        raise errors.garbage(url) from None


def _login(client: ServerClient, vault: Vault, url: str, pinned: bytes | None) -> None:
    """Log in; a device enrolled offline is registered first with its
    enrolment token. The server's receipt key is checked before the device
    signs anything or hands over its token (docs/server.md §4): a server
    showing another key gets neither (it could redeem the token for a key
    of its own at the real server)."""

    def expect(key: bytes) -> None:
        _check_server_key(vault, key, url, pinned)

    key = vault.sync.signing_key()
    try:
        client.login(key, vault.device_id, expect_key=expect)
    except ServerSaid as said:
        token = vault.sync.enrolment_token()
        if said.code != "device-unknown" or token is None:
            raise
        # Enrolled offline: the token registers the device now (docs/server.md §3).
        # The challenge named no key (the device is unknown), so ask for it.
        offered = unb64(str(client.info()["server_key"]), 32)
        if offered is None:
            raise errors.garbage(url) from None
        expect(offered)
        client.enrol(token, key)
        client.login(key, vault.device_id, expect_key=expect)
    if vault.sync.enrolment_token() is not None and vault.sync.has_acknowledgement():
        # Known to the server (logged in) and to a coordinator (its bundles no
        # longer prove the token): spent. Not before: a bundle acknowledged by
        # USB still leaves the device to register here with it.
        vault.sync.set_enrolment_token(None)
    _remember_server_key(vault, client, url, pinned)


def _check_server_key(vault: Vault, key: bytes, url: str, pinned: bytes | None) -> None:
    """The receipt key the server shows must be the one the signed profile
    pins; a profile from before keys were pinned has the key remembered the
    first time and required to stay the same."""
    known = SyncClientState.of(vault).value(SERVER_KEY)
    if pinned is not None:
        if key != pinned:
            raise errors.server_key_changed(url)
    elif known is not None and known != base64.b64encode(key).decode("ascii"):
        raise errors.server_key_changed(url)


def _remember_server_key(vault: Vault, client: ServerClient, url: str, pinned: bytes | None) -> bytes:
    """After a login with the key checked: remember it (first use, or the
    profile names a new key)."""
    key = client.server_key
    if key is None:
        raise errors.garbage(url)
    _check_server_key(vault, key, url, pinned)
    state = SyncClientState.of(vault)
    text = base64.b64encode(key).decode("ascii")
    known = state.value(SERVER_KEY)
    if known != text:
        # The key it replaces stays in the history: receipts signed before
        # the switch are checked against it (receipt_audit.PinnedKeys).
        keep_receipt_keys(state, base64.b64decode(known) if known else None, [key])
        state.set_value(SERVER_KEY, text)
    return key


# A login is reused for this long at most: the server's sessions last 15
# minutes from the login, whatever is done in them (docs/server.md §3), and
# a step that starts with an older login has little time left. A server
# that says when its session ends (the token answer's ``expires_ms``) sets
# the window: its lifetime less LOGIN_MARGIN (or less half of it, when
# short), never more than REUSE_LOGIN_FOR.
REUSE_LOGIN_FOR = 10 * 60.0
LOGIN_MARGIN = 5 * 60.0
AUTH_PATHS = frozenset({"/v1/auth/challenge", "/v1/auth/token", "/v1/enrol", "/v1/server"})


def _session_lifetime(response: httpx.Response) -> float | None:
    """Seconds the session just given lasts, by the server's own clock (its
    answer's Date, one-second steps, taken as a second late): the device's
    clock may be off by hours. None when the server does not say."""
    try:
        expires_ms = int(response.json()["expires_ms"])
    except (ValueError, KeyError, TypeError):
        return None
    try:
        now_ms = parsedate_to_datetime(response.headers["Date"]).timestamp() * 1000 + 1000
    except (KeyError, TypeError, ValueError):
        now_ms = time.time() * 1000
    return (expires_ms - now_ms) / 1000


def _reuse_for(lifetime: float | None) -> float:
    if lifetime is None:
        return REUSE_LOGIN_FOR
    return min(REUSE_LOGIN_FOR, max(0.0, lifetime - min(LOGIN_MARGIN, lifetime / 2)))


class _RoundClient(ServerClient):
    """The client of a sync step: notes how long the server's session lasts
    and, inside a round (``relogin`` set), logs in again when the server
    says the session ended (401 auth-required) and repeats that request
    once. A 401 on a request is answered before the server acts on it, so
    repeating it is safe (an upload's PATCH included); a second 401 is
    raised as the refusal it is. A download asks ``_logged_in_again`` on
    each range request it makes (transport.py), so one refused on a
    reconnect goes on from the bytes already written, not from its start."""

    session_lifetime: float | None = None
    relogin: Callable[[], bool] | None = None  # False: the round's one re-login is used

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = super().request(method, path, **kwargs)
        except ServerSaid as said:
            if path in AUTH_PATHS or not self._logged_in_again(said):
                raise
            response = super().request(method, path, **kwargs)
        if path == "/v1/auth/token":
            self.session_lifetime = _session_lifetime(response)
        return response

    def _logged_in_again(self, said: ServerSaid) -> bool:
        if said.status != 401 or said.code != "auth-required" or self.relogin is None:
            return False
        return self.relogin()


@dataclass
class _SharedLogin:
    """The connection and login that the steps of one sync round share."""

    vault: Vault
    stack: ExitStack = field(default_factory=ExitStack)
    client: _RoundClient | None = None
    settings: tuple[object, ...] = ()  # (proxy, timeout) the client was opened with
    logged_in_at: float = 0.0
    reuse_for: float = REUSE_LOGIN_FOR
    logged_in_again: bool = False  # once a round: a second ended session is a refusal

    def usable(self, vault: Vault, settings: tuple[object, ...]) -> ServerClient | None:
        fresh = time.monotonic() - self.logged_in_at < self.reuse_for
        if self.client is not None and vault is self.vault and settings == self.settings and fresh:
            return self.client
        return None

    def logged_in(self, client: _RoundClient, target: Target, settings: tuple[object, ...]) -> None:
        self.client, self.settings = client, settings
        self.logged_in_at = time.monotonic()
        self.reuse_for = _reuse_for(client.session_lifetime)

        def relogin() -> bool:
            if self.logged_in_again:
                return False
            self.logged_in_again = True
            _login(client, self.vault, target.url, target.receipt_key)
            self.logged_in(client, target, settings)
            return True

        client.relogin = relogin

    def drop(self) -> None:
        """After a failure inside a step: the next step connects afresh."""
        self.stack.close()
        self.stack = ExitStack()
        self.client = None


_ROUND: ContextVar[_SharedLogin | None] = ContextVar("fieldvault_sync_round", default=None)


@contextmanager
def one_login(vault: Vault) -> Iterator[None]:
    """The sync steps run inside share one connection and one login: a
    field worker's push and then its inbox, a coordinator's pull and then
    its send-back (each step would otherwise connect, read the certificate
    and log in again). A step whose connection failed leaves the next one
    to connect and log in afresh; so does a login near the end of the
    server's session (``_reuse_for``). A session that ends inside a step
    anyway is logged into again, once a round (``_RoundClient``)."""
    shared = _SharedLogin(vault)
    token = _ROUND.set(shared)
    try:
        yield
    finally:
        _ROUND.reset(token)
        shared.drop()


def _open(
    stack: ExitStack, vault: Vault, target: Target, proxy: str | None, timeout: float | httpx.Timeout
) -> _RoundClient:
    client = _RoundClient(target.url, target.cert_sha256, proxy=proxy, timeout=timeout)
    stack.enter_context(client)
    _login(client, vault, target.url, target.receipt_key)
    exchange_profile(vault, client, target.profile)
    return client


@contextmanager
def session(
    vault: Vault, *, proxy: str | None = None, timeout: float | httpx.Timeout = TIMEOUT
) -> Iterator[ServerClient]:
    """A logged-in client of the vault's organisation server (inside
    ``one_login``: the round's, logged in once). Errors inside the block are
    translated too (``translated``)."""
    target = target_of(vault)
    shared = _ROUND.get()
    settings = (proxy, timeout)
    if shared is None or shared.vault is not vault:
        with translated(target.url), ExitStack() as stack:
            yield _open(stack, vault, target, proxy, timeout)
        return
    try:
        with translated(target.url):
            client = shared.usable(vault, settings)
            if client is None:
                shared.drop()
                client = _open(shared.stack, vault, target, proxy, timeout)
                shared.logged_in(client, target, settings)
            yield client
    except BaseException:
        shared.drop()  # a broken connection is not handed to the next step
        raise


def exchange_profile(vault: Vault, client: ServerClient, held: Profile) -> int:
    """The organisation's newest profile, whichever side holds it: a newer
    version on the server (a revocation, a new coordinator, a policy a
    coordinator published) is checked against the organisation key this
    vault holds and taken; an older one there is replaced by this vault's
    (a coordinator's version made offline reaches the server at its next
    sync; any device may relay it, as only the organisation key signs it).
    Returns the version the vault holds afterwards."""
    from sync.org_vault import current_signed, update_profile

    signed = client.get_profile()
    try:
        theirs = read_profile(signed, org_key=held.org_key)
    except OrgRefused:
        raise errors.garbage(client.url) from None  # the server checks every profile it takes
    if theirs.org_id != held.org_id:
        raise errors.garbage(client.url)
    if theirs.version > held.version:
        return update_profile(vault, signed).version
    if theirs.version < held.version:
        client.put_profile(current_signed(vault).signed)
    return held.version


def is_transient(error: SyncFailed) -> bool:
    return error.transient
