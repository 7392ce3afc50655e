"""``fieldvault org create|show|export|token|revoke|set-server`` and
``fieldvault enrol``: the organisation (docs/cli.md, docs/org-profile.md).
Parsing and wiring only; the work is sync/org_vault.py's."""

from __future__ import annotations

import argparse
import datetime
import os
import re
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from db.api import Vault
from fieldvault.passphrases import SecretSource
from fieldvault.textinput import CommandRefused, UsageError, add_text_option
from sync import org_vault
from sync.bundle.hand_over import hand_over
from sync.bundle.regular_file import open_regular
from sync.client.org_link import ServerOutcome
from sync.org import (
    DEFAULT_SEND_TO_WORKERS,
    MAX_PROFILE,
    SEND_TO_WORKERS,
    EnrolPayload,
    OrgRefused,
    SignedProfile,
    enrol_payload_text,
    fingerprint,
    looks_like_enrol_payload,
    normalise_fingerprint,
    read_device_card,
    read_enrol_payload,
    read_profile,
    read_token,
    verification_code,
)
from sync.org_vault import MAX_TOKEN_HOURS

# How fieldvault.cli opens the vault.
Opener = Callable[[argparse.Namespace, SecretSource], Vault]
Output = Any  # fieldvault.cli.Output (result, rows): not imported, to keep the import one-way

DEFAULT_TOKEN_HOURS = 48.0


def token_hours(text: str) -> float:
    try:
        hours = float(text)
    except ValueError:
        hours = -1.0
    if not 0 < hours <= MAX_TOKEN_HOURS:
        raise argparse.ArgumentTypeError(f"must be a number of hours above 0 and at most {MAX_TOKEN_HOURS}")
    return hours


def _out_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="FILE",
        help="where to write the profile file (default: org-profile-v<version>.fvorg in the current folder; "
        "an existing file is not replaced)",
    )


def _send_to_workers_option(parser: argparse.ArgumentParser, default: str | None) -> None:
    parser.add_argument(
        "--send-to-workers",
        choices=SEND_TO_WORKERS,
        default=default,
        help="policy: what coordinators send back to field workers — none (nothing of other devices), "
        "held-records (changes to the records a worker already holds, such as a resolved conflict; "
        "the default) or all (everything, evidence files included)",
    )


