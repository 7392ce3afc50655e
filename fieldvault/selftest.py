"""``fieldvault --selftest``: does this installation work, end to end?

Run after installing (the .deb's CI check, the release workflow on Windows
and macOS, or a partner NGO's technician): in a temporary folder it makes two
throw-away vaults (a field worker's and a coordinator's) and goes through
what a field day needs, with the libraries a packaged build must carry
(SQLCipher, libmagic, pymorphy3's dictionaries, PDFium, pyrage, libsndfile
with Opus, mutagen, Qt and its plugins, the ICU data Qt collates and
decodes text with). It touches no real vault, keyring or setting, prints one line,
and exits 0, or 1 naming the first step that failed.

Only the app's public services are used, the same the GUI and the command
line call. The vaults use cheap Argon2 parameters: they are deleted at the
end, and a selftest should take seconds, not the ~1 s per unlock of a real
vault.
"""

from __future__ import annotations

import array
import functools
import hashlib
import importlib
import io
import json
import math
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from db.api import Vault

# What a test vault costs to unlock here: the minimum a key file may ask for
# (db/keys.py ARGON2_LIMITS), like the test suite's vaults.
FAST_ARGON2 = {"time_cost": 1, "memory_kib": 8 * 1024, "parallelism": 1}
# Synthetic text only: the search step finds the inflected "полонених" by "полонений".
NARRATIVE = "Двох полонених вивели з підвалу школи. Selftest."
OTHER_WORD_FORM = "полонений"


class SelftestFailed(Exception):
    """A step's check did not hold; the message says which check."""


@dataclass
class Run:
    """What the steps share: the temporary folder and what earlier steps made."""

    folder: Path
    passphrase: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    worker: Vault | None = None
    coordinator: Vault | None = None
    case_id: str = ""
    testimony_id: str = ""
    evidence_id: str = ""
    png: bytes = b""

    @property
    def field_vault(self) -> Vault:
        if self.worker is None:
            raise SelftestFailed("no field vault (the vault step did not run)")
        return self.worker

    @property
    def coordinator_vault(self) -> Vault:
        if self.coordinator is None:
            raise SelftestFailed("no coordinator vault (the vault step did not run)")
        return self.coordinator

    def close(self) -> None:
        for vault in (self.worker, self.coordinator):
            if vault is not None:
                vault.lock()
        self.worker = self.coordinator = None


def check(condition: bool, what: str) -> None:
    if not condition:
        raise SelftestFailed(what)


def step_resources(run: Run) -> None:
    """Icons, translations and vocabularies are where the app looks."""
    from db.api import resources_dir, violation_types

    folder = resources_dir()
    check(bool(violation_types()), f"no violation types in {folder}")
    check((folder / "icons" / "app.svg").is_file(), f"no icons in {folder}")
    check((folder / "translations" / "fieldvault_uk.qm").is_file(), f"no compiled translations in {folder}")


def step_vault(run: Run) -> None:
    """Create the field worker's and the coordinator's vaults (SQLCipher, Argon2id)."""
    from db.api import Argon2Params, NoKeyring, Vault

    params = Argon2Params(**FAST_ARGON2)
    for name in ("field", "coordinator"):
        created = Vault.create(
            run.folder / name, run.passphrase, keyring=NoKeyring(), use_keyring=False, argon2=params
        )
        if name == "field":
            run.worker = created.vault
        else:
            run.coordinator = created.vault
    run.field_vault.lock()  # and unlock again: the passphrase path a user takes every day
    run.worker = Vault.open(run.folder / "field", run.passphrase, keyring=NoKeyring())


def step_testimony(run: Run) -> None:
    from db.api import Case, Testimony

    vault = run.field_vault
    run.case_id = vault.cases.create(Case(title="Selftest case")).id
    saved = vault.testimonies.create(Testimony(case_id=run.case_id, title="Selftest", narrative=NARRATIVE))
    run.testimony_id = saved.id
    check(vault.testimonies.get(saved.id).narrative == NARRATIVE, "the saved testimony reads back changed")


