"""Uploaded images checked by their bytes: photos of care, wishes fulfilled, an issuer's seal."""

import uuid

from django.core.files.uploadedfile import UploadedFile

from backend.ops.errors import ServiceError

IMAGE_MAX_BYTES = 5 * 1024 * 1024
# Magic numbers of the formats phones produce and browsers show, and the extension each is stored with.
IMAGE_SIGNATURES = ((b"\xff\xd8\xff", "jpeg"), (b"\x89PNG\r\n\x1a\n", "png"))
IMAGE_EXTENSIONS = {"jpeg": "jpg", "png": "png", "webp": "webp"}


def image_kind(head: bytes) -> str | None:
    """Return "jpeg", "png" or "webp" from a file's first 16 bytes, or None."""
    kind = next((name for sig, name in IMAGE_SIGNATURES if head.startswith(sig)), None)
    if kind is None and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        kind = "webp"
    return kind


def image_validate(
    upload: UploadedFile,
    *,
    field: str,
    kinds: frozenset[str],
    too_big: str,
    wrong_kind: str,
    max_bytes: int = IMAGE_MAX_BYTES,
) -> None:
    """Accept an image of one of ``kinds`` (by its bytes) of at most ``max_bytes`` and give it a safe name.

    Raise ServiceError naming ``field`` with the caller's own message (each in the user's
    language). The stored name is ours, with the extension of what the bytes are: a name the
    phone sent (evil.jpg.html) never reaches the media folder.
    """
    if upload.size > max_bytes:
        raise ServiceError(too_big, field=field)
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = image_kind(head)
    if kind not in kinds:
        raise ServiceError(wrong_kind, field=field)
    upload.name = f"{uuid.uuid4().hex}.{IMAGE_EXTENSIONS[kind]}"
