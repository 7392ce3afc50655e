"""PDF pages are rendered by PDFium in the confined child, never in the app."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from db.sandbox import PDF_PAGE_WIDTH, SandboxFailed, render_pdf

CANARY = "Свідок-Коваленко-CANARY-7731"


def reader(data: bytes):
    return io.BytesIO(data).read


def text_pdf(path: Path, pages: int, *, author: str = "") -> bytes:
    """A PDF whose pages each carry a black box (something to see rendered)."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, NameObject

    writer = PdfWriter()
    for _ in range(pages):
        page = writer.add_blank_page(width=595, height=842)
        content = DecodedStreamObject()
        content.set_data(b"0 0 0 rg 100 400 300 200 re f")
        page[NameObject("/Contents")] = writer._add_object(content)
    if author:
        writer.add_metadata({"/Author": author})
    with path.open("wb") as out:
        writer.write(out)
    return path.read_bytes()


def dark_share(rgba: bytes) -> float:
    dark = sum(1 for i in range(0, len(rgba), 4 * 97) if rgba[i] < 64)
    return dark / (len(rgba) / (4 * 97))


def test_pages_come_back_as_pixels_a_few_at_a_time(tmp_path: Path) -> None:
    data = text_pdf(tmp_path / "report.pdf", 11)
    first = render_pdf(reader(data))
    assert first.total == 11 and first.first == 0 and len(first.pages) == 8
    page = first.pages[0]
    assert page.width == PDF_PAGE_WIDTH and abs(page.height - PDF_PAGE_WIDTH * 842 / 595) <= 1
    assert len(page.rgba) == page.width * page.height * 4
    assert 0.05 < dark_share(page.rgba) < 0.5  # the black box, on white
    rest = render_pdf(reader(data), first=8)
    assert rest.total == 11 and rest.first == 8 and len(rest.pages) == 3


def test_a_damaged_or_locked_pdf_is_a_reason_not_a_crash(tmp_path: Path) -> None:
    with pytest.raises(SandboxFailed, match="not a readable PDF"):
        render_pdf(reader(b"%PDF-1.7\n" + b"not really a pdf\n" * 20))
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf(tmp_path / "plain.pdf", 1))))
    writer.encrypt("a secret")
    locked = io.BytesIO()
    writer.write(locked)
    with pytest.raises(SandboxFailed, match="password protected"):
        render_pdf(reader(locked.getvalue()))


def test_the_app_process_never_loads_pdfium_and_prints_nothing(tmp_path: Path) -> None:
    """A child Python renders through the API; PDFium loads only in its own child."""
    data = text_pdf(tmp_path / "named.pdf", 2, author=CANARY)
    broken = data.replace(b"%%EOF", b"")[:-40] + b"garbage"
    probe = (
        "import sys, io\n"
        "from db.sandbox import render_pdf\n"
        "for data in (open(sys.argv[1], 'rb').read(), open(sys.argv[2], 'rb').read()):\n"
        "    try:\n"
        "        print(len(render_pdf(io.BytesIO(data).read).pages))\n"
        "    except Exception as err:\n"
        "        print(type(err).__name__)\n"
        "print('pypdfium2' in sys.modules)\n"
    )
    (tmp_path / "broken.pdf").write_bytes(broken)
    result = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path / "named.pdf"), str(tmp_path / "broken.pdf")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
        check=True,
    )
    lines = result.stdout.split()
    assert lines[0] == "2" and lines[-1] == "False", result.stdout
    assert CANARY not in result.stdout + result.stderr
