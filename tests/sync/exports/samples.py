"""Sample data for the export tests: a case worth exporting. Ukrainian text,
a witness with a name and a pseudonym, an incident with a place, a
testimony, a photo with GPS in its EXIF, a binary recording and a link; and
one item of another case, which an export of the first must not carry."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from db.api import Case, Consent, Incident, Link, Person, Testimony, Vault
from db.keyring_store import NoKeyring
from db.vault import CreatedVault, KeyringNotice
from tests.built_once import template
from tests.evidence_samples import make_jpeg, make_random
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE, open_vault

WITNESS_NAME = "Олександр Петренко"
NARRATIVE = "Свідок бачив, як двох полонених вивели з підвалу школи у Ізюмі."
CASE_TITLE = "Ізюм, березень 2022"


@dataclass
class SampleCase:
    vault: Vault
    case_id: str
    witness_id: str
    photo: Path
    recording: Path
    item_ids: list[str]
    other_item_id: str


def make_sample_case(vault: Vault, tmp_path: Path) -> SampleCase:
    sources = tmp_path / "sources"
    sources.mkdir()
    case = vault.cases.create(Case(title=CASE_TITLE, description="Масові поховання; свідчення"))
    incident = vault.incidents.create(
        Incident(
            case_id=case.id,
            title="Затримання біля школи",
            date="2022-03-10",
            date_precision="day",
            place="Ізюм, вул. Шкільна",
            place_precision="exact",
            latitude=49.2088889,
            longitude=37.2483333,
            violation_types=["wilful-killing"],
        )
    )
    witness = vault.persons.create(
        Person(
            case_id=case.id,
            name=WITNESS_NAME,
            pseudonym="W-1",
            roles=["witness"],
            sensitive={"phone": "+380 67 000 0000"},
        )
    )
    victim = vault.persons.create(Person(case_id=case.id, name="Іван Коваль", roles=["victim"]))
    testimony = vault.testimonies.create(
        Testimony(
            case_id=case.id,
            title="Свідчення W-1",
            incident_id=incident.id,
            witness_id=witness.id,
            language="uk",
            interview_date="2022-04",
            narrative=NARRATIVE,
        )
    )
    # Consent to what the tests export for: the NGO internally (the default purpose) and prosecution.
    vault.consents.record(
        Consent(
            case_id=case.id,
            testimony_id=testimony.id,
            scopes=["ngo-internal", "prosecution"],
            given_on="2022-04",
        )
    )
    vault.links.create(Link(case_id=case.id, from_id=testimony.id, to_id=victim.id, relation="mentions"))
    photo = make_jpeg(sources / "IMG_0001.jpg")
    recording = make_random(sources / "запис 1.bin", 300_000, seed=7)
    item_ids = [vault.evidence.ingest(path, case.id).item.id for path in (photo, recording)]
    other = vault.cases.create(Case(title="Інша справа"))
    other_item = vault.evidence.ingest(make_random(sources / "other.bin", 1000, seed=9), other.id).item.id
    return SampleCase(vault, case.id, witness.id, photo, recording, item_ids, other_item)


@dataclass(frozen=True)
class _SavedSample:
    recovery_key: str
    keyring: KeyringNotice
    case_id: str
    witness_id: str
    item_ids: tuple[str, ...]
    other_item_id: str


def sample_vault(vault_dir: Path, tmp_path: Path) -> tuple[CreatedVault, SampleCase]:
    """A vault created in ``vault_dir`` (test-speed Argon2, as tests/conftest.py's
    ``created_vault``) holding the sample case, its sources in ``tmp_path``.
    Inside a test's tmp_path, a copy of one recorded once per test process
    (tests/built_once.py): its three evidence files each cost a parser
    sandbox child, ~1.2 s of a test's set-up at load 6, ~0.2 s copied and
    opened. Each test gets its own copy; a test's records and files are as
    a fresh build makes them, only made minutes earlier."""
    sources = tmp_path / "sources"
    saved = template("export-sample-case", [vault_dir, sources], _saved_sample)
    if saved is None:
        created = Vault.create(vault_dir, PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2)
        return created, make_sample_case(created.vault, tmp_path)
    base, made = saved
    shutil.copytree(base / "vault", vault_dir)
    shutil.copytree(base / "sources", sources)
    vault = open_vault(vault_dir)
    case = SampleCase(
        vault,
        made.case_id,
        made.witness_id,
        sources / "IMG_0001.jpg",
        sources / "запис 1.bin",
        list(made.item_ids),
        made.other_item_id,
    )
    return CreatedVault(vault, made.recovery_key, made.keyring), case


def _saved_sample(base: Path) -> _SavedSample:
    created = Vault.create(base / "vault", PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2)
    case = make_sample_case(created.vault, base)
    created.vault.lock()
    return _SavedSample(
        created.recovery_key,
        created.keyring,
        case.case_id,
        case.witness_id,
        tuple(case.item_ids),
        case.other_item_id,
    )
