"""A bundle whose reading this computer stopped (the system killed the
decrypting child: BundleNotRead) is not the bundle's fault, and nothing
may treat it as a refusal (review 30 F1, F3). Before, release_held
recorded it as one, the command line counted it refused, and a pull
deleted the spool copy of a sound bundle it could never download again.

Real vaults, bundle files through a folder standing for a USB stick, a
real server on loopback; only the decrypting child's program is replaced
by one the system kills (tests/sync/child_processes.py)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from sync import org_vault
from sync.bundle import BundleNotRead
from sync.bundle.quarantine import held_states, import_refusals, release_held
from sync.bundle.vault_io import export_bundle, import_bundle
from sync.client.pull import pull
from sync.client.push import push, spool_dir
from tests.sync.child_processes import kill_decrypting_children
from tests.sync.client.sync_helpers import Org, organisation, quick_backoff, record_work
from tests.sync.desk_world import UsbDesks, usb_desks

desks = usb_desks


@pytest.fixture
def kill_helpers(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    return lambda: kill_decrypting_children(monkeypatch)


def _held_then_vouched(desks: UsbDesks) -> str:
    """A worker's first bundle held at Lviv, its device then vouched for by
    Kyiv's bundle: releasable. Returns the held bundle's id."""
    field = desks.worker("field")
    first = desks.org.export(field.vault)
    desks.hold_at_lviv(first.path)
    desks.org.import_(first.path)
    desks.to_lviv(desks.kyiv_bundle())
    return first.bundle_id


def test_a_release_stopped_by_the_system_is_not_recorded_as_a_refusal(
    desks: UsbDesks, kill_helpers: Callable[[], None]
) -> None:
    held_id = _held_then_vouched(desks)
    kill_helpers()
    with pytest.raises(BundleNotRead) as stopped:
        release_held(desks.lviv, desks.lviv.vault_keys.age_identity(), org_id=desks.org.org_id)
    assert stopped.value.code == "bundle-helper-stopped"
    # The bundle is sound: nothing may say it was refused, and it stays releasable.
    assert import_refusals(desks.lviv) == {}
    assert [(s.held.bundle_id, s.state) for s in held_states(desks.lviv)] == [(held_id, "releasable")]


def test_the_command_line_names_it_not_imported_and_goes_on(
    desks: UsbDesks, kill_helpers: Callable[[], None], tmp_path: Path
) -> None:
    from fieldvault.bundle_cli import _human, _import

    kyiv = desks.kyiv_bundle()
    second = tmp_path / "second" / kyiv.name
    second.parent.mkdir()
    second.write_bytes(kyiv.read_bytes())
    kill_helpers()
    printed: list[dict[str, Any]] = []

    def rows(given: list[dict[str, Any]], human: Callable[[dict[str, Any]], str]) -> None:
        printed.extend(given)

    class Quiet:
        def finish(self) -> None:
            pass

        def __call__(self, done: int, total: int) -> None:
            pass

    args = argparse.Namespace(reread=False, files=[kyiv, second], ack_to=None)
    with pytest.raises(Exception) as ended:  # BundlesRefused: the exit status says not all were imported
        _import(args, SimpleNamespace(rows=rows), desks.lviv, lambda label: Quiet())
    assert "2 of 2 not imported, their reading stopped on this computer" in str(ended.value)
    assert "refused" not in str(ended.value)
    assert [row["bundle"] for row in printed] == [str(kyiv), str(second)]  # each named, the second tried
    assert all(row["reason"] == "bundle-helper-stopped" for row in printed)
    assert all(_human(row).startswith(f"{row['bundle']}: NOT IMPORTED") for row in printed)
    assert not any("REFUSED" in _human(row) for row in printed)


def test_a_reread_stopped_by_the_system_is_named_and_not_refused(
    desks: UsbDesks, kill_helpers: Callable[[], None]
) -> None:
    from fieldvault.bundle_cli import _reread, _reread_human

    kyiv = desks.kyiv_bundle()
    desks.to_lviv(kyiv)
    kill_helpers()
    printed: list[dict[str, Any]] = []

    def rows(given: list[dict[str, Any]], human: Callable[[dict[str, Any]], str]) -> None:
        printed.extend(given)

    class Quiet:
        def finish(self) -> None:
            pass

        def __call__(self, done: int, total: int) -> None:
            pass

    args = argparse.Namespace(files=[kyiv], ack_to=None)
    with pytest.raises(Exception) as ended:  # BundlesRefused: the exit status says it was not done
        _reread(args, SimpleNamespace(rows=rows), desks.lviv, lambda label: Quiet())
    assert "1 of 1 not imported" in str(ended.value) and "refused" not in str(ended.value)
    [row] = printed
    assert row["reason"] == "bundle-helper-stopped" and row["reread"]
    assert _reread_human(row).startswith(f"{kyiv}: RE-READ NOT DONE")


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Org]:
    with organisation(tmp_path) as made:
        yield made


def test_a_pull_whose_release_the_system_stopped_keeps_the_copy_and_takes_it_next_time(
    org: Org, tmp_path: Path, kill_helpers: Callable[[], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bundle a pull held is released by the next pull once another desk
    vouches for its device. The system kills the child during that release:
    the pull stops, the spool copy and the held row stay (the feed's cursor
    is past the bundle: that copy is the desk's only one), nothing is
    recorded as refused, and the next pull, the machine well again, imports it."""
    from sync.bundle import age_child

    real_command = age_child.command
    lviv = org.second_desk()
    anna = org.worker("anna")
    record_work(anna, tmp_path, "anna")
    made = push(anna, backoff=quick_backoff()).made
    assert made is not None
    assert pull(lviv, backoff=quick_backoff()).held == [made.bundle_id]
    pull(org.coordinator, backoff=quick_backoff())  # Kyiv: her token checks out
    profile = org_vault.held_profile(org.coordinator)
    assert profile is not None
    usb = tmp_path / "usb"
    usb.mkdir()
    kyiv = export_bundle(
        org.coordinator, usb, [c.age_recipient for c in profile.coordinators], profile.org_id, profile.version
    )
    taken = import_bundle(lviv, kyiv.path, lviv.vault_keys.age_identity(), org_id=profile.org_id)
    assert anna.device_id in taken.vouched
    [held] = lviv.sync.held_bundles()
    copy = Path(held.path)
    assert copy.parent == spool_dir(lviv).absolute() and copy.is_file()

    kill_helpers()
    with pytest.raises(BundleNotRead):
        pull(lviv, backoff=quick_backoff())
    assert copy.is_file(), "the only copy this desk had of a sound bundle was deleted"
    assert import_refusals(lviv) == {}
    assert [s.state for s in held_states(lviv)] == ["releasable"]

    monkeypatch.setattr(age_child, "command", real_command)  # the machine is well again
    again = pull(lviv, backoff=quick_backoff())
    assert [r.bundle_id for r in again.received] == [made.bundle_id]
    assert lviv.sync.received_bundle(made.bundle_id) is not None
