"""The HTTP face of the server: FastAPI routes under /v1/, /healthz, the
OpenAPI schema at /v1/openapi.json (docs/server.md, "API").

Every refusal is a 4xx with ``{"error": {"code", "message"}}``; a request
that matches nothing, is malformed or too large gets the same shape. Logs
name the route template, the status and ids, never an address.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sync.org import MAX_PROFILE
from sync.server import tus
from sync.server.errors import ServerRefused, bad_request
from sync.server.log_stamping import LogStamper, StoredTimestamp, TsaConfig, stored_timestamps
from sync.server.payloads import PayloadMissing, PayloadStore
from sync.server.protocol import b64, unb64
from sync.server.schema import bundles as bundles_table
from sync.server.schema import inbox as inbox_table
from sync.server.service import Caller, Limits, Service, event
from sync.server.storage import Metadata
from sync.server.timestamping import TimestampError
from sync.server.tus import AuthHeader

log = logging.getLogger("fieldvault.server")

HEX32 = r"^[0-9a-f]{32}$"
HEX64 = r"^[0-9a-f]{64}$"
ERROR_SCHEMA: dict[str, Any] = {
    "description": "Refused: a stable code and a message naming ids only.",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {
                    "error": {
                        "type": "object",
                        "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
                        "required": ["code", "message"],
                    }
                },
                "required": ["error"],
            }
        }
    },
}
ERRORS: dict[int | str, dict[str, Any]] = {
    status: ERROR_SCHEMA
    for status in (400, 401, 403, 404, 408, 409, 410, 411, 412, 413, 415, 416, 422, 423, 429, 460)
}


OCTETS: dict[str, Any] = {
    "description": "Bytes",
    "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
}


@dataclass
class ServerConfig:
    metadata: Metadata
    store: PayloadStore
    receipt_key: Ed25519PrivateKey
    limits: Limits = field(default_factory=Limits)
    # Independent time (log_stamping.py): the TSA, where the token files go,
    # and how often the log's head is stamped (0: on demand only).
    tsa: TsaConfig | None = None
    timestamps_folder: Path | None = None
    stamp_interval: float = 0.0


def _json_error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    # The code also travels as a header: a HEAD answer has no body.
    headers = {**(headers or {}), "Fieldvault-Error": code}
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


class BodyCaps:
    """Refuses an oversized or unframed body before any route reads it: JSON
    bodies are small, a profile at most MAX_PROFILE; tus PATCH bodies are
    streamed and bounded by the upload's length (tus.py)."""

    def __init__(self, app: ASGIApp, limits: Limits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        cap: int | None = self.limits.max_json
        if method == "PATCH" and path.startswith("/v1/uploads/"):
            cap = None
        elif method == "PUT" and path == "/v1/profile":
            cap = MAX_PROFILE
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if cap is not None:
            length = headers.get("content-length")
            if length is None and "transfer-encoding" in headers:
                await _json_error(411, "length-required", "Send a Content-Length.")(scope, receive, send)
                return
            if length is not None and (not length.isdigit() or int(length) > cap):
                await _json_error(413, "body-too-large", f"A request body here is at most {cap} bytes.")(
                    scope, receive, send
                )
                return
        await self.app(scope, receive, send)


class CatchAll:
    """The outermost layer: an exception no handler turned into an answer
    becomes a 500 with a JSON body, and the log gets its type only — never
    a traceback, whose messages could quote what a request carried."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as exc:  # noqa: BLE001 - the last line of defence, by design
            log.error("unexpected", extra={"ids": {"type": type(exc).__name__}})
            if not started:
                await _json_error(
                    500, "internal-error", "The server failed; nothing was stored for this request."
                )(scope, receive, send)


class RequestLog:
    """One line per request: method, route template, status, milliseconds.
    No address, no query, no header."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.monotonic()
        status = 0

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = scope.get("route")
            event(
                "request",
                method=scope["method"],
                route=getattr(route, "path", "unmatched"),
                status=status,
                ms=int((time.monotonic() - started) * 1000),
            )


class ChallengeRequest(BaseModel):
    device_id: str = Field(pattern=HEX32)


class ChallengeAnswer(BaseModel):
    challenge: str
    expires_ms: int
    server_key: str


class TokenRequest(BaseModel):
    device_id: str = Field(pattern=HEX32)
    challenge: str = Field(pattern=HEX64)
    signature: str = Field(max_length=100)


class TokenAnswer(BaseModel):
    token: str
    expires_ms: int


class EnrolRequest(BaseModel):
    token: str = Field(max_length=4096)
    device_key: str = Field(max_length=100)
    signature: str = Field(max_length=100)


class EnrolAnswer(BaseModel):
    device_id: str


class ProfileAnswer(BaseModel):
    org_id: str
    version: int
    changed: bool


class ServerInfo(BaseModel):
    server_key: str
    api: str
    tus_version: str
    max_bundle: int


class ReceiptJson(BaseModel):
    index: int
    entry: str
    signature: str


class ReceiptLog(BaseModel):
    receipts: list[ReceiptJson]
    server_key: str


class Change(BaseModel):
    bundle_id: str
    device_id: str
    sequence: int
    size: int
    file_sha256: str
    received_ms: int
    receipt_index: int
    acked: bool
    relayed_by: str | None = None  # the coordinator that relayed it (its signed statement checked)


class Changes(BaseModel):
    changes: list[Change]
    cursor: int


class InboxItem(BaseModel):
    bundle_id: str
    device_id: str  # the coordinator that made it
    sequence: int
    size: int
    file_sha256: str
    received_ms: int
    receipt_index: int
    taken: bool


class Inbox(BaseModel):
    bundles: list[InboxItem]
    cursor: int


class SentBackItem(BaseModel):
    bundle_id: str
    addressee: str  # the device it was filed for (a field worker; a new desk for a hand-over)
    taken_ms: int | None  # when the addressee acknowledged it; None: not (yet)


class SentBack(BaseModel):
    bundles: list[SentBackItem]


# A coordinator asks about at most this many of its send-backs at once.
MAX_SENT_BACK_IDS = 100


def sent_back_state(metadata: Metadata, coordinator_id: str, bundle_ids: list[str]) -> list[SentBackItem]:
    """Of ``bundle_ids``, the committed bundles ``coordinator_id`` itself
    uploaded and the server filed in a device's inbox (a field worker's
    send-back, a new desk's history hand-over), each with its addressee and
    whether (when) that device took it. Any other id is left
    out: a coordinator learns nothing here of bundles it did not send."""
    query = (
        select(inbox_table.c.bundle_id, inbox_table.c.addressee, inbox_table.c.taken_ms)
        .select_from(inbox_table.join(bundles_table, bundles_table.c.bundle_id == inbox_table.c.bundle_id))
        .where(
            inbox_table.c.bundle_id.in_(sorted(set(bundle_ids))),
            bundles_table.c.device_id == coordinator_id,
            bundles_table.c.state == "committed",
        )
        .order_by(inbox_table.c.bundle_id)
    )
    with metadata.engine.connect() as conn:
        rows = conn.execute(query).all()
    return [SentBackItem(bundle_id=r[0], addressee=r[1], taken_ms=r[2]) for r in rows]


class AckAnswer(BaseModel):
    bundle_id: str
    acked: bool


# A signed acknowledgement file (sync/acks.py MAX_ACK is 16 KiB), base64.
MAX_SIGNED_ACK = 16_384


class AckRequest(BaseModel):
    signed: str | None = Field(default=None, max_length=4 * MAX_SIGNED_ACK // 3 + 4)


class SignedAcks(BaseModel):
    acks: list[str]  # base64 of each coordinator's signed acknowledgement file


class LogTimestampJson(BaseModel):
    size: int
    head: str
    checkpoint: str  # base64 of the checkpoint's bytes (timestamping.py)
    token: str  # base64 of the TSA's TimeStampResp (DER): `openssl ts -verify -in`
    serial: str
    gen_time_ms: int

    @classmethod
    def of(cls, stored: StoredTimestamp) -> LogTimestampJson:
        return cls(
            size=stored.size,
            head=stored.head,
            checkpoint=b64(stored.checkpoint),
            token=b64(stored.token),
            serial=stored.serial,
            gen_time_ms=stored.gen_time_ms,
        )


class LogTimestamps(BaseModel):
    timestamps: list[LogTimestampJson]
    server_key: str


def create_app(config: ServerConfig) -> FastAPI:
    service = Service(config.metadata, config.store, config.receipt_key, config.limits)
    stamper = (
        LogStamper(config.metadata, service.server_key, config.tsa, config.timestamps_folder)
        if config.tsa is not None and config.timestamps_folder is not None
        else None
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(service.recover)
        if stamper is not None and config.stamp_interval > 0:
            stamper.start(config.stamp_interval)
        event("server-started")
        try:
            yield
        finally:
            if stamper is not None:
                stamper.stop()

    app = FastAPI(
        title="Fieldvault server",
        version="1",
        openapi_url="/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.service = service

    @app.exception_handler(ServerRefused)
    async def refused(_request: Request, exc: ServerRefused) -> JSONResponse:
        headers = {"Tus-Resumable": tus.TUS_VERSION} if _request.url.path.startswith("/v1/uploads") else None
        return _json_error(exc.status, exc.code, exc.message, headers)

    @app.exception_handler(RequestValidationError)
    async def malformed(_request: Request, _exc: RequestValidationError) -> JSONResponse:
        # The client's input is not echoed back (nor logged).
        return _json_error(400, "request-form", "The request is malformed (see the OpenAPI schema).")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
        return _json_error(exc.status_code, code, "No such resource or method here.")

    async def call(function: Callable[..., Any], *args: Any) -> Any:
        return await run_in_threadpool(function, *args)

    async def caller_of(authorization: str | None) -> Caller:
        result: Caller = await call(service.caller, authorization)
        return result

    @app.get("/healthz")
    async def healthz() -> dict[str, bool]:
        await call(config.metadata.org_state)
        return {"ok": True}

    @app.get("/v1/server", response_model=ServerInfo)
    async def server_info() -> ServerInfo:
        return ServerInfo(
            server_key=b64(service.server_key),
            api="fieldvault/1",
            tus_version=tus.TUS_VERSION,
            max_bundle=config.limits.max_bundle,
        )

    @app.put(
        "/v1/profile",
        response_model=ProfileAnswer,
        responses=ERRORS,
        openapi_extra={
            "requestBody": {
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
                "required": True,
            }
        },
    )
    async def put_profile(request: Request) -> ProfileAnswer:
        data = await request.body()
        if not data:
            raise bad_request("org-profile-form", "Send the signed profile file as the body.")
        profile, changed = await call(service.put_profile, data)
        return ProfileAnswer(org_id=profile.org_id, version=profile.version, changed=changed)

    @app.get("/v1/profile", responses={**ERRORS, 200: OCTETS})
    async def get_profile(authorization: AuthHeader = None) -> Response:
        await caller_of(authorization)
        return Response(await call(service.signed_profile), media_type="application/octet-stream")

    @app.post("/v1/enrol", response_model=EnrolAnswer, status_code=201, responses=ERRORS)
    async def enrol(body: EnrolRequest) -> EnrolAnswer:
        return EnrolAnswer(device_id=await call(service.enrol, body.token, body.device_key, body.signature))

    @app.post("/v1/auth/challenge", response_model=ChallengeAnswer, responses=ERRORS)
    async def challenge(body: ChallengeRequest) -> ChallengeAnswer:
        text, expires = await call(service.challenge, body.device_id)
        return ChallengeAnswer(challenge=text, expires_ms=expires, server_key=b64(service.server_key))

    @app.post("/v1/auth/token", response_model=TokenAnswer, responses=ERRORS)
    async def token(body: TokenRequest) -> TokenAnswer:
        text, expires = await call(service.login, body.device_id, body.challenge, body.signature)
        return TokenAnswer(token=text, expires_ms=expires)

    tus.add_routes(app, service, caller_of, ERRORS)

    @app.get("/v1/bundles/{bundle_id}/receipt", response_model=ReceiptJson, responses=ERRORS)
    async def bundle_receipt(bundle_id: str, authorization: AuthHeader = None) -> ReceiptJson:
        caller = await caller_of(authorization)
        bundle = await call(service.visible_bundle, caller, bundle_id)
        receipt = await call(service.receipt_of, bundle)
        return ReceiptJson(**receipt.to_json())

    @app.get("/v1/receipts", response_model=ReceiptLog, responses=ERRORS)
    async def receipt_log(
        authorization: AuthHeader = None,
        start: Annotated[int, Query(alias="from", ge=1, le=2**62)] = 1,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> ReceiptLog:
        caller = await caller_of(authorization)
        service.coordinator_only(caller)
        rows = await call(config.metadata.receipts_from, start, limit)
        return ReceiptLog(
            receipts=[ReceiptJson(index=i, entry=b64(e), signature=b64(s)) for i, e, s in rows],
            server_key=b64(service.server_key),
        )

    @app.get("/v1/receipts/timestamps", response_model=LogTimestamps, responses=ERRORS)
    async def log_timestamps(
        authorization: AuthHeader = None,
        start: Annotated[int, Query(alias="from", ge=1, le=2**62)] = 1,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> LogTimestamps:
        """RFC 3161 tokens over checkpoints of the receipt log, for log sizes
        from ``from`` on (every server process sharing the database has them)."""
        caller = await caller_of(authorization)
        service.coordinator_only(caller)
        rows = await call(stored_timestamps, config.metadata, start, limit)
        return LogTimestamps(
            timestamps=[LogTimestampJson.of(row) for row in rows], server_key=b64(service.server_key)
        )

    @app.post(
        "/v1/receipts/timestamps",
        response_model=LogTimestampJson,
        responses={**ERRORS, 503: ERROR_SCHEMA},
    )
    async def stamp_log(authorization: AuthHeader = None) -> LogTimestampJson:
        """The token for the log's current head, asked of the TSA now when it
        has none yet."""
        caller = await caller_of(authorization)
        service.coordinator_only(caller)
        if stamper is None:
            raise ServerRefused(409, "tsa-not-configured", "This server has no time-stamping authority.")
        try:
            stored: StoredTimestamp | None = await call(stamper.latest)
        except TimestampError as exc:
            event("log-timestamp-failed", code=exc.code)
            raise ServerRefused(
                503, "tsa-unavailable", f"The time-stamping authority failed ({exc.code})."
            ) from None
        if stored is None:
            raise ServerRefused(409, "log-empty", "The receipt log is empty: nothing to stamp yet.")
        return LogTimestampJson.of(stored)

    @app.get("/v1/changes", response_model=Changes, responses=ERRORS)
    async def changes(
        authorization: AuthHeader = None,
        cursor: Annotated[int, Query(ge=0, le=2**62)] = 0,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> Changes:
        caller = await caller_of(authorization)
        service.coordinator_only(caller)
        rows = await call(config.metadata.changes, cursor, limit, caller.device_id)
        items = [
            Change(
                bundle_id=b.bundle_id,
                device_id=b.device_id,
                sequence=b.sequence,
                size=b.size,
                file_sha256=b.file_sha256,
                received_ms=b.received_ms,
                receipt_index=b.receipt_index or 0,
                acked=acked,
                relayed_by=b.relayed_by,
            )
            for b, acked in rows
        ]
        return Changes(changes=items, cursor=items[-1].receipt_index if items else cursor)

    @app.get("/v1/inbox", response_model=Inbox, responses=ERRORS)
    async def inbox(
        authorization: AuthHeader = None,
        cursor: Annotated[int, Query(ge=0, le=2**62)] = 0,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> Inbox:
        """The bundles coordinators addressed to the calling device (its
        send-backs), in log order from ``cursor``; nobody else's."""
        caller = await caller_of(authorization)
        rows = await call(config.metadata.inbox, caller.device_id, cursor, limit)
        items = [
            InboxItem(
                bundle_id=b.bundle_id,
                device_id=b.device_id,
                sequence=b.sequence,
                size=b.size,
                file_sha256=b.file_sha256,
                received_ms=b.received_ms,
                receipt_index=b.receipt_index or 0,
                taken=taken,
            )
            for b, taken in rows
        ]
        return Inbox(bundles=items, cursor=items[-1].receipt_index if items else cursor)

    @app.get("/v1/sent-back", response_model=SentBack, responses=ERRORS)
    async def sent_back(
        ids: Annotated[
            list[Annotated[str, Field(pattern=HEX64)]], Query(min_length=1, max_length=MAX_SENT_BACK_IDS)
        ],
        authorization: AuthHeader = None,
    ) -> SentBack:
        """Whether the field workers took the calling coordinator's own
        send-backs (docs/sync.md §2.1): of the bundle ids asked, those it
        uploaded that were filed in an inbox, with addressee and taken time."""
        caller = await caller_of(authorization)
        service.coordinator_only(caller)
        items = await call(sent_back_state, config.metadata, caller.device_id, ids)
        return SentBack(bundles=items)

    @app.get(
        "/v1/bundles/{bundle_id}",
        responses={
            **ERRORS,
            200: OCTETS,
            206: {**OCTETS, "description": "The requested range"},
        },
    )
    async def download(
        bundle_id: str, authorization: AuthHeader = None, range: Annotated[str | None, Header()] = None
    ) -> Response:
        caller = await caller_of(authorization)
        if caller.role == "coordinator":
            bundle = await call(service.visible_bundle, caller, bundle_id)
        else:  # a field device downloads only what is filed in its inbox
            bundle = await call(service.inbox_bundle, caller, bundle_id)
        start, end = _byte_range(range, bundle.size)
        headers = {
            "Accept-Ranges": "bytes",
            "Content-Length": str(end - start),
            "ETag": f'"{bundle.file_sha256}"',
        }
        status = 200
        if range is not None:
            status = 206
            headers["Content-Range"] = f"bytes {start}-{end - 1}/{bundle.size}"
        # The first piece is read before the answer starts: a stored copy
        # that is gone or unreadable is then said of this bundle alone (410),
        # where a failure inside the stream could only cut the connection,
        # which the client takes for the link's fault and stops its pull.
        pieces = config.store.read_range(bundle.bundle_key, start, end)
        try:
            first: bytes = await call(_first_piece, config.store, pieces, bundle.bundle_key, bundle.size)
        except PayloadMissing:
            event("bundle-payload-missing", bundle_id=bundle.bundle_id, device_id=bundle.device_id)
            raise ServerRefused(
                410,
                "bundle-payload-missing",
                f"The stored copy of bundle {bundle.bundle_id} is gone, cut short or unreadable on this server; "
                "its operator can restore it from a backup.",
            ) from None
        return StreamingResponse(
            _to_the_end(first, pieces, end - start, bundle.bundle_key),
            status_code=status,
            headers=headers,
            media_type="application/octet-stream",
        )

    @app.post("/v1/bundles/{bundle_id}/ack", response_model=AckAnswer, responses=ERRORS)
    async def ack(
        bundle_id: str, authorization: AuthHeader = None, body: AckRequest | None = None
    ) -> AckAnswer:
        caller = await caller_of(authorization)
        if caller.role != "coordinator":
            # A field device acknowledges what it took from its inbox.
            taken = await call(service.inbox_bundle, caller, bundle_id)
            await call(config.metadata.take, taken.bundle_id)
            event("inbox-taken", bundle_id=taken.bundle_id, device_id=caller.device_id)
            return AckAnswer(bundle_id=taken.bundle_id, acked=True)
        signed = None
        if body is not None and body.signed is not None:
            # Kept opaque and relayed to the bundle's device, which checks the
            # coordinator's signature itself (sync/acks.py take_ack).
            signed = unb64(body.signed)
            if signed is None or not 0 < len(signed) <= MAX_SIGNED_ACK:
                raise bad_request("ack-form", "signed must be a signed acknowledgement file, base64.")
        bundle = await call(service.visible_bundle, caller, bundle_id)
        await call(config.metadata.ack, bundle.bundle_id, caller.device_id, signed)
        event("bundle-acked", bundle_id=bundle.bundle_id, coordinator_id=caller.device_id)
        if await call(config.metadata.addressee_of, bundle.bundle_id) == caller.device_id:
            # A history hand-over filed in this desk's inbox: taken, so that
            # its maker stops making fresh ones (GET /v1/sent-back's taken_ms).
            await call(config.metadata.take, bundle.bundle_id)
            event("inbox-taken", bundle_id=bundle.bundle_id, device_id=caller.device_id)
        return AckAnswer(bundle_id=bundle.bundle_id, acked=True)

    @app.get("/v1/bundles/{bundle_id}/acks", response_model=SignedAcks, responses=ERRORS)
    async def signed_acks(bundle_id: str, authorization: AuthHeader = None) -> SignedAcks:
        """The coordinators' signed acknowledgements of a bundle, for its device."""
        caller = await caller_of(authorization)
        bundle = await call(service.visible_bundle, caller, bundle_id)
        relayed = await call(config.metadata.signed_acks, bundle.bundle_id)
        return SignedAcks(acks=[b64(signed) for signed in relayed])

    app.add_middleware(BodyCaps, limits=config.limits)
    app.add_middleware(RequestLog)
    app.add_middleware(CatchAll)
    return app


def _first_piece(store: PayloadStore, pieces: Iterator[bytes], bundle_key: str, size: int) -> bytes:
    """The first piece of a range asked of the store (never empty: the
    range is within the bundle's recorded size), once the stored copy is
    known to hold all of that size. A copy cut short is as unreadable as a
    lost one (PayloadMissing): streamed, it could only break off where its
    bytes end, at the same place at every try, and the client would stop
    its pull on what looks like a bad link."""
    first = next(pieces, b"")  # first: the store's own faults (a 500) before its sizes
    stored = store.size(bundle_key)
    if not first or stored is None or stored < size:
        raise PayloadMissing(bundle_key)
    return first


def _to_the_end(first: bytes, pieces: Iterator[bytes], length: int, bundle_key: str) -> Iterator[bytes]:
    """The range's pieces. A stored copy cut short while it is streamed
    raises when the stream runs out, which cuts the connection: the client
    sees a broken download at once and resumes (then refused as missing,
    ``_first_piece``), instead of waiting its whole read timeout for bytes
    the Content-Length promised."""
    sent = len(first)
    yield first
    for piece in pieces:
        sent += len(piece)
        yield piece
    if sent < length:
        raise PayloadMissing(bundle_key)


def _byte_range(header: str | None, size: int) -> tuple[int, int]:
    """One HTTP byte range (RFC 9110 §14.1.2) as [start, end); 416 otherwise."""
    if header is None:
        return 0, size
    unsatisfiable = ServerRefused(
        416, "range-unsatisfiable", f"The bundle has {size} bytes; ask one range within them."
    )
    if not header.startswith("bytes=") or "," in header:
        raise unsatisfiable
    first, _, last = header[len("bytes=") :].strip().partition("-")
    if not (first.isdigit() or first == "") or not (last.isdigit() or last == "") or first == last == "":
        raise unsatisfiable
    if first == "":
        start, end = max(size - int(last), 0), size
    else:
        start = int(first)
        end = min(int(last) + 1, size) if last else size
    if start >= size or start >= end:
        raise unsatisfiable
    return start, end