def step_search(run: Run) -> None:
    """Ukrainian morphology: pymorphy3 and its dictionaries are shipped."""
    hits = run.field_vault.search.query(OTHER_WORD_FORM)
    check(run.testimony_id in [h.entity_id for h in hits], "search by another word form found nothing")


def _png(colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, format="PNG")
    return out.getvalue()


def step_ingest(run: Run) -> None:
    """Take a photo into the vault (libmagic names its type); on Linux take
    another through a parser child forked by the zygote."""
    run.png = _png()
    source = run.folder / "photo.png"
    source.write_bytes(run.png)
    result = run.field_vault.evidence.ingest(source, run.case_id, description="selftest")
    run.evidence_id = result.item.id
    check(result.item.sha256 == hashlib.sha256(run.png).hexdigest(), "the stored SHA-256 differs")
    check(result.item.mime_type == "image/png", f"file type detected as {result.item.mime_type!r}")
    # Its Content Credentials were looked for in the parser child: c2pa-rs's library travels.
    claimed = result.item.claimed
    check(
        claimed.get("c2pa_state") == "no manifest",
        f"content credentials: {claimed.get('c2pa_state')} {claimed.get('c2pa_reason', '')}",
    )
    _ingest_forked(run)


def _ingest_forked(run: Run) -> None:
    """On Linux the parser children are forked by a zygote (db/sandbox_zygote.py),
    which a packaged build starts as itself with --sandbox-zygote: a build
    whose zygote cannot start would spawn every child, correct but ~0.7 s
    each, and no other step would notice. Its intake's child must be forked,
    and a forked child must be boxed as a spawned one is."""
    from db.api import sandbox

    if not sys.platform.startswith("linux") or os.environ.get(sandbox.SPAWN_SWITCH, "") not in ("", "0"):
        return  # spawned by design: other platforms, or spawning asked for
    zygote = sandbox.start_zygote()
    check(zygote is not None, "the parser zygote did not start: every parser child is spawned")
    status = Path(f"/proc/{zygote}/status").read_text(encoding="ascii")
    check("\nNoNewPrivs:\t1\n" in status and "\nThreads:\t1\n" in status, "the parser zygote is not hardened")
    forked, spawned = sandbox.children_started()
    png = _png(colour=(30, 30, 200))
    source = run.folder / "photo-forked.png"
    source.write_bytes(png)
    item = run.field_vault.evidence.ingest(source, run.case_id, description="selftest").item
    check(item.mime_type == "image/png", f"a forked child detected the file type as {item.mime_type!r}")
    state = item.claimed.get("c2pa_state")
    check(
        state == "no manifest",
        f"content credentials in a forked child: {state} {item.claimed.get('c2pa_reason', '')}",
    )
    forked_after, spawned_after = sandbox.children_started()
    check(
        forked_after > forked and spawned_after == spawned,
        "the intake's parser child was spawned, not forked",
    )
    answer = json.loads(sandbox.SandboxRun("selftest").run(feed=lambda write: None))
    check(answer.get("ppid") == zygote, "a parser child did not come from the zygote")
    boxed = all(answer.get(flag) is True for flag in ("not_dumpable", "no_new_privs", "core", "file_size"))
    check(boxed and answer.get("socket") == "Refused", "a forked parser child is not confined")


def step_export(run: Run) -> None:
    destination = run.folder / "exported"
    destination.mkdir()
    result = run.field_vault.evidence.export(run.evidence_id, destination)
    exported = Path(result.path).read_bytes()
    check(hashlib.sha256(exported).hexdigest() == hashlib.sha256(run.png).hexdigest(), "export hash differs")


