"""What the server does, apart from HTTP: the pinned organisation, enrolment,
login, the upload life cycle, receipts and the coordinators' side
(docs/server.md). The FastAPI layer (app.py, tus.py) only translates.

Refusals are ServerRefused with a stable code; logs carry ids only.
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import logging
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from sync.bundle.errors import REASONS, BundleRejected
from sync.bundle.format import PREFIX_SIZE, SIGNATURE_SIZE
from sync.bundle.hashing import HashingThread, ThreadedSha256
from sync.bundle.reader import CheckedBundle, check_bundle, check_header
from sync.org import OrgRefused, Profile, device_id_of, read_profile, read_token
from sync.server.arrival_hashes import ArrivalHashes, HeldHashes
from sync.server.errors import ServerRefused, bad_request, conflict, forbidden, not_found, unauthorised
from sync.server.payloads import ChecksumMismatch, OffsetMismatch, PayloadStore, UploadBusy
from sync.server.protocol import challenge_message, enrol_message, unb64
from sync.server.receipts import Receipt, make_entry, sign_entry
from sync.server.relay_statement import MetadataRefused, RelayStatement, signature_in
from sync.server.storage import BundleRow, Metadata, UploadRow, now_ms

log = logging.getLogger("fieldvault.server")

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_bundle: int = 4 * 1024 * MiB  # bytes of one bundle (Upload-Length)
    max_json: int = 64 * 1024  # bytes of a JSON request body
    max_checked_chunk: int = 64 * MiB  # a PATCH with Upload-Checksum is held in memory to check it
    upload_ttl_ms: int = 7 * 24 * 3600 * 1000  # a partial upload is removed after this
    session_ttl_ms: int = 15 * 60 * 1000
    challenge_ttl_ms: int = 60 * 1000
    # Requests of one device per minute: in memory for one process on
    # SQLite, in the shared database otherwise (SharedRateLimit).
    device_requests_per_minute: int = 1200
    # A request body that sends nothing for this long is given up (408):
    # a silent client must not hold a server thread or an upload's lock.
    body_idle_s: float = 60.0
    # How long HEAD/PATCH wait for a checked chunk of the same upload still
    # being written before answering 423 (the client tries again).
    busy_wait_s: float = 10.0


@dataclass(frozen=True)
class Caller:
    device_id: str
    role: str  # "device" or "coordinator"


def event(name: str, **ids: Any) -> None:
    """One structured log line: an event name and ids, nothing else."""
    log.info(name, extra={"ids": ids})


class _StagedReader:
    """The staged upload as a file for the bundle reader; hashes the whole
    file on the way when given a digest (its SHA-256 goes into the receipt)."""

    def __init__(self, chunks: Iterator[bytes], digest: ThreadedSha256 | None) -> None:
        self._chunks = chunks
        self._buffer = b""
        self.digest = digest

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            if self.digest is not None:
                self.digest.update(chunk)
            self._buffer += chunk
        if size < 0:
            data, self._buffer = self._buffer, b""
        else:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def seekable(self) -> bool:
        return False

    def readable(self) -> bool:
        return True


class RateLimit:
    """A sliding one-minute window of request times per device id."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._seen: dict[str, collections.deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, device_id: str) -> None:
        now = time.monotonic()
        with self._lock:
            if len(self._seen) > 100_000:  # forget idle devices rather than grow without end
                self._seen = {k: v for k, v in self._seen.items() if v and v[-1] > now - 60}
            seen = self._seen.setdefault(device_id, collections.deque())
            while seen and seen[0] <= now - 60:
                seen.popleft()
            if len(seen) >= self.per_minute:
                raise ServerRefused(
                    429, "rate-limited", f"Device {device_id} sent too many requests; wait a minute."
                )
            seen.append(now)


