"""tus 1.0 at /v1/uploads: core, creation, termination and checksum (sha256)
(https://tus.io/protocols/resumable-upload; docs/server.md says why it is
our own). Upload-Metadata is read for one key only, a coordinator's
``relay-signature`` (sync/server/relay_statement.py), kept only while the
upload receives; anything else a client names there is ignored and stored
nowhere. The last byte of an upload triggers the bundle checks
(service.finish); the answer then carries the bundle id, and its receipt is
at /v1/bundles/{id}/receipt.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import queue
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Annotated, Any

from fastapi import FastAPI, Header, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from sync.server.errors import ServerRefused, bad_request, conflict
from sync.server.payloads import UploadBusy
from sync.server.protocol import TUS_EXTENSIONS, TUS_VERSION, unb64
from sync.server.service import Caller, Service
from sync.server.storage import UploadRow

PIECE = 1024 * 1024  # bytes gathered before each durable append
OFFSET_TYPE = "application/offset+octet-stream"
AuthHeader = Annotated[str | None, Header(description="Bearer <token> from /v1/auth/token")]

__all__ = ["TUS_VERSION", "AuthHeader", "add_routes"]


def _int_header(value: str | None, name: str) -> int:
    if value is None or not value.isdigit() or len(value) > 19:
        raise bad_request("tus-header", f"{name} must be a non-negative integer.")
    return int(value)


def _check_version(value: str | None) -> None:
    if value != TUS_VERSION:
        raise ServerRefused(412, "tus-version", f"This server speaks tus {TUS_VERSION} (Tus-Resumable).")


def _checksum(value: str) -> bytes:
    algorithm, _, encoded = value.strip().partition(" ")
    if algorithm != "sha256":
        raise bad_request("checksum-algorithm", "Upload-Checksum supports sha256 only.")
    # Only the canonical spelling, as every base64 field the server reads.
    digest = unb64(encoded, 32)
    if digest is None:
        raise bad_request("checksum-form", "Upload-Checksum is 'sha256 <base64 of 32 bytes>'.")
    return digest


def add_routes(
    app: FastAPI,
    service: Service,
    caller_of: Callable[[str | None], Awaitable[Caller]],
    errors: dict[int | str, dict[str, Any]],
) -> None:
    tus_headers = {"Tus-Resumable": TUS_VERSION}

    def done_headers(row: UploadRow, offset: int, bundle_id: str | None) -> dict[str, str]:
        headers = {
            **tus_headers,
            "Upload-Offset": str(offset),
            "Upload-Length": str(row.length),
            "Cache-Control": "no-store",
        }
        if bundle_id is not None:
            headers["Fieldvault-Bundle-Id"] = bundle_id
        return headers

    @app.options("/v1/uploads", status_code=204)
    async def tus_options() -> Response:
        return Response(
            status_code=204,
            headers={
                **tus_headers,
                "Tus-Version": TUS_VERSION,
                "Tus-Extension": TUS_EXTENSIONS,
                "Tus-Max-Size": str(service.limits.max_bundle),
                "Tus-Checksum-Algorithm": "sha256",
            },
        )

    @app.post("/v1/uploads", status_code=201, responses=errors)
    async def create_upload(
        authorization: AuthHeader = None,
        tus_resumable: str | None = Header(None),
        upload_length: str | None = Header(None),
        upload_defer_length: str | None = Header(None),
        content_length: str | None = Header(None),
        upload_metadata: str | None = Header(None),
    ) -> Response:
        _check_version(tus_resumable)
        if upload_defer_length is not None:
            raise bad_request("tus-defer-length", "Give Upload-Length: deferred lengths are not supported.")
        length = _int_header(upload_length, "Upload-Length")
        if content_length not in (None, "0"):
            raise bad_request("tus-creation-with-upload", "Create the upload first, then PATCH its bytes.")
        caller = await caller_of(authorization)
        upload_id = await run_in_threadpool(service.create_upload, caller, length, upload_metadata)
        return Response(status_code=201, headers={**tus_headers, "Location": f"/v1/uploads/{upload_id}"})

    @app.head("/v1/uploads/{upload_id}", responses=errors)
    async def upload_offset(
        upload_id: str, authorization: AuthHeader = None, tus_resumable: str | None = Header(None)
    ) -> Response:
        _check_version(tus_resumable)
        caller = await caller_of(authorization)
        row = await run_in_threadpool(service.own_upload, caller, upload_id)
        offset = await _offset(service, row)
        return Response(status_code=200, headers=done_headers(row, offset, row.bundle_id))

    @app.delete("/v1/uploads/{upload_id}", status_code=204, responses=errors)
    async def terminate(
        upload_id: str, authorization: AuthHeader = None, tus_resumable: str | None = Header(None)
    ) -> Response:
        _check_version(tus_resumable)
        caller = await caller_of(authorization)
        row = await run_in_threadpool(service.own_upload, caller, upload_id)
        await run_in_threadpool(service.terminate, row)
        return Response(status_code=204, headers=tus_headers)

    @app.patch(
        "/v1/uploads/{upload_id}",
        status_code=204,
        responses=errors,
        openapi_extra={
            "requestBody": {
                "content": {OFFSET_TYPE: {"schema": {"type": "string", "format": "binary"}}},
                "required": True,
            }
        },
    )
    async def append(
        upload_id: str,
        request: Request,
        authorization: AuthHeader = None,
        tus_resumable: str | None = Header(None),
        upload_offset: str | None = Header(None),
        content_type: str | None = Header(None),
        content_length: str | None = Header(None),
        upload_checksum: str | None = Header(None),
    ) -> Response:
        _check_version(tus_resumable)
        if content_type != OFFSET_TYPE:
            raise ServerRefused(415, "tus-content-type", f"PATCH bodies are {OFFSET_TYPE}.")
        offset = _int_header(upload_offset, "Upload-Offset")
        declared = _int_header(content_length, "Content-Length") if content_length is not None else None
        expected = _checksum(upload_checksum) if upload_checksum is not None else None
        caller = await caller_of(authorization)
        row = await run_in_threadpool(service.own_upload, caller, upload_id)
        if row.state == "done":
            if offset == row.length and not declared:
                return Response(status_code=204, headers=done_headers(row, row.length, row.bundle_id))
            raise conflict("upload-complete", f"Upload {row.upload_id} is complete.")
        stored = await _offset(service, row)
        if offset != stored:
            raise ServerRefused(
                409, "upload-offset", f"Upload {row.upload_id} holds {stored} bytes: resume at that offset."
            )
        if declared is not None and offset + declared > row.length:
            raise ServerRefused(413, "upload-too-long", f"Upload {row.upload_id} is {row.length} bytes long.")
        if expected is not None:
            offset = await _append_checked_once(service, caller, row, offset, request, expected)
        else:
            offset = await _append_streamed(service, row, offset, request)
        bundle_id = None
        if offset == row.length:
            bundle = await run_in_threadpool(service.finish, row)
            bundle_id = bundle.bundle_id
        return Response(status_code=204, headers=done_headers(row, offset, bundle_id))


async def _append_streamed(service: Service, row: UploadRow, offset: int, request: Request) -> int:
    """Bytes go to the store in ~1 MiB pieces as they arrive; a dropped
    connection keeps every piece that arrived (tus resumes from there)."""
    buffer = bytearray()
    try:
        async for chunk in request.stream():
            if offset + len(buffer) + len(chunk) > row.length:
                raise ServerRefused(
                    413, "upload-too-long", f"Upload {row.upload_id} is {row.length} bytes long."
                )
            buffer += chunk
            if len(buffer) >= PIECE:
                offset = await run_in_threadpool(service.append, row, offset, [bytes(buffer)])
                buffer.clear()
    except ClientDisconnect:
        pass
    finally:
        if buffer:
            offset = await run_in_threadpool(service.append, row, offset, [bytes(buffer)])
    return offset


class _Aborted(Exception):
    """The request ended before the whole chunk arrived."""


def _pieces_from(arrived: queue.SimpleQueue[bytearray | _Aborted | None]) -> Iterator[bytearray]:
    """What the event loop received, in order, for the writer's thread."""
    while True:
        piece = arrived.get()
        if piece is None:
            return
        if isinstance(piece, _Aborted):
            raise piece
        yield piece


