"""Every error of the core carries a declared code with its params, so the GUI
can say it in the user's language without reading the English text
(db/errors.py; the translations are checked in tests/desktop/test_error_messages.py)."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import db
from db.errors import CODES, CodedError, FieldvaultError, InvalidInput, VaultDamaged

DB = Path(db.__file__).parent


def core_error_classes() -> set[type[FieldvaultError]]:
    for module in pkgutil.walk_packages(db.__path__, "db."):
        if ".migrations" not in module.name:
            importlib.import_module(module.name)
    found: set[type[FieldvaultError]] = set()
    todo = [FieldvaultError]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub.__module__.startswith("db.") and sub not in found:
                found.add(sub)
                todo.append(sub)
    return found


def test_every_core_error_class_declares_codes():
    # CodedError is only the base of families that declare their codes (VaultDamaged, SyncFailed…).
    families = {CodedError}
    undeclared = sorted(
        cls.__name__ for cls in core_error_classes() if not cls.__dict__.get("codes") and cls not in families
    )
    assert undeclared == []
    assert all(code == code.lower() and " " not in code for code in CODES)


def raise_sites() -> list[tuple[str, str, ast.Call]]:
    """Every construction of a core error class in db/ that names its code
    (the classes whose callers choose the code: InvalidInput, VaultDamaged…)."""
    names = {cls.__name__ for cls in core_error_classes()}
    sites = []
    for path in sorted(DB.rglob("*.py")):
        if "migrations" in path.parts or path.name == "errors.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names:
                sites.append((f"{path.name}:{node.lineno}", node.func.id, node))
    return sites


def test_every_raise_in_db_names_a_declared_code_with_its_params():
    sites = raise_sites()
    checked = 0
    classes = {cls.__name__: cls for cls in core_error_classes()}
    for where, name, call in sites:
        codes = [
            arg.value for arg in call.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
        ]
        codes = [code for code in codes if code in CODES]
        if name in ("InvalidInput", "VaultDamaged"):
            # The caller chooses the code: the second argument, a literal.
            assert len(call.args) == 2 and isinstance(call.args[1], ast.Constant), where
            assert isinstance(call.args[1].value, str), where
            codes = [call.args[1].value]
        if not codes:
            continue
        (code,) = codes
        declared = CODES.get(code)
        assert declared is not None, f"{where}: undeclared code {code!r}"
        assert issubclass(classes[name], declared.error), f"{where}: {name} cannot carry {code!r}"
        given = {kw.arg for kw in call.keywords if kw.arg not in ("field", None)}
        if name in ("InvalidInput", "VaultDamaged"):
            assert given == set(declared.params), f"{where}: {code!r} takes {declared.params}, got {given}"
        checked += 1
    assert checked >= 50  # the scan did find the raise sites


def test_a_code_with_the_wrong_params_is_refused_where_it_is_raised():
    with pytest.raises(TypeError):
        InvalidInput("x is not a regular file.", "file-not-regular")  # its name is missing
    with pytest.raises(TypeError):
        InvalidInput("x", "no-such-code")
    with pytest.raises(TypeError):
        VaultDamaged("x", "file-not-regular", name="x")  # an InvalidInput's code


def test_a_refusal_names_its_field_and_params_not_only_its_words():
    error = InvalidInput(
        "evidence: field 'stated_date' must be YYYY, YYYY-MM or YYYY-MM-DD.",
        "invalid-date",
        field="stated_date",
        record_type="evidence",
    )
    assert (error.code, error.field, error.params) == (
        "invalid-date",
        "stated_date",
        {"record_type": "evidence"},
    )