class SharedRateLimit:
    """The limit counted in the metadata database, for server processes that
    share one (PostgreSQL): a sliding one-minute window estimated from two
    fixed windows (this minute's count plus the previous minute's, weighted
    by how much of it still lies within the last 60 s)."""

    def __init__(self, metadata: Metadata, per_minute: int) -> None:
        self.metadata = metadata
        self.per_minute = per_minute

    def check(self, device_id: str) -> None:
        now = now_ms()
        window = now - now % 60_000
        current, previous = self.metadata.count_request(device_id, window)
        still_in = 1 - (now - window) / 60_000
        if current + previous * still_in > self.per_minute:
            raise ServerRefused(
                429, "rate-limited", f"Device {device_id} sent too many requests; wait a minute."
            )


class Service:
    def __init__(
        self, metadata: Metadata, store: PayloadStore, receipt_key: Ed25519PrivateKey, limits: Limits
    ) -> None:
        self.metadata = metadata
        self.store = store
        self.receipt_key = receipt_key
        self.server_key = receipt_key.public_key().public_bytes_raw()
        self.limits = limits
        self._profile_cache: tuple[int, Profile] | None = None
        # One process on SQLite counts in memory; processes sharing a database
        # server count there, together.
        self.rate: RateLimit | SharedRateLimit = (
            RateLimit(limits.device_requests_per_minute)
            if metadata.engine.dialect.name == "sqlite"
            else SharedRateLimit(metadata, limits.device_requests_per_minute)
        )
        # The file and payload hashes of uploads in progress, fed as their
        # bytes arrive (arrival_hashes.py): the last byte needs no read-back.
        # Only for a store whose appends cannot race (payloads.py).
        self.hashes = HeldHashes(enabled=bool(getattr(store, "exclusive_appends", False)))

    # -- the organisation ------------------------------------------------------------

    def profile(self) -> Profile | None:
        state = self.metadata.org_state()
        if state is None or state.profile is None or state.version is None:
            return None
        if self._profile_cache is None or self._profile_cache[0] != state.version:
            self._profile_cache = (state.version, read_profile(state.profile, org_key=state.org_key))
        return self._profile_cache[1]

    def signed_profile(self) -> bytes:
        state = self.metadata.org_state()
        if state is None or state.profile is None:
            raise conflict("org-no-profile", "This server holds no organisation profile yet.")
        return state.profile

    def _require_profile(self) -> Profile:
        profile = self.profile()
        if profile is None:
            raise conflict(
                "org-no-profile",
                "This server holds no organisation profile yet: a coordinator uploads it with "
                "'fieldvault org set-server'.",
            )
        return profile

    def put_profile(self, data: bytes) -> tuple[Profile, bool]:
        """Accept a profile signed by the pinned organisation key, if newer
        than the one held. Returns (the held profile, whether it changed)."""
        state = self.metadata.org_state()
        if state is None:
            raise conflict(
                "org-not-pinned", "This server was not initialised with 'fieldvault serve --init'."
            )
        try:
            if state.org_key is not None:
                profile = read_profile(data, org_key=state.org_key)
            else:
                profile = read_profile(data, expected_fingerprint=state.fingerprint)
        except OrgRefused as refused:
            status = 400 if refused.code == "org-profile-form" else 403
            raise ServerRefused(status, refused.code or "org-profile-form", str(refused)) from None
        if state.org_id is not None and profile.org_id != state.org_id:
            raise forbidden("org-other-organisation", f"This server serves organisation {state.org_id}.")
        if state.version is not None and profile.version < state.version:
            raise conflict(
                "profile-older",
                f"This server holds profile version {state.version}; version {profile.version} is older.",
            )
        if state.version == profile.version:
            if state.profile != data:
                raise conflict("profile-version-taken", f"Another profile has version {profile.version}.")
            return profile, False
        changed = self.metadata.store_profile(profile.org_id, profile.org_key, profile.version, data)
        if not changed:  # a newer one arrived meanwhile
            raise conflict("profile-older", "A newer profile arrived meanwhile.")
        event("profile-stored", org_id=profile.org_id, version=profile.version)
        return profile, True

    # -- enrolment -------------------------------------------------------------------

    def enrol(self, token_text: str, device_key_b64: str, signature_b64: str) -> str:
        profile = self._require_profile()
        device_key = unb64(device_key_b64, 32)
        signature = unb64(signature_b64, 64)
        if device_key is None or signature is None or len(token_text) > 4096:
            raise bad_request("request-form", "device_key and signature are base64 (32 and 64 bytes).")
        try:
            Ed25519PublicKey.from_public_bytes(device_key).verify(
                signature, enrol_message(token_text, device_key)
            )
        except (InvalidSignature, ValueError):
            raise forbidden(
                "enrol-signature", "The enrolment request is not signed by the key it registers."
            ) from None
        device_id = device_id_of(device_key)
        if device_id in profile.revoked:
            raise forbidden("device-revoked", f"Device {device_id} was revoked by the organisation.")
        try:
            token = read_token(token_text, profile.org_key, profile.org_id, now_ms=now_ms())
        except OrgRefused as refused:
            status = 400 if refused.code == "token-form" else 403
            raise ServerRefused(status, refused.code or "token-form", str(refused)) from None
        outcome = self.metadata.enrol(device_id, device_key, token.token_id, token.expires_ms)
        if outcome == "used":
            raise conflict("token-used", f"Enrolment token {token.token_id} was used already.")
        event("device-enrolled", device_id=device_id, token_id=token.token_id)
        return device_id

    # -- login -----------------------------------------------------------------------

    def _device_key(self, device_id: str, profile: Profile) -> tuple[bytes, str]:
        """The device's key and role; refuses revoked and unknown devices."""
        if device_id in profile.revoked:
            raise forbidden("device-revoked", f"Device {device_id} was revoked by the organisation.")
        coordinator = profile.coordinator(device_id)
        if coordinator is not None:
            return coordinator.device_key, "coordinator"
        key = self.metadata.device_key(device_id)
        if key is None:
            raise forbidden("device-unknown", f"Device {device_id} is not enrolled at this server.")
        return key, "device"

    def challenge(self, device_id: str) -> tuple[str, int]:
        # Known devices only are counted: requests naming made-up ids must
        # not grow the shared rate table (SharedRateLimit) without end.
        self._device_key(device_id, self._require_profile())
        self.rate.check(device_id)
        challenge = secrets.token_hex(32)
        expires = now_ms() + self.limits.challenge_ttl_ms
        self.metadata.add_challenge(challenge, device_id, expires)
        return challenge, expires

    def login(self, device_id: str, challenge: str, signature_b64: str) -> tuple[str, int]:
        key, _role = self._device_key(device_id, self._require_profile())
        signature = unb64(signature_b64, 64)
        if signature is None:
            raise bad_request("request-form", "signature is base64 of 64 bytes.")
        if not self.metadata.take_challenge(challenge, device_id):
            raise ServerRefused(
                401, "challenge-unknown", "That challenge is unknown, used or expired: ask for a new one."
            )
        try:
            Ed25519PublicKey.from_public_bytes(key).verify(
                signature, challenge_message(challenge, device_id, self.server_key)
            )
        except InvalidSignature:
            raise forbidden(
                "challenge-signature", f"The answer is not signed by device {device_id}'s key."
            ) from None
        token = secrets.token_urlsafe(32)
        expires = now_ms() + self.limits.session_ttl_ms
        self.metadata.add_session(hashlib.sha256(token.encode()).hexdigest(), device_id, expires)
        event("login", device_id=device_id)
        return token, expires

    def caller(self, authorization: str | None) -> Caller:
        """The device behind a bearer token, checked against the newest
        profile on every request: a revocation holds from the next request."""
        if not authorization or not authorization.startswith("Bearer "):
            raise unauthorised()
        token = authorization[len("Bearer ") :].strip()
        if not token or len(token) > 200:
            raise unauthorised()
        device_id = self.metadata.session_device(hashlib.sha256(token.encode()).hexdigest())
        if device_id is None:
            raise unauthorised("That access token is unknown or expired: log in again.")
        self.rate.check(device_id)
        _key, role = self._device_key(device_id, self._require_profile())
        return Caller(device_id, role)

    @staticmethod
    def coordinator_only(caller: Caller) -> None:
        if caller.role != "coordinator":
            raise forbidden("coordinator-only", f"Device {caller.device_id} is not a coordinator.")

    # -- uploads ---------------------------------------------------------------------

    def create_upload(self, caller: Caller, length: int, upload_metadata: str | None = None) -> str:
        """A new upload. ``upload_metadata`` (tus ``Upload-Metadata``) is
        read for a coordinator's relay statement only (relay_statement.py),
        kept with the upload while it receives and checked on its last byte
        (then dropped, whatever the answer); every other key is ignored and
        stored nowhere. Only a coordinator relays: a statement from any
        other device is refused here, not stored."""
        if not 1 <= length <= self.limits.max_bundle:
            raise ServerRefused(
                413, "bundle-too-large", f"A bundle is at most {self.limits.max_bundle} bytes on this server."
            )
        try:
            relay_signature = signature_in(upload_metadata)
        except MetadataRefused as refused:
            raise bad_request(refused.code, f"{refused}.") from None
        if relay_signature is not None and caller.role != "coordinator":
            raise bad_request(
                "relay-not-coordinator",
                f"Device {caller.device_id} is no coordinator of the newest profile: it relays nothing.",
            )
        self.remove_expired()
        upload_id = secrets.token_hex(16)
        self.metadata.add_upload(
            upload_id, caller.device_id, length, now_ms() + self.limits.upload_ttl_ms, relay_signature
        )
        event(
            "upload-created",
            device_id=caller.device_id,
            upload_id=upload_id,
            length=length,
            relay=relay_signature is not None,
        )
        return upload_id

    def own_upload(self, caller: Caller, upload_id: str) -> UploadRow:
        row = self.metadata.upload(upload_id) if _is_hex(upload_id, 32) else None
        if row is None or row.device_id != caller.device_id:
            raise not_found("upload-unknown", f"No upload {upload_id[:64]} of this device.")
        if row.state == "refused":
            raise ServerRefused(410, "upload-refused", f"Upload {upload_id} was refused; start a new one.")
        return row

    def offset(self, row: UploadRow) -> int:
        """The stored length; UploadBusy while a checked chunk is being
        written (tus.py waits for it without holding a thread)."""
        return row.length if row.state == "done" else self.store.staged_length(row.upload_id)

    def append(self, row: UploadRow, offset: int, chunks: Any) -> int:
        continuing = self.hashes.continuing(row.upload_id, offset)
        try:
            if continuing is None:
                return self.store.append(row.upload_id, offset, chunks)
            self.hashes.forget(row.upload_id)  # bytes a failure keeps are not in ours
            with continuing as feeding:
                stored = self.store.append(row.upload_id, offset, feeding.pieces(chunks))
                self.hashes.keep(row.upload_id, feeding, stored)
            return stored
        except OffsetMismatch as mismatch:
            raise conflict(
                "upload-offset", f"Upload {row.upload_id} holds {mismatch.stored} bytes."
            ) from None

    def append_checked(self, row: UploadRow, offset: int, chunks: Any, expected_sha256: bytes) -> int:
        """A tus chunk with Upload-Checksum: kept whole if it hashes right,
        not at all otherwise (460) or if its connection drops."""
        continuing = self.hashes.continuing(row.upload_id, offset)
        try:
            if continuing is None:
                return self.store.append_checked(row.upload_id, offset, chunks, expected_sha256)
            # A refused or cut chunk leaves the held hashes as it leaves the file.
            with continuing as feeding:
                stored = self.store.append_checked(
                    row.upload_id, offset, feeding.pieces(chunks), expected_sha256
                )
                self.hashes.keep(row.upload_id, feeding, stored)
            return stored
        except OffsetMismatch as mismatch:
            raise conflict(
                "upload-offset", f"Upload {row.upload_id} holds {mismatch.stored} bytes."
            ) from None
        except ChecksumMismatch:
            raise ServerRefused(
                460, "checksum-mismatch", "The chunk does not match its Upload-Checksum; send it again."
            ) from None

    def terminate(self, row: UploadRow) -> None:
        if row.state != "receiving":
            raise conflict("upload-complete", f"Upload {row.upload_id} is complete; it cannot be terminated.")
        self.store.discard(row.upload_id)
        self.hashes.forget(row.upload_id)
        self.metadata.remove_upload(row.upload_id)
        event("upload-terminated", upload_id=row.upload_id)

    def remove_expired(self) -> None:
        for upload_id in self.metadata.expired_uploads(now_ms()):
            self.store.discard(upload_id)
            self.hashes.forget(upload_id)
            self.metadata.remove_upload(upload_id)
            event("upload-expired", upload_id=upload_id)
        # Only the row goes: a finished upload's bytes are its bundle's now.
        for upload_id in self.metadata.expired_finished_uploads(now_ms()):
            self.metadata.remove_upload(upload_id)
            event("upload-forgotten", upload_id=upload_id)

    def _refuse_upload(self, row: UploadRow, refusal: ServerRefused) -> ServerRefused:
        """Discard a refused upload's bytes and its relay statement at once
        (set_upload_state drops it); the row alone (ids, length, times, state)
        stays until the upload's expiry, so that its device still hears 410
        ``upload-refused``, then remove_expired removes it."""
        self.store.discard(row.upload_id)
        self.hashes.forget(row.upload_id)
        self.metadata.set_upload_state(row.upload_id, "refused")
        event("upload-refused", device_id=row.device_id, upload_id=row.upload_id, code=refusal.code)
        return refusal

    def finish(self, row: UploadRow) -> BundleRow:
        """The last byte arrived: check the bundle (docs/bundle-format.md §5
        steps 1-4 and 7, then device and sequence), claim its (device,
        sequence), commit its bytes and append its receipt. Idempotent: the
        same bundle again gives the bundle stored before."""
        if row.state == "done" and row.bundle_id is not None:
            held = self.metadata.bundle(row.bundle_id)
            if held is not None:
                return self._commit(held)
        profile = self._require_profile()
        try:
            checked, file_sha256 = self._check_staged(row, profile.org_id)
        except BundleRejected as rejected:
            raise self._refuse_upload(
                row,
                ServerRefused(
                    422,
                    f"bundle-{rejected.kind}",
                    f"The bundle {REASONS[rejected.kind][1]}; it was not stored.",
                ),
            ) from None
        header = checked.header
        # A coordinator may relay another device's bundle that reached it by
        # USB (docs/sync.md §2.3): signed by its maker, checked as any other,
        # filed under its maker's device and number. Never an addressed one,
        # and only with the coordinator's relay statement for this bundle.
        relayer = profile.coordinator(row.device_id) if header.addressee is None else None
        relayed_by = None
        if header.device_id != row.device_id:
            if relayer is None:
                raise self._refuse_upload(
                    row,
                    forbidden(
                        "bundle-other-device",
                        f"The bundle was made by device {header.device_id}, not the sender.",
                    ),
                )
            # Bound to the coordinator's key, not only its session: a stolen
            # session token must not put any key's bundles into the feed.
            statement = RelayStatement(
                org_id=profile.org_id,
                relayer_id=row.device_id,
                bundle_id=checked.bundle_id,
                device_id=header.device_id,
                sequence=header.sequence,
                payload_sha256=header.payload_sha256,
            )
            if not statement.signed_by(relayer.device_key, row.relay_signature):
                raise self._refuse_upload(
                    row,
                    forbidden(
                        "relay-statement",
                        f"The relay of bundle {checked.bundle_id} carries no relay statement signed by "
                        f"coordinator {row.device_id}'s key for it; it was not stored.",
                    ),
                )
            relayed_by = row.device_id
        if header.device_id in profile.revoked:
            # A relay's maker revoked is about the bundle, not the caller: its
            # own code, so that the relaying desk sets this bundle aside and
            # is not told that it was revoked itself (device-revoked).
            code = "bundle-device-revoked" if header.device_id != row.device_id else "device-revoked"
            raise self._refuse_upload(row, forbidden(code, f"Device {header.device_id} was revoked."))
        if header.addressee is not None:
            self._check_addressee(row, header.device_id, header.addressee, profile)
        if header.sequence > 1:
            before = self.metadata.bundle_at(header.device_id, header.sequence - 1)
            if before is not None and before.bundle_id != header.previous:
                raise self._refuse_upload(
                    row, conflict("bundle-chain", f"The bundle does not follow bundle {before.bundle_id}.")
                )
        claim = BundleRow(
            bundle_id=checked.bundle_id,
            device_id=header.device_id,
            sequence=header.sequence,
            previous=header.previous,
            profile_version=header.profile_version,
            payload_sha256=header.payload_sha256,
            file_sha256=file_sha256,
            size=row.length,
            bundle_key=secrets.token_hex(16),
            upload_id=row.upload_id,
            state="staged",
            received_ms=now_ms(),
            receipt_index=None,
            # Only who relayed it: the checked statement itself is not kept
            # (review 9 F7; server.md §6), so a breached server holds no
            # third-party-verifiable proof that the bundle passed through
            # this desk by hand.
            relayed_by=relayed_by,
        )
        held = self.metadata.claim_bundle(claim, header.addressee)
        if held.bundle_id != claim.bundle_id:
            raise self._refuse_upload(
                row,
                conflict(
                    "bundle-conflict",
                    f"Device {header.device_id} sent another bundle ({held.bundle_id}) with sequence {header.sequence}.",
                ),
            )
        if held.upload_id != row.upload_id:  # the same bundle, sent again: keep one copy
            self.store.discard(row.upload_id)
            self.metadata.set_upload_state(row.upload_id, "done", held.bundle_id)
            event("bundle-again", device_id=held.device_id, bundle_id=held.bundle_id, upload_id=row.upload_id)
        return self._commit(held)

    def _check_staged(self, row: UploadRow, org_id: str) -> tuple[CheckedBundle, str]:
        """bundle-format.md §5 steps 1-4 and 7 on the staged bytes, and the
        whole file's SHA-256 (for the receipt). With the hashes fed while
        the bytes arrived only the signed prefix is read back; without them
        (a restart, another server process) the whole file is."""
        hashes = self.hashes.take(row.upload_id, row.length)
        if hashes is not None:
            checked = self._check_arrived(row, org_id, hashes)
            if checked is not None:
                return checked, hashes.file.hexdigest()
        # The whole file's hash runs on its own thread, beside the payload
        # hash the check computes.
        with HashingThread() as hashing:
            reader = _StagedReader(self.store.read_staged(row.upload_id), ThreadedSha256(hashing))
            checked = check_bundle(reader, org_id=org_id)  # type: ignore[arg-type]
            assert reader.digest is not None
            return checked, reader.digest.hexdigest()

    def _check_arrived(self, row: UploadRow, org_id: str, hashes: ArrivalHashes) -> CheckedBundle | None:
        """check_bundle's checks with the payload hashed on arrival: the
        prefix (magic, header, signature, organisation) read back and
        checked, then the payload's size and SHA-256 against the header's.
        None when the prefix does not end where the hashes took it to."""
        chunks = self.store.read_staged(row.upload_id)
        try:
            checked = check_header(_StagedReader(chunks, None), org_id=org_id)  # type: ignore[arg-type]
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        start = hashes.payload_start
        if start is None or PREFIX_SIZE + len(checked.header_bytes) + SIGNATURE_SIZE != start:
            return None
        payload_size = row.length - start
        if payload_size < checked.header.payload_size:
            raise BundleRejected("truncated")
        if payload_size > checked.header.payload_size:
            raise BundleRejected("trailing-data")
        if hashes.payload.hexdigest() != checked.header.payload_sha256:
            raise BundleRejected("payload-hash")
        return checked

    def _check_addressee(self, row: UploadRow, sender: str, addressee: str, profile: Profile) -> None:
        """A bundle for one field worker's inbox comes from a coordinator of
        the profile (its send-back, docs/merge.md) and not for a revoked device."""
        if profile.coordinator(sender) is None:
            raise self._refuse_upload(
                row,
                forbidden(
                    "bundle-addressee",
                    f"Only a coordinator's bundle may be addressed to a device; {sender} is not one.",
                ),
            )
        if addressee in profile.revoked:
            raise self._refuse_upload(
                row,
                forbidden("addressee-revoked", f"Device {addressee} was revoked; nothing is sent to it."),
            )

    def _commit(self, bundle: BundleRow) -> BundleRow:
        if bundle.state == "committed":
            return bundle
        try:
            self.store.commit(bundle.upload_id, bundle.bundle_key)
        except FileNotFoundError:
            # Another request (a retried last PATCH) moved it a moment ago.
            if self.store.size(bundle.bundle_key) is None:
                raise
        org_id = self._require_profile().org_id

        def entry(index: int, previous: str) -> tuple[bytes, str, bytes]:
            data = make_entry(
                index,
                previous,
                {
                    "org_id": org_id,
                    "device_id": bundle.device_id,
                    "sequence": bundle.sequence,
                    "bundle_id": bundle.bundle_id,
                    "payload_sha256": bundle.payload_sha256,
                    "file_sha256": bundle.file_sha256,
                    "size": bundle.size,
                    "received_ms": bundle.received_ms,
                },
            )
            return data, hashlib.sha256(data).hexdigest(), sign_entry(self.receipt_key, data)

        index = self.metadata.commit_bundle(bundle.bundle_id, entry)
        relay = {"relayed_by": bundle.relayed_by} if bundle.relayed_by is not None else {}
        event("bundle-stored", device_id=bundle.device_id, bundle_id=bundle.bundle_id, receipt=index, **relay)
        committed = self.metadata.bundle(bundle.bundle_id)
        assert committed is not None
        return committed

    def recover(self) -> None:
        """At start-up: finish what a crash interrupted. Claimed bundles are
        committed (their bytes are staged or already moved); complete
        uploads not yet checked are checked now; expired ones removed."""
        for bundle in self.metadata.staged_bundles():
            try:
                self._commit(bundle)
            except FileNotFoundError:
                event("bundle-lost", bundle_id=bundle.bundle_id)
        for row in self.metadata.receiving_uploads():
            try:
                complete = self.store.staged_length(row.upload_id) == row.length
            except UploadBusy:
                continue  # another process is writing it: not ours to finish
            if complete:
                # A refusal is recorded on the upload; the device hears it at its next HEAD.
                with contextlib.suppress(ServerRefused):
                    self.finish(row)
        self.remove_expired()

    # -- receipts and coordinators ---------------------------------------------------

    def receipt_of(self, bundle: BundleRow) -> Receipt:
        assert bundle.receipt_index is not None
        stored = self.metadata.receipt(bundle.receipt_index)
        assert stored is not None
        return Receipt(bundle.receipt_index, stored[0], stored[1])

    def visible_bundle(self, caller: Caller, bundle_id: str) -> BundleRow:
        """A committed bundle the caller may see: a coordinator any, a device
        its own and those filed in its inbox."""
        bundle = self.metadata.bundle(bundle_id) if _is_hex(bundle_id, 64) else None
        if (
            bundle is None
            or bundle.state != "committed"
            or (
                caller.role != "coordinator"
                and bundle.device_id != caller.device_id
                and self.metadata.addressee_of(bundle.bundle_id) != caller.device_id
            )
        ):
            raise not_found("bundle-unknown", f"No bundle {bundle_id[:64]} here.")
        return bundle

    def inbox_bundle(self, caller: Caller, bundle_id: str) -> BundleRow:
        """A committed bundle filed in the calling device's inbox. Any other
        bundle is refused as to any field device (403 ``coordinator-only``),
        whether it exists or not: a worker learns nothing of others' inboxes."""
        bundle = self.metadata.bundle(bundle_id) if _is_hex(bundle_id, 64) else None
        if (
            bundle is None
            or bundle.state != "committed"
            or self.metadata.addressee_of(bundle.bundle_id) != caller.device_id
        ):
            self.coordinator_only(caller)
            raise not_found("bundle-unknown", f"No bundle {bundle_id[:64]} here.")
        return bundle


def _is_hex(text: str, size: int) -> bool:
    return len(text) == size and all(c in "0123456789abcdef" for c in text)
