"""docs/vault-format.md publishes the schema as DDL: it must be exactly the
schema of a vault the app creates (a migration updates both)."""

from __future__ import annotations

from tests.independent import vaultcheck
from tests.independent.appdriver import PASSPHRASE, App


def test_documented_ddl_is_the_schema_of_a_new_vault(fresh_vault: tuple[App, dict[str, str]]) -> None:
    app, _ = fresh_vault
    keys = vaultcheck.unlock(app.vault, PASSPHRASE)
    with vaultcheck.open_copy(app.vault, keys) as connection:
        actual = vaultcheck.actual_schema(connection)
    documented = vaultcheck.documented_schema()
    # Tables, indexes and FTS5 shadow tables: the comparison is not vacuous.
    assert len(documented) > 20
    assert sorted(documented) == sorted(actual), (
        "docs/vault-format.md 'The schema as DDL' differs from a new vault's schema; "
        "replace the block with SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid:\n"
        + ";\n".join(actual)
    )
    assert len(set(documented)) == len(documented)
