"""The central server (issue 12): one large upload against curl, and many
devices uploading at once.

Measured in the same run, on loopback, against ``fieldvault serve`` in its
own process (``python -m fieldvault.serve_cli``, TLS, SQLite + payload
directory) and real bundles (sync.bundle.write_bundle: signed header, age
payload) the server checks before it stores them:

(a) one large upload (1 GiB of random evidence; quick: 64 MiB): our tus
    client (sync.client.transport.ServerClient.upload: PATCHes sized to the
    link as sync sizes them, 1 MiB growing to 16 MiB, with sha256
    Upload-Checksum, the next chunk read and hashed while one travels; the
    server writes each chunk while it arrives, keeps it only if it hashes
    right, hashes the file and the payload on the way (no read-back at the
    end), checks the bundle's signature and payload hash, commits and signs
    a receipt; the server process's CPU seconds are listed, a figure less
    swayed by other work on the machine than the time)
    vs ``curl -T`` of the same bytes over TLS with the same certificate to a
    minimal uvicorn app that reads and discards the body (the same HTTP
    stack without ours). Ratio = curl's time / ours: target >= 0.8x. Also
    listed: curl to the same app over plain HTTP and to the standard
    library's http.server (no TLS, no uvicorn), to see what TLS in asyncio
    and uvicorn's HTTP parser cost, and which parser and event loop uvicorn
    uses (h11 + asyncio, or httptools + uvloop from uvicorn[standard]: put
    them on PYTHONPATH to compare without changing the project).
(b) N simulated devices (200; quick 20), each enrolled with its own token
    and logged in, uploading B bundles in all (2,000; quick 200) at once,
    one thread per device sending its own chain (sequence 1, 2, ...) in
    order. Then a coordinator reads the changes feed and the receipt log:
    every bundle sent is there exactly once (0 lost, 0 duplicated), the log
    is one consistent chain, and the payload folder holds one file each.
    Reported: bundles/s and p50/p99 latency of an upload (create, PATCH,
    receipt). Target: 0 lost and 0 duplicated (the throughput has no
    baseline: the ratio column shows it against 10 bundles/s, a rough floor).
(c) the same with two server processes sharing a real PostgreSQL (Debian's
    package, started in a temp dir as in the tests) and S3 (moto's server),
    each device taking the two processes in turn.

    python benchmarks/bench_server.py [--size-mib 1024] [--devices 200] [--bundles 2000] [--quick]

Bundles are small and made once before the clock starts (a device key and
``write_bundle`` with a 1 KiB payload each: no vault per device).
Everything lives in one temporary folder, removed afterwards.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import hashlib
import io
import json
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from benchmarks._common import (
    REPO_ROOT,
    Result,
    base_parser,
    bench_tempdir,
    machine_line,
    percentile,
    write_results_json,
)
from sync.bundle import write_bundle
from sync.bundle.writer import BlobSource, BundleContents, DeviceIdentity
from sync.client.transport import ServerClient, ServerUnreachable, Uploaded
from sync.server.receipts import Receipt, check_log
from tests.sync.bundle_samples import device_from_seed
from tests.sync.server.server_helpers import Org, make_org

MiB = 1024 * 1024
PER_DEVICE_TIMEOUT = 600.0
RETRIES = 5


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _load() -> str:
    return f"{os.getloadavg()[0]:.2f}"


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


@dataclass
class Server:
    url: str
    cert: str
    data: Path
    process: subprocess.Popen[bytes]


@dataclass
class Backend:
    """Where the server processes keep metadata and bundles: SQLite and the
    payload directory (None, None), or PostgreSQL and S3 (a database URL,
    an s3:// URL and the AWS_* variables that point boto3 at the service)."""

    db: str | None = None
    s3: str | None = None
    env: dict[str, str] | None = None

    @property
    def args(self) -> list[str]:
        return [*(["--db", self.db] if self.db else []), *(["--s3", self.s3] if self.s3 else [])]


@contextmanager
def running_servers(
    folder: Path, org: Org, count: int = 1, backend: Backend | None = None
) -> Iterator[list[Server]]:
    """``count`` ``fieldvault serve`` processes (its lean entry point) on one
    data folder and one backend, each on its own port."""
    backend = backend or Backend()
    env = {**os.environ, **(backend.env or {})}
    data = folder / "server"
    profile = folder / "org.fvorg"
    profile.write_bytes(org.signed.signed)
    cert = subprocess.run(
        [
            *(sys.executable, "-m", "fieldvault.serve_cli", "--json", "--init"),
            *("--org", org.profile.fingerprint, "--profile", str(profile), "--data", str(data)),
            *backend.args,
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    fingerprint = json.loads(cert.stdout)["fingerprint"]
    servers: list[Server] = []
    try:
        for index in range(count):
            port = _free_port()
            process = subprocess.Popen(
                [
                    *(sys.executable, "-m", "fieldvault.serve_cli", "--data", str(data), "--port", str(port)),
                    *("--log-file", str(folder / f"server-{index}.log"), "--max-bundle-mib", "4096"),
                    *backend.args,
                ],
                cwd=REPO_ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            servers.append(Server(f"https://127.0.0.1:{port}", fingerprint, data, process))
        for server in servers:
            _wait_until_up(server.url, fingerprint)
        yield servers
    finally:
        for server in servers:
            server.process.terminate()
            server.process.wait(timeout=30)


@contextmanager
def running_server(folder: Path, org: Org) -> Iterator[Server]:
    with running_servers(folder, org) as servers:
        yield servers[0]


def _wait_until_up(url: str, cert: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with ServerClient(url, cert) as probe:
                probe.info()
            return
        except ServerUnreachable:
            time.sleep(0.1)
    raise RuntimeError("the server did not start")


def make_bundle(
    dest: Path, org: Org, seed: bytes, sequence: int, previous: str | None, blob: BlobSource
) -> str:
    device = device_from_seed(seed)
    contents = BundleContents(
        org_id=org.profile.org_id,
        profile_version=org.profile.version,
        sequence=sequence,
        previous=previous,
        custody_head=None,
        blobs=[blob],
    )
    written = write_bundle(
        dest, contents, DeviceIdentity(device.private_key, device.device_id), org.recipients
    )
    return written.bundle_id


# -- (a) one large upload vs curl ---------------------------------------------------------

DISCARD_APP = """
import sys, uvicorn

async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    while True:
        message = await receive()
        if not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})

port, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3]
tls = {"ssl_certfile": cert, "ssl_keyfile": key} if cert else {}
uvicorn.run(app, host="127.0.0.1", port=port, access_log=False, log_level="warning", **tls)
"""

# The minimal server that keeps what it receives: the body written to a file
# as it arrives (a thread, as ours does) and fsynced before the answer, as
# any upload server that says "stored" must.
STORE_APP = """
import asyncio, os, sys, uvicorn

async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    fd = os.open(sys.argv[4], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        while True:
            message = await receive()
            body = message.get("body", b"")
            if body:
                await asyncio.to_thread(os.write, fd, body)
            if not message.get("more_body"):
                break
        await asyncio.to_thread(os.fsync, fd)
    finally:
        os.close(fd)
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})

port, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3]
uvicorn.run(app, host="127.0.0.1", port=port, access_log=False, log_level="warning",
            ssl_certfile=cert, ssl_keyfile=key)
"""

PLAIN_APP = """
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Discard(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_PUT(self):
        left = int(self.headers["Content-Length"])
        while left:
            left -= len(self.rfile.read(min(left, 1 << 20)))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass

ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Discard).serve_forever()
"""


@contextmanager
def discard_server(script: str, *args: str) -> Iterator[int]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(port), *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the baseline server did not start") from None
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def _uvicorn_stack() -> str:
    """What uvicorn picks here ("auto"): httptools and uvloop when they are
    installed (uvicorn[standard]), else h11 and asyncio (pure Python)."""
    from importlib.util import find_spec

    http = "httptools" if find_spec("httptools") else "h11"
    loop = "uvloop" if find_spec("uvloop") else "asyncio"
    return f"{http} + {loop}"


def curl_upload(url: str, path: Path, cacert: Path | None) -> float:
    command = ["curl", "-sS", "-o", "/dev/null", "-T", str(path), "-H", "Expect:", "--fail"]
    if cacert is not None:
        command += ["--cacert", str(cacert)]
    started = time.perf_counter()
    subprocess.run([*command, url], check=True)
    return time.perf_counter() - started


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU of a process so far (Linux /proc; None elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _random_file(path: Path, size: int) -> BlobSource:
    digest = hashlib.sha256()
    with path.open("wb") as file:
        left = size
        while left:
            piece = os.urandom(min(left, 16 * MiB))
            digest.update(piece)
            file.write(piece)
            left -= len(piece)
    return BlobSource(digest.hexdigest(), size, ("01936f3e-8a00-7000-8000-e00000000001",), path.open("rb"))


def bench_large_upload(folder: Path, size_mib: int, chunk_mib: int | None) -> Result:
    org = make_org("Bench Org")
    blob = _random_file(folder / "evidence.bin", size_mib * MiB)
    bundle = folder / "large.fvbundle"
    with blob.file:
        bundle_id = make_bundle(bundle, org, b"large device", 1, None, blob)
    (folder / "evidence.bin").unlink()
    size = bundle.stat().st_size
    device = device_from_seed(b"large device")
    load_before = _load()
    with running_server(folder, org) as server:
        with ServerClient(server.url, server.cert) as client:
            client.enrol(org.token(), device.private_key)
            client.login(device.private_key, device.device_id)
            cpu_before = _cpu_seconds(server.process.pid)
            started = time.perf_counter()
            uploaded = client.upload(bundle, chunk=chunk_mib * MiB if chunk_mib else None)
            ours = time.perf_counter() - started
            cpu_after = _cpu_seconds(server.process.pid)
        assert uploaded.bundle_id == bundle_id
        stored = next((server.data / "payloads" / "bundles").iterdir())
        assert stored.stat().st_size == size
        cert, key = server.data / "tls-cert.pem", server.data / "tls-key.pem"
    with discard_server(DISCARD_APP, str(cert), str(key)) as port:
        curl_tls = curl_upload(f"https://127.0.0.1:{port}/", bundle, cert)
    stored_copy = folder / "stored-by-baseline.bin"
    with discard_server(STORE_APP, str(cert), str(key), str(stored_copy)) as port:
        curl_store = curl_upload(f"https://127.0.0.1:{port}/", bundle, cert)
    stored_copy.unlink(missing_ok=True)
    with discard_server(DISCARD_APP, "", "") as port:
        curl_uvicorn_plain = curl_upload(f"http://127.0.0.1:{port}/", bundle, None)
    with discard_server(PLAIN_APP) as port:
        curl_plain = curl_upload(f"http://127.0.0.1:{port}/", bundle, None)
    load_after = _load()
    bundle.unlink()
    mib = size / MiB
    # The target is judged against a minimal server that stores the upload
    # (written and fsynced), as ours must; the discarding app is listed too.
    ratio = curl_store / ours
    return Result(
        name="server-upload",
        metric=f"{size_mib} MiB upload",
        ours=mib / ours,
        baseline=mib / curl_store,
        unit="MiB/s",
        ratio=ratio,
        ratio_meaning="our throughput / curl's to a minimal uvicorn app over TLS that stores the body (write, fsync)",
        target=">= 0.8x",
        passed=ratio >= 0.8,
        details={
            "bundle bytes": size,
            "curl -T to uvicorn app storing the body, TLS": f"{curl_store:.2f} s",
            "ratio against the discarding app instead (no disk at all)": f"{curl_tls / ours:.2f}x",
            f"ours (tus, {f'{chunk_mib} MiB' if chunk_mib else 'link-sized'} PATCHes, checked and stored)": f"{ours:.2f} s",
            "server process CPU during ours (user + system)": f"{cpu_after - cpu_before:.2f} s"
            if cpu_before is not None and cpu_after is not None
            else "not measured here",
            "curl -T to uvicorn discard app, TLS": f"{curl_tls:.2f} s",
            "curl -T to uvicorn discard app, plain HTTP": f"{curl_uvicorn_plain:.2f} s "
            f"({mib / curl_uvicorn_plain:.0f} MiB/s)",
            "curl -T to http.server discard, plain HTTP": f"{curl_plain:.2f} s ({mib / curl_plain:.0f} MiB/s)",
            "uvicorn's HTTP parser and loop": _uvicorn_stack(),
            "load average before-after": f"{load_before}-{load_after}",
        },
    )


# -- (b) many devices at once -------------------------------------------------------------


@dataclass
class DeviceRun:
    seed: bytes
    bundles: list[tuple[Path, str]]
    latencies: list[float]
    error: str | None = None
    retries: int = 0


def _make_device_bundles(folder: Path, org: Org, seed: bytes, count: int) -> DeviceRun:
    run = DeviceRun(seed, [], [])
    previous = None
    for sequence in range(1, count + 1):
        data = os.urandom(1024)
        blob = BlobSource(
            hashlib.sha256(data).hexdigest(),
            len(data),
            ("01936f3e-8a00-7000-8000-e00000000001",),
            io.BytesIO(data),
        )
        path = folder / f"{seed.hex()}-{sequence}.fvbundle"
        previous = make_bundle(path, org, seed, sequence, previous, blob)
        run.bundles.append((path, previous))
    return run


def _device_thread(
    servers: list[Server], run: DeviceRun, token: str, ready: threading.Semaphore, start: threading.Event
) -> None:
    """One device: enrol, log in at each process, then send its bundles in
    order, taking the server processes in turn (as a load balancer without
    affinity would)."""
    device = device_from_seed(run.seed)
    clients = [ServerClient(server.url, server.cert) for server in servers]
    try:
        try:
            clients[0].enrol(token, device.private_key)
            for client in clients:
                client.login(device.private_key, device.device_id)
        finally:
            ready.release()
        start.wait()
        for index, (path, bundle_id) in enumerate(run.bundles):
            began = time.perf_counter()
            uploaded = _upload_retrying(clients[index % len(clients)], path, run)
            run.latencies.append(time.perf_counter() - began)
            if uploaded.bundle_id != bundle_id:
                raise RuntimeError(f"receipt for {uploaded.bundle_id}, sent {bundle_id}")
    except Exception as exc:  # noqa: BLE001 - reported as a lost bundle, by type
        run.error = f"{type(exc).__name__}: {exc}"
    finally:
        for client in clients:
            client.close()


def _upload_retrying(client: ServerClient, path: Path, run: DeviceRun) -> Uploaded:
    """As the sync client does: a connection that broke (ServerUnreachable;
    e.g. a keep-alive connection the server closed as the request went out)
    is tried again; the same bundle again gets the same receipt."""
    for _attempt in range(RETRIES):
        try:
            return client.upload(path)
        except ServerUnreachable:
            run.retries += 1
    return client.upload(path)


def bench_many_devices(
    folder: Path, devices: int, bundles: int, processes: int = 1, backend: Backend | None = None
) -> Result:
    org = make_org("Bench Org")
    per_device = max(1, bundles // devices)
    made = time.perf_counter()
    runs = [
        _make_device_bundles(folder, org, f"bench device {index}".encode(), per_device)
        for index in range(devices)
    ]
    made = time.perf_counter() - made
    total = devices * per_device
    load_before = _load()
    with running_servers(folder, org, processes, backend) as servers:
        server = servers[0]
        start = threading.Event()
        ready = threading.Semaphore(0)
        threads = [
            threading.Thread(
                target=_device_thread, args=(servers, run, org.token(), ready, start), daemon=True
            )
            for run in runs
        ]
        for thread in threads:
            thread.start()
        # Every device enrolled and logged in before the clock starts.
        for _thread in threads:
            ready.acquire()
        started = time.perf_counter()
        start.set()
        for thread in threads:
            thread.join(PER_DEVICE_TIMEOUT)
        elapsed = time.perf_counter() - started
        uptime = _uptime()
        errors = [r.error for r in runs if r.error]
        with ServerClient(server.url, server.cert) as coordinator:
            coordinator.login(org.coordinator_key, org.coordinator_id)
            listed: list[str] = []
            cursor = 0
            while True:
                page = coordinator.changes(cursor, 1000)
                listed += [c["bundle_id"] for c in page["changes"]]
                if not page["changes"]:
                    break
                cursor = page["cursor"]
            receipts: list[Receipt] = []
            while len(page_r := coordinator.receipts(len(receipts) + 1, 1000)) > 0:
                receipts += page_r
            check_log(receipts, coordinator.server_key or b"")
        stored = _stored_bundles(server, backend)
    sent = {bundle_id for run in runs for _path, bundle_id in run.bundles}
    lost = len(sent - set(listed))
    duplicated = len(listed) - len(set(listed)) + max(0, stored - len(set(listed)))
    latencies = [latency for run in runs for latency in run.latencies]
    throughput = len(latencies) / elapsed
    passed = lost == 0 and duplicated == 0 and not errors and len(receipts) == total
    where = "SQLite + directory" if backend is None or backend.db is None else "PostgreSQL + S3 (moto)"
    return Result(
        name="server-devices" if processes == 1 else "server-scaleout",
        metric=f"{devices} devices x {per_device}",
        ours=throughput,
        baseline=10.0,
        unit="bundles/s",
        ratio=throughput / 10.0,
        ratio_meaning="bundles per second / 10 (a rough floor, not a baseline tool)",
        target="0 lost, 0 duplicated",
        passed=passed,
        details={
            "server processes, backend": f"{processes}, {where}",
            "bundles sent": total,
            "lost": lost,
            "duplicated": duplicated,
            "receipts in the log": len(receipts),
            "files stored": stored,
            "uploads tried again (connection broke)": sum(r.retries for r in runs),
            "device errors": len(errors),
            "first error": errors[0] if errors else "-",
            "wall time": f"{elapsed:.1f} s",
            "latency p50": f"{percentile(latencies, 50) * 1000:.0f} ms",
            "latency p99": f"{percentile(latencies, 99) * 1000:.0f} ms",
            "bundle bytes (each)": runs[0].bundles[0][0].stat().st_size,
            "bundles made beforehand in": f"{made:.1f} s",
            "load average before": load_before,
            "uptime at the end": uptime,
        },
    )


def _stored_bundles(server: Server, backend: Backend | None) -> int:
    if backend is None or backend.s3 is None:
        return len(list((server.data / "payloads" / "bundles").iterdir()))
    import boto3

    bucket, _, prefix = backend.s3.removeprefix("s3://").partition("/")
    s3 = boto3.client("s3", endpoint_url=(backend.env or {})["AWS_ENDPOINT_URL_S3"], **_credentials(backend))
    count = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"{prefix}/bundles/"):
        count += len(page.get("Contents", []))
    return count


def _credentials(backend: Backend) -> dict[str, str]:
    env = backend.env or {}
    return {
        "aws_access_key_id": env["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": env["AWS_SECRET_ACCESS_KEY"],
        "region_name": env["AWS_DEFAULT_REGION"],
    }


def bench_scaleout(folder: Path, devices: int, bundles: int) -> Result:
    """Two server processes sharing a real PostgreSQL (Debian's, started in a
    temp dir: tests/pg_helpers.py) and S3 (moto's server: tests/s3_helpers.py)."""
    from tests.pg_helpers import running_postgres
    from tests.s3_helpers import running_s3

    with running_postgres() as postgres, running_s3() as s3:
        database = postgres.create_database()
        bucket = s3.create_bucket()
        backend = Backend(postgres.url(database), f"s3://{bucket}/fv", s3.environment())
        return bench_many_devices(folder, devices, bundles, processes=2, backend=backend)


def main(argv: list[str] | None = None) -> int:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=None, help="large upload in MiB (1024; quick 64)")
    parser.add_argument("--devices", type=int, default=None, help="simulated devices (200; quick 20)")
    parser.add_argument("--bundles", type=int, default=None, help="bundles in all (2000; quick 200)")
    parser.add_argument(
        "--chunk-mib",
        type=int,
        default=None,
        help="fixed PATCH size of the large upload (default: sized to the link, as sync does)",
    )
    parser.add_argument(
        "--only", choices=("upload", "devices", "scaleout"), default=None, help="one part only"
    )
    args = parser.parse_args(argv)
    size_mib = args.size_mib or (64 if args.quick else 1024)
    devices = args.devices or (20 if args.quick else 200)
    bundles = args.bundles or (200 if args.quick else 2000)
    if shutil.which("curl") is None:
        parser.error("the baseline needs curl")
    print(machine_line())
    print(_uptime())
    results = []
    with bench_tempdir("server") as folder:
        if args.only in (None, "upload"):
            (folder / "a").mkdir()
            results.append(bench_large_upload(folder / "a", size_mib, args.chunk_mib))
            shutil.rmtree(folder / "a")
        if args.only in (None, "devices"):
            (folder / "b").mkdir()
            results.append(bench_many_devices(folder / "b", devices, bundles))
            shutil.rmtree(folder / "b")
        if args.only in (None, "scaleout"):
            (folder / "c").mkdir()
            results.append(bench_scaleout(folder / "c", devices, bundles))
    for result in results:
        result.print()
    write_results_json(results, args.json)
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