def add_org_parsers(commands: Any) -> None:
    org = commands.add_parser("org", help="the organisation (coordinators)").add_subparsers(
        dest="action", required=True
    )
    create = org.add_parser("create", help="make this vault the first coordinator of a new organisation")
    add_text_option(create, "name", "the organisation's name", positional=True, prompt="Organisation name: ")
    create.add_argument(
        "--label", default="", help="this coordinator's label in the profile (e.g. 'Kyiv desk')"
    )
    create.add_argument(
        "--purge-after-delivery", action="store_true", help="policy: devices purge what the server received"
    )
    _send_to_workers_option(create, DEFAULT_SEND_TO_WORKERS)
    _out_option(create)
    policy = org.add_parser("set-policy", help="change the organisation's policy (a new profile version)")
    _send_to_workers_option(policy, None)
    purge = policy.add_mutually_exclusive_group()
    purge.add_argument(
        "--purge-after-delivery",
        dest="purge_after_delivery",
        action="store_const",
        const=True,
        default=None,
        help="devices purge the evidence files the server received",
    )
    purge.add_argument(
        "--keep-after-delivery",
        dest="purge_after_delivery",
        action="store_const",
        const=False,
        help="devices keep them",
    )
    _out_option(policy)
    org.add_parser("show", help="the organisation profile, devices and this device's verification code")
    export = org.add_parser("export", help="write the profile this vault holds to a file")
    _out_option(export)
    token = org.add_parser("token", help="a one-time enrolment token")
    token.add_argument(
        "--hours",
        type=token_hours,
        default=DEFAULT_TOKEN_HOURS,
        help=f"valid for H hours (default {DEFAULT_TOKEN_HOURS:g}, at most {MAX_TOKEN_HOURS})",
    )
    token.add_argument(
        "--qr",
        type=Path,
        default=None,
        metavar="FILE",
        help="also write the enrolment QR code (profile, fingerprint and token) to FILE: .png or .svg, "
        "or .txt for its text (on a terminal it is shown as well)",
    )
    revoke = org.add_parser("revoke", help="revoke a device (a new profile version)")
    revoke.add_argument("device", metavar="DEVICE", help="the device id (32 hex digits)")
    _out_option(revoke)
    server = org.add_parser(
        "set-server", help="name the server and pin its certificate (a new profile version)"
    )
    server.add_argument("url", metavar="URL", help="https://…")
    server.add_argument(
        "cert_fingerprint", metavar="FINGERPRINT", help="SHA-256 of the server's certificate (hex)"
    )
    server.add_argument(
        "--receipt-key",
        metavar="KEY",
        default=None,
        help="the server's receipt key (base64; serve --init prints it). Without it the server is asked.",
    )
    _out_option(server)
    add_coord = org.add_parser("add-coordinator", help="one more coordinator (a new profile version)")
    add_coord.add_argument("card", metavar="CARD", help="the new coordinator's device card (fvd1.…)")
    add_coord.add_argument("--label", default="", help="its label in the profile (e.g. 'Lviv desk')")
    _code_option(add_coord)
    _out_option(add_coord)
    remove_coord = org.add_parser("remove-coordinator", help="remove a coordinator (a new profile version)")
    remove_coord.add_argument("device", metavar="DEVICE", help="the coordinator's device id (32 hex digits)")
    _out_option(remove_coord)
    hand = org.add_parser(
        "hand-over",
        help="a bundle of everything this desk holds for a coordinator desk added later (encrypted to it alone)",
    )
    hand.add_argument(
        "--to-device",
        required=True,
        metavar="DEVICE",
        help="the new coordinator desk's device id (32 hex digits)",
    )
    hand.add_argument("--to", required=True, type=Path, metavar="DIR", help="folder (a USB stick)")
    add = org.add_parser("add-device", help="enrol a field worker's device from the card enrol printed")
    add.add_argument("card", metavar="CARD", help="the device card (fvd1.…) the worker's enrol printed")
    add.add_argument("--label", default="", help="a label for the device (e.g. a call sign, not a name)")
    add_text_option(add, "--token", "the enrolment token the worker received")
    _code_option(add)

    enrol = commands.add_parser("enrol", help="join an organisation with its profile file")
    enrol.add_argument(
        "profile",
        metavar="PROFILE",
        type=Path,
        nargs="?",
        default=None,
        help="the organisation profile file, or a file holding the text of its enrolment QR code",
    )
    enrol.add_argument(
        "--fingerprint",
        default=None,
        help="the organisation fingerprint your coordinator gave you in person or by phone "
        "(asked on a terminal when not given)",
    )
    add_text_option(enrol, "--token", "the enrolment token")
    add_text_option(enrol, "--from-qr-text", "the text of the enrolment QR code (fieldvault:enrol?…)")


def _write_profile(signed: SignedProfile, out: Path | None) -> Path:
    """The profile file, created new (never over an existing file), 0600:
    it names the organisation."""
    path = _target(out, signed.profile.version)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except FileExistsError:
        raise CommandRefused(f"{path} exists already; give another --out FILE.") from None
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(signed.signed)
            file.flush()
            os.fsync(file.fileno())
    except OSError:
        path.unlink(missing_ok=True)
        raise
    return path


