"""Photos: a small JPEG thumbnail for the pages, and a copy without location metadata for everyone
but the uploader.

Where a photo was taken can be written in several places besides EXIF's GPS block: an XMP
packet (`exif:GPSLatitude`, `photoshop:City`; a JPEG's APP1, a PNG's `XML:com.adobe.xmp` iTXt
chunk, a WebP's `XMP ` chunk), a JPEG's IPTC block (APP13: city, sub-location) or comment, a
PNG's text chunks (tEXt, zTXt, iTXt, any key: ImageMagick keeps a whole EXIF block in one). A
photo carrying any of them gets the copy, which is re-encoded from the pixels with nothing but
the EXIF less its GPS block and the colour profile: whatever metadata there was, and whatever
key or dialect it used, does not reach the copy. The thumbnail carries no metadata at all.

Decoding is guarded: any error a decoder raises on the bytes is a refusal, never a 500, and a
photo over `MAX_PIXELS` (a decompression bomb is a few KB that
decodes to gigabytes) or one Pillow cannot read is refused as `unreadable_image` before any of
it is decoded. A JPEG thumbnail decodes at a reduced scale (`Image.draft`), so a large photo
never decodes at full size for it.

Damaged metadata is not a damaged photo: an EXIF block that is no TIFF structure at all (an
editor's or a phone's fault) does not cost the homeowner the evidence. Its pixels are kept and
shown as stored (no orientation can be read), and since what the block says cannot be read, it is
taken to say where: the copy for others carries no metadata at all.
"""

import io
import struct
import warnings
from dataclasses import dataclass
from typing import Final

from PIL import Image, ImageOps
from PIL.ExifTags import IFD, Base

from evidence.refusals import EvidenceRefused

MAX_PIXELS: Final = 50_000_000  # a 50-megapixel camera's full frame
THUMBNAIL_PX: Final = 320
FORMATS: Final = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
XMP_HEADERS: Final = (b"http://ns.adobe.com/xap/1.0/\x00", b"http://ns.adobe.com/xmp/extension/\x00")
PNG_METADATA_CHUNKS: Final = frozenset({b"tEXt", b"zTXt", b"iTXt", b"eXIf"})
PIXEL_INFO: Final = ("icc_profile", "transparency")  # what the savers read from `info` that is no metadata


@dataclass(frozen=True)
class PreparedPhoto:
    thumbnail: bytes  # a JPEG at most THUMBNAIL_PX on its longer side, orientation applied
    public_copy: bytes | None  # the photo without location metadata, when the original had any


def prepare_photo(data: bytes, media_type: str) -> PreparedPhoto:
    """The thumbnail and, if needed, the location-free copy; `EvidenceRefused` if unreadable."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            has_location = _has_location(data, media_type)
            thumbnail = _thumbnail(data)
            public = _without_location(data, media_type) if has_location else None
    except EvidenceRefused:
        raise
    except Exception:  # the bytes are anyone's: whatever a decoder raises on them is a refusal
        raise unreadable() from None
    return PreparedPhoto(thumbnail, public)


def unreadable() -> EvidenceRefused:
    return EvidenceRefused(
        422,
        "unreadable_image",
        f"the photo cannot be read as an image of at most {MAX_PIXELS // 1_000_000} megapixels",
    )


def _open(data: bytes, media_type: str | None = None) -> Image.Image:
    image = Image.open(io.BytesIO(data), formats=[FORMATS[media_type]] if media_type else None)
    if image.width * image.height > MAX_PIXELS:
        raise unreadable()
    return image


def _has_location(data: bytes, media_type: str) -> bool:
    """Whether the photo carries metadata that can say where it was taken (the module's list)."""
    if media_type == "image/png" and not PNG_METADATA_CHUNKS.isdisjoint(_png_chunk_types(data)):
        return True
    with _open(data, media_type) as image:
        exif = _readable_exif(image)
        if exif is None or exif.get_ifd(IFD.GPSInfo) or "xmp" in image.info or "comment" in image.info:
            return True
        applist: list[tuple[str, bytes]] = getattr(image, "applist", [])  # a JPEG's APPn segments
        return any(
            marker == "APP13" or (marker == "APP1" and body.startswith(XMP_HEADERS))
            for marker, body in applist
        )


def _readable_exif(image: Image.Image) -> Image.Exif | None:
    """The photo's EXIF (empty when it has none), or None when its block cannot be parsed: Pillow
    raises on a PNG's and reads a JPEG's as empty, though the block is there, words and all."""
    try:
        exif = image.getexif()
    except Exception:  # the bytes are anyone's: Pillow raises SyntaxError, struct.error, ValueError
        return None
    return None if not exif and image.info.get("exif") else exif


def _upright(image: Image.Image) -> Image.Image:
    """The pixels turned as the EXIF orientation says; as stored when the EXIF is damaged."""
    return image.copy() if _readable_exif(image) is None else ImageOps.exif_transpose(image)


def _png_chunk_types(data: bytes) -> set[bytes]:
    """The types of the PNG's chunks, read from their headers: Pillow skips a text chunk it cannot
    decode, but the bytes still carry it."""
    types: set[bytes] = set()
    at = 8  # past the signature
    while at + 8 <= len(data):
        length, kind = struct.unpack_from(">I4s", data, at)
        types.add(kind)
        at += 12 + length  # length, type, data, CRC
    return types


def _thumbnail(data: bytes) -> bytes:
    with _open(data) as image:
        if image.format == "JPEG":
            image.draft("RGB", (THUMBNAIL_PX * 2, THUMBNAIL_PX * 2))
        upright = _upright(image)
        upright.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
        rgb = upright.convert("RGB")
        rgb.info = {}  # the JPEG saver would carry a comment over from the original
        out = io.BytesIO()
        rgb.save(out, format="JPEG", quality=80)
        return out.getvalue()


def _without_location(data: bytes, media_type: str) -> bytes:
    """The photo re-saved upright, its EXIF kept but for the GPS block (and the orientation,
    applied to the pixels), its colour profile and transparency kept; no other metadata (XMP,
    IPTC, comments, text chunks) is carried over; nothing at all from a damaged EXIF block."""
    with _open(data, media_type) as image:
        exif = _readable_exif(image) or Image.Exif()
        upright = _upright(image)
        exif.pop(Base.Orientation, None)
        exif.get_ifd(IFD.GPSInfo).clear()
        exif.pop(IFD.GPSInfo, None)
        upright.info = {key: upright.info[key] for key in PIXEL_INFO if key in upright.info}
        out = io.BytesIO()
        options: dict[str, object] = {"exif": exif.tobytes()} if exif else {}
        if media_type == "image/jpeg":
            options |= {"quality": 95, "icc_profile": image.info.get("icc_profile")}
        elif media_type == "image/webp":
            options |= {"quality": 95}
        upright.save(out, format=FORMATS[media_type], **options)
        return out.getvalue()
