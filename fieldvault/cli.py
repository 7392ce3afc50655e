"""The command line (DESIGN.md's contract): argument parsing and wiring only."""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from db.api import (
    CONSENT_SCOPES,
    CREATION_FLOOR,
    Case,
    FieldvaultError,
    NoKeyring,
    SystemKeyring,
    Testimony,
    Vault,
    argon2_of,
    wipe_vault,
)
from fieldvault.backup_cli import add_backup_parser, cmd_backup
from fieldvault.bundle_cli import add_bundle_parser, cmd_bundle
from fieldvault.consent_cli import add_consent_parsers, cmd_consent, cmd_link
from fieldvault.devices_cli import add_devices_parser, cmd_devices
from fieldvault.duplicates_cli import add_duplicates_parser, cmd_duplicates
from fieldvault.export_cli import add_export_parser, cmd_export, interrupted_export_lines
from fieldvault.note_cli import add_note_parser, cmd_note
from fieldvault.options import accept_global_options_after_commands, add_global_options, resolve_vault
from fieldvault.org_cli import add_org_parsers, cmd_enrol, cmd_org
from fieldvault.passphrases import SecretSource, check_new_passphrase, check_strong_passphrase
from fieldvault.records_cli import (
    add_records_parsers,
    add_testimony_parsers,
    cli_date,
    cmd_incident,
    cmd_person,
    cmd_testimony_record,
)
from fieldvault.review_cli import add_review_parser, cmd_review
from fieldvault.serve_cli import add_serve_parser, cmd_serve
from fieldvault.sync_cli import add_sync_parser, cmd_sync
from fieldvault.textinput import (
    CommandRefused,
    UsageError,
    add_text_option,
    check_stdin_once,
    check_utf8_arguments,
    read_text_file,
    resolve_text_options,
    terminal_safe,
)


class Output:
    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json

    # Human output goes through terminal_safe: names and text from the vault
    # may hold control characters (an ESC sequence in a file name).
    def result(self, data: dict[str, Any], human: str) -> None:
        print(json.dumps(data, ensure_ascii=False) if self.as_json else terminal_safe(human))

    def rows(self, rows: list[dict[str, Any]], human: Callable[[dict[str, Any]], str]) -> None:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False) if self.as_json else terminal_safe(human(row)))


class VerificationFailed(FieldvaultError):
    def __init__(self, count: int) -> None:
        super().__init__(f"verify found {count} problem(s), listed above. Nothing was repaired or removed.")


MAX_SEARCH_LIMIT = 10_000


