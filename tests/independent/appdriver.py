"""Makes vaults with the real app, in child processes, for the independent
verifier to check. Nothing from Fieldvault is imported into this process:
the app runs as `python -m fieldvault` (the CLI) or as a short script that
uses its public API, in a child process."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.cli_helpers import run_fieldvault

REPO = Path(__file__).resolve().parents[2]
PASSPHRASE = "a long examiner passphrase"


@dataclass
class App:
    """The real `fieldvault` command and API, run in child processes."""

    vault: Path
    home: Path

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("FIELDVAULT_", "XDG_"))}
        return env | {"HOME": str(self.home), "PYTHONPATH": str(REPO), "PYTHONDONTWRITEBYTECODE": "1"}

    def cli(self, *args: str, secrets: tuple[str, ...] = (PASSPHRASE,), check: bool = True) -> str:
        """`fieldvault --vault V --passphrase-fd N --json ARGS`; returns stdout."""
        read_end, write_end = os.pipe()
        os.write(write_end, ("\n".join(secrets) + "\n").encode())
        os.close(write_end)
        argv = ["--vault", str(self.vault), "--passphrase-fd", str(read_end), "--json", *args]
        try:
            # As `python -m fieldvault` in a fresh process, forked by the tests'
            # fork server (tests/cli_helpers.py): not a second of imports per
            # command, and still nothing of Fieldvault imported here.
            result = run_fieldvault(argv, self.env, stdin=None, pass_fds=(read_end,))
        finally:
            os.close(read_end)
        if check and result.returncode != 0:
            raise AssertionError(f"fieldvault {args[:2]} failed ({result.returncode}): {result.stderr}")
        return result.stdout

    def cli_json(self, *args: str, secrets: tuple[str, ...] = (PASSPHRASE,)) -> Any:
        return json.loads(self.cli(*args, secrets=secrets))

    def api(self, script: str, **values: Any) -> Any:
        """Run ``script`` in a child process with ``vault`` (the unlocked
        vault) and ``values`` defined; whatever it assigns to ``result`` is
        returned (as JSON)."""
        program = textwrap.dedent(
            """
            import json, sys
            from pathlib import Path
            from db.keyring_store import NoKeyring
            from db.vault import Vault
            values = json.loads(sys.stdin.readline())
            vault = Vault.open(Path(values.pop("_vault")), values.pop("_passphrase"), keyring=NoKeyring())
            result = None
            try:
            {body}
            finally:
                vault.lock()
            print(json.dumps(result))
            """
        ).format(body=textwrap.indent(textwrap.dedent(script), "    "))
        payload = json.dumps({"_vault": str(self.vault), "_passphrase": PASSPHRASE, **values})
        completed = subprocess.run(
            [sys.executable, "-c", program],
            input=payload + "\n",
            capture_output=True,
            text=True,
            env=self.env,
            timeout=300,
            cwd=REPO,
            check=False,
        )
        if completed.returncode != 0:
            raise AssertionError(f"app script failed: {completed.stderr}")
        return json.loads(completed.stdout.splitlines()[-1])


def built_once(base: Path, name: str, build: Callable[[Path], dict[str, Any]]) -> dict[str, Any]:
    """``build(folder)`` run once for the whole test run, its JSON result
    kept beside what it built: under pytest-xdist each worker process would
    otherwise build its own (a module or session fixture is per process), and
    building a vault through the CLI costs a child process per command.
    ``base`` is the process's pytest base temp folder; a worker's is inside
    the run's, which the run's workers share (and no other run). Only for
    what tests read and never change (they copy a vault to change it)."""
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    with open(shared / f"built-once-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a second worker waits for the first's build
        result_file = shared / f"built-once-{name}.json"
        if result_file.exists():
            result: dict[str, Any] = json.loads(result_file.read_text(encoding="utf-8"))
            return result
        # A folder of its own: a build that failed left its folder and no result.
        result = build(Path(tempfile.mkdtemp(prefix=f"built-once-{name}-", dir=shared)))
        result_file.write_text(json.dumps(result), encoding="utf-8")
        return result


def new_app(folder: Path) -> App:
    home = folder / "home"
    home.mkdir(parents=True, exist_ok=True)
    return App(folder / "vault", home)


def init_vault(app: App) -> dict[str, str]:
    """`fieldvault init --no-keyring`: the vault, device id and recovery key.
    Init calibrates Argon2 for real (seconds of CPU) and each later command
    pays that cost to unlock: ``create_vault`` is for tests of other things."""
    return app.cli_json("init", "--no-keyring", secrets=(PASSPHRASE, PASSPHRASE))


# What `init` runs (db/vault.py's Vault.create, no keyring) with test-speed
# Argon2 (tests/vault_helpers.py's FAST_ARGON2) instead of the calibrated cost.
CREATE = """
import json, sys
from pathlib import Path
from db.keyring_store import NoKeyring
from db.keys import Argon2Params
from db.vault import Vault
values = json.loads(sys.stdin.readline())
created = Vault.create(Path(values["vault"]), values["passphrase"], keyring=NoKeyring(), use_keyring=False,
    argon2=Argon2Params(time_cost=1, memory_kib=8 * 1024, parallelism=1))
with created.vault as vault:
    print(json.dumps({"vault": values["vault"], "device_id": vault.device_id,
        "recovery_key": created.recovery_key}))
"""


def create_vault(app: App) -> dict[str, str]:
    """A vault made as `fieldvault init --no-keyring` makes one (the same
    Vault.create, in a child process) but with test-speed Argon2, so that
    each command after it unlocks in milliseconds; returns what init prints.
    The verifier still derives the key from the key file's own parameters;
    tests/independent/test_verifier.py checks a vault `init` made too."""
    completed = subprocess.run(
        [sys.executable, "-c", CREATE],
        input=json.dumps({"vault": str(app.vault), "passphrase": PASSPHRASE}) + "\n",
        capture_output=True,
        text=True,
        env=app.env,
        timeout=300,
        cwd=REPO,
        check=False,
    )
    if completed.returncode != 0:
        raise AssertionError(f"creating the vault failed: {completed.stderr}")
    created: dict[str, str] = json.loads(completed.stdout.splitlines()[-1])
    return created