async def _offset(service: Service, row: UploadRow) -> int:
    """The upload's stored length, waiting (asynchronously: no thread is
    held) while a checked chunk of it is still being written; 423 after
    ``busy_wait_s``."""
    deadline = time.monotonic() + service.limits.busy_wait_s
    while True:
        try:
            stored: int = await run_in_threadpool(service.offset, row)
            return stored
        except UploadBusy:
            if time.monotonic() > deadline:
                raise ServerRefused(
                    423,
                    "upload-busy",
                    f"Upload {row.upload_id} is still receiving a chunk; try again in a moment.",
                ) from None
            await asyncio.sleep(0.05)


# Checked PATCHes in progress in this process, per device. A tus client
# sends one PATCH at a time (a retry may overlap one the server has not yet
# seen end); more than a few at once are refused (423), so that one device
# (a stolen laptop, a buggy client) cannot tie up the server's threads.
MAX_CHECKED_PER_DEVICE = 4
_WRITING: collections.Counter[str] = collections.Counter()


async def _append_checked_once(
    service: Service, caller: Caller, row: UploadRow, offset: int, request: Request, expected: bytes
) -> int:
    if _WRITING[caller.device_id] >= MAX_CHECKED_PER_DEVICE:
        raise ServerRefused(
            423, "upload-busy", "This device is already sending chunks; send one PATCH at a time."
        )
    _WRITING[caller.device_id] += 1
    try:
        return await _append_checked(service, row, offset, request, expected)
    finally:
        _WRITING[caller.device_id] -= 1
        if not _WRITING[caller.device_id]:
            del _WRITING[caller.device_id]