def search_limit(text: str) -> int:
    """``--limit``: a whole number of hits, 1 to MAX_SEARCH_LIMIT."""
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_SEARCH_LIMIT:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to {MAX_SEARCH_LIMIT}")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fieldvault", description="Encrypted evidence vault.")
    add_global_options(parser)
    commands = parser.add_subparsers(dest="command", required=True)

    init = commands.add_parser("init", help="create a vault")
    init.add_argument(
        "--no-keyring", action="store_true", help="do not keep part of the key in the OS keyring"
    )
    commands.add_parser("info", help="vault status and counts")
    commands.add_parser("passwd", help="change the passphrase (reads current, then new)")
    recover = commands.add_parser("recover", help="set a new passphrase with the recovery key")
    recover.add_argument("--no-keyring", action="store_true")
    duress = commands.add_parser("duress", help="a passphrase that wipes the vault when typed at unlock")
    duress.add_argument("action", choices=["set", "clear"])
    wipe = commands.add_parser("wipe", help="panic wipe: destroy the keys, then the files")
    wipe.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    case = commands.add_parser("case", help="cases").add_subparsers(dest="action", required=True)
    case_new = case.add_parser("new", help="create a case")
    add_text_option(case_new, "title", "the case title", positional=True, prompt="Case title: ")
    add_text_option(case_new, "--description", "the case description", one_line=False)
    case.add_parser("list", help="list cases")

    testimony = commands.add_parser("testimony", help="testimonies").add_subparsers(
        dest="action", required=True
    )
    t_new = testimony.add_parser("new", help="record a testimony")
    t_new.add_argument("--case", required=True, help="case id")
    t_new.add_argument("--narrative-file", required=True, type=Path, help="UTF-8 text file, or - for stdin")
    t_new.add_argument("--language", default="")
    add_text_option(t_new, "--title", "the testimony title")
    add_text_option(t_new, "--interviewer", "the interviewer's name")
    t_new.add_argument(
        "--interview-date", default="", help="YYYY, YYYY-MM, YYYY-MM-DD, DD.MM.YYYY or MM.YYYY"
    )
    t_new.add_argument("--consent", default="", choices=CONSENT_SCOPES)
    t_list = testimony.add_parser("list", help="list testimonies (ids and titles)")
    t_list.add_argument("--case")
    t_history = testimony.add_parser("history", help="revisions of one testimony")
    t_history.add_argument("id")
    add_testimony_parsers(testimony)  # show, edit: fieldvault/records_cli.py

    ingest = commands.add_parser("ingest", help="add evidence files to a case")
    ingest.add_argument("files", nargs="+", type=Path, metavar="FILE")
    ingest.add_argument("--case", required=True, help="case id")
    add_text_option(ingest, "--description", "the description", one_line=False)
    add_text_option(ingest, "--source", "where the file came from (who gave it, how)")
    ingest.add_argument(
        "--stated-date", default="", help="date the worker states, YYYY[-MM[-DD]] or DD.MM.YYYY"
    )
    add_text_option(ingest, "--stated-place", "the place the worker states")
    ingest.add_argument(
        "--remove-source",
        action="store_true",
        help="delete each source after a verified intake (not a secure erase on SSDs or journaling file systems)",
    )

    evidence = commands.add_parser("evidence", help="evidence items").add_subparsers(
        dest="action", required=True
    )
    e_export = evidence.add_parser("export", help="decrypt one item to DEST, its hash re-checked")
    e_export.add_argument("id")
    e_export.add_argument("dest", type=Path)
    e_export.add_argument("--overwrite", action="store_true")
    e_list = evidence.add_parser("list", help="list evidence items")
    e_list.add_argument("--case")
    e_show = evidence.add_parser("show", help="one item's metadata and custody history")
    e_show.add_argument("id")

    verify = commands.add_parser("verify", help="check every blob, revision and custody event")
    verify.add_argument(
        "--read-only",
        action="store_true",
        help="examine without writing anything to the vault folder (docs/examiner.md)",
    )
    quarantine = commands.add_parser(
        "quarantine", help="evidence files no record refers to, kept aside at unlock"
    ).add_subparsers(dest="action", required=True)
    quarantine.add_parser("list", help="list the quarantined files")
    q_purge = quarantine.add_parser("purge", help="delete the quarantined files for ever")
    q_purge.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    custody = commands.add_parser("custody", help="the chain of custody").add_subparsers(
        dest="action", required=True
    )
    c_export = custody.add_parser(
        "export", help="print the whole signed custody log as JSON (docs/chain-of-custody.md)"
    )
    c_export.add_argument(
        "--read-only", action="store_true", help="write nothing to the vault folder (docs/examiner.md)"
    )

    settings = commands.add_parser("settings", help="vault preferences").add_subparsers(
        dest="action", required=True
    )
    settings.add_parser("show", help="all settings")
    s_set = settings.add_parser("set", help="change one setting")
    s_set.add_argument("key", help="user_label (recorded in the custody log) or auto_lock_minutes")
    s_set.add_argument("value")

    search = commands.add_parser("search", help="full-text search")
    add_text_option(search, "query", "the search query", positional=True, prompt="Search for: ")
    search.add_argument("--limit", type=search_limit, default=20, help=f"1 to {MAX_SEARCH_LIMIT} hits")
    add_org_parsers(commands)
    add_bundle_parser(commands)
    add_backup_parser(commands)
    add_note_parser(commands)
    add_devices_parser(commands)
    add_review_parser(commands)
    add_duplicates_parser(commands)
    add_consent_parsers(commands)
    add_records_parsers(commands)
    add_export_parser(commands)
    add_serve_parser(commands)
    add_sync_parser(commands)
    accept_global_options_after_commands(parser)  # `fieldvault info --json` as `fieldvault --json info`
    return parser


