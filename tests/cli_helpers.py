"""Running the real `fieldvault` command in a child process: ``Cli``. The
fixtures that make one (``cli``, ``isolated_env``) are in tests/e2e/conftest.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


@dataclass
class Cli:
    vault: Path
    env: dict[str, str]

    def run(
        self, *args: str, secrets: list[str] | None = None, stdin: str = "", check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """Run `fieldvault --vault V [--passphrase-fd 3] ARGS`, secrets on fd 3."""
        command = [sys.executable, "-m", "fieldvault", "--vault", str(self.vault)]
        pass_fds: tuple[int, ...] = ()
        read_end = None
        if secrets is not None:
            read_end, write_end = os.pipe()
            os.write(write_end, ("\n".join(secrets) + "\n").encode())
            os.close(write_end)
            command += ["--passphrase-fd", str(read_end)]
            pass_fds = (read_end,)
        try:
            result = subprocess.run(
                [*command, *args],
                input=stdin,
                capture_output=True,
                text=True,
                env=self.env,
                pass_fds=pass_fds,
                timeout=120,
                cwd=REPO,
            )
        finally:
            if read_end is not None:
                os.close(read_end)
        if check and result.returncode != 0:
            raise AssertionError(f"fieldvault {args} failed ({result.returncode}): {result.stderr}")
        return result

    def create_fast(self, passphrase: str) -> str:
        """A vault made through the API with test-speed Argon2 (the commands
        then unlock it in milliseconds); returns its recovery key. For tests
        of other commands than ``init``, which calibrates Argon2 for real."""
        from db.keyring_store import NoKeyring
        from db.vault import Vault
        from tests.vault_helpers import FAST_ARGON2

        created = Vault.create(self.vault, passphrase, keyring=NoKeyring(), argon2=FAST_ARGON2)
        created.vault.lock()
        return created.recovery_key

    def json(self, *args: str, secrets: list[str] | None = None, stdin: str = "") -> Any:
        out = self.run("--json", *args, secrets=secrets, stdin=stdin).stdout
        lines = [json.loads(line) for line in out.splitlines() if line.strip()]
        return lines[0] if len(lines) == 1 else lines