async def _pieces_idle_limited(request: Request, idle_s: float) -> AsyncIterator[bytes]:
    """The request body as it arrives; 408 when nothing comes for ``idle_s``
    (a connection that died silently, or a client holding the upload)."""
    stream = request.stream().__aiter__()
    while True:
        try:
            chunk = await asyncio.wait_for(stream.__anext__(), timeout=idle_s)
        except StopAsyncIteration:
            return
        except TimeoutError:
            raise ServerRefused(
                408, "upload-idle", f"Nothing arrived for {idle_s:.0f} s; resume the upload."
            ) from None
        yield chunk


async def _append_checked(
    service: Service, row: UploadRow, offset: int, request: Request, expected: bytes
) -> int:
    """With Upload-Checksum the chunk (bounded) is written by a thread while
    the rest of it still arrives, and kept only if it hashes right: tus
    answers 460 and keeps nothing of it otherwise, nor of a chunk whose
    connection dropped or went silent (payloads.py, append_checked). The
    writer starts with the first full piece: a client that sends nothing
    holds no thread and no lock."""
    cap = service.limits.max_checked_chunk
    arrived: queue.SimpleQueue[bytearray | _Aborted | None] = queue.SimpleQueue()
    writer: asyncio.Future[int] | None = None

    def start_writer() -> asyncio.Future[int]:
        return asyncio.ensure_future(
            run_in_threadpool(service.append_checked, row, offset, _pieces_from(arrived), expected)
        )

    received, gathered = 0, bytearray()
    try:
        async for chunk in _pieces_idle_limited(request, service.limits.body_idle_s):
            received += len(chunk)
            if received > cap:
                raise ServerRefused(
                    413, "chunk-too-large", f"A chunk with Upload-Checksum is at most {cap} bytes."
                )
            if offset + received > row.length:
                raise ServerRefused(
                    413, "upload-too-long", f"Upload {row.upload_id} is {row.length} bytes long."
                )
            gathered += chunk
            if len(gathered) >= PIECE:
                # Handed over, not copied: the writer's thread owns it now.
                arrived.put(gathered)
                gathered = bytearray()
                writer = writer or start_writer()
    except BaseException:
        arrived.put(_Aborted())
        if writer is not None:
            with contextlib.suppress(Exception):
                await writer  # the bytes written so far are cut off before we answer
        raise
    if gathered:
        arrived.put(gathered)
    arrived.put(None)
    result: int = await (writer or start_writer())
    return result
