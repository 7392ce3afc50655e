"""``fieldvault consent new|show|withdraw`` and ``fieldvault link evidence``
(docs/cli.md). Parsing and wiring only: the rules are db/consent.py's and
db/evidence_links.py's. Scopes and how consent was given are typed and shown
in the words of docs/vault-format.md ("Consent records"), the same the GUI
shows; --json gives the stored codes beside the words."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any, Protocol

from db.api import GIVEN_HOW_WORDS, SCOPE_WORDS, Consent, LinkedRecord, Vault
from fieldvault.passphrases import SecretSource
from fieldvault.textinput import add_text_option

Opener = Callable[[argparse.Namespace, SecretSource], Vault]
SCOPE_CODES = {words: code for code, words in SCOPE_WORDS.items()}
GIVEN_HOW_CODES = {words: code for code, words in GIVEN_HOW_WORDS.items()}


class Output(Protocol):
    def result(self, data: dict[str, Any], human: str) -> None: ...

    def rows(self, rows: list[dict[str, Any]], human: Callable[[dict[str, Any]], str]) -> None: ...


def add_consent_parsers(commands: Any) -> None:
    consent = commands.add_parser(
        "consent", help="the witness's consent to a testimony's uses: record, show, withdraw"
    ).add_subparsers(dest="action", required=True)
    new = consent.add_parser("new", help="record a consent given for a testimony")
    new.add_argument("--testimony", required=True, help="testimony id")
    new.add_argument("--witness", default="", help="person id (default: the testimony's witness)")
    _scope_option(new, "a use the witness agreed to (repeat for each)")
    new.add_argument(
        "--given-how",
        default=GIVEN_HOW_WORDS["spoken-recorded"],
        choices=list(GIVEN_HOW_CODES),
        help="how consent was given",
    )
    new.add_argument("--given-on", default="", help="when: YYYY, YYYY-MM or YYYY-MM-DD")
    add_text_option(new, "--given-to", "to whom consent was given")
    add_text_option(new, "--text-version", "the version of the consent text read out")
    new.add_argument("--anonymity", action="store_true", help="the witness asked to stay anonymous")
    new.add_argument("--no-photos", action="store_true", help="no photos of the witness")
    add_text_option(new, "--conditions", "other conditions", one_line=False)

    show = consent.add_parser("show", help="a consent and its history, or the consents of a testimony")
    which = show.add_mutually_exclusive_group(required=True)
    which.add_argument("id", nargs="?", help="consent id")
    which.add_argument("--testimony", help="testimony id: its consents and what they allow together")

    withdraw = consent.add_parser(
        "withdraw", help="withdraw some or all agreed uses: a new signed revision, history keeps the original"
    )
    withdraw.add_argument("id", help="consent id")
    _scope_option(withdraw, "a use withdrawn (repeat for each)")
    withdraw.add_argument("--on", default="", help="when: YYYY, YYYY-MM or YYYY-MM-DD")
    add_text_option(withdraw, "--note", "how the withdrawal was made", one_line=False)

    link = commands.add_parser(
        "link", help="link evidence to testimonies, incidents and persons"
    ).add_subparsers(dest="action", required=True)
    evidence = link.add_parser("evidence", help="link an evidence item to a testimony, incident or person")
    evidence.add_argument("id", help="evidence id")
    evidence.add_argument("--to", required=True, metavar="ID", help="the testimony, incident or person id")
    evidence.add_argument("--remove", action="store_true", help="remove the link instead")
    shown = link.add_parser("show", help="the links of a record, both ways")
    shown.add_argument("id", help="an evidence item, testimony, incident or person id")


def _scope_option(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--scope", dest="scopes", action="append", required=True, choices=list(SCOPE_CODES), help=what
    )


def consent_json(consent: Consent) -> dict[str, Any]:
    return {
        "id": consent.id,
        "revision": consent.revision,
        "case_id": consent.case_id,
        "testimony_id": consent.testimony_id,
        "witness_id": consent.witness_id,
        "scopes": consent.scopes,
        "scope_words": [SCOPE_WORDS[s] for s in consent.scopes],
        "given_how": consent.given_how,
        "given_how_words": GIVEN_HOW_WORDS[consent.given_how],
        "given_on": consent.given_on,
        "given_to": consent.given_to,
        "text_version": consent.text_version,
        "anonymity": consent.anonymity,
        "no_photos": consent.no_photos,
        "conditions": consent.conditions,
        "withdrawn_scopes": consent.withdrawn_scopes,
        "withdrawn_scope_words": [SCOPE_WORDS[s] for s in consent.withdrawn_scopes],
        "withdrawn_on": consent.withdrawn_on,
        "withdrawal_note": consent.withdrawal_note,
    }


def _human(data: dict[str, Any]) -> str:
    agreed = ", ".join(data["scope_words"]) or "none (withdrawn)"
    lines = [
        f"consent {data['id']}  testimony {data['testimony_id']}",
        f"  agreed: {agreed}",
        f"  given: {data['given_how_words']}"
        + (f", on {data['given_on']}" if data["given_on"] else "")
        + (f", to {data['given_to']}" if data["given_to"] else ""),
    ]
    if data["text_version"]:
        lines.append(f"  consent text version: {data['text_version']}")
    conditions = [c for c, on in (("anonymity", data["anonymity"]), ("no photos", data["no_photos"])) if on]
    if conditions or data["conditions"]:
        lines.append(
            f"  conditions: {', '.join(conditions + ([data['conditions']] if data['conditions'] else []))}"
        )
    if data["withdrawn_scope_words"]:
        when = f" on {data['withdrawn_on']}" if data["withdrawn_on"] else ""
        lines.append(f"  WITHDRAWN{when}: {', '.join(data['withdrawn_scope_words'])}")
    return "\n".join(lines)


def cmd_consent(args: argparse.Namespace, out: Output, secrets: SecretSource, open_vault: Opener) -> None:
    with open_vault(args, secrets) as vault:
        if args.action == "new":
            consent = vault.consents.record(
                Consent(
                    case_id="",
                    testimony_id=args.testimony,
                    witness_id=args.witness,
                    scopes=[SCOPE_CODES[s] for s in args.scopes],
                    given_how=GIVEN_HOW_CODES[args.given_how],
                    given_on=args.given_on,
                    given_to=args.given_to or "",
                    text_version=args.text_version or "",
                    anonymity=args.anonymity,
                    no_photos=args.no_photos,
                    conditions=args.conditions or "",
                )
            )
            out.result(consent_json(consent), consent.id)
        elif args.action == "withdraw":
            consent = vault.consents.withdraw(
                args.id, [SCOPE_CODES[s] for s in args.scopes], on=args.on, note=args.note or ""
            )
            data = consent_json(consent)
            out.result(data, _human(data))
        elif args.testimony:
            state = vault.consents.of_testimony(args.testimony)
            data = {
                "testimony_id": args.testimony,
                "agreed": list(state.agreed),
                "agreed_words": [SCOPE_WORDS[s] for s in state.agreed],
                "withdrawn": list(state.withdrawn),
                "withdrawn_words": [SCOPE_WORDS[s] for s in state.withdrawn],
                "consents": [consent_json(c) for c in state.records],
            }
            human = "\n".join(
                [
                    f"testimony {args.testimony}",
                    f"  may be used for: {', '.join(data['agreed_words']) or 'nothing (no consent recorded)'}",
                    *([f"  WITHDRAWN: {', '.join(data['withdrawn_words'])}"] if state.withdrawn else []),
                    *(_human(c) for c in data["consents"]),
                ]
            )
            out.result(data, human)
        else:
            consent = vault.consents.get(args.id)
            history = [
                {
                    "revision": h.revision_id,
                    "op": h.op,
                    "hlc": h.hlc.as_list(),
                    "scopes": h.body.get("scopes", []),
                }
                for h in vault.consents.history(args.id)
            ]
            data = consent_json(consent) | {"history": history}
            revisions = [
                f"  revision {h['revision'][:16]}: {', '.join(SCOPE_WORDS[s] for s in h['scopes']) or 'none'}"
                for h in history
            ]
            out.result(data, "\n".join([_human(data), *revisions]))


def _link_row(end: LinkedRecord) -> dict[str, Any]:
    return {"link_id": end.link_id, "id": end.entity_id, "type": end.entity_type, "label": end.label}


def cmd_link(args: argparse.Namespace, out: Output, secrets: SecretSource, open_vault: Opener) -> None:
    with open_vault(args, secrets) as vault:
        if args.action == "evidence" and args.remove:
            removed = vault.evidence_links.unlink(args.id, args.to)
            out.result({"removed": removed}, f"{removed} link(s) removed")
        elif args.action == "evidence":
            link = vault.evidence_links.link(args.id, args.to)
            out.result({"link_id": link.id, "evidence_id": args.id, "to": args.to}, link.id)
        else:
            links = vault.evidence_links
            kind = vault.evidence_links.kind_of(args.id)
            ends = links.targets_of(args.id) if kind == "evidence" else links.evidence_of(args.id)
            out.rows([_link_row(end) for end in ends], lambda r: f"{r['id']}  {r['type']:9}  {r['label']}")