def _profile_result(
    out: Output, signed: SignedProfile, path: Path, what: str, sent: ServerOutcome | None = None
) -> None:
    profile = signed.profile
    data: dict[str, Any] = {
        "profile": str(path),
        "fingerprint": profile.fingerprint,
        "org_id": profile.org_id,
        "version": profile.version,
    }
    server_line = ""
    if sent is not None and sent.state != "none":
        data["server_upload"] = sent.state  # done, offline, pin-mismatch, refused or server-too-old
        server_line = {
            "done": f"Uploaded to the server {sent.url}.\n",
            "offline": f"The server {sent.url} could not be reached; run 'fieldvault org export' to upload later.\n",
            "pin-mismatch": f"The server {sent.url} showed another certificate ({sent.detail}) than the pinned one: "
            "not uploaded. Check the address and the fingerprint.\n",
            "refused": f"The server {sent.url} refused the profile ({sent.detail}).\n",
            "server-too-old": f"WARNING: the server {sent.url} is too old for this profile and refused it "
            f"({sent.detail}): it must be updated. Until then it keeps its older profile version and nothing "
            "of this one is in force there: a device revoked in this version is NOT revoked at the server, "
            "which still accepts its uploads. Update the server, then run 'fieldvault org export' to upload "
            "the profile.\n",
        }[sent.state]
    out.result(
        data,
        f"{what}\nProfile version {profile.version} written to {path}\n{server_line}"
        f"Organisation fingerprint: {profile.fingerprint}\n"
        "Give devices the profile file, and the fingerprint by another way (in person, by phone).",
    )


def _publish(signed: SignedProfile) -> ServerOutcome:
    """A profile version goes to the server it names (a revocation must reach it)."""
    from sync.client.org_link import publish_profile

    return publish_profile(signed.signed, signed.profile)


def _register_at_server(vault: Vault, signed: bytes, given: str, token: str | None) -> ServerOutcome:
    """With a token and a profile naming a server: enrol there now, so that a
    used or expired token is refused while the worker can still ask."""
    from sync.client.org_link import register_device
    from sync.client.transport import PinMismatch, ServerSaid

    profile = read_profile(signed, expected_fingerprint=given)
    if token is None or profile.server is None:
        return ServerOutcome("none")
    checked = read_token(token, profile.org_key, profile.org_id, now_ms=int(time.time() * 1000))
    try:
        return register_device(profile, token, vault.sync.signing_key())
    except PinMismatch as error:
        raise CommandRefused(
            f"The server {profile.server.url} did not show the certificate the profile pins ({error.actual}). "
            "Nothing was changed; tell your coordinator."
        ) from None
    except ServerSaid as said:
        if said.code in ("token-used", "token-expired"):
            raise OrgRefused(
                f"The server refused enrolment token {checked.token_id}: it was "
                f"{'used already' if said.code == 'token-used' else 'expired'}. Ask your coordinator for a new one.",
                said.code,
                token_id=checked.token_id,
            ) from None
        raise CommandRefused(
            f"The server {profile.server.url} refused the enrolment ({said.code}). Nothing was changed."
        ) from None


