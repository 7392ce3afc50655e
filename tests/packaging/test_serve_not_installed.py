"""`fieldvault serve` where the server's stack is absent (the desktop
installers leave it out: packaging/fieldvault.spec) says so plainly and how to
get the server, exit status 1, instead of "unexpected error". The absence is
made real in a fresh interpreter: ``sys.modules[name] = None`` makes every
import of that module fail with ModuleNotFoundError, as in the frozen app."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
RUN = (
    "import sys\n"
    "sys.modules[sys.argv[1]] = None\n"
    "if sys.argv[1] == 'sync.server':\n"
    "    for name in ('fastapi', 'uvicorn'):\n"  # what the excluded package pulled in
    "        sys.modules[name] = None\n"
    "sys.argv = ['fieldvault', *sys.argv[2:]]\n"
    "from fieldvault.__main__ import main\n"
    "sys.exit(main())\n"
)


def _serve(missing: str, *args: str, data: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", RUN, missing, "serve", "--data", str(data), *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "QT_QPA_PLATFORM": "offscreen", "HOME": str(data.parent)},
    )


@pytest.mark.parametrize("missing", ["fastapi", "uvicorn", "sync.server"])
@pytest.mark.parametrize("args", [(), ("--init", "--org", "ab" * 32)])
def test_serve_without_the_server_stack_says_how_to_install_it(tmp_path, missing, args):
    data = tmp_path / "server"
    done = _serve(missing, *args, data=data)

    assert done.returncode == 1, done.stderr
    assert "unexpected error" not in done.stderr
    assert "not part of the desktop installers" in done.stderr
    assert "pip install fieldvault" in done.stderr
    assert "docs/server.md" in done.stderr
    assert "Traceback" not in done.stderr
    assert not data.exists()  # nothing made
