"""``fieldvault serve``: the organisation's central server (docs/server.md).
Parsing and wiring only; the server is sync/server/."""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import sys
from pathlib import Path
from typing import Any

from fieldvault.textinput import CommandRefused, UsageError

Output = Any  # fieldvault.cli.Output
DEFAULT_PORT = 8443
MiB = 1024 * 1024
DEFAULT_TSA_INTERVAL = 3600.0
KEEP_ALIVE_S = 30


def default_data() -> Path:
    """$FIELDVAULT_SERVER_DATA, else the platform's user data folder."""
    given = os.environ.get("FIELDVAULT_SERVER_DATA")
    if given:
        return Path(given)
    import platformdirs

    return Path(platformdirs.user_data_dir("Fieldvault", appauthor=False)) / "server"


def add_serve_parser(commands: Any) -> None:
    serve_arguments(
        commands.add_parser("serve", help="run the organisation's central server (docs/server.md)")
    )


def serve_arguments(serve: argparse.ArgumentParser) -> None:
    serve.add_argument("--init", action="store_true", help="make the server's keys and pin the organisation")
    serve.add_argument("--org", metavar="ORG_FP", help="with --init: the organisation fingerprint to serve")
    serve.add_argument(
        "--profile",
        type=Path,
        metavar="FILE",
        help="with --init: the organisation's profile file (else the first profile uploaded that carries "
        "ORG_FP's key is taken)",
    )
    serve.add_argument(
        "--name",
        action="append",
        default=None,
        metavar="HOST",
        help="with --init: a host name or address the certificate names (repeatable; default localhost)",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    serve.add_argument("--data", type=Path, default=None, metavar="DIR", help="the server's data folder")
    serve.add_argument(
        "--db", default=None, metavar="URL", help="metadata database URL (default: SQLite in DIR)"
    )
    serve.add_argument(
        "--s3",
        default=None,
        metavar="s3://BUCKET[/PREFIX]",
        help="keep bundles in S3-compatible storage (endpoint and credentials from the AWS_* variables)",
    )
    serve.add_argument(
        "--behind-proxy",
        action="store_true",
        help="plain HTTP on a loopback address, for a reverse proxy that terminates TLS",
    )
    serve.add_argument(
        "--log-file", type=Path, default=None, help="write the JSON log lines here (default stderr)"
    )
    serve.add_argument(
        "--max-bundle-mib", type=int, default=4096, help="largest bundle accepted, in MiB (default 4096)"
    )
    serve.add_argument(
        "--tsa-url",
        default=None,
        metavar="URL",
        help="an RFC 3161 time-stamping authority that stamps the head of the receipt log",
    )
    serve.add_argument(
        "--tsa-ca",
        type=Path,
        default=None,
        metavar="FILE",
        help="with --tsa-url: the PEM certificate(s) the TSA's tokens must chain to",
    )
    serve.add_argument(
        "--tsa-interval",
        type=float,
        default=DEFAULT_TSA_INTERVAL,
        metavar="SECONDS",
        help=f"with --tsa-url: stamp the log's head this often when it moved (default {DEFAULT_TSA_INTERVAL:.0f}; "
        "0: only on demand, POST /v1/receipts/timestamps)",
    )


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _tsa_config(args: argparse.Namespace) -> Any:
    """The TSA of --tsa-url/--tsa-ca (log_stamping.TsaConfig), or None."""
    if args.tsa_url is None and args.tsa_ca is None:
        return None
    if args.tsa_url is None or args.tsa_ca is None:
        raise UsageError("--tsa-url and --tsa-ca go together.")
    if not args.tsa_url.startswith(("https://", "http://")):
        raise UsageError("--tsa-url is an http(s) URL.")
    if not args.tsa_interval >= 0:
        raise UsageError("--tsa-interval is a number of seconds, 0 or more.")
    from sync.server.log_stamping import TsaConfig
    from sync.server.timestamping import TimestampError

    try:
        config = TsaConfig.from_files(args.tsa_url, args.tsa_ca)
    except OSError as exc:
        raise UsageError(f"--tsa-ca {args.tsa_ca}: {exc.strerror}") from None
    except TimestampError:
        raise UsageError(f"--tsa-ca {args.tsa_ca}: not a PEM certificate file.") from None
    if not config.roots:
        raise UsageError(f"--tsa-ca {args.tsa_ca}: no certificate in it.")
    return config


# The server's stack, left out of the desktop installers on purpose
# (packaging/fieldvault.spec: fewer libraries to trust on a field laptop).
SERVER_STACK = ("sync.server", "fastapi", "starlette", "uvicorn")
NOT_INSTALLED = (
    "The central server is not part of the desktop installers (.deb, Windows, macOS). "
    "Install it on the server machine with 'pip install fieldvault' (Python 3.11); see docs/server.md."
)


def require_server_stack() -> None:
    """CommandRefused (exit status 1) saying how to get the server, when its
    stack is absent, rather than an unexpected ModuleNotFoundError."""
    try:
        import uvicorn  # noqa: F401

        import sync.server.deploy  # noqa: F401 - only whether it loads
    except ModuleNotFoundError as missing:
        name = missing.name or ""
        if not any(name == part or name.startswith(part + ".") for part in SERVER_STACK):
            raise
        raise CommandRefused(NOT_INSTALLED) from None


def cmd_serve(args: argparse.Namespace, out: Output) -> None:
    require_server_stack()
    from sync.server.deploy import cert_sha256, configure_logging, init_server, open_app, payload_store
    from sync.server.errors import ServerRefused
    from sync.server.service import Limits

    data: Path = args.data or default_data()
    if args.init:
        if not args.org:
            raise UsageError("serve --init needs --org ORG_FP (the organisation fingerprint).")
        profile = None
        if args.profile is not None:
            from sync.bundle.regular_file import open_regular

            try:  # a named pipe or device is refused, not waited on
                with open_regular(args.profile) as file:
                    profile = file.read()
            except OSError as exc:
                raise CommandRefused(
                    f"--profile {args.profile}: {exc.strerror or type(exc).__name__}."
                ) from None
        try:
            made = init_server(
                data,
                args.org,
                profile=profile,
                names=args.name,
                db=args.db,
                payloads=payload_store(data, args.s3),
            )
        except FileExistsError as exists:
            raise CommandRefused(str(exists)) from None
        except ServerRefused as refused:
            raise CommandRefused(refused.message) from None
        except ValueError as wrong:
            raise UsageError(f"--s3: {wrong}") from None
        out.result(
            {
                "fingerprint": made.cert_sha256,
                "receipt_key": made.receipt_key,
                "org_fingerprint": made.fingerprint,
                "data": str(data),
            },
            f"Server initialised in {data}.\nCertificate fingerprint (SHA-256): {made.cert_sha256}\n"
            f"Receipt key: {made.receipt_key}\n"
            f"Serving organisation {made.fingerprint}.\n"
            f"Next, on a coordinator's machine: fieldvault org set-server https://HOST:{args.port} "
            f"{made.cert_sha256} --receipt-key {made.receipt_key}",
        )
        return
    if args.org or args.profile or args.name:
        raise UsageError("--org, --profile and --name go with --init.")
    if args.behind_proxy and not _loopback(args.host):
        raise UsageError("--behind-proxy serves plain HTTP: only on a loopback --host (127.0.0.1, ::1).")
    tsa = _tsa_config(args)
    if not (data / "receipt-key.pem").exists():
        raise CommandRefused(f"No server in {data}: run 'fieldvault serve --init --org ORG_FP' first.")
    import uvicorn

    configure_logging(path=args.log_file)
    try:
        store = payload_store(data, args.s3)
        app = open_app(
            data,
            args.db,
            Limits(max_bundle=args.max_bundle_mib * MiB),
            store,
            tsa=tsa,
            stamp_interval=args.tsa_interval if tsa is not None else 0.0,
        )
    except ServerRefused as refused:
        raise CommandRefused(refused.message) from None
    except ValueError as wrong:
        raise UsageError(f"--s3: {wrong}") from None
    tls: dict[str, Any] = {}
    if not args.behind_proxy:
        tls = {"ssl_certfile": str(data / "tls-cert.pem"), "ssl_keyfile": str(data / "tls-key.pem")}
        print(f"Certificate fingerprint (SHA-256): {cert_sha256(data)}", flush=True)
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        access_log=False,  # it writes client addresses; our own log has ids only
        proxy_headers=False,
        server_header=False,
        # Longer than a client's idle keep-alive (httpx: 5 s), so the client
        # drops an idle connection before the server closes it under a request
        # going out (uvicorn's default is also 5 s: a race that broke uploads).
        timeout_keep_alive=KEEP_ALIVE_S,
        log_level="warning",
        **tls,
    )


class _Output:
    """fieldvault.cli's Output, for main() (which must not import the CLI)."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json

    def result(self, data: dict[str, Any], human: str) -> None:
        print(json.dumps(data) if self.as_json else human)


def main(argv: list[str] | None = None) -> int:
    """``python -m fieldvault.serve_cli [--json] ARGS``: the same as
    ``fieldvault serve ARGS`` without loading the vault stack (SQLCipher,
    Argon2, keyring) or the GUI, which a server machine need not have."""
    from db.api import FieldvaultError

    parser = argparse.ArgumentParser(prog="fieldvault-server", description="The Fieldvault central server.")
    parser.add_argument("--json", action="store_true", help="machine-readable output (--init)")
    serve_arguments(parser)
    args = parser.parse_args(argv)
    try:
        cmd_serve(args, _Output(args.json))
    except UsageError as err:
        print(f"fieldvault-server: {err}", file=sys.stderr)
        return 2
    except FieldvaultError as err:
        print(f"fieldvault-server: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
