"""``fieldvault review search|timeline|custody`` and ``fieldvault duplicates
list|decisions|link|not-same|unlink`` (fieldvault/review_cli.py,
fieldvault/duplicates_cli.py) on a real coordinator's vault holding two
field workers' records imported by bundle (tests/db/test_review.py's merge),
through the in-process entry point ``run_cli`` with the passphrase on a pipe.

Expectations are written from the records created, never from what a
command printed: the filters give exactly the records the GUI's filters
give; a bounded ranking is said in the JSON and on stderr; the custody
history holds both devices' events; duplicate decisions are signed link
revisions that the next list honours and that ``unlink`` undoes; names of
persons are never printed by the lists."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from db.api import Person
from fieldvault.cli import run_cli
from tests.db.test_review import Merged, merge_two_workers
from tests.vault_helpers import PASSPHRASE

ALL_A = ("a-first-testimony", "a-march", "a-september", "a-statement", "a-year", "a-photo")
ALL_B = ("b-first-testimony", "b-march", "b-april", "b-photo")
NAMES = ("Олександр Петренко", "Oleksandr Petrenko", "Петренко О.", "Марія Коваленко")


@pytest.fixture(scope="module")
def merged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Merged]:
    m = merge_two_workers(tmp_path_factory.mktemp("review-cli"))
    coordinator = m.coordinator
    # Persons as three workers might have recorded one witness, and one other person.
    for name, case, pseudonym in zip(
        NAMES, ("a-case", "b-case", "a-case", "b-case"), ("W-1", "W-2", "W-3", "W-4"), strict=True
    ):
        person = coordinator.persons.create(
            Person(case_id=m.ids[case], name=name, pseudonym=pseudonym, roles=["witness"])
        )
        m.ids[pseudonym] = person.id
    coordinator.lock()  # the commands open it
    yield m
    for work in m.org.workers:
        work.vault.lock()


def fv(capsys: pytest.CaptureFixture[str], merged: Merged, *args: str) -> tuple[int, str, str]:
    """Run ``fieldvault --vault COORDINATOR --passphrase-fd N ARGS`` in this process."""
    read_end, write_end = os.pipe()
    os.write(write_end, PASSPHRASE.encode() + b"\n")
    os.close(write_end)
    try:
        code = run_cli(["--vault", str(merged.coordinator.folder), "--passphrase-fd", str(read_end), *args])
    finally:
        os.close(read_end)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def fv_json(capsys: pytest.CaptureFixture[str], merged: Merged, *args: str) -> Any:
    code, out, err = fv(capsys, merged, "--json", *args)
    assert code == 0, err
    lines = [json.loads(line) for line in out.splitlines() if line.strip()]
    return lines[0] if len(lines) == 1 else lines


def found(capsys: pytest.CaptureFixture[str], merged: Merged, *filters: str) -> set[str]:
    """Every page's ids, following next_cursor."""
    ids: list[str] = []
    cursor: list[str] = []
    while True:
        page = fv_json(capsys, merged, "review", "search", "--limit", "3", *filters, *cursor)
        ids += [record["id"] for record in page["records"]]
        if page["next_cursor"] is None:
            break
        cursor = ["--cursor", str(page["next_cursor"])]
    assert len(ids) == len(set(ids)), "a record came twice across pages"
    return set(ids)


def test_search_filters_give_exactly_the_records_they_name(capsys, merged: Merged) -> None:
    assert found(capsys, merged) == merged.named(*ALL_A, *ALL_B)
    assert found(capsys, merged, "--case", merged.ids["b-case"]) == merged.named(*ALL_B)
    # March 2022, the start typed day first: partial dates meet the range by overlap.
    assert found(capsys, merged, "--from", "01.03.2022", "--to", "2022-03") == merged.named(
        "a-march", "a-statement", "a-photo", "b-march", "a-year"
    )
    assert found(
        capsys, merged, "--device", merged.b.vault.device_id, "--from", "2022-03", "--to", "2022-03"
    ) == (merged.named("b-march"))
    assert found(capsys, merged, "--place", "IZIUM", "--with-evidence") == merged.named(
        "a-statement", "a-photo"
    )
    # A violation type by its Ukrainian label; evidence items have none.
    assert found(capsys, merged, "--violation", "torture") == merged.named("a-march", "a-statement")
    assert found(capsys, merged, "--type", "incident", "--without-evidence") == merged.named(
        "a-march", "a-september"
    )


