"""``fieldvault person``, ``fieldvault incident`` and ``fieldvault testimony
show|edit`` (issue 15: CLI parity with the GUI), run as a user runs them
against a real vault: the GUI's date forms, violation types by code or
label, a witness's name and sensitive details printed only where asked for."""

from __future__ import annotations

from pathlib import Path

from tests.cli_helpers import Cli
from tests.evidence_samples import make_random
from tests.vault_helpers import PASSPHRASE

P = [PASSPHRASE]
NAME = "Оксана Петренко-Canary"
ADDRESS = "вул. Шевченка 12, Ізюм"


def _case(cli: Cli, title: str = "Izium") -> str:
    return str(cli.json("case", "new", title, secrets=P)["id"])


def _refused(cli: Cli, *args: str, says: str, status: int = 1) -> str:
    result = cli.run(*args, secrets=P, check=False)
    assert result.returncode == status, result.stderr
    assert says in result.stderr and "Traceback" not in result.stderr
    return result.stderr


def test_a_person_through_add_list_show_edit_and_delete(cli: Cli, tmp_path: Path) -> None:
    cli.create_fast(PASSPHRASE)
    case = _case(cli)
    name_file = tmp_path / "name.txt"
    name_file.write_text(NAME + "\n", encoding="utf-8")
    details = tmp_path / "details.txt"
    details.write_text(f"address: {ADDRESS}\nborn: 1961\n", encoding="utf-8")
    added = cli.json(
        "person", "add", "--case", case, "--pseudonym", "W-1", "--name-file", str(name_file),
        "--role", "witness", "--role", "victim", "--sensitive-file", str(details),
        secrets=P,
    )  # fmt: skip
    person = added["id"]

    # Lists show the pseudonym, never the name or the details (as the GUI's lists).
    listed = cli.run("person", "list", "--case", case, secrets=P)
    assert "W-1" in listed.stdout and NAME not in listed.stdout and ADDRESS not in listed.stdout
    assert cli.json("person", "list", secrets=P) == {
        "id": person, "case_id": case, "pseudonym": "W-1", "roles": ["witness", "victim"],
    }  # fmt: skip

    # Show gives the name; the sensitive details only with --sensitive.
    shown = cli.json("person", "show", person, secrets=P)
    assert shown["name"] == NAME and "sensitive" not in shown
    assert ADDRESS not in cli.run("person", "show", person, secrets=P).stdout
    assert cli.json("person", "show", person, "--sensitive", secrets=P)["sensitive"] == {
        "address": ADDRESS, "born": "1961",
    }  # fmt: skip

    # Edit changes what is given, keeps the rest, and prints field names, not values.
    edited = cli.run("--json", "person", "edit", person, "--no-roles", "--pseudonym", "W-7", secrets=P)
    assert NAME not in edited.stdout and ADDRESS not in edited.stdout
    assert sorted(cli.json("person", "edit", person, "--role", "witness", secrets=P)["changed"]) == ["roles"]
    after = cli.json("person", "show", person, "--sensitive", secrets=P)
    assert (after["pseudonym"], after["roles"], after["name"]) == ("W-7", ["witness"], NAME)
    assert after["sensitive"]["address"] == ADDRESS
    _refused(cli, "person", "edit", person, "--pseudonym", " ", says=f"person {person}: the pseudonym")
    _refused(cli, "person", "add", "--case", case, "--name", "X", says="needs a pseudonym")
    assert len(cli.run("person", "list", secrets=P).stdout.splitlines()) == 1

    # The details from standard input; not with the passphrase from there too.
    from_stdin = cli.json(
        "person", "add", "--case", case, "--pseudonym", "W-2", "--sensitive-file", "-",
        secrets=P, stdin="phone: +380 00 000 0000\n",
    )["id"]  # fmt: skip
    shown = cli.json("person", "show", from_stdin, "--sensitive", secrets=P)
    assert shown["sensitive"] == {"phone": "+380 00 000 0000"}
    two_readers = cli.run(
        "person", "add", "--case", case, "--pseudonym", "W-3", "--sensitive-file", "-", "--passphrase-fd", "0",
        stdin=f"{PASSPHRASE}\naddress: x\n", check=False,
    )  # fmt: skip
    assert two_readers.returncode == 2 and "Standard input can feed only one" in two_readers.stderr
    cli.run("person", "delete", from_stdin, "--yes", secrets=P)

    # Delete asks for --yes without a terminal; the history keeps the versions.
    _refused(cli, "person", "delete", person, says="add --yes")
    assert cli.json("person", "delete", person, "--yes", secrets=P) == {"deleted": person}
    assert cli.run("person", "list", secrets=P).stdout == ""
    _refused(cli, "person", "show", person, says=f"No person with id {person}")
    assert cli.json("verify", secrets=P)["ok"]


