"""The release machinery that cannot run here is still checked here: the
workflow (.github/workflows/release.yml) passes zizmor's audits, builds and
self-tests on all three systems; and the release signature
(packaging/sign_release.sh, checked as docs/install.md tells users to)
refuses a tampered installer, a tampered list, and another key."""

from __future__ import annotations

import plistlib
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
WORKFLOW = REPO / ".github" / "workflows" / "release.yml"
ZIZMOR = shutil.which("zizmor", path=str(Path(__import__("sys").executable).parent))


def zizmor(path: Path) -> subprocess.CompletedProcess[str]:
    assert ZIZMOR, "zizmor is a dev dependency (make)"
    return subprocess.run([ZIZMOR, "--offline", "--no-progress", str(path)], capture_output=True, text=True)


def test_the_release_workflow_passes_zizmor():
    done = zizmor(WORKFLOW)
    assert done.returncode == 0, done.stdout + done.stderr


def test_zizmor_would_catch_a_template_injection(tmp_path):
    # The check above means something: the same workflow with a branch name
    # pasted into a shell script (attacker-controlled) fails it.
    bad = WORKFLOW.read_text(encoding="utf-8").replace(
        "        run: python -m pip install --require-hashes",
        '        run: echo "${{ github.head_ref }}" && python -m pip install --require-hashes',
    )
    assert bad != WORKFLOW.read_text(encoding="utf-8")
    (tmp_path / "release.yml").write_text(bad, encoding="utf-8")
    done = zizmor(tmp_path / "release.yml")
    assert done.returncode != 0
    assert "template-injection" in done.stdout + done.stderr


def test_every_system_builds_from_the_hash_lock_and_runs_the_selftest():
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    build = workflow["jobs"]["build"]
    runners = {entry["system"]: entry["runner"] for entry in build["strategy"]["matrix"]["include"]}
    assert set(runners) == {"linux", "windows", "macos"}
    scripts = "\n".join(step.get("run", "") for step in build["steps"])
    assert "--require-hashes --no-deps -r requirements-runtime.lock" in scripts
    assert scripts.count("--selftest") >= 4  # each build, the installed .deb and Windows install
    assert "packaging/fieldvault.spec" in scripts
    assert "packaging/windows/fieldvault.iss" in scripts
    assert "packaging/macos/entitlements.plist" in scripts
    publish = workflow["jobs"]["publish"]
    assert "packaging/sign_release.sh" in "\n".join(step.get("run", "") for step in publish["steps"])
    # Only the publishing job may write; no job holds credentials it does not use.
    assert workflow["permissions"] == {}
    assert build["permissions"] == {"contents": "read"}


def test_the_macos_entitlements_ask_for_no_device_or_server_access():
    entitlements = plistlib.loads((REPO / "packaging/macos/entitlements.plist").read_bytes())
    assert all(value is True for value in entitlements.values())
    assert not [k for k in entitlements if "device" in k or "network" in k or "allow-jit" in k]


# -- the release signature ---------------------------------------------------------

PASSWORD = "correct horse battery staple release"


def _keypair(folder: Path, *, password: bool = True) -> tuple[Path, Path]:
    """A minisign key pair; with a password, as the release key has (its
    derivation takes seconds: made once per module)."""
    folder.mkdir()
    secret, public = folder / "release.key", folder / "release.pub"
    subprocess.run(
        ["minisign", "-G", "-p", str(public), "-s", str(secret), *([] if password else ["-W"])],
        input=f"{PASSWORD}\n{PASSWORD}\n",
        text=True,
        check=True,
        capture_output=True,
    )
    return secret, public


@pytest.fixture(scope="module")
def signed_once(tmp_path_factory):
    if shutil.which("minisign") is None:
        pytest.fail("minisign is missing: scripts/system-deps.sh test installs it")
    base = tmp_path_factory.mktemp("signed")
    secret, public = _keypair(base / "keys")
    release = base / "release"
    release.mkdir()
    (release / "fieldvault_0.1.0_amd64.deb").write_bytes(b"\x7fpretend installer " * 1000)
    (release / "Fieldvault-Setup-0.1.0.exe").write_bytes(b"MZ pretend installer " * 1000)
    subprocess.run(
        [
            "bash",
            str(REPO / "packaging/sign_release.sh"),
            str(release),
            str(secret),
            str(public),
            "fieldvault v0.1.0",
        ],
        input=f"{PASSWORD}\n",
        text=True,
        check=True,
        capture_output=True,
    )
    return release, public


@pytest.fixture
def signed_release(signed_once, tmp_path):
    """A fresh copy of the signed release for each test to tamper with."""
    release, public = signed_once
    copy = tmp_path / "release"
    shutil.copytree(release, copy)
    return copy, public


def verify_signature(release: Path, public: Path) -> subprocess.CompletedProcess[str]:
    # The user's step 3 in docs/install.md.
    return subprocess.run(
        ["minisign", "-V", "-p", str(public), "-m", "SHA256SUMS"], cwd=release, capture_output=True, text=True
    )


def verify_sums(release: Path) -> subprocess.CompletedProcess[str]:
    # The user's step 4 in docs/install.md.
    return subprocess.run(
        ["sha256sum", "--check", "--ignore-missing", "SHA256SUMS"],
        cwd=release,
        capture_output=True,
        text=True,
    )


def test_an_untouched_release_verifies(signed_release):
    release, public = signed_release
    signature = verify_signature(release, public)
    assert signature.returncode == 0, signature.stderr
    assert "Trusted comment: fieldvault v0.1.0" in signature.stdout
    sums = verify_sums(release)
    assert sums.returncode == 0
    assert sorted(sums.stdout.split()) == sorted(
        ["Fieldvault-Setup-0.1.0.exe:", "OK", "fieldvault_0.1.0_amd64.deb:", "OK"]
    )


def test_a_tampered_installer_fails_the_check(signed_release):
    release, public = signed_release
    deb = release / "fieldvault_0.1.0_amd64.deb"
    data = bytearray(deb.read_bytes())
    data[100] ^= 1
    deb.write_bytes(bytes(data))
    assert verify_signature(release, public).returncode == 0  # the list is still ours...
    sums = verify_sums(release)
    assert sums.returncode != 0  # ...and says this is not the file we published
    assert "fieldvault_0.1.0_amd64.deb: FAILED" in sums.stdout


def test_a_tampered_list_fails_the_signature(signed_release):
    release, public = signed_release
    # An attacker swaps in their installer and rewrites its line in the list.
    deb = release / "fieldvault_0.1.0_amd64.deb"
    deb.write_bytes(b"malicious")
    rewritten = subprocess.run(["sha256sum", deb.name], cwd=release, capture_output=True, text=True).stdout
    lines = [
        line for line in (release / "SHA256SUMS").read_text().splitlines() if not line.endswith(deb.name)
    ]
    (release / "SHA256SUMS").write_text("\n".join([*lines, rewritten.strip()]) + "\n")
    assert verify_sums(release).returncode == 0  # the sums alone are fooled
    assert verify_signature(release, public).returncode != 0  # the signature is not


def test_a_release_signed_by_another_key_fails(signed_release, tmp_path):
    release, _ = signed_release
    _, other_public = _keypair(tmp_path / "other", password=False)
    assert verify_signature(release, other_public).returncode != 0