def test_search_json_carries_what_the_dialog_shows(capsys, merged: Merged) -> None:
    page = fv_json(capsys, merged, "review", "search", "--type", "evidence", "--case", merged.ids["a-case"])
    [record] = page["records"]
    assert record["id"] == merged.ids["a-photo"]
    assert (record["type"], record["date"], record["place"]) == ("evidence", "2022-03-18", "Izium")
    assert record["device_id"] == merged.a.vault.device_id and record["has_evidence"] is True
    assert (page["total"], page["total_capped"], page["ranking_bounded"], page["next_cursor"]) == (
        1,
        False,
        False,
        None,
    )


def test_a_bounded_ranking_is_said_in_the_json_and_on_stderr(capsys, merged: Merged, tmp_path: Path) -> None:
    words = tmp_path / "words.txt"
    words.write_text("statement\n", encoding="utf-8")
    whole = fv_json(capsys, merged, "review", "search", "--text-file", str(words))
    assert {r["id"] for r in whole["records"]} == merged.named(
        "a-first-testimony", "a-statement", "a-year", "b-first-testimony", "b-april"
    )
    assert whole["total"] == 5 and not whole["ranking_bounded"]
    assert all(isinstance(r["rank"], float) for r in whole["records"])
    # Only the two most recently added of the five matches ranked: said, both ways.
    code, out, err = fv(
        capsys, merged, "--json", "review", "search", "--text-file", str(words), "--rank-candidates", "2"
    )
    assert code == 0 and json.loads(out)["ranking_bounded"] is True
    assert "ranking was bounded" in err
    code, out, err = fv(capsys, merged, "review", "search", "--text", "statement", "--rank-candidates", "2")
    assert code == 0 and "ranking was bounded" in err and "record(s) match" in out
    # Unbounded: no note.
    code, _out, err = fv(capsys, merged, "review", "search", "--text", "statement")
    assert code == 0 and "bounded" not in err


def test_timeline_by_month_and_by_day(capsys, merged: Merged) -> None:
    months = fv_json(capsys, merged, "review", "timeline")
    assert [(g["key"], g["precision"], g["incidents"]) for g in months["groups"]] == [
        ("2022-03", "month", 2),
        ("2022-09", "month", 1),
    ]
    march = months["groups"][0]
    assert [i["id"] for i in march["listed"]] == [merged.ids["a-march"], merged.ids["b-march"]]
    assert (march["testimonies"], march["evidence"]) == (2, 1)
    days = fv_json(capsys, merged, "review", "timeline", "--by", "day")
    assert [g["key"] for g in days["groups"]] == ["2022-03", "2022-03-15", "2022-09-15"]
    only_b = fv_json(capsys, merged, "review", "timeline", "--device", merged.b.vault.device_id)
    assert [g["key"] for g in only_b["groups"]] == ["2022-03"] and only_b["total"] == 1
    code, _out, err = fv(capsys, merged, "review", "timeline", "--limit", "1")
    assert code == 0 and "the first 1 of 3 incidents are listed" in err


def test_custody_holds_both_devices_chains(capsys, merged: Merged) -> None:
    history = fv_json(capsys, merged, "review", "custody", merged.ids["a-photo"])
    a_device = merged.a.vault.device_id
    assert [(e["device_id"], e["action"]) for e in history["events"]][:3] == [
        (a_device, "intake"),
        (a_device, "transfer"),
        (merged.coordinator.device_id, "transfer"),
    ]
    assert history["verifies"] and all(e["verifies"] for e in history["events"])
    assert {c["device_id"] for c in history["chains"]} == {a_device, merged.coordinator.device_id}


def test_bad_filters_and_ids_are_refused_with_exit_1(capsys, merged: Merged) -> None:
    code, _out, err = fv(capsys, merged, "review", "search", "--violation", "no-such-type")
    assert code == 1 and "unknown violation type" in err
    code, _out, err = fv(capsys, merged, "review", "search", "--from", "2023-02-29")
    assert code == 1 and "--from" in err and "2023-02-29" not in err
    code, _out, err = fv(capsys, merged, "review", "custody", merged.ids["a-statement"])
    assert code == 1 and merged.ids["a-statement"] in err
    with pytest.raises(SystemExit) as usage:
        run_cli(["review", "search", "--with-evidence", "--without-evidence"])
    assert usage.value.code == 2


