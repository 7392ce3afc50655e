"""The global options mean the same to the GUI and the command line
(docs/cli.md): ``fieldvault`` parses them in one place (fieldvault/options.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from fieldvault.options import split_global_options
from tests.cli_helpers import REPO, Cli

PASSPHRASE = "global options passphrase"

# Runs `fieldvault ARGS` as the installed command does (fieldvault.__main__),
# and, should it start the GUI, reports the window's vault folder and quits.
GUI_CHILD = r"""
import json, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

app = QApplication([sys.argv[0]])  # the one run_gui takes over

from desktop.window import FieldvaultWindow
from fieldvault.__main__ import main


def look_and_quit():
    folders = [str(w.folder) for w in QApplication.topLevelWidgets() if isinstance(w, FieldvaultWindow)]
    print(json.dumps({"gui_folders": folders}), flush=True)
    QApplication.quit()


QTimer.singleShot(0, look_and_quit)
sys.exit(main(sys.argv[1:]))
"""


def run_fieldvault(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", GUI_CHILD, *args],
        capture_output=True,
        text=True,
        env=env | {"QT_QPA_PLATFORM": "offscreen"},
        cwd=REPO,
        timeout=120,
        check=False,
    )


def gui_folders(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])["gui_folders"]


def test_tilde_in_vault_names_the_same_folder_for_the_cli_and_the_gui(isolated_env: dict[str, str]) -> None:
    home = Path(isolated_env["HOME"])
    Cli(home / "x", isolated_env).create_fast(PASSPHRASE)
    # As a script passes it (no shell to expand the tilde), and as `--vault=~/x`,
    # which the shell leaves alone too.
    cli_info = Cli(Path("~/x"), isolated_env).json("info", secrets=[PASSPHRASE])
    assert cli_info["folder"] == str(home / "x")
    assert not (REPO / "~").exists()  # no folder named "~" made in the working directory
    assert gui_folders(run_fieldvault(isolated_env, "--vault", "~/x")) == [str(home / "x")]
    assert gui_folders(run_fieldvault(isolated_env, "--vault=~/x")) == [str(home / "x")]


def test_json_alone_starts_the_gui_on_the_default_folder(
    isolated_env: dict[str, str], tmp_path: Path
) -> None:
    env = isolated_env | {"FIELDVAULT_HOME": str(tmp_path / "home-vault")}
    assert gui_folders(run_fieldvault(env, "--json")) == [str(tmp_path / "home-vault")]


@pytest.mark.parametrize(
    "args",
    [
        ["--passphrase-fd", "three"],  # no command: it used to start the GUI regardless
        ["--vault"],
        ["--json", "--vault"],
        ["--no-such-option"],
        ["--passphrase-fd", "three", "info"],
        ["--vault", "v", "no-such-command"],
    ],
)
def test_bad_usage_exits_2_without_starting_the_gui(isolated_env: dict[str, str], args: list[str]) -> None:
    result = run_fieldvault(isolated_env, *args)
    assert result.returncode == 2, result.stderr
    assert "gui_folders" not in result.stdout
    assert "usage: fieldvault" in result.stderr


def test_global_options_split_from_the_command(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("FIELDVAULT_HOME", str(tmp_path / "default"))
    options, command = split_global_options(["--vault=~/x", "--json"])
    assert (options.vault, options.json, options.passphrase_fd, command) == (tmp_path / "x", True, None, [])
    options, command = split_global_options(["--passphrase-fd", "3", "case", "new", "Title"])
    assert (options.vault, options.passphrase_fd, command) == (
        tmp_path / "default",
        3,
        ["case", "new", "Title"],
    )
    # Help is the command line's: it lists the commands.
    assert split_global_options(["-h"])[1] == ["-h"]
