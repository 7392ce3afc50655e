"""A real S3 endpoint for tests: moto's standalone server (``moto.server``,
from the moto[server] dev dependency) in its own process on a free loopback
port, spoken to over HTTP by boto3 exactly as a deployment speaks to any
S3-compatible service. ``running_s3()`` yields an ``S3Endpoint``; each test
gets a bucket of its own from ``create_bucket()``. The fixtures built on it
(``s3_endpoint``, ``s3_bucket``) are in tests/conftest.py.
"""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import httpx
from botocore.config import Config

START_TIMEOUT_S = 20.0
START_ATTEMPTS = 3
# moto checks no credentials; a deployment's come from boto3's usual chain.
ACCESS_KEY = "fieldvault-test"
SECRET_KEY = "fieldvault-test-secret"
REGION = "us-east-1"


@dataclass(frozen=True)
class S3Endpoint:
    url: str

    def client(self) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=self.url,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name=REGION,
            config=Config(retries={"max_attempts": 2, "mode": "standard"}, s3={"addressing_style": "path"}),
        )

    def create_bucket(self) -> str:
        name = f"fieldvault-test-{secrets.token_hex(6)}"
        self.client().create_bucket(Bucket=name)
        return name

    def environment(self) -> dict[str, str]:
        """Variables that point boto3's default chain (as a server process
        started by a test would use it) at this endpoint."""
        return {
            "AWS_ENDPOINT_URL_S3": self.url,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_DEFAULT_REGION": REGION,
        }


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_until_serving(process: subprocess.Popen[bytes], url: str) -> bool:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            httpx.get(f"{url}/moto-api/", timeout=1.0)
            return True
        except httpx.TransportError:
            time.sleep(0.05)
    return False


@contextmanager
def running_s3() -> Iterator[S3Endpoint]:
    """Start moto's S3 server on 127.0.0.1 in a subprocess; stop it after."""
    folder = Path(tempfile.mkdtemp(prefix="fieldvault-s3-"))
    process: subprocess.Popen[bytes] | None = None
    try:
        for _attempt in range(START_ATTEMPTS):
            port = _free_port()
            url = f"http://127.0.0.1:{port}"
            with (folder / "moto.log").open("ab") as log:
                process = subprocess.Popen(
                    [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    cwd=folder,
                )
            if _wait_until_serving(process, url):
                break
            # The port may have been taken between our probe and its bind.
            process.kill()
            process.wait()
            process = None
        if process is None:
            log_tail = (folder / "moto.log").read_text(encoding="utf-8", errors="replace")[-2000:]
            raise RuntimeError(f"moto's S3 server did not start: {log_tail}")
        yield S3Endpoint(url)
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(folder, ignore_errors=True)