def _keyring(disabled: bool = False) -> NoKeyring | SystemKeyring:
    return NoKeyring() if disabled else SystemKeyring()


def _open(args: argparse.Namespace, secrets: SecretSource) -> Vault:
    return _told(Vault.open(args.vault, secrets.next("Passphrase: "), keyring=_keyring()))


def _told(vault: Vault) -> Vault:
    """Every command that unlocks the vault says on stderr what the unlock
    did of its own accord: evidence files settled, interrupted exports
    cleared (docs/exports.md, "Crashes"). Returns ``vault``."""
    _tell_what_was_settled(vault)
    for line in interrupted_export_lines(vault):
        print(line, file=sys.stderr)
    return vault


def _tell_what_was_settled(vault: Vault) -> None:
    """Say when the unlock moved evidence files: a user must know."""
    settled = vault.settled
    if settled is None:
        return
    if settled.restored:
        print(
            f"{len(settled.restored)} quarantined evidence file(s) belong to this database again "
            "and were put back.",
            file=sys.stderr,
        )
    if settled.quarantined:
        print(
            f"{len(settled.quarantined)} evidence file(s) that no record refers to were moved to "
            "quarantine/ (not deleted): 'fieldvault verify' lists them.",
            file=sys.stderr,
        )


def cmd_init(args: argparse.Namespace, out: Output, secrets: SecretSource) -> None:
    # Judged at the cheapest cost calibration may choose: it holds whatever it picks.
    passphrase = check_strong_passphrase(secrets.next("New passphrase: ", confirm=True), CREATION_FLOOR)
    created = Vault.create(args.vault, passphrase, keyring=_keyring(), use_keyring=not args.no_keyring)
    with created.vault as vault:
        print(created.keyring_notice, file=sys.stderr)
        out.result(
            {"vault": str(args.vault), "device_id": vault.device_id, "recovery_key": created.recovery_key},
            f"Vault created in {args.vault}\nDevice id: {vault.device_id}\n\n"
            f"RECOVERY KEY (shown once; write it down and keep it apart from this computer):\n\n"
            f"    {created.recovery_key}\n",
        )


def cmd_info(args: argparse.Namespace, out: Output, secrets: SecretSource) -> None:
    with _open(args, secrets) as vault:
        info = asdict(vault.info())
    out.result(info, "\n".join(f"{k}: {v}" for k, v in info.items()))


def cmd_passwd(args: argparse.Namespace, out: Output, secrets: SecretSource) -> None:
    current = secrets.next("Current passphrase: ")
    with _told(Vault.open(args.vault, current, keyring=_keyring())) as vault:
        new = check_strong_passphrase(secrets.next("New passphrase: ", confirm=True), argon2_of(args.vault))
        vault.change_passphrase(current, new)
    out.result({"changed": True}, "Passphrase changed.")


def cmd_recover(args: argparse.Namespace, out: Output, secrets: SecretSource) -> None:
    recovery_key = secrets.next("Recovery key: ")
    # Checked before the recovery key is used: a refusal leaves it valid.
    new = check_strong_passphrase(secrets.next("New passphrase: ", confirm=True), argon2_of(args.vault))
    vault, new_recovery = Vault.recover(
        args.vault, recovery_key, new, keyring=_keyring(), use_keyring=not args.no_keyring
    )
    _told(vault).lock()  # nothing runs between the unlock and this lock but telling what it did
    out.result(
        {"recovered": True, "recovery_key": new_recovery},
        "Passphrase set. The old recovery key no longer works.\n\n"
        f"NEW RECOVERY KEY (shown once):\n\n    {new_recovery}\n",
    )


def cmd_duress(args: argparse.Namespace, out: Output, secrets: SecretSource) -> None:
    current = secrets.next("Passphrase: ")
    with _told(Vault.open(args.vault, current, keyring=_keyring())) as vault:
        if args.action == "set":
            duress = check_new_passphrase(secrets.next("Duress passphrase: ", confirm=True))
            vault.set_duress_passphrase(current, duress)
        else:
            vault.set_duress_passphrase(current, None)
    out.result(
        {"duress": args.action == "set"},
        "Duress passphrase set: typing it at unlock destroys the vault."
        if args.action == "set"
        else "Duress passphrase cleared.",
    )


