"""A stand-in for one of the parser sandbox's children (db/sandbox.py): a
spawned ``python -c`` that writes the answer lines a child of that task
would, so that a test decides what a hostile or broken parser says, and
whether it then exits or hangs past its time. The other tasks' children
stay the real ones."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from db import sandbox


def stand_in_child(
    monkeypatch: pytest.MonkeyPatch,
    task: str,
    answer: list[dict[str, object]],
    *,
    hangs_after: Path | None = None,
) -> None:
    """Children of ``task`` (spawned: the zygote forks real workers only)
    write ``answer``'s lines as JSON and exit normally; with ``hangs_after``,
    they write their pid to that file once they have answered and then hang
    until killed (120 s)."""
    monkeypatch.setenv(sandbox.SPAWN_SWITCH, "1")
    lines = "".join(json.dumps(line) + "\n" for line in answer)
    script = f"import os, sys, time\nsys.stdout.write({lines!r}); sys.stdout.flush()\n"
    if hangs_after is not None:
        script += f"open({str(hangs_after)!r}, 'w').write(str(os.getpid()))\ntime.sleep(120)\n"
    real = sandbox.worker_command

    def command(asked: str, *options: str) -> list[str]:
        return [sys.executable, "-c", script] if asked == task else real(asked, *options)

    monkeypatch.setattr(sandbox, "worker_command", command)