def _pairs(rows: Any) -> set[tuple[str, str]]:
    rows = rows if isinstance(rows, list) else [rows] if rows else []
    return {(r["first_id"], r["second_id"]) for r in rows}


def _pair(merged: Merged, x: str, y: str) -> tuple[str, str]:
    first, second = sorted((merged.ids[x], merged.ids[y]))
    return first, second


def test_duplicates_are_listed_by_pseudonym_and_decisions_are_signed_and_undone(
    capsys, merged: Merged
) -> None:
    code, out, err = fv(capsys, merged, "--json", "duplicates", "list")
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    petrenko = {_pair(merged, "W-1", "W-2"), _pair(merged, "W-1", "W-3"), _pair(merged, "W-2", "W-3")}
    assert petrenko <= _pairs(rows)
    assert not any(merged.ids["W-4"] in pair for pair in _pairs(rows))  # not paired with an unrelated person
    assert {r["first"] for r in rows} | {r["second"] for r in rows} <= {"W-1", "W-2", "W-3"}
    # Names are for `person show`, never a list (stdout or stderr, JSON or not).
    code, human, human_err = fv(capsys, merged, "duplicates", "list")
    assert code == 0 and "W-1" in human
    for text in (out, err, human, human_err):
        assert not any(word in text for word in ("Петренко", "Petrenko", "Олександр", "Коваленко"))

    link = fv_json(capsys, merged, "duplicates", "link", merged.ids["W-1"], merged.ids["W-2"])
    assert (link["relation"], (link["first_id"], link["second_id"])) == (
        "same-as",
        _pair(merged, "W-1", "W-2"),
    )
    mark = fv_json(capsys, merged, "duplicates", "not-same", merged.ids["W-2"], merged.ids["W-3"])
    assert mark["relation"] == "not-same-as"
    listed = _pairs(fv_json(capsys, merged, "duplicates", "list"))
    assert listed & petrenko == {_pair(merged, "W-1", "W-3")}
    decisions = fv_json(capsys, merged, "duplicates", "decisions")
    assert {(d["link_id"], d["relation"]) for d in decisions} == {
        (link["link_id"], "same-as"),
        (mark["link_id"], "not-same-as"),
    }
    # Linking again writes nothing new: the same link.
    again = fv_json(capsys, merged, "duplicates", "link", merged.ids["W-2"], merged.ids["W-1"])
    assert again["link_id"] == link["link_id"]

    assert fv_json(
        capsys, merged, "duplicates", "unlink", link["link_id"], "--reason", "two people after all"
    ) == {
        "link_id": link["link_id"],
        "undone": True,
    }
    assert _pair(merged, "W-1", "W-2") in _pairs(fv_json(capsys, merged, "duplicates", "list"))
    fv_json(capsys, merged, "duplicates", "unlink", mark["link_id"])
    assert petrenko <= _pairs(fv_json(capsys, merged, "duplicates", "list"))
    assert fv_json(capsys, merged, "duplicates", "decisions") == []

    # Each decision and its undoing is a signed revision of this device, and the vault verifies.
    from db.api import Vault
    from db.keyring_store import NoKeyring

    vault = Vault.open(merged.coordinator.folder, PASSPHRASE, keyring=NoKeyring())
    try:
        for link_id in (link["link_id"], mark["link_id"]):
            history = vault.links.history(link_id)
            assert [h.op for h in history] == ["put", "delete"]
            assert {h.device_id for h in history} == {vault.device_id}
        assert vault.verify().ok
    finally:
        vault.lock()


def test_duplicate_refusals(capsys, merged: Merged) -> None:
    code, _out, err = fv(capsys, merged, "duplicates", "link", merged.ids["W-1"], merged.ids["W-1"])
    assert code == 1 and merged.ids["W-1"] in err
    code, _out, err = fv(capsys, merged, "duplicates", "unlink", merged.ids["a-march"])
    assert code == 1
    with pytest.raises(SystemExit) as usage:
        run_cli(["duplicates", "list", "--threshold", "0.5"])
    assert usage.value.code == 2