def step_viewer(run: Run) -> None:
    """Decode the photo and render a PDF page in the confined parser process."""
    from pypdf import PdfWriter

    from db.api import decode_image, render_pdf

    image = decode_image(io.BytesIO(run.png).read)
    check((image.width, image.height) == (64, 48), "the photo decoded to the wrong size")
    document = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=100)
    writer.write(document)
    document.seek(0)
    pages = render_pdf(document.read, width=200)
    check(pages.total == 1 and len(pages.pages) == 1, "the PDF page was not rendered")


def step_bundle(run: Run) -> None:
    """The field vault joins an organisation, sends a bundle, the coordinator
    imports it; the online sync client loads."""
    from sync.bundle.vault_io import export_bundle, import_bundle
    from sync.org import fingerprint
    from sync.org_vault import add_device, create_organisation, enrol, own_device_card

    worker, coordinator = run.field_vault, run.coordinator_vault
    signed = create_organisation(coordinator, "Selftest organisation")
    profile = enrol(worker, signed.signed, fingerprint_given=fingerprint(signed.profile.org_key))
    add_device(coordinator, own_device_card(worker).text)
    recipients = [c.age_recipient for c in profile.coordinators]
    usb = run.folder / "usb"
    usb.mkdir()
    made = export_bundle(worker, usb, recipients, profile.org_id, profile.version)
    identity = coordinator.vault_keys.age_identity()
    import_bundle(coordinator, made.path, identity, org_id=profile.org_id)
    _check_decryption_child(identity)
    check(
        coordinator.testimonies.get(run.testimony_id).narrative == NARRATIVE,
        "the coordinator's vault lacks the testimony",
    )
    hits = coordinator.search.query(OTHER_WORD_FORM)
    check(run.testimony_id in [h.entity_id for h in hits], "the coordinator's search found nothing")
    # Online sync loads: httpx and the protocol and receipt modules the client
    # shares with the server (sync/server/; a build that left them out failed
    # every sync with ModuleNotFoundError, which the steps above never import).
    for module in SYNC_CLIENT:
        importlib.import_module(module)


def _check_decryption_child(identity: Any) -> None:
    """A large bundle is decrypted in a child process that the packaged app
    starts as itself with --bundle-decrypt (sync/bundle/age_child.py); the
    small bundle above is decrypted in this process, so the child is run
    here on its own: a build whose child cannot start would otherwise fail
    only on the first large import."""
    import pyrage

    from sync.bundle import age_child

    if not age_child.AVAILABLE:
        return
    sealed = io.BytesIO(pyrage.encrypt(b"selftest payload", [identity.to_public()]))
    plain = bytearray()
    try:
        age_child.decrypt_in_child(sealed.read, plain.extend, str(identity), lambda: None)
    except (age_child.ChildUnavailable, age_child.ChildFailed, OSError, pyrage.DecryptError) as error:
        raise SelftestFailed(f"the bundle decryption process failed ({type(error).__name__})") from None
    check(bytes(plain) == b"selftest payload", "the bundle decryption process returned other bytes")


def step_window(run: Run) -> None:
    """Qt, its plugins and the translations: the main window opens and closes
    offscreen, and printing loads (the recovery key's print dialog)."""
    run.close()  # the window shows the field vault's unlock screen
    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # no display needed, none touched
    from PySide6.QtCore import QTranslator

    from desktop.app import show_first_screen
    from desktop.i18n import remove_translators, translations_dir

    translator = QTranslator()
    check(
        translator.load(str(translations_dir() / "fieldvault_uk.qm")),
        "the Ukrainian translation does not load",
    )
    app, window = show_first_screen(run.folder / "field")
    try:
        app.processEvents()
        check(window.isVisible(), "the main window did not show")
        check(not app.windowIcon().isNull(), "the app icon did not load")
        check(_print_support_loads(), "printing does not load (Qt's CUPS plugin or libcups)")
    finally:
        window.close()
        remove_translators(app)
        app.processEvents()


