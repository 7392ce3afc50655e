"""Linux: trim the ICU data Qt's wheel carries to what Fieldvault needs.

    python packaging/trim_icu.py dist/fieldvault/_internal/PySide6/Qt/lib/libicudata.so.73

PySide6's Linux wheel brings ICU 73 for QtCore, and its data library
(libicudata.so.73, 31 MB) holds every locale of CLDR. Qt asks ICU for
collation (QCollator, localeAwareCompare, the file dialog's sorting),
converters other than UTF-8/16/32 and Latin-1 (QStringDecoder), time-zone
display names and locale-aware casing; QLocale's own number and date
formats come from Qt's tables, not ICU. This replaces the library in the
built folder (the spec calls it after COLLECT) by one with the same soname
and the same exported symbol (``icudt73_dat``: libicuuc.so.73 links it
unversioned) whose data keeps:
- every locale-independent item (normalisation incl. UTS #46, Unicode
  names, time-zone rules and metazones, likely subtags, plurals,
  supplemental data, break-iterator rules, the collation root, pools and
  indexes);
- the locales of English, Ukrainian and Russian (testimonies are often in
  Russian) in every tree (collation, currencies, languages, regions, time
  zones, units, spell-out rules);
- the converters for Cyrillic and Western text: ISO-8859-x,
  windows-125x, KOI8-R/-U, IBM866, IBM855, CP1125 (Ukrainian DOS),
  x-mac-cyrillic, IBM437 and IBM850 (UTF-x, US-ASCII and Latin-1 are
  built into ICU's code).
Dropped: other locales (another system locale collates and names zones as
ICU's root does), the CJK/Thai/Lao/Khmer/Burmese word dictionaries (Qt
breaks text with its own tables), transliterators (Qt has none), and
the CJK, EBCDIC and other converters.

`fieldvault --selftest`'s ``locale`` step checks what stays (Ukrainian and
Russian collation, windows-1251/KOI8-U round trips, a time-zone name).
Deterministic: icupkg writes its items sorted, the assembler's output has no
build id, symbol table or time stamp, so the same input gives the same bytes
(packaging/compare_builds.sh). Needs icupkg (Debian: icu-devtools) and gcc
(scripts/system-deps.sh package).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

KEEP_LANGUAGES = frozenset({"en", "uk", "ru"})
# ICU's names for the converters that stay (cnvalias.icu maps the usual
# names, e.g. windows-1251 -> ibm-5347_P100-1998, onto them).
CONVERTERS = frozenset(
    {
        "ibm-912_P100-1995",  # ISO-8859-2
        "ibm-913_P100-2000",  # ISO-8859-3
        "ibm-914_P100-1995",  # ISO-8859-4
        "ibm-915_P100-1995",  # ISO-8859-5 (Cyrillic)
        "ibm-1089_P100-1995",  # ISO-8859-6
        "ibm-9005_X110-2007",  # ISO-8859-7
        "ibm-5012_P100-1999",  # ISO-8859-8
        "ibm-920_P100-1995",  # ISO-8859-9
        "iso-8859_10-1998",
        "iso-8859_11-2001",
        "ibm-921_P100-1995",  # ISO-8859-13
        "iso-8859_14-1998",
        "ibm-923_P100-1998",  # ISO-8859-15
        "ibm-5346_P100-1998",  # windows-1250
        "ibm-5347_P100-1998",  # windows-1251
        "ibm-5348_P100-1997",  # windows-1252
        "ibm-5349_P100-1998",  # windows-1253
        "ibm-5350_P100-1998",  # windows-1254
        "ibm-5351_P100-1998",  # windows-1255
        "ibm-5352_P100-1998",  # windows-1256
        "ibm-5353_P100-1998",  # windows-1257
        "ibm-5354_P100-1998",  # windows-1258
        "ibm-878_P100-1996",  # KOI8-R
        "ibm-1168_P100-2002",  # KOI8-U
        "ibm-866_P100-1995",  # IBM866 (DOS Cyrillic)
        "ibm-855_P100-1995",  # IBM855
        "ibm-1125_P100-1997",  # CP1125 (Ukrainian DOS)
        "macos-7_3-10.2",  # x-mac-cyrillic
        "ibm-437_P100-1995",  # IBM437
        "ibm-850_P100-1995",  # IBM850
    }
)
LOCALE = re.compile(r"([a-z]{2,3})(_[A-Za-z0-9_]*)?")
NOT_LOCALES = frozenset({"root", "res_index", "pool"})


def wanted(item: str) -> bool:
    """Whether an item of the ICU package (``coll/uk.res``, ``nfkc.nrm``...) stays."""
    tree, _, name = item.rpartition("/")
    stem, _, suffix = name.rpartition(".")
    if tree == "translit":
        return False
    if suffix == "dict":  # brkitr: CJK, Thai, Lao, Khmer, Burmese word dictionaries
        return False
    if suffix == "cnv":
        return stem in CONVERTERS
    if suffix == "res" and stem not in NOT_LOCALES and (match := LOCALE.fullmatch(stem)):
        return match.group(1) in KEEP_LANGUAGES
    return True


def icupkg() -> str:
    """icupkg's path: Debian puts it in /usr/sbin, which an ordinary user's PATH lacks."""
    found = shutil.which("icupkg") or shutil.which("icupkg", path="/usr/sbin:/usr/local/sbin")
    if not found:
        raise SystemExit("icupkg not found: install icu-devtools (scripts/system-deps.sh package)")
    return found


def _readelf(*args: str) -> str:
    return subprocess.run(["readelf", "-W", *args], capture_output=True, text=True, check=True).stdout


def data_symbol(library: Path) -> tuple[str, int, int]:
    """The exported ICU data symbol's name, file offset and size."""
    symbols = re.findall(
        r"^\s*\d+:\s+([0-9a-f]+)\s+(\S+)\s+OBJECT\s+GLOBAL\s+DEFAULT\s+(\d+)\s+(icudt\d+_dat)$",
        _readelf("--dyn-syms", str(library)),
        re.M,
    )
    if len(symbols) != 1:
        raise SystemExit(f"{library}: expected one exported icudt*_dat symbol, found {len(symbols)}")
    value, size, index, name = symbols[0]
    sections = re.findall(
        r"^\s*\[\s*(\d+)\]\s+\S+\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)\s", _readelf("-S", str(library)), re.M
    )
    address, offset = next((int(a, 16), int(o, 16)) for i, a, o in sections if i == index)
    return name, int(value, 16) - address + offset, int(size, 0)


