"""Thumbnails of image evidence, made and kept in memory only.

``make_thumbnail`` decodes straight from the encrypted blob through a
``BlobDevice``; ``QImageReader.setScaledSize`` lets the JPEG decoder scale while
it decodes, so a 24-megapixel photo never becomes a full-size image. The result
is a ``QImage`` in a bounded dictionary that ``clear()`` empties (call it on
lock). Nothing goes to ``QPixmapCache`` (a process-memory cache anyway: Qt
never writes it to disk) nor to any ``QStandardPaths`` cache folder; the tests
check those folders for the decrypted bytes.

``make_thumbnail`` creates its own device, so it may run on a worker thread;
``ThumbnailCache`` itself belongs to the GUI thread.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Protocol

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QImageReader

from db.blobformat import BlobReader
from db.evidence import EvidenceService
from desktop.blob_device import BlobDevice

THUMBNAIL_SIZE = QSize(160, 160)
DEFAULT_CAPACITY = 256


class HasEvidence(Protocol):
    """A ``Vault`` or its ``Services``: anything with the evidence service."""

    @property
    def evidence(self) -> EvidenceService: ...


def decodable_image(mime_type: str) -> bool:
    """Whether Qt's image plugins read this MIME type."""
    if not mime_type.startswith("image/"):
        return False
    return mime_type.encode() in {bytes(m.data()) for m in QImageReader.supportedMimeTypes()}


def make_thumbnail(reader: BlobReader, max_size: QSize = THUMBNAIL_SIZE) -> QImage:
    """A thumbnail no larger than ``max_size`` (aspect kept, never enlarged).

    Returns a null QImage when the bytes are not a decodable image; raises the
    vault's error (``BlobIntegrityError``) when the stored file is damaged.
    Closes ``reader``.
    """
    device = BlobDevice(reader)
    try:
        image_reader = QImageReader(device)
        image_reader.setAutoTransform(True)  # EXIF orientation, as a photo app shows it
        size = image_reader.size()
        if size.isValid() and (size.width() > max_size.width() or size.height() > max_size.height()):
            image_reader.setScaledSize(size.scaled(max_size, Qt.AspectRatioMode.KeepAspectRatio))
        image = image_reader.read()
        if device.failure is not None:
            raise device.failure
        if not image.isNull() and (image.width() > max_size.width() or image.height() > max_size.height()):
            # Rotated by EXIF, or a format that ignores setScaledSize.
            image = image.scaled(
                max_size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
        return image
    finally:
        device.close()


class ThumbnailCache:
    """At most ``capacity`` thumbnails, least recently used dropped first.

    Each thumbnail made opens the item, which the vault records in its custody
    log (purpose ``thumbnail``); the cache keeps that to once per item and size,
    failures included.
    """

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._capacity = capacity
        self._images: OrderedDict[tuple[str, int, int], QImage | None] = OrderedDict()

    def __len__(self) -> int:
        return len(self._images)

    def thumbnail(
        self, services: HasEvidence, evidence_id: str, max_size: QSize = THUMBNAIL_SIZE
    ) -> QImage | None:
        """The item's thumbnail, or None if it is not an image Qt can decode.
        Vault errors (a damaged item, a locked vault) are raised, not cached."""
        key = (evidence_id, max_size.width(), max_size.height())
        if key in self._images:
            self._images.move_to_end(key)
            return self._images[key]
        item = services.evidence.get(evidence_id)
        image: QImage | None = None
        if decodable_image(item.mime_type):
            made = make_thumbnail(services.evidence.open(evidence_id, purpose="thumbnail"), max_size)
            image = None if made.isNull() else made
        self._images[key] = image
        while len(self._images) > self._capacity:
            self._images.popitem(last=False)
        return image

    def clear(self) -> None:
        """Forget every thumbnail (on lock)."""
        self._images.clear()