def test_incidents_take_the_dates_and_violation_types_the_gui_takes(cli: Cli) -> None:
    cli.create_fast(PASSPHRASE)
    case = _case(cli)

    def add(*args: str) -> dict[str, object]:
        made = cli.json("incident", "add", "--case", case, "--title", "Shelling", *args, secrets=P)
        return dict(cli.json("incident", "show", made["id"], secrets=P))

    # The code and its Ukrainian label name the same type: stored once.
    day = add(
        "--date", "15.03.2022", "--violation", "attack-on-civilians",
        "--violation", "Умисний напад на цивільне населення",
    )  # fmt: skip
    assert (day["date"], day["date_precision"]) == ("2022-03-15", "day")
    assert day["violation_types"] == ["attack-on-civilians"]
    month = add("--date", "03.2022")
    assert (month["date"], month["date_precision"]) == ("2022-03", "month")
    assert add("--date", "2022-3-5")["date"] == "2022-03-05"
    approximate = add("--date", "2022", "--approximate", "--place", "Izium", "--latitude", "49.2")
    assert (approximate["date"], approximate["date_precision"]) == ("2022", "approximate")
    assert (approximate["place"], approximate["latitude"]) == ("Izium", 49.2)
    labelled = add("--violation", "Torture or inhuman treatment", "--violation", "Мародерство")
    assert labelled["violation_types"] == ["torture", "pillage"]

    count = len(cli.run("incident", "list", secrets=P).stdout.splitlines())
    for date, why in [
        ("2024-13-45", "no such month"),
        ("29.02.2023", "no such day"),
        ("2999", "in the future"),
        ("1850", "1900 or later"),
        ("２０２２", "not a date"),
        ("yesterday", "not a date"),
    ]:
        stderr = _refused(cli, "incident", "add", "--case", case, "--title", "T", "--date", date, says=why)
        assert "YYYY, YYYY-MM or YYYY-MM-DD" in stderr and date not in stderr
    _refused(
        cli,
        "incident",
        "add",
        "--case",
        case,
        "--title",
        "T",
        "--violation",
        "arson",
        says="unknown violation",
    )
    _refused(cli, "incident", "add", "--case", case, says="needs a title")
    assert len(cli.run("incident", "list", secrets=P).stdout.splitlines()) == count

    incident = str(approximate["id"])
    edited = cli.json("incident", "edit", incident, "--date", "05.03.2022", "--no-approximate", secrets=P)
    assert sorted(edited["changed"]) == ["date", "date_precision"]
    shown = cli.json("incident", "show", incident, secrets=P)
    assert (shown["date"], shown["date_precision"], shown["place"]) == ("2022-03-05", "day", "Izium")
    cli.json("incident", "edit", incident, "--date", "", "--no-coordinates", "--no-violations", secrets=P)
    cleared = cli.json("incident", "show", incident, secrets=P)
    assert (cleared["date"], cleared["date_precision"], cleared["latitude"]) == ("", "unknown", None)
    assert cli.json("incident", "delete", incident, "--yes", secrets=P) == {"deleted": incident}
    assert incident not in cli.run("incident", "list", secrets=P).stdout