def _print_support_loads() -> bool:
    """The recovery key's print dialog lists the printers through Qt's CUPS
    plugin, which links libcups (in the .deb the system's, a Depends): asked
    for the printers, Qt must have loaded both into this process. Without
    them the dialog silently offers only a PDF file. Windows and macOS print
    through their own services, which Qt always has."""
    from PySide6.QtPrintSupport import QPrinterInfo

    QPrinterInfo.availablePrinterNames()  # loads the plugin; none configured is fine
    if not sys.platform.startswith("linux"):
        return True
    mapped = {
        line.rsplit("/", 1)[-1] for line in Path("/proc/self/maps").read_text().splitlines() if "/" in line
    }
    return "libcupsprintersupport.so" in mapped and "libcups.so.2" in mapped


def step_media(run: Run) -> None:
    """Recording and playback load: a second of tone recorded into the field
    vault (libsndfile's Opus encoder, db/opus_writer.py), exported, and taken
    in again as a file whose duration the parser child reads (mutagen); and
    Qt Multimedia finds its FFmpeg backend. A packaging change that dropped
    any of them would otherwise pass every other step."""
    from PySide6.QtMultimedia import QMediaFormat

    from db.api import Case, NoKeyring, Vault

    # The window step closed it (its unlock screen shows that folder).
    run.worker = Vault.open(run.folder / "field", run.passphrase, keyring=NoKeyring())
    vault = run.field_vault
    recording = vault.start_recording(run.case_id, run.testimony_id)
    tone = array.array("h", (int(8000 * math.sin(2 * math.pi * 440 * i / 48_000)) for i in range(48_000)))
    recording.push(tone.tobytes())
    recorded = recording.stop(description="selftest").item
    check(recorded.claimed.get("duration_seconds") == "1.000", "the recorder lost audio")
    folder = run.folder / "recording"
    folder.mkdir()
    exported = Path(vault.evidence.export(recorded.id, folder).path)
    data = exported.read_bytes()
    check(data[:4] == b"OggS" and b"OpusHead" in data[:64], "the recording is not Ogg Opus")
    other_case = vault.cases.create(Case(title="Selftest media")).id
    again = vault.evidence.ingest(exported, other_case, description="selftest").item
    check(again.mime_type == "audio/ogg", f"the recording was detected as {again.mime_type!r}")
    seconds = again.claimed.get("duration_seconds", "")
    check(seconds != "" and abs(float(seconds) - 1.0) < 0.05, f"the recording's duration reads {seconds!r}")
    decodable = QMediaFormat().supportedFileFormats(QMediaFormat.ConversionMode.Decode)
    check(QMediaFormat.FileFormat.Ogg in decodable, "Qt Multimedia cannot play recordings (Ogg)")


# What the GUI's and the command line's online sync import.
SYNC_CLIENT = (
    "sync.client.worker",
    "sync.client.push",
    "sync.client.pull",
    "sync.client.inbox",
    "sync.client.connection",
    "sync.client.org_link",
)
# Cyrillic text for the locale step (synthetic words, no witness data).
UKRAINIAN_ORDER = ["арбуз", "гуля", "ґава", "ежа", "ємність", "иній", "іній", "їжак", "йод", "zebra"]
RUSSIAN_ORDER = ["арбуз", "ежа", "ёлка", "ель", "жук", "zebra"]
CYRILLIC_TEXT = "Ґанок, їжак, єнот, ёлка: ПІДВАЛ школи"


def _collated(words: list[str], language: str) -> list[str]:
    from PySide6.QtCore import QCollator, QLocale

    collator = QCollator(QLocale(language))
    return sorted(words, key=functools.cmp_to_key(collator.compare))