def _ask(prompt: str) -> str:
    """A confirmation typed on the terminal; end of input (Ctrl+D) is no answer."""
    try:
        return input(prompt)
    except EOFError:
        return ""


def cmd_wipe(args: argparse.Namespace, out: Output, secrets: SecretSource) -> None:
    if not args.yes:
        if not sys.stdin.isatty():
            raise CommandRefused("Refusing to wipe without a terminal to confirm on; add --yes.")
        answer = _ask(f"Destroy the vault in {args.vault} for ever? Type WIPE to confirm: ")
        if answer.strip() != "WIPE":
            raise CommandRefused("Not confirmed; nothing was wiped.")
    wipe_vault(args.vault, keyring=_keyring())
    out.result({"wiped": str(args.vault)}, "Vault wiped: its keys are destroyed.")


def cmd_case(args: argparse.Namespace, out: Output, secrets: SecretSource) -> None:
    with _open(args, secrets) as vault:
        if args.action == "new":
            case = vault.cases.create(Case(title=args.title, description=args.description))
            out.result({"id": case.id}, case.id)
        else:
            out.rows(
                [{"id": c.id, "title": c.title} for c in vault.cases.list()],
                lambda r: f"{r['id']}  {r['title']}",
            )


def cmd_testimony(args: argparse.Namespace, out: Output, secrets: SecretSource) -> None:
    if args.action in ("show", "edit"):
        cmd_testimony_record(args, out, secrets, _open)  # fieldvault/records_cli.py
        return
    if args.action == "new":
        narrative = read_text_file(args.narrative_file, "the narrative")
        interview_date = cli_date(args.interview_date, "--interview-date")[0]  # as the GUI reads dates
    with _open(args, secrets) as vault:
        if args.action == "new":
            testimony = vault.testimonies.create(
                Testimony(
                    case_id=args.case,
                    title=args.title,
                    narrative=narrative,
                    language=args.language,
                    interviewer=args.interviewer,
                    interview_date=interview_date,
                    consent_scope=args.consent,
                )
            )
            out.result({"id": testimony.id}, testimony.id)
        elif args.action == "list":
            out.rows(
                [
                    {"id": t.id, "case_id": t.case_id, "title": t.title}
                    for t in vault.testimonies.list(args.case)
                ],
                lambda r: f"{r['id']}  {r['title']}",
            )
        else:
            out.rows(
                [
                    {
                        "revision": h.revision_id,
                        "op": h.op,
                        "device_id": h.device_id,
                        "hlc": h.hlc.as_list(),
                        "head": h.is_head,
                    }
                    for h in vault.testimonies.history(args.id)
                ],
                lambda r: (
                    f"{r['revision'][:16]}  {r['op']:6}  device {r['device_id']}  {'head' if r['head'] else ''}"
                ),
            )


