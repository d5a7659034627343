"""Photos: a small JPEG thumbnail for the pages, and a copy without GPS for everyone but the uploader.

Decoding is guarded: any error a decoder raises on the bytes is a refusal, never a 500, and a
photo over `MAX_PIXELS` (a decompression bomb is a few KB that
decodes to gigabytes) or one Pillow cannot read is refused as `unreadable_image` before any of
it is decoded. A JPEG thumbnail decodes at a reduced scale (`Image.draft`), so a large photo
never decodes at full size for it.
"""

import io
import warnings
from dataclasses import dataclass
from typing import Final

from PIL import Image, ImageOps
from PIL.ExifTags import IFD, Base

from evidence.refusals import EvidenceRefused

MAX_PIXELS: Final = 50_000_000  # a 50-megapixel camera's full frame
THUMBNAIL_PX: Final = 320
FORMATS: Final = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}


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
    with _open(data, media_type) as image:
        return bool(image.getexif().get_ifd(IFD.GPSInfo))


def _thumbnail(data: bytes) -> bytes:
    with _open(data) as image:
        if image.format == "JPEG":
            image.draft("RGB", (THUMBNAIL_PX * 2, THUMBNAIL_PX * 2))
        upright = ImageOps.exif_transpose(image)
        upright.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
        out = io.BytesIO()
        upright.convert("RGB").save(out, format="JPEG", quality=80)
        return out.getvalue()


def _without_location(data: bytes, media_type: str) -> bytes:
    """The photo re-saved upright, its EXIF kept but for the GPS block (and the orientation,
    applied to the pixels); XMP, which may repeat the location, is not carried over."""
    with _open(data, media_type) as image:
        exif = image.getexif()
        upright = ImageOps.exif_transpose(image)
        exif.pop(Base.Orientation, None)
        exif.get_ifd(IFD.GPSInfo).clear()
        exif.pop(IFD.GPSInfo, None)
        upright.info.pop("xmp", None)
        upright.info.pop("XML:com.adobe.xmp", None)
        out = io.BytesIO()
        options: dict[str, object] = {"exif": exif.tobytes()}
        if media_type == "image/jpeg":
            options |= {"quality": 95, "icc_profile": image.info.get("icc_profile")}
        elif media_type == "image/webp":
            options |= {"quality": 95}
        upright.save(out, format=FORMATS[media_type], **options)
        return out.getvalue()