def test_testimony_show_and_edit_witness_incident_place_date_violations_and_consent(
    cli: Cli, tmp_path: Path
) -> None:
    cli.create_fast(PASSPHRASE)
    case = _case(cli)
    witness = cli.json("person", "add", "--case", case, "--pseudonym", "W-1", "--name", NAME, secrets=P)["id"]
    incident = cli.json("incident", "add", "--case", case, "--title", "Shelling of the school", secrets=P)[
        "id"
    ]
    testimony = cli.json(
        "testimony", "new", "--case", case, "--narrative-file", "-", "--title", "Interview 1",
        "--interview-date", "15.03.2022", secrets=P, stdin="Свідок бачив обстріл.",
    )["id"]  # fmt: skip
    assert cli.json("testimony", "show", testimony, secrets=P)["interview_date"] == "2022-03-15"

    edited = cli.json(
        "testimony", "edit", testimony, "--witness", witness, "--incident", incident,
        "--place", "Izium, school 4", "--date", "05.03.2022",
        "--violation", "attack-on-protected-objects", "--violation", "Катування або нелюдське поводження",
        secrets=P,
    )  # fmt: skip
    assert sorted(edited["changed"]) == [
        "incident_id", "interview_date", "interview_place", "violation_types", "witness_id",
    ]  # fmt: skip
    cli.run(
        "consent", "new", "--testimony", testimony, "--scope", "documentation only", "--scope", "prosecution",
        secrets=P,
    )  # fmt: skip
    shown = cli.json("testimony", "show", testimony, secrets=P)
    assert (shown["witness_id"], shown["witness"]) == (witness, "W-1")
    assert (shown["incident_id"], shown["incident"]) == (incident, "Shelling of the school")
    assert (shown["interview_place"], shown["interview_date"]) == ("Izium, school 4", "2022-03-05")
    assert shown["violation_types"] == ["attack-on-protected-objects", "torture"]
    assert shown["consent_agreed_words"] == ["documentation only", "prosecution"]
    assert "narrative" not in shown
    human = cli.run("testimony", "show", testimony, secrets=P).stdout
    assert "W-1" in human and "prosecution" in human and "Torture or inhuman treatment" in human
    assert NAME not in human and "обстріл" not in human  # the witness's name stays on `person show`
    assert "обстріл" in cli.json("testimony", "show", testimony, "--narrative", secrets=P)["narrative"]
    incident_view = cli.json("incident", "show", incident, secrets=P)
    assert incident_view["testimonies"] == [{"id": testimony, "title": "Interview 1"}]

    # A witness or incident of another case, or a record of another kind, is refused, naming ids.
    other_case = _case(cli, "Bucha")
    stranger = cli.json("person", "add", "--case", other_case, "--pseudonym", "W-9", secrets=P)["id"]
    stderr = _refused(cli, "testimony", "edit", testimony, "--witness", stranger, says="another case")
    assert stranger in stderr and testimony in stderr
    _refused(
        cli, "testimony", "edit", testimony, "--incident", witness, says=f"No incident with id {witness}"
    )
    _refused(cli, "testimony", "edit", testimony, "--date", "2022-02-30", says="no such day")
    assert cli.json("testimony", "show", testimony, secrets=P)["witness_id"] == witness

    # Linked evidence shows on the person and the testimony; clearing a field with "".
    photo = make_random(tmp_path / "photo.bin", 2000, seed=3)
    item = cli.json("ingest", str(photo), "--case", case, secrets=P)["id"]
    cli.run("link", "evidence", item, "--to", witness, secrets=P)
    assert [e["id"] for e in cli.json("person", "show", witness, secrets=P)["evidence"]] == [item]
    cli.json("testimony", "edit", testimony, "--witness", "", "--no-violations", secrets=P)
    cleared = cli.json("testimony", "show", testimony, secrets=P)
    assert (cleared["witness_id"], cleared["violation_types"]) == ("", [])
    assert cli.json("testimony", "edit", testimony, secrets=P)["changed"] == []
    # A witness deleted after being named: the testimony still shows, saying so.
    cli.json("testimony", "edit", testimony, "--witness", witness, secrets=P)
    cli.run("person", "delete", witness, "--yes", secrets=P)
    orphaned = cli.json("testimony", "show", testimony, secrets=P)
    assert (orphaned["witness_id"], orphaned["witness"]) == (witness, "(deleted)")
    assert cli.json("verify", secrets=P)["ok"]
