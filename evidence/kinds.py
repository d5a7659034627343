"""What files the store takes: the type is read from the first bytes, never from the name or
the Content-Type a client claims, and each kind has its size limit.

Limits: a photo straight off a phone is under 20 MB, a short video clip under 200 MB, a
report or invoice as PDF under 20 MB. An upload stops as soon as it passes the largest limit
(the kind may not be known before the whole file has been read for an odd file), and a file
over its own kind's limit is refused once its kind is known.
"""

from dataclasses import dataclass
from typing import Final, Literal

from evidence.refusals import EvidenceRefused

Kind = Literal["photo", "video", "document"]
MB: Final = 1024 * 1024
LIMITS: Final[dict[str, int]] = {"photo": 20 * MB, "video": 200 * MB, "document": 20 * MB}
LARGEST: Final = max(LIMITS.values())
SNIFF_BYTES: Final = 16  # enough for every signature below (`ftyp` sits at bytes 4-8)
QUICKTIME_BRANDS: Final = {b"qt  "}


@dataclass(frozen=True)
class FileType:
    media_type: str
    kind: Kind

    @property
    def limit(self) -> int:
        return LIMITS[self.kind]

    @property
    def extension(self) -> str:
        return {
            "image/jpeg": "jpg",
            "image/png": "png",
            "image/webp": "webp",
            "video/mp4": "mp4",
            "video/quicktime": "mov",
            "application/pdf": "pdf",
        }[self.media_type]


def sniff(head: bytes) -> FileType:
    """The file's type from its first `SNIFF_BYTES` bytes (or all of a shorter file)."""
    if head.startswith(b"\xff\xd8\xff"):
        return FileType("image/jpeg", "photo")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileType("image/png", "photo")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return FileType("image/webp", "photo")
    if head[4:8] == b"ftyp":
        return FileType("video/quicktime" if head[8:12] in QUICKTIME_BRANDS else "video/mp4", "video")
    if head.startswith(b"%PDF-"):
        return FileType("application/pdf", "document")
    raise EvidenceRefused(
        415,
        "unsupported_file_type",
        "the store takes JPEG, PNG and WebP photos, MP4 and QuickTime videos and PDF documents "
        "(read from the file's first bytes)",
    )


def too_large(limit: int, what: str = "file") -> EvidenceRefused:
    return EvidenceRefused(413, "file_too_large", f"a {what} may be at most {limit // MB} MB")
