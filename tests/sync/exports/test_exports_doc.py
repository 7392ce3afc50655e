"""The check script of docs/exports.md, run exactly as the doc prints it, on
a real bag and a real report: a third party needs the doc and `cryptography`
alone."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from sync.exports.bag import export_bag
from sync.exports.report import export_pdf
from tests.sync.exports.samples import SampleCase

DOC = Path(__file__).resolve().parents[3] / "docs" / "exports.md"


@pytest.fixture
def script(tmp_path: Path) -> Path:
    text = DOC.read_text(encoding="utf-8")
    after = text.split("This script uses only Python's standard library and `cryptography`.", 1)[1]
    code = re.search(r"```python\n(.*?)```", after, re.S)
    assert code is not None
    path = tmp_path / "check_export.py"
    path.write_text(code.group(1), encoding="utf-8")
    return path


def run(script: Path, folder: Path, device: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(script), str(folder), device], capture_output=True, text=True)


def test_the_documented_script_checks_a_bag(sample_case: SampleCase, script, tmp_path):
    vault = sample_case.vault
    bag = export_bag(vault, sample_case.case_id, tmp_path / "bag", strip_metadata=True)
    good = run(script, bag.path / "data", vault.device_id)
    assert good.returncode == 0 and good.stdout.splitlines()[-1] == "OK", good.stdout + good.stderr
    assert bag.manifest_sha256 in good.stdout
    assert run(script, bag.path / "data", "0" * 32).returncode == 1
    metadata = next((bag.path / "data" / "metadata").iterdir())
    metadata.write_text(metadata.read_text().replace('"size"', '"Size"'))
    tampered = run(script, bag.path / "data", vault.device_id)
    assert tampered.returncode == 1 and f"file data/metadata/{metadata.name}" in tampered.stdout


def test_the_documented_script_checks_a_report(sample_case: SampleCase, script, tmp_path):
    vault = sample_case.vault
    report = export_pdf(vault, sample_case.case_id, tmp_path / "report.pdf")
    out = tmp_path / "attached"
    out.mkdir()
    subprocess.run(["pdfdetach", "-saveall", "-o", str(out), str(report.path)], check=True)
    good = run(script, out, vault.device_id)
    assert good.returncode == 0 and good.stdout.splitlines()[-1] == "OK", good.stdout + good.stderr
    (out / "export-manifest.json").write_bytes(
        (out / "export-manifest.json").read_bytes().replace(b"false", b"true")
    )
    assert run(script, out, vault.device_id).returncode == 1