def step_locale(run: Run) -> None:
    """What Qt asks ICU for, with the data the build carries (on Linux a
    trimmed copy of ICU's data, packaging/trim_icu.py): Ukrainian collation
    puts ґ after г and ї after і, and sorts Cyrillic before Latin (ICU's
    root order would not); Russian collation likewise, ё with е; on Linux
    also windows-1251 and KOI8-U text (encoded by Python's own codecs)
    decodes to what was encoded, Europe/Kyiv has its Ukrainian and English names, and a
    Cyrillic domain becomes punycode. Elsewhere Qt collates with the
    system's services, and only the collation is checked."""
    from PySide6.QtCore import (
        QBuffer,
        QByteArray,
        QIODevice,
        QLocale,
        QStringDecoder,
        QTimeZone,
        QUrl,
        QXmlStreamReader,
    )

    for language, order in (("uk", UKRAINIAN_ORDER), ("ru", RUSSIAN_ORDER)):
        got = _collated(list(reversed(order)), language)
        check(got == order, f"{language} collation sorts {got}")
    check(
        QLocale("uk").name() == "uk_UA" and QLocale("ru").name() == "ru_RU",
        "Qt lacks the Ukrainian or Russian locale",
    )
    if not sys.platform.startswith("linux"):
        return
    for name, python_name in (("windows-1251", "cp1251"), ("KOI8-U", "koi8_u")):
        check(QStringDecoder(name).isValid(), f"no {name} converter")
        # PySide6 binds no QStringDecoder.decode: Qt's XML reader decodes a
        # document by its declared encoding with the same converter.
        document = f'<?xml version="1.0" encoding="{name}"?><t>{CYRILLIC_TEXT}</t>'.encode(python_name)
        source = QBuffer()
        source.setData(QByteArray(document))
        source.open(QIODevice.OpenModeFlag.ReadOnly)
        reader = QXmlStreamReader(source)
        reader.readNextStartElement()
        decoded = reader.readElementText()
        check(decoded == CYRILLIC_TEXT, f"{name} text decodes as {decoded!r} ({reader.errorString()})")
    zone = QTimeZone(b"Europe/Kyiv")
    check(zone.isValid(), "no time zone Europe/Kyiv")
    standard, long_name = QTimeZone.TimeType.StandardTime, QTimeZone.NameType.LongName
    ukrainian = zone.displayName(standard, long_name, QLocale("uk"))
    english = zone.displayName(standard, long_name, QLocale("en"))
    check("європейськ" in ukrainian, f"Europe/Kyiv's Ukrainian name is {ukrainian!r}")
    check("European" in english, f"Europe/Kyiv's English name is {english!r}")
    ace = QUrl.toAce("київ.укр").data()
    check(ace == b"xn--b1alf1j.xn--j1amh", f"the Cyrillic domain became {ace!r}")


STEPS: tuple[tuple[str, Callable[[Run], None]], ...] = (
    ("resources", step_resources),
    ("vault", step_vault),
    ("testimony", step_testimony),
    ("search", step_search),
    ("ingest", step_ingest),
    ("export", step_export),
    ("viewer", step_viewer),
    ("bundle", step_bundle),
    ("window", step_window),
    ("media", step_media),
    ("locale", step_locale),
)


def run_selftest(out: TextIO | None = None) -> int:
    """Run every step in order; print one line; 0 when all passed, else 1
    (the first failure stops the run: later steps build on earlier ones)."""
    out = out or sys.stdout
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="fieldvault-selftest-") as folder:
        run = Run(Path(folder))
        try:
            for name, step in STEPS:
                try:
                    step(run)
                except Exception as error:  # noqa: BLE001 - any failure is the answer, reported by step
                    print(
                        f"fieldvault selftest FAILED at step '{name}': {type(error).__name__}: {error}",
                        file=out,
                    )
                    return 1
        finally:
            run.close()
    took = time.perf_counter() - started
    names = ", ".join(name for name, _ in STEPS)
    print(f"fieldvault selftest passed: {len(STEPS)} steps ({names}) in {took:.1f} s", file=out)
    return 0