class ProgressLine:
    """A progress line on stderr, only when stderr is a terminal."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.active = sys.stderr.isatty()

    def __call__(self, done: int, total: int) -> None:
        if self.active:
            percent = 100 * done // total if total else 100
            print(f"\r{self.label}: {percent:3d}%", end="", file=sys.stderr, flush=True)

    def finish(self) -> None:
        if self.active:
            print(file=sys.stderr)


def cmd_ingest(args: argparse.Namespace, out: Output, secrets: SecretSource) -> None:
    stated_date = cli_date(args.stated_date, "--stated-date")[0]  # as the GUI reads dates
    with _open(args, secrets) as vault:
        for number, path in enumerate(args.files, start=1):
            progress = ProgressLine(f"[{number}/{len(args.files)}]")
            result = vault.evidence.ingest(
                path,
                args.case,
                description=args.description,
                source=args.source,
                stated_date=stated_date,
                stated_place=args.stated_place,
                progress=progress,
                remove_source=args.remove_source,
            )
            progress.finish()
            item = result.item
            if result.source_changed:
                print(
                    f"{item.id}: the source file was kept, because it changed while it was being "
                    "read or checked; the vault holds what was read.",
                    file=sys.stderr,
                )
            if result.source_unverified:
                print(
                    f"{item.id}: the source file was kept, because the copy in the vault could not be "
                    "read back to check it (missing or damaged: 'fieldvault verify' tells; or purged "
                    "after delivery).",
                    file=sys.stderr,
                )
            row = {
                "id": item.id,
                "sha256": item.sha256,
                "size": item.size,
                "duplicate": result.duplicate,
                # Items of the case that held no file with these bytes: stored and attached to them.
                "supplied": list(result.supplied),
            }
            if args.remove_source:
                row["source_removed"] = result.source_removed
            out.rows(
                [row],
                lambda r: (
                    f"{r['id']}  sha256 {r['sha256']}  {r['size']} bytes"
                    + ("  (already in this case)" if r["duplicate"] else "")
                    + _supplied_note(r["supplied"])
                    + ("  (source removed)" if r.get("source_removed") else "")
                ),
            )


def _supplied_note(supplied: list[str]) -> str:
    if not supplied:
        return ""
    others = f"; also to item(s) {', '.join(supplied[1:])}" if len(supplied) > 1 else ""
    return f"  (this item's missing file: stored and attached to it now{others})"


def cmd_evidence(args: argparse.Namespace, out: Output, secrets: SecretSource) -> None:
    with _open(args, secrets) as vault:
        if args.action == "export":
            progress = ProgressLine("Exporting")
            result = vault.evidence.export(args.id, args.dest, overwrite=args.overwrite, progress=progress)
            progress.finish()
            out.result(
                {"id": result.evidence_id, "sha256": result.sha256, "path": str(result.path)},
                f"Exported to {result.path} (SHA-256 {result.sha256} re-checked)",
            )
        elif args.action == "list":
            out.rows(
                [
                    {
                        "id": e.id,
                        "case_id": e.case_id,
                        "sha256": e.sha256,
                        "size": e.size,
                        "mime_type": e.mime_type,
                    }
                    for e in vault.evidence.list(args.case)
                ],
                lambda r: f"{r['id']}  {r['mime_type']:24} {r['size']:>12}  {r['sha256'][:16]}…",
            )
        else:
            item = vault.evidence.get(args.id)
            events = vault.evidence.custody(args.id)
            body = item.body() | {"id": item.id}
            body["custody"] = [
                {
                    "seq": e.seq,
                    "action": e.action,
                    "device_id": e.device_id,
                    "wall": e.wall,
                    "hash": e.event_hash,
                }
                for e in events
            ]
            human = (
                "\n".join(f"{k}: {v}" for k, v in body.items() if k != "custody")
                + "\ncustody:\n"
                + "\n".join(f"  {e.seq:>5} {e.wall} {e.action:17} device {e.device_id}" for e in events)
            )
            out.result(body, human)


def _open_for(args: argparse.Namespace, secrets: SecretSource) -> Vault:
    """Open normally, or for examination with ``--read-only``."""
    if args.read_only:
        return Vault.examine(args.vault, secrets.next("Passphrase: "), keyring=_keyring())
    return _open(args, secrets)


def cmd_verify(args: argparse.Namespace, out: Output, secrets: SecretSource) -> None:
    with _open_for(args, secrets) as vault:
        progress = ProgressLine("Verifying")
        report = vault.verify(progress=progress)
        progress.finish()
    out.result(
        {
            "ok": report.ok,
            "problems": [p.as_dict() for p in report.problems],
            "blobs": report.blobs_checked,
            "purged": report.blobs_purged,  # absent: delivered and purged, as a purge event records
            "bytes": report.bytes_checked,
            "revisions": report.revisions_checked,
            "custody_events": report.custody_events_checked,
            "notices": [p.as_dict() for p in report.notices],
            "read_only": args.read_only,
        },
        (
            f"OK: {report.blobs_checked} files ({report.bytes_checked} bytes), "
            f"{report.revisions_checked} revisions, {report.custody_events_checked} custody events verified."
            + (
                f" {report.blobs_purged} file(s) delivered and removed from this laptop (purge events checked)."
                if report.blobs_purged
                else ""
            )
            if report.ok
            else "PROBLEMS FOUND:\n"
            + "\n".join(f"  {p.kind} {p.subject}: {p.detail}" for p in report.problems)
        )
        + "".join(f"\n  note: {p.kind} {p.subject}: {p.detail}" for p in report.notices),
    )
    if not report.ok:
        raise VerificationFailed(len(report.problems))


def cmd_quarantine(args: argparse.Namespace, out: Output, secrets: SecretSource) -> None:
    with _open(args, secrets) as vault:
        names = vault.quarantined()
        if args.action == "list":
            out.rows([{"file": name} for name in names], lambda r: r["file"])
            return
        if names and not args.yes:
            if not sys.stdin.isatty():
                raise CommandRefused("Refusing to delete without a terminal to confirm on; add --yes.")
            answer = _ask(
                f"Delete {len(names)} quarantined evidence file(s) for ever? They cannot be "
                "recovered, even with the right database. Type DELETE to confirm: "
            )
            if answer.strip() != "DELETE":
                raise CommandRefused("Not confirmed; nothing was deleted.")
        removed = vault.purge_quarantine()
    out.result({"removed": removed}, f"{len(removed)} quarantined file(s) deleted.")


def cmd_custody(args: argparse.Namespace, out: Output, secrets: SecretSource) -> None:
    with _open_for(args, secrets) as vault:
        log = vault.evidence.custody_log()
    print(json.dumps(log, indent=None if args.json else 1))


def cmd_settings(args: argparse.Namespace, out: Output, secrets: SecretSource) -> None:
    with _open(args, secrets) as vault:
        if args.action == "set":
            vault.settings.set(args.key, args.value)
        current = vault.settings.all()
    out.result(current, "\n".join(f"{k}: {v}" for k, v in current.items()))


def cmd_search(args: argparse.Namespace, out: Output, secrets: SecretSource) -> None:
    with _open(args, secrets) as vault:
        hits = vault.search.query(args.query, limit=args.limit)
    out.rows(
        [
            {
                "id": h.entity_id,
                "type": h.entity_type,
                "snippet": h.snippet,
                "highlights": [list(s) for s in h.highlights],
            }
            for h in hits
        ],
        lambda r: f"{r['type']:10} {r['id']}  {r['snippet']}",
    )


def cmd_bundles(args: argparse.Namespace, out: Output, secrets: SecretSource) -> None:
    cmd_bundle(args, out, secrets, _open, ProgressLine)  # fieldvault/bundle_cli.py


def cmd_notes(args: argparse.Namespace, out: Output, secrets: SecretSource) -> None:
    cmd_note(args, out, secrets, _open)  # fieldvault/note_cli.py


def cmd_backups(args: argparse.Namespace, out: Output, secrets: SecretSource) -> None:
    cmd_backup(args, out, secrets, _open, ProgressLine)  # fieldvault/backup_cli.py


def cmd_devices_view(args: argparse.Namespace, out: Output, secrets: SecretSource) -> None:
    cmd_devices(args, out, secrets, _open)  # fieldvault/devices_cli.py


def cmd_reviews(args: argparse.Namespace, out: Output, secrets: SecretSource) -> None:
    cmd_review(args, out, secrets, _open)  # fieldvault/review_cli.py


def cmd_duplicate_persons(args: argparse.Namespace, out: Output, secrets: SecretSource) -> None:
    cmd_duplicates(args, out, secrets, _open)  # fieldvault/duplicates_cli.py


def cmd_consents(args: argparse.Namespace, out: Output, secrets: SecretSource) -> None:
    cmd_consent(args, out, secrets, _open)  # fieldvault/consent_cli.py


def cmd_persons(args: argparse.Namespace, out: Output, secrets: SecretSource) -> None:
    cmd_person(args, out, secrets, _open)  # fieldvault/records_cli.py


def cmd_incidents(args: argparse.Namespace, out: Output, secrets: SecretSource) -> None:
    cmd_incident(args, out, secrets, _open)  # fieldvault/records_cli.py


def cmd_links(args: argparse.Namespace, out: Output, secrets: SecretSource) -> None:
    cmd_link(args, out, secrets, _open)  # fieldvault/consent_cli.py


def cmd_exports(args: argparse.Namespace, out: Output, secrets: SecretSource) -> None:
    cmd_export(args, out, secrets, _open, ProgressLine)  # fieldvault/export_cli.py


def cmd_orgs(args: argparse.Namespace, out: Output, secrets: SecretSource) -> None:
    cmd_org(args, out, secrets, _open)  # fieldvault/org_cli.py


def cmd_enrols(args: argparse.Namespace, out: Output, secrets: SecretSource) -> None:
    cmd_enrol(args, out, secrets, _open)  # fieldvault/org_cli.py


def cmd_serves(args: argparse.Namespace, out: Output, secrets: SecretSource) -> None:
    cmd_serve(args, out)  # fieldvault/serve_cli.py; the server opens no vault


def cmd_syncs(args: argparse.Namespace, out: Output, secrets: SecretSource) -> None:
    cmd_sync(args, out, secrets, _open)  # fieldvault/sync_cli.py


COMMANDS = {
    "init": cmd_init,
    "info": cmd_info,
    "passwd": cmd_passwd,
    "recover": cmd_recover,
    "wipe": cmd_wipe,
    "duress": cmd_duress,
    "case": cmd_case,
    "testimony": cmd_testimony,
    "note": cmd_notes,
    "search": cmd_search,
    "ingest": cmd_ingest,
    "evidence": cmd_evidence,
    "verify": cmd_verify,
    "quarantine": cmd_quarantine,
    "settings": cmd_settings,
    "custody": cmd_custody,
    "org": cmd_orgs,
    "enrol": cmd_enrols,
    "bundle": cmd_bundles,
    "backup": cmd_backups,
    "devices": cmd_devices_view,
    "review": cmd_reviews,
    "duplicates": cmd_duplicate_persons,
    "consent": cmd_consents,
    "link": cmd_links,
    "person": cmd_persons,
    "incident": cmd_incidents,
    "export": cmd_exports,
    "serve": cmd_serves,
    "sync": cmd_syncs,
}


def _check_usage(args: argparse.Namespace) -> None:
    """What argparse cannot check: one reader of stdin, UTF-8 text, a vault folder."""
    check_stdin_once(args, {"--narrative-file": getattr(args, "narrative_file", None)})
    check_utf8_arguments(args)
    try:
        is_folder = stat.S_ISDIR(args.vault.stat().st_mode)
    except FileNotFoundError:
        return  # init creates it; other commands say there is no vault
    except OSError as err:  # a symlink loop, a name too long…
        raise CommandRefused(f"--vault {args.vault}: {err.strerror}.") from None
    if not is_folder:
        raise CommandRefused(f"--vault {args.vault} is not a folder; give the vault's folder.")


def run_cli(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    resolve_vault(args)
    out = Output(args.json)
    try:
        _check_usage(args)
        resolve_text_options(args)
        secrets = SecretSource(args.passphrase_fd)
        COMMANDS[args.command](args, out, secrets)
    except UsageError as err:
        print(f"fieldvault: {terminal_safe(str(err))}", file=sys.stderr)
        return 2
    except FieldvaultError as err:
        print(f"fieldvault: {terminal_safe(str(err))}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away: not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("fieldvault: interrupted; nothing half-done was kept.", file=sys.stderr)
        return 1
    except OSError as err:
        # A file or folder named on the command line that cannot be used
        # (a symlink loop, a name too long…): say which, and why.
        where = f" ({terminal_safe(os.fsdecode(err.filename))})" if err.filename else ""
        print(
            f"fieldvault: {err.strerror or type(err).__name__}{where}. The vault keeps its last saved state.",
            file=sys.stderr,
        )
        return 1
    except Exception as err:  # noqa: BLE001 - a traceback could quote witness data
        print(
            f"fieldvault: unexpected error ({type(err).__name__}); the vault keeps its last saved state. "
            "Please report the error type, not the data.",
            file=sys.stderr,
        )
        return 1
    return 0