def _expires(ms: int) -> str:
    return datetime.datetime.fromtimestamp(ms / 1000, tz=datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _target(out: Path | None, version: int) -> Path:
    return out if out is not None else Path(f"org-profile-v{version}.fvorg")


def _refuse_taken(path: Path) -> None:
    if os.path.lexists(path):
        raise CommandRefused(f"{path} exists already; give another --out FILE. Nothing was changed.")


def _change_profile(vault: Vault, args: argparse.Namespace) -> tuple[SignedProfile, str]:
    action = args.action
    if action == "create":
        signed = org_vault.create_organisation(
            vault,
            args.name,
            label=args.label,
            purge_after_delivery=args.purge_after_delivery,
            send_to_workers=args.send_to_workers,
        )
        return signed, f"Organisation {signed.profile.org_id} created."
    if action == "set-policy":
        signed = org_vault.set_policy(
            vault, send_to_workers=args.send_to_workers, purge_after_delivery=args.purge_after_delivery
        )
        return signed, "Policy set."
    if action == "export":
        return org_vault.current_signed(vault), "Profile exported."
    if action == "revoke":
        return org_vault.revoke_device(vault, args.device), f"Device {args.device} revoked."
    if action == "set-server":
        return _set_server(vault, args)
    if action == "add-coordinator":
        return org_vault.add_coordinator(vault, args.card, label=args.label), "Coordinator added."
    return org_vault.remove_coordinator(vault, args.device), f"Coordinator {args.device} removed."


def _set_server(vault: Vault, args: argparse.Namespace) -> tuple[SignedProfile, str]:
    """The profile pins the server's receipt key too: given, or asked of the
    server over the pinned connection. A server out of reach leaves it out
    (devices then trust the key they first see) and says so."""
    receipt_key = args.receipt_key
    note = ""
    if receipt_key is None:
        from sync.client.org_link import fetch_receipt_key

        org_vault.set_server_form(args.url, args.cert_fingerprint)  # a typing error before any network
        asked = fetch_receipt_key(args.url, args.cert_fingerprint)
        if isinstance(asked, str):
            receipt_key = asked
        else:
            note = (
                f"\nThe server could not be asked for its receipt key ({asked.state}): the profile does not "
                "pin it, and devices will trust the key they see first. Run set-server again with "
                "--receipt-key (fieldvault serve --init printed it) to pin it."
            )
    signed = org_vault.set_server(vault, args.url, args.cert_fingerprint, receipt_key)
    return signed, "Server set." + note


PROFILE_ACTIONS = (
    "create",
    "export",
    "revoke",
    "set-server",
    "set-policy",
    "add-coordinator",
    "remove-coordinator",
)


def cmd_org(args: argparse.Namespace, out: Output, secrets: SecretSource, opener: Opener) -> None:
    # Asked before the passphrase, as enrol asks for the fingerprint.
    given_code = _ask_device_code(args) if args.action in ("add-device", "add-coordinator") else ""
    with opener(args, secrets) as vault:
        if args.action == "add-coordinator":  # a substituted card would read every bundle
            _check_device_code(vault, args.card, given_code)
        if args.action in PROFILE_ACTIONS:
            # The file a new version goes to must be free before the version
            # is made: a refusal after it would leave a version nobody has.
            held = org_vault.held_profile(vault) if args.action != "create" else None
            current = held.version if held is not None else 0
            _refuse_taken(_target(args.out, current if args.action == "export" else current + 1))
            signed, what = _change_profile(vault, args)
            path = _write_profile(signed, args.out)
            sent = _publish(signed) if args.action != "create" else None
            _profile_result(out, signed, path, what, sent)
        elif args.action == "add-device":
            _check_device_code(vault, args.card, given_code)
            device = org_vault.add_device(vault, args.card, token=args.token or None, label=args.label)
            code = verification_code(org_vault.status(vault).profile.org_key, device.public_key)
            out.result(
                {"device_id": device.device_id, "verification_code": code},
                f"Device {device.device_id} enrolled.\nVerification code: {code}\n"
                "It must match the code on the worker's screen (compare in person or by phone).",
            )
        elif args.action == "token":
            _token(vault, args, out)
        elif args.action == "hand-over":
            _hand_over(vault, args, out)
        else:
            _show(vault, out)


def _hand_over(vault: Vault, args: argparse.Namespace, out: Output) -> None:
    """``org hand-over``: this desk's history for a desk added later
    (sync/bundle/hand_over.py; docs/bundle-format.md §10), in one bundle or,
    past one bundle's limits, in several to be imported in order."""
    from fieldvault.cli import ProgressLine  # loaded already: the command runs from it

    if not args.to.is_dir():
        raise CommandRefused(f"--to {args.to}: not a folder; nothing was written.")
    to_device = args.to_device.strip().lower()
    _check_new_desk(vault, to_device)
    progress = ProgressLine("Writing the hand-over")

    def next_part(number: int, of: int) -> None:
        if number > 1:
            progress.finish()  # the line of the part before stays, at 100%
        if of > 1:
            progress.label = f"Writing the hand-over, part {number} of {of}"

    try:
        handed = hand_over(vault, args.to, to_device, progress=progress, on_part=next_part)
    finally:
        progress.finish()
    files = [str(part.path) for part in handed.parts]
    out.result(
        {
            "bundle": str(handed.path),  # the last part (the only one, unless split)
            "bundle_id": handed.bundle_id,
            "device_id": handed.to_device,
            "sequence": handed.sequence,
            "parts": [
                {"bundle": str(p.path), "bundle_id": p.bundle_id, "sequence": p.sequence}
                for p in handed.parts
            ],
            "revisions": handed.revisions,
            "custody_events": handed.custody_events,
            "chains": handed.chains,
            "blobs": handed.blobs,
            "received": handed.received,
            "withheld": list(handed.withheld),
            "lapsed_devices": handed.lapsed_devices,
            "lapsed_revisions": handed.lapsed_revisions,
            "parked_revisions": handed.parked_revisions,
            "decisions": handed.decisions,
            "worker_manifests": handed.worker_manifests,
            "manifests_not_carried": handed.manifests_not_carried,
        },
        (
            f"{handed.path}: hand-over {handed.sequence}"
            if len(files) == 1
            else f"{len(files)} bundles in {args.to}: hand-over {handed.parts[0].sequence} to {handed.sequence}"
        )
        + f" for coordinator {handed.to_device}: "
        f"{handed.revisions} revisions, {handed.blobs} files, the custody chains of {handed.chains} "
        f"device(s), {handed.received} bundle(s) recorded; {len(handed.withheld)} revision(s) of "
        "revoked devices left out."
        + (
            f" {handed.lapsed_revisions} revision(s) of {handed.lapsed_devices} device(s) whose vouch "
            "lapsed here: the new desk keeps them aside until it enrols those devices."
            if handed.lapsed_devices
            else ""
        )
        + (
            f" {handed.parked_revisions} revision(s) parked here (waiting for a parent, or kept aside) "
            "went for the new desk to decide"
            f"; {handed.decisions} revision id(s) this desk left out or set aside went as its word, "
            "shown there, not enforced."
            if handed.parked_revisions or handed.decisions
            else ""
        )
        + (
            # The new desk checks completeness against these (bundle-format.md §10).
            f" {handed.worker_manifests} worker-signed bundle manifest(s) went for the new desk to check "
            "the hand-over against"
            + (
                f"; {handed.manifests_not_carried} kept here did not fit the last part's manifest: those "
                "bundles go unchecked."
                if handed.manifests_not_carried
                else "."
            )
            if handed.worker_manifests or handed.manifests_not_carried
            else ""
        )
        + (
            " The new desk takes it with: fieldvault bundle import FILE"
            if len(files) == 1
            else " The history is past one bundle's limits: copy every one of these files; the new desk "
            "takes them in this order (a part before its earlier part is refused, and taken when imported "
            "again after it): fieldvault bundle import " + " ".join(files)
        ),
    )


def _check_new_desk(vault: Vault, device_id: str) -> None:
    """Refuse, naming the id, a device that is not another coordinator desk
    of the profile this vault holds (before, the core's plain "not found")."""
    profile = org_vault.held_profile(vault)
    if profile is None or profile.coordinator(vault.device_id) is None:
        return  # hand_over says why (org-none, org-not-coordinator)
    if device_id == vault.device_id:
        raise CommandRefused(f"--to-device {device_id} is this desk itself; nothing was written.")
    if profile.coordinator(device_id) is None:
        raise CommandRefused(
            f"--to-device {device_id} is not a coordinator desk of this organisation's profile "
            f"(version {profile.version}): only a coordinator desk takes a history hand-over. Add the desk "
            "first (fieldvault org add-coordinator CARD), or check the id (fieldvault org show lists the "
            "coordinators); nothing was written."
        )


def _token(vault: Vault, args: argparse.Namespace, out: Output) -> None:
    """A token, and the enrolment QR code carrying it with the profile and
    its fingerprint (docs/org-profile.md §7): drawn on a terminal (not with
    --json, nor when the output goes to a file or a pipe), written to --qr."""
    from fieldvault import org_qr  # qrcode loads only for this command

    if args.qr is not None:
        org_qr.check_qr_target(args.qr)  # before a token is issued for nothing
    signed = org_vault.current_signed(vault)
    token = org_vault.issue_token(vault, hours=args.hours)
    payload = enrol_payload_text(signed.signed, signed.profile.fingerprint, token.text)
    if args.qr is not None:
        org_qr.write_qr_file(payload, args.qr)
    written = f"\nEnrolment QR code written to {args.qr}." if args.qr is not None else ""
    out.result(
        {
            "token": token.text,
            "expires": _expires(token.expires_ms),
            "token_id": token.token_id,
            "enrol_payload": payload,
            "qr": str(args.qr) if args.qr is not None else None,
        },
        f"{token.text}\nGood once, until {_expires(token.expires_ms)} (UTC).{written}",
    )
    if not args.json and sys.stdout.isatty():
        _print_terminal_qr(payload)


def _print_terminal_qr(payload: str) -> None:
    from fieldvault import org_qr

    try:
        drawn = org_qr.terminal_qr(payload)
    except org_qr.PayloadTooLarge as too_large:  # the token above is good: say why no code
        print(f"\n{too_large}")
        return
    width = len(org_qr.terminal_matrix(drawn)[0])
    print(
        "\nEnrolment QR code (the profile, its fingerprint and this token). The worker still types the "
        "fingerprint you tell them in person or by phone: the code proves nothing about who made it."
    )
    if shutil.get_terminal_size().columns < width:
        print(f"(The terminal is narrower than the code's {width} columns: widen it, or use --qr FILE.png.)")
        return
    print(drawn)


def _show(vault: Vault, out: Output) -> None:
    status = org_vault.status(vault)
    profile = status.profile
    devices = [
        {
            "device_id": d.device_id,
            "role": d.role,
            "status": d.status,
            "label": d.label,
            "verification_code": verification_code(profile.org_key, d.public_key),
        }
        # Only on a field worker's devices known on a coordinator's word.
        | ({"vouched_by": d.vouched_by} if d.vouched_by is not None else {})
        for d in status.devices
    ]
    coordinators = [{"device_id": c.device_id, "label": c.label} for c in profile.coordinators]
    server = (
        f"{profile.server.url} (certificate {profile.server.cert_sha256})" if profile.server else "none yet"
    )
    out.result(
        {
            "org_id": profile.org_id,
            "name": profile.name,
            "version": profile.version,
            "fingerprint": status.fingerprint,
            "verification_code": status.verification_code,
            "coordinator": status.is_coordinator,
            "server": profile.server.to_json() if profile.server else None,
            "coordinators": coordinators,
            "revoked": list(profile.revoked),
            "policy": {
                "purge_after_delivery": profile.purge_after_delivery,
                "send_to_workers": profile.send_to_workers,
            },
            "devices": devices,
            "device_card": org_vault.own_device_card(vault).text,
        },
        "\n".join(
            [
                f"Organisation {profile.name} ({profile.org_id}), profile version {profile.version}",
                f"Fingerprint: {status.fingerprint}",
                f"This device: {vault.device_id}{' (coordinator)' if status.is_coordinator else ''}",
                f"Verification code: {status.verification_code}",
                f"Device card (for a coordinator's org add-device): {org_vault.own_device_card(vault).text}",
                f"Server: {server}",
                "Coordinators: " + ", ".join(f"{c['device_id']} {c['label']}".strip() for c in coordinators),
                f"Revoked: {', '.join(profile.revoked) or 'none'}",
                f"Coordinators send back to field workers: {profile.send_to_workers}",
                "Known devices (id, role, status, verification code, label):",
                *(
                    f"  {d['device_id']}  {d['role']}  {d['status']}  {d['verification_code']}  {d['label']}".rstrip()
                    + (f"  (vouched for by coordinator {d['vouched_by']})" if "vouched_by" in d else "")
                    for d in devices
                ),
            ]
        ),
    )


def _read_profile_file(path: Path) -> bytes:
    # A named pipe or device on a stick is refused (an OSError the CLI
    # reports, naming the file), never waited on.
    with open_regular(path) as file:
        data = file.read(MAX_PROFILE + 1)
    return data


def _code_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--code",
        default=None,
        help="the verification code the device's enrol showed (six groups of five digits; spaces "
        "optional): the card is taken only if it matches. Asked on a terminal when not given",
    )


