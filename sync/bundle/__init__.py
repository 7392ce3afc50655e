"""Bundles: the signed, encrypted files that carry a device's work to its
organisation's coordinators (docs/bundle-format.md)."""

from sync.bundle.errors import BundleNotRead, BundleNotWritten, BundleRejected
from sync.bundle.format import BlobEntry, BundleHeader, CustodyEntry, Manifest
from sync.bundle.reader import CheckedBundle, OpenedBundle, check_bundle, read_bundle
from sync.bundle.writer import (
    BlobSource,
    BundleContents,
    DeviceIdentity,
    WrittenBundle,
    bundle_file_name,
    remove_partial_files,
    write_bundle,
)

__all__ = [
    "BlobEntry",
    "BlobSource",
    "BundleContents",
    "BundleHeader",
    "BundleNotRead",
    "BundleNotWritten",
    "BundleRejected",
    "CheckedBundle",
    "CustodyEntry",
    "DeviceIdentity",
    "Manifest",
    "OpenedBundle",
    "WrittenBundle",
    "bundle_file_name",
    "check_bundle",
    "read_bundle",
    "remove_partial_files",
    "write_bundle",
]
