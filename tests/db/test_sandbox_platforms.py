"""db/sandbox.py imports and spawns its children where the zygote's
platform calls are missing (db/sandbox_zygote.py is imported by
db/sandbox.py on every platform).

Windows has no ``signal.SIGKILL``, ``fcntl``, ``resource``, ``select.poll``,
pidfds or ``SOCK_SEQPACKET``; macOS has no pidfds; a Linux Python may lack
them too. Each case runs in a fresh interpreter that removes those names
(and, for Windows, says ``sys.platform`` is ``win32``) before it imports
``db.sandbox``, then runs the real worker's ``selftest``: it is spawned,
by this interpreter, and no zygote is started."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from db import sandbox

REPO = Path(__file__).resolve().parents[2]

# What each platform lacks of what db/sandbox_zygote.py calls (module, name).
LACKS = {
    "windows": [
        ("signal", "SIGKILL"),
        ("signal", "pidfd_send_signal"),
        ("socket", "SOCK_SEQPACKET"),
        ("socket", "AF_UNIX"),
        ("os", "pidfd_open"),
        ("select", "poll"),
    ],
    "macos": [("signal", "pidfd_send_signal"), ("os", "pidfd_open")],
    "linux_without_pidfd": [("signal", "pidfd_send_signal"), ("os", "pidfd_open")],
}
PLATFORM = {"windows": "win32", "macos": "darwin", "linux_without_pidfd": "linux"}
MISSING_MODULES = {"windows": ["fcntl", "resource"], "macos": [], "linux_without_pidfd": []}

SCRIPT = """
import json, os, sys
# What the interpreter and the standard library set up before: real.
import subprocess, selectors, pathlib, threading, logging, ctypes
lacks, platform, missing = json.loads(sys.argv[1])
for module, name in lacks:
    if hasattr(sys.modules.setdefault(module, __import__(module)), name):
        delattr(sys.modules[module], name)
for module in missing:
    sys.modules[module] = None  # import fails
sys.platform = platform
sys.path.insert(0, {repo!r})
from db import sandbox
assert sandbox.start_zygote() is None
answer = json.loads(sandbox.SandboxRun("selftest").run(feed=lambda write: None))
print(json.dumps([os.getpid(), answer["ppid"], sandbox.children_started(), sandbox.zygote_pid()]))
"""


@pytest.mark.parametrize("platform", sorted(LACKS))
def test_the_sandbox_imports_and_spawns_where_the_zygote_cannot_run(platform: str) -> None:
    env = {key: value for key, value in os.environ.items() if key != sandbox.SPAWN_SWITCH}
    arguments = json.dumps([LACKS[platform], PLATFORM[platform], MISSING_MODULES[platform]])
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(repo=str(REPO)), arguments],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    pid, parent, started, zygote = json.loads(done.stdout)
    assert parent == pid  # spawned by the app's process, not forked by a zygote
    assert started == [0, 1] and zygote is None