def _ask_device_code(args: argparse.Namespace) -> str:
    """The verification code the device's screen shows, as digits: from
    --code or typed on a terminal. Typing, not confirming a code shown, so
    that a hurried 'yes' cannot enrol a substituted key (the GUI's tick
    follows the code being read out; a terminal has no one to read it to)."""
    read_device_card(args.card)  # a card that is no card is said before anything is asked
    given = args.code
    if given is None:
        if not sys.stdin.isatty():
            raise UsageError(
                "Give the verification code the device's enrol showed with --code CODE "
                f"(or run org {args.action} on a terminal to type it)."
            )
        print(
            "Type the verification code the device's screen shows (in person or by phone):", file=sys.stderr
        )
        given = input("Verification code: ")
    digits = "".join(given.split())
    if not re.fullmatch(r"[0-9]{30}", digits):
        raise UsageError("A verification code is six groups of five digits (30 digits; spaces optional).")
    return digits


def _check_device_code(vault: Vault, card_text: str, given_digits: str) -> None:
    """Nothing is enrolled unless the device's code is the one this vault
    computes from the organisation key and the card's device key."""
    expected = verification_code(
        org_vault.status(vault).profile.org_key, read_device_card(card_text).device_key
    )
    if given_digits != expected.replace(" ", ""):
        raise CommandRefused(
            "The verification code does not match this device card: the card may not be that device's. "
            "Nothing was changed; check the card and the code with the person holding the device."
        )


