"""The parser sandbox's zygote in a packaged build (PyInstaller): there is no
``python -m`` there, so the app starts it as itself, ``fieldvault
--sandbox-zygote FD`` (packaging/fieldvault_app.py), as it starts a spawned
child with ``--sandbox-worker``.

The frozen app is played by a launcher script that runs
packaging/fieldvault_app.py with ``sys.frozen`` and ``sys.executable`` set
as PyInstaller's bootloader sets them, and this process is made frozen the
same way: db/sandbox.py then starts the zygote and spawns children through
the launcher, exactly the commands a frozen build runs. A child the frozen
zygote forks must be the child the frozen spawn gives, boxed the same; an
intake's child is forked. The real build is checked by ``make package-test``
(the installed ``fieldvault --selftest`` ingests through a forked child)."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from db import sandbox
from db.sandbox import Limits, SandboxRun
from db.sandbox_zygote import ZYGOTE_ARGUMENT

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the zygote is Linux only")

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "packaging" / "fieldvault_app.py"


def _app_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fieldvault_app_under_test", APP)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def frozen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """This process as a frozen app whose executable is a launcher of
    packaging/fieldvault_app.py; its own zygote state, put back after."""
    launcher = tmp_path / "fieldvault"
    launcher.write_text(
        f"#!{sys.executable}\n"
        "import sys\n"
        "sys.frozen = True  # as PyInstaller's bootloader sets them; sys.argv[0] is this file\n"
        f"sys.executable = {str(launcher)!r}\n"
        f"exec(compile(open({str(APP)!r}).read(), {str(APP)!r}, 'exec'), {{'__name__': '__main__'}})\n",
        encoding="utf-8",
    )
    launcher.chmod(0o700)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(launcher))
    monkeypatch.delenv(sandbox.SPAWN_SWITCH, raising=False)
    monkeypatch.setattr(sandbox, "_zygote", None)
    monkeypatch.setattr(sandbox, "_zygote_losses", 0)
    monkeypatch.setattr(sandbox, "_runs", sandbox._runs)  # this test's runs count for no other
    yield launcher
    zygote = sandbox._zygote
    if zygote is not None:
        zygote.close()


def selftest(limits: Limits | None = None) -> dict[str, object]:
    answer = json.loads(SandboxRun("selftest", limits=limits).run(feed=lambda write: None))
    assert isinstance(answer, dict)
    return answer


def test_the_app_entry_refuses_a_zygote_argument_without_a_socket() -> None:
    app = _app_module()
    assert app.ZYGOTE_ARGUMENT == ZYGOTE_ARGUMENT
    read, write = os.pipe()
    try:
        for args in ([], ["x"], [str(read)], ["1", "2"], ["999999"]):
            assert app.main([ZYGOTE_ARGUMENT, *args]) == 2
    finally:
        os.close(read)
        os.close(write)


def test_a_frozen_app_starts_its_zygote_as_itself(frozen: Path) -> None:
    assert sandbox.zygote_command() == [str(frozen), ZYGOTE_ARGUMENT]
    zygote = sandbox.start_zygote()
    assert zygote is not None
    command = Path(f"/proc/{zygote}/cmdline").read_bytes().split(b"\0")
    # A fresh interpreter running the launcher (exec'd, not a fork of this
    # process): the app's executable with the reserved argument, and its fd.
    assert command[1:4] == [str(frozen).encode(), ZYGOTE_ARGUMENT.encode(), command[3]]
    assert command[3].isdigit()
    status = Path(f"/proc/{zygote}/status").read_text(encoding="ascii")
    assert "\nThreads:\t1\n" in status and "\nNoNewPrivs:\t1\n" in status


def test_a_frozen_zygote_child_is_the_child_a_frozen_spawn_gives(
    frozen: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    limits = Limits(memory_bytes=700 << 20, cpu_seconds=9, open_files=48)
    zygote = sandbox.start_zygote()
    assert zygote is not None
    forked = selftest(limits)
    assert forked["ppid"] == zygote
    monkeypatch.setenv(sandbox.SPAWN_SWITCH, "1")
    spawned = selftest(limits)
    assert spawned["ppid"] == os.getpid()

    # Both are the app started as a worker, as a frozen build's spawn is.
    assert forked["argv"] == spawned["argv"] == [str(frozen), "--sandbox-worker", "selftest"]
    forked.pop("ppid"), spawned.pop("ppid")
    ours = str(Path("/proc/self/ns/net").readlink())
    assert forked.pop("net_namespace") != ours and spawned.pop("net_namespace") != ours
    forked_parent, _spawned_parent = forked.pop("parent_fds"), spawned.pop("parent_fds")
    if os.geteuid() != 0:
        assert forked_parent == "PermissionError"  # the zygote is not dumpable
    preloaded = forked.pop("preloaded_bytes")
    assert spawned.pop("preloaded_bytes") == 0
    assert isinstance(preloaded, int) and preloaded > 0
    forked_limits, spawned_limits = forked["rlimits"], spawned["rlimits"]
    assert isinstance(forked_limits, dict) and isinstance(spawned_limits, dict)
    assert forked_limits.pop("RLIMIT_AS") == [(700 << 20) + preloaded] * 2
    assert spawned_limits.pop("RLIMIT_AS") == [700 << 20] * 2
    assert forked == spawned  # env, fds, cwd, status, rlimits, sys.path, flags
    assert forked["socket"] == "Refused" and forked["file_write"] != "open"
    assert all(forked[flag] is True for flag in ("core", "file_size", "cpu", "memory", "not_dumpable"))
    assert forked["no_new_privs"] is True and forked["network_namespace"] is True


def test_a_frozen_apps_intake_child_is_forked(frozen: Path, tmp_path: Path) -> None:
    from PIL import Image

    photo = tmp_path / "photo.png"
    Image.new("RGB", (32, 24), (10, 120, 10)).save(photo)
    assert sandbox.start_zygote() is not None
    forked, spawned = sandbox.children_started()
    with photo.open("rb") as source:
        output = SandboxRun("examine").run(stdin_file=source)
    assert json.loads(output.splitlines()[0]) == {"mime": "image/png"}
    assert sandbox.children_started() == (forked + 1, spawned)
