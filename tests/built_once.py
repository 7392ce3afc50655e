"""Worlds built once per test process and copied into each test that asks
(the USB-path builders tests/db/sync_fixtures.record_field_work, so also
trust_fixtures.Organisation.worker, and tests/sync/desk_world.UsbDesks).

A builder asks ``template(kind, where, build)``: the first test of the
process that asks for a kind builds it with ``build`` in a folder of its
own under pytest's base temp (the vaults then locked, kept as folders), and
every test gets its own copy of those folders, whose vaults it opens again,
as tests/sync/client/sync_helpers.SavedOrg does for the server worlds.

Two vaults in one test must never share an identity (device keys, org key,
ids): the n-th copy of a kind within one test is a copy of the n-th
template of that kind, so worker("a") then worker("b"), two workers named
alike in two organisations, or two UsbDesks, are distinct vaults as when
each was built afresh; a template may serve many tests, never twice in one.
What a template holds depends on nothing a test chooses but its kind (a
worker's enrolment, its token and the profile it takes are made in each
test, at the test's time); its records keep the time they were made at the
build, minutes before a late test: no test compares those with the clock.

Only what a test builds inside its own ``tmp_path`` is copied
(``test_began``, from the autouse fixture of tests/conftest.py): a world a
module- or session-scoped fixture builds, or one saved to be copied into
later tests (under ``tmp_path_factory``, or beside ``tmp_path``), is built
afresh, so that it never holds a copy a test using it may take again.
A template is built inside the first test that asks for it, under whatever
that test has patched: a test that patches what the build does (the clock,
the blob writer, the evidence sandbox) patches it after asking."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest

Made = TypeVar("Made")


@dataclass
class _Test:
    tmp_path: Path
    factory: pytest.TempPathFactory
    taken: Counter[str] = field(default_factory=Counter)  # copies of each kind handed out


_current: list[_Test] = []  # the running test, when it has a tmp_path
_templates: dict[tuple[str, int], tuple[Path, Any]] = {}


def test_began(tmp_path: Path, factory: pytest.TempPathFactory) -> None:
    _current[:] = [_Test(tmp_path, factory)]


def test_ended() -> None:
    _current.clear()


def template(kind: str, where: Sequence[Path], build: Callable[[Path], Made]) -> tuple[Path, Made] | None:
    """The folder holding the next template of ``kind`` for the running test
    and what ``build`` returned when it built it there (its vaults locked);
    None (build afresh) when a folder of ``where`` (those the copy would
    write) is not inside the test's tmp_path or not new or empty, as the
    fresh build needs them."""
    if not _current or not all(path.is_relative_to(_current[0].tmp_path) for path in where):
        return None
    if any(path.exists() and (not path.is_dir() or any(path.iterdir())) for path in where):
        return None  # the fresh build meets what is there, as it would have
    test = _current[0]
    key = (kind, test.taken[kind])
    test.taken[kind] += 1
    if key not in _templates:
        folder = test.factory.mktemp("built-once-" + re.sub(r"[^A-Za-z0-9]+", "-", kind), numbered=True)
        _templates[key] = (folder, build(folder))
    folder, made = _templates[key]
    return folder, made