def items(package: Path) -> list[str]:
    listing = subprocess.run(
        [icupkg(), "--ignore-deps", "-l", str(package)], capture_output=True, text=True, check=True
    ).stdout
    return listing.split()


def build_library(data: Path, symbol: str, soname: str, out: Path) -> None:
    """A shared object exporting ``symbol`` as ``data``'s bytes (16-byte
    aligned, as ICU's own build aligns it), nothing else: no code, no
    build id, no symbol table beyond the dynamic one."""
    source = data.with_suffix(".s")
    source.write_text(
        "\t.section .rodata\n"
        f"\t.globl {symbol}\n"
        f"\t.type {symbol}, @object\n"
        f"\t.size {symbol}, {data.stat().st_size}\n"
        "\t.balign 16\n"
        f"{symbol}:\n"
        f'\t.incbin "{data}"\n'
        '\t.section .note.GNU-stack,"",@progbits\n',
        encoding="ascii",
    )
    subprocess.run(
        [
            *(
                "gcc",
                "-shared",
                "-nostdlib",
                f"-Wl,-soname,{soname}",
                "-Wl,--build-id=none",
                "-Wl,--strip-all",
            ),
            *("-Wl,-z,noexecstack", "-Wl,--hash-style=gnu", "-o", str(out), str(source)),
        ],
        check=True,
    )


def trim(library: Path) -> tuple[int, int]:
    """Replace ``library`` by its trimmed build; returns the data's size before and after."""
    symbol, offset, size = data_symbol(library)
    soname = library.name
    with tempfile.TemporaryDirectory(prefix="fieldvault-icu-") as work:
        folder = Path(work)
        # icupkg wants the package's own name (icudt73l: little-endian) as the file's.
        package = symbol.removesuffix("_dat") + "l.dat"
        (folder / "full").mkdir()
        (folder / "trimmed").mkdir()
        full = folder / "full" / package
        with library.open("rb") as stream:
            stream.seek(offset)
            full.write_bytes(stream.read(size))
        every = items(full)
        if "coll/ucadata.icu" not in every or "zoneinfo64.res" not in every:
            raise SystemExit(f"{library}: does not hold ICU's common data as expected")
        dropped = [item for item in every if not wanted(item)]
        trimmed = folder / "trimmed" / package
        if dropped:
            (folder / "dropped.txt").write_text("\n".join(dropped) + "\n", encoding="ascii")
            remove = [icupkg(), "-r", str(folder / "dropped.txt"), str(full), str(trimmed)]
            check = subprocess.run(remove, capture_output=True, text=True)
            if check.returncode != 0:
                # brkitr/root.res names the word dictionaries; without them
                # ICU breaks those scripts by its rules alone (the data filter
                # of ICU's own build drops them the same way). Any other
                # missing item is a mistake in wanted().
                missing = set(re.findall(r"depends on missing item (\S+)", check.stdout + check.stderr))
                if not missing or any(not name.endswith(".dict") for name in missing):
                    raise SystemExit(f"{library}: icupkg -r failed: {check.stdout}{check.stderr}")
                subprocess.run([*remove, "--ignore-deps"], check=True, capture_output=True)
        else:  # trimmed before
            trimmed.write_bytes(full.read_bytes())
        kept = items(trimmed)
        for item in ("coll/uk.res", "coll/ru.res", "zone/uk.res", "ibm-5347_P100-1998.cnv", "uts46.nrm"):
            if item not in kept:
                raise SystemExit(f"{library}: the trimmed data lacks {item}")
        built = folder / soname
        build_library(trimmed, symbol, soname, built)
        after = trimmed.stat().st_size
        library.write_bytes(built.read_bytes())
    return size, after


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    before, after = trim(Path(argv[0]))
    mib = 1024 * 1024
    print(f"trim_icu: ICU data {before / mib:.1f} MB -> {after / mib:.1f} MB (English, Ukrainian, Russian)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