def _ask_fingerprint(signed: bytes) -> str:
    """Interactive enrol: the user types the fingerprint the coordinator gave
    them (shown after, to compare). Typing, not confirming, so that a
    hurried 'yes' cannot accept a forged profile."""
    if not sys.stdin.isatty():
        raise UsageError(
            "Give the organisation fingerprint your coordinator gave you with --fingerprint FP "
            "(or run enrol on a terminal to type it)."
        )
    read_profile(signed)  # a malformed or tampered file is refused before asking
    print(
        "Type the organisation fingerprint your coordinator gave you (in person or by phone):",
        file=sys.stderr,
    )
    return input("Fingerprint: ")


def _enrol_source(args: argparse.Namespace) -> tuple[bytes, str | None]:
    """The profile file's bytes and the token: from PROFILE (a profile file,
    or a file holding an enrolment QR code's text) or --from-qr-text."""
    if (args.profile is None) == (not args.from_qr_text):
        raise UsageError("Give either the PROFILE file or --from-qr-text(-file), one of them.")
    payload: EnrolPayload | None = None
    if args.from_qr_text:
        payload = read_enrol_payload(args.from_qr_text)
    else:
        data = _read_profile_file(args.profile)
        if not looks_like_enrol_payload(data):
            return data, args.token or None
        payload = read_enrol_payload(data.decode("ascii", errors="replace"))
    if args.token and payload.token and args.token.strip() != payload.token:
        raise UsageError("The QR code carries another token than --token: give one of them.")
    return payload.signed, args.token or payload.token


