"""Thumbnails of image evidence, made and kept in memory only.

``make_thumbnail`` decodes in a confined child process (``db.sandbox``: the
image bytes are attacker-chosen), fed the decrypted bytes through a pipe from
the blob reader: no plaintext file, no decoder in the app's own process. The
child scales while it decodes (JPEG by 1/2, 1/4, 1/8), so a 24-megapixel photo
never becomes a full-size image, and sends back only the thumbnail's pixels.
The result is a ``QImage`` in a bounded dictionary that ``clear()`` empties
(call it on lock). Nothing goes to ``QPixmapCache`` (a process-memory cache
anyway: Qt never writes it to disk) nor to any ``QStandardPaths`` cache folder;
the tests check those folders for the decrypted bytes.

``make_thumbnail`` may run on a worker thread; ``ThumbnailCache`` itself
belongs to the GUI thread.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Protocol

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage

from db.api import (
    IMAGE_TYPES,
    STOPPED,
    BlobReader,
    DecodedImage,
    EvidenceService,
    FieldvaultError,
    InputFailed,
    SandboxFailed,
    SandboxRun,
    decode_image,
)

THUMBNAIL_SIZE = QSize(160, 160)
DEFAULT_CAPACITY = 256


class HasEvidence(Protocol):
    """A ``Vault`` or its ``Services``: anything with the evidence service."""

    @property
    def evidence(self) -> EvidenceService: ...


def decodable_image(mime_type: str) -> bool:
    """Whether the sandboxed image decoder reads this MIME type."""
    return mime_type in IMAGE_TYPES


def image_from(decoded: DecodedImage) -> QImage:
    """A QImage owning its pixels (a copy: the bytes object is then freed)."""
    image = QImage(
        decoded.rgba, decoded.width, decoded.height, decoded.width * 4, QImage.Format.Format_RGBA8888
    )
    return image.copy()


def decode_in_box(reader: BlobReader, max_side: int, run: SandboxRun | None = None) -> QImage:
    """Decode the reader's image in a child process. A null QImage when the
    bytes are no image the child decodes (or are too large); the vault's
    error (``BlobIntegrityError``) when the stored file is damaged;
    ``SandboxFailed("stopped")`` when ``run`` was killed."""
    try:
        return image_from(decode_image(reader.read, max_side, run))
    except InputFailed as failed:
        cause = failed.__cause__
        if isinstance(cause, FieldvaultError):
            raise cause.with_traceback(None) from None
        if isinstance(cause, (OSError, ValueError)):
            raise FieldvaultError(f"Reading the stored file failed ({type(cause).__name__}).") from None
        raise
    except SandboxFailed as failed:
        if failed.reason == STOPPED:
            raise
        return QImage()


def make_thumbnail(reader: BlobReader, max_size: QSize = THUMBNAIL_SIZE) -> QImage:
    """A thumbnail no larger than ``max_size`` (aspect kept, never enlarged,
    EXIF orientation applied).

    Returns a null QImage when the bytes are not a decodable image; raises the
    vault's error (``BlobIntegrityError``) when the stored file is damaged.
    Closes ``reader``.
    """
    try:
        image = decode_in_box(reader, max(max_size.width(), max_size.height(), 1))
    finally:
        reader.close()
    if not image.isNull() and (image.width() > max_size.width() or image.height() > max_size.height()):
        image = image.scaled(
            max_size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
    return image


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
