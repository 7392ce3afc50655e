"""The OpenAPI schema the server publishes, fuzzed with schemathesis: for
every operation, requests generated from the schema and requests that break
it (positive and negative modes), each sent anonymously and with a worker's
and a coordinator's token, never get a 5xx, and every answer fits the
schema (documented status, content type and body).
FIELDVAULT_FUZZ_EXAMPLES (default 15) sets the examples per operation."""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis import APIOperation, GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.errors import InvalidSchema
from schemathesis.core.result import Ok, Result
from starlette.testclient import TestClient

from sync.server.deploy import init_server, open_app
from sync.server.protocol import b64, challenge_message, enrol_message
from sync.server.service import Limits
from tests.sync.server.server_helpers import device_id, make_org

TOKENS: dict[str, str] = {}

# tus PATCH bodies are raw bytes, as application/octet-stream.
schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")
EXAMPLES = int(os.environ.get("FIELDVAULT_FUZZ_EXAMPLES", "15"))


def _login(client: TestClient, key: object, ident: str) -> str:
    asked = client.post("/v1/auth/challenge", json={"device_id": ident}).json()
    server_key = base64.b64decode(asked["server_key"])
    signature = key.sign(challenge_message(asked["challenge"], ident, server_key))  # type: ignore[attr-defined]
    answer = client.post(
        "/v1/auth/token",
        json={"device_id": ident, "challenge": asked["challenge"], "signature": b64(signature)},
    )
    token: str = answer.json()["token"]
    return token


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    data = tmp_path_factory.mktemp("fuzz") / "server"
    org = make_org()
    init_server(data, org.profile.fingerprint, profile=org.signed.signed)
    app = open_app(data, None, Limits(device_requests_per_minute=10**9))  # fuzzing is not flooding
    with TestClient(app) as client:
        worker = Ed25519PrivateKey.generate()
        public = worker.public_key().public_bytes_raw()
        token = org.token()
        client.post(
            "/v1/enrol",
            json={
                "token": token,
                "device_key": b64(public),
                "signature": b64(worker.sign(enrol_message(token, public))),
            },
        )
        TOKENS["worker"] = _login(client, worker, device_id(worker))
        TOKENS["coordinator"] = _login(client, org.coordinator_key, org.coordinator_id)
        yield app


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _operation(
    result: Result[APIOperation[Any, Any, Any, Any], InvalidSchema],
) -> APIOperation[Any, Any, Any, Any]:
    assert isinstance(result, Ok), result.err()  # every operation in the schema is valid
    return result.ok()


def test_no_5xx_and_every_answer_fits_the_schema(api: FastAPI) -> None:
    """Each operation in turn (schemathesis's pytest plugin does not run on
    this pytest; its strategies are driven by hypothesis directly)."""
    schema = schemathesis.openapi.from_asgi("/v1/openapi.json", api)
    operations = [_operation(result) for result in schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:
        strategy = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(
            GenerationMode.NEGATIVE
        )

        @given(case=strategy)
        @settings(
            max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def run(case: schemathesis.Case) -> None:
            own = {k.lower() for k in (case.headers or {})}
            for who in ("anonymous", "worker", "coordinator"):
                headers = (
                    {"Authorization": f"Bearer {TOKENS[who]}"}
                    if who in TOKENS and "authorization" not in own
                    else {}
                )
                case.call_and_validate(headers=headers, checks=CHECKS)

        run()


def test_the_schema_lists_every_route(api: FastAPI, tmp_path: Path) -> None:
    paths = set(TestClient(api).get("/v1/openapi.json").json()["paths"])
    assert {"/v1/uploads", "/v1/uploads/{upload_id}", "/v1/changes", "/v1/enrol", "/v1/profile"} <= paths
