"""The desktop app's responsiveness (issue #5).

- start-up: from a fresh Python process to the unlock screen being shown,
  against a bare PySide6 window shown the same way in the same run (the floor
  any Qt app pays). Target: under 1.5 s.
- event-loop stall during intake: the evidence panel ingests a 1 GiB file
  while a 10 ms timer records the longest gap between its ticks, against the
  same timer with nothing else running. Target: longest stall under 100 ms.

Both run offscreen (QT_QPA_PLATFORM=offscreen), in child processes.

    python benchmarks/bench_gui.py [--size-mib 1024] [--runs 5] [--quick]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import json
import os
import subprocess

from benchmarks._common import REPO_ROOT, Result, base_parser, bench_tempdir, machine_line, percentile
from benchmarks.bench_ingest import make_random_file

TARGET_STARTUP_S = 1.5
TARGET_STALL_MS = 100

STARTUP_CHILD = r"""
import sys, time
started = time.perf_counter()
sys.path.insert(0, sys.argv[1])
from PySide6.QtWidgets import QApplication, QWidget, QLabel
app = QApplication([])
if sys.argv[3] == "bare":
    window = QLabel("hello")
else:
    from pathlib import Path
    from db.keyring_store import NoKeyring
    from desktop.i18n import install_translators
    from desktop.window import FieldvaultWindow
    install_translators(app)
    window = FieldvaultWindow(Path(sys.argv[2]), keyring=NoKeyring())
window.show()
app.processEvents()
print(time.perf_counter() - started)
"""

STALL_CHILD = r"""
import sys, time, json
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from db.keyring_store import NoKeyring
from db.keys import Argon2Params
from db.vault import Vault
from db.entities import Case
from desktop.evidence_panel import EvidencePanel
app = QApplication([])
vault = Vault.create(Path(sys.argv[2]), "benchmark passphrase", keyring=NoKeyring(),
                     argon2=Argon2Params(1, 8 * 1024, 1)).vault
case = vault.cases.create(Case(title="bench"))
panel = EvidencePanel(vault, case.id)
panel.show()
gaps, last = [], [time.perf_counter()]
def tick():
    now = time.perf_counter(); gaps.append(now - last[0]); last[0] = now
timer = QTimer(); timer.setInterval(10); timer.timeout.connect(tick)
def measure(seconds):
    gaps.clear(); last[0] = time.perf_counter(); timer.start()
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.001)
    timer.stop()
    return max(gaps) if gaps else 0.0
idle = measure(1.0)
done = []
panel.intake_idle.connect(lambda: done.append(time.perf_counter()))
gaps.clear(); last[0] = time.perf_counter(); timer.start()
started = time.perf_counter()
panel.add_files([sys.argv[3]])
while not done:
    app.processEvents()
    time.sleep(0.001)
timer.stop()
busy = max(gaps)
print(json.dumps({"idle_max_gap": idle, "busy_max_gap": busy, "ticks": len(gaps),
                  "intake_s": done[0] - started, "items": len(vault.evidence.list(case.id))}))
panel.clear(); vault.lock()
"""


def child_env() -> dict[str, str]:
    return os.environ | {"QT_QPA_PLATFORM": "offscreen"}


def main(argv: list[str] | None = None) -> int:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=None)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    size_mib = args.size_mib or (256 if args.quick else 1024)
    print(machine_line())
    with bench_tempdir("gui") as folder:
        vault_dir = folder / "no-vault-yet"
        ours, bare = [], []
        for _ in range(args.runs):
            for kind, into in (("ours", ours), ("bare", bare)):
                out = subprocess.run(
                    [sys.executable, "-c", STARTUP_CHILD, str(REPO_ROOT), str(vault_dir), kind],
                    capture_output=True,
                    text=True,
                    check=True,
                    env=child_env(),
                )
                into.append(float(out.stdout.strip().splitlines()[-1]))
        startup = Result(
            name="gui-startup",
            metric="start-up to the first screen",
            ours=percentile(ours, 50),
            baseline=percentile(bare, 50),
            unit="s",
            ratio=percentile(ours, 50) / percentile(bare, 50),
            ratio_meaning="ours / a bare PySide6 window, p50 of runs",
            target=f"< {TARGET_STARTUP_S} s",
            passed=max(ours) < TARGET_STARTUP_S,
            details={"worst run": f"{max(ours):.3f} s"},
        )
        startup.print()

        source = folder / "evidence.bin"
        make_random_file(source, size_mib << 20)
        out = subprocess.run(
            [sys.executable, "-c", STALL_CHILD, str(REPO_ROOT), str(folder / "vault"), str(source)],
            capture_output=True,
            text=True,
            check=True,
            env=child_env(),
        )
        data = json.loads(out.stdout.strip().splitlines()[-1])
        assert data["items"] == 1, "the intake did not complete"
        stall = Result(
            name="gui-stall",
            metric=f"longest event-loop stall, {size_mib} MiB intake",
            ours=data["busy_max_gap"] * 1000,
            baseline=data["idle_max_gap"] * 1000,
            unit="ms",
            ratio=data["busy_max_gap"] / max(data["idle_max_gap"], 1e-6),
            ratio_meaning="longest gap of a 10 ms timer during intake / with the app idle",
            target=f"< {TARGET_STALL_MS} ms",
            passed=data["busy_max_gap"] * 1000 < TARGET_STALL_MS,
            details={"intake time": f"{data['intake_s']:.2f} s", "timer ticks": data["ticks"]},
        )
        stall.print()
    combined = Result(
        name="gui",
        metric=stall.metric,
        ours=stall.ours,
        baseline=stall.baseline,
        unit="ms",
        ratio=stall.ratio,
        ratio_meaning=stall.ratio_meaning,
        target=f"stall {stall.target}; start-up {startup.target}",
        passed=stall.passed and startup.passed,
        details={"start-up p50": f"{startup.ours:.3f} s (bare Qt {startup.baseline:.3f} s)"},
    )
    combined.write_json(args.json)
    return 0 if combined.passed else 1


if __name__ == "__main__":
    sys.exit(main())
