"""Regenerate this folder's bundle vector (run from the repository root:
`.venv/bin/python tests/vectors/bundle-v1/make_vector.py`). The age layer is
randomised, so each run makes a different bundle.fvbundle (and bundle id);
header.json changes only in payload_size, payload_sha256; manifest.json and
the device key stay the same. Commit all files together."""

from __future__ import annotations

import base64
import json
import sys
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

import pyrage  # noqa: E402

from sync.bundle import check_bundle, read_bundle, write_bundle  # noqa: E402
from sync.bundle.format import canonical  # noqa: E402
from tests.sync.bundle_samples import (  # noqa: E402
    CREATED_MS,
    VECTOR_BLOBS,
    VECTOR_SEED,
    device_from_seed,
    sample,
    signing,
)


def main() -> None:
    identity = pyrage.x25519.Identity.generate()
    bundle = HERE / "bundle.fvbundle"
    bundle.unlink(missing_ok=True)
    made = sample(blobs=VECTOR_BLOBS, seed=VECTOR_SEED)
    # Without the manifest's ``reads`` (§4): the vector predates it (README).
    old = replace(made.contents, reads_revision=None)
    write_bundle(bundle, old, signing(made.device), [str(identity.to_public())], created_ms=CREATED_MS)
    opened = read_bundle(bundle, identity)
    (HERE / "coordinator.key").write_text(f"{identity}\n")
    (HERE / "coordinator.pub").write_text(f"{identity.to_public()}\n")
    device = device_from_seed(VECTOR_SEED)
    seed = device.private_key.private_bytes_raw()
    (HERE / "device.json").write_text(
        json.dumps(
            {
                "private_seed_hex": seed.hex(),
                "public_key": base64.b64encode(device.public_key).decode(),
                "device_id": device.device_id,
            },
            indent=1,
        )
        + "\n"
    )
    (HERE / "header.json").write_bytes(canonical(opened.header.to_json()) + b"\n")
    (HERE / "manifest.json").write_bytes(canonical(opened.manifest.to_json()) + b"\n")
    (HERE / "bundle-id.txt").write_text(check_bundle(bundle).bundle_id + "\n")


if __name__ == "__main__":
    main()