def cmd_enrol(args: argparse.Namespace, out: Output, secrets: SecretSource, opener: Opener) -> None:
    signed, token = _enrol_source(args)
    # The fingerprint a QR code carries is not asked for: it travelled with
    # the profile, and whoever changed one could change the other.
    given = args.fingerprint if args.fingerprint is not None else _ask_fingerprint(signed)
    normalise_fingerprint(given)  # a mistyped fingerprint is said before the passphrase is asked
    with opener(args, secrets) as vault:
        registered = _register_at_server(vault, signed, given, token)
        profile = org_vault.enrol(vault, signed, fingerprint_given=given, token=token)
        code = org_vault.status(vault).verification_code
        card = org_vault.own_device_card(vault).text
        server_line = {
            "done": f"Registered at the server {registered.url}.\n",
            "offline": f"The server {registered.url} could not be reached: the device registers at its first sync.\n",
        }.get(registered.state, "")
        out.result(
            {
                "org_id": profile.org_id,
                "version": profile.version,
                "verification_code": code,
                "device_card": card,
                "server": registered.state,  # none, done or offline
            },
            f"Joined organisation {profile.name} ({profile.org_id}), profile version {profile.version}.\n"
            f"{server_line}"
            f"Fingerprint checked: {fingerprint(profile.org_key)}\n"
            f"Verification code: {code}\n"
            f"Device card: {card}\n"
            "Give your coordinator the device card (and the token, if you have one), then compare this "
            "code with their screen (in person or by phone) before you send anything.",
        )
