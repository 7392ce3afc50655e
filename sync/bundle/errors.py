"""Errors of the bundle format, coded like the vault's (db/errors.py).

``BundleRejected`` carries the reason code of docs/bundle-format.md §5 in
``reason`` ("payload-hash", "blob:<sha256>"). Its error ``code`` is
``bundle-`` + the reason's kind, and an id the reason names is the param
``subject``: the GUI translates from the kind and shows the id.
"""

from __future__ import annotations

from typing import ClassVar

from db.api import Codes, FieldvaultError

# Reason kind -> (has a subject id, English). The kinds and their order are
# those of docs/bundle-format.md §5.
REASONS: dict[str, tuple[bool, str]] = {
    "magic": (False, "is not a Fieldvault bundle (or not of a version this app reads)"),
    "header-size": (False, "has a header of impossible size"),
    "header-form": (False, "has a malformed header"),
    "header-signature": (False, "has a header whose signature does not verify"),
    "device-id": (False, "names a device id that does not match its key"),
    "organisation": (False, "belongs to another organisation"),
    # 5 and 6 are checked against the vault (not by sync/bundle/ itself).
    "device-unknown": (False, "comes from a device this organisation has not enrolled"),
    "device-revoked": (False, "comes from a device whose access was revoked"),
    "fork": (False, "reuses the sequence number of another bundle from this device"),
    "chain": (False, "does not follow the previous bundle from this device"),
    # §10: a part of a split history hand-over whose part before (this number) is not taken yet.
    "hand-over-part": (True, "is a part of a history hand-over whose part before it was not taken yet"),
    "truncated": (False, "is incomplete (cut short)"),
    "trailing-data": (False, "has data after its end"),
    "payload-hash": (False, "was changed after it was made (payload hash mismatch)"),
    "not-a-recipient": (False, "is not addressed to this coordinator's key"),
    "payload-form": (False, "holds a payload that does not decrypt as an age file"),
    "archive-form": (False, "holds a malformed archive"),
    "manifest-signature": (False, "has a manifest whose signature does not verify"),
    "manifest-binding": (False, "has a manifest that belongs to another bundle"),
    "revision": (True, "holds a revision that does not match its manifest or does not verify"),
    "signer": (True, "holds a revision signed by a key that may not write here"),
    "custody": (True, "holds a custody event that does not match its manifest or chain"),
    "blob": (True, "holds an evidence file that does not match its manifest"),
}


class BundleRejected(FieldvaultError):
    """A bundle failed a check of docs/bundle-format.md §5: nothing of it may
    be applied. ``reason`` is the spec's reason code."""

    codes: ClassVar[Codes] = {
        f"bundle-{kind}": (("subject",) if has_subject else ()) for kind, (has_subject, _) in REASONS.items()
    }
    # A device-revoked refusal whose bundle a coordinator read (vault_io.py):
    # (its maker's revision ids kept as left out, ids not kept for the cap).
    refused_read: tuple[int, int] | None = None

    def __init__(self, kind: str, subject: str | None = None) -> None:
        has_subject, english = REASONS[kind]
        if has_subject != (subject is not None):
            raise TypeError(f"reason {kind!r} {'needs' if has_subject else 'takes no'} subject")
        self.kind = kind
        self.subject = subject
        self.reason = kind if subject is None else f"{kind}:{subject}"
        named = f" ({subject})" if subject else ""
        params = {"subject": subject} if has_subject else {}
        super().__init__(
            f"Bundle refused: it {english}{named}. Nothing of it was applied.",
            f"bundle-{kind}",
            **params,
        )


class BundleNotWritten(FieldvaultError):
    """A bundle could not be made; no bundle file was left behind."""

    codes: ClassVar[Codes] = {
        "bundle-exists": ("path",),
        "bundle-blob-changed": ("sha256",),
        "bundle-number-taken": ("sequence",),
    }

    @classmethod
    def exists(cls, path: str) -> BundleNotWritten:
        return cls(f"A file already exists at {path}; no bundle was written.", "bundle-exists", path=path)

    @classmethod
    def blob_changed(cls, sha256: str) -> BundleNotWritten:
        return cls(
            f"The evidence file {sha256} did not read back with its recorded SHA-256 and size; "
            "no bundle was written. Run 'fieldvault verify'.",
            "bundle-blob-changed",
            sha256=sha256,
        )

    @classmethod
    def number_taken(cls, sequence: int) -> BundleNotWritten:
        # Another bundle of this vault recorded the number meanwhile
        # (sync/bundle/numbering.py): nothing of this one is left.
        return cls(
            f"Bundle number {sequence} was taken by another bundle made at the same time; "
            "no bundle was written. Try again.",
            "bundle-number-taken",
            sequence=str(sequence),
        )


class BundleNotRead(FieldvaultError):
    """A bundle's import stopped for a reason of this machine, not of the
    bundle (the helper process that decrypts it was stopped, or its bytes
    could not be exchanged with it): nothing of it was kept, and it is not
    refused, quarantined or judged (its payload hash was not checked yet).
    Trying again is the remedy."""

    codes: ClassVar[Codes] = {
        "bundle-helper-stopped": ("status",),
        "bundle-helper-pipe": ("errno",),
    }

    @classmethod
    def helper_stopped(cls, status: int) -> BundleNotRead:
        return cls(
            f"The bundle could not be read: the helper process that decrypts it was stopped (status {status}), "
            "perhaps by the system for lack of memory. Nothing of this bundle was kept; the reading stopped "
            "on this computer, so the bundle itself was not judged. Try again.",
            "bundle-helper-stopped",
            status=status,
        )

    @classmethod
    def helper_pipe(cls, errno: int) -> BundleNotRead:
        return cls(
            f"The bundle could not be read: its bytes could not be exchanged with the helper process that "
            f"decrypts it (error {errno}). Nothing of this bundle was kept; the reading stopped on this "
            "computer, so the bundle itself was not judged. Try again.",
            "bundle-helper-pipe",
            errno=errno,
        )
