"""Evidence files made for the tests and the bench: real JPEGs (with or without GPS EXIF), PNGs,
MP4s with a location atom, PDFs, and their 'sha256:' digests."""

import hashlib
import io
import struct

from PIL import Image
from PIL.ExifTags import GPS, IFD, Base
from PIL.PngImagePlugin import PngInfo

SHANGHAI = {GPS.GPSLatitudeRef: "N", GPS.GPSLatitude: (31.0, 14.0, 2.0), GPS.GPSLongitudeRef: "E"}
XYZ = b"+31.2304+121.4737/"


def digest_of(data: bytes) -> str:
    return f"sha256:{hashlib.sha256(data).hexdigest()}"


def photo(
    width: int = 640,
    height: int = 480,
    *,
    gps: bool = False,
    orientation: int | None = None,
    quality: int = 90,
) -> bytes:
    """A noisy JPEG (noise does not compress away), with GPS EXIF and an orientation if asked."""
    image = Image.effect_noise((width, height), 80).convert("RGB")
    exif = Image.Exif()
    exif[Base.Make] = "TestCam"
    if orientation is not None:
        exif[Base.Orientation] = orientation
    if gps:
        exif[IFD.GPSInfo] = dict(SHANGHAI)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality, exif=exif.tobytes())
    return out.getvalue()


def png(width: int = 64, height: int = 48, label: str = "") -> bytes:
    """A plain PNG; the same `label` always makes the same bytes, and another label others."""
    out = io.BytesIO()
    info = PngInfo()
    if label:
        info.add_text("Title", label)
    Image.new("RGB", (width, height), "teal").save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def mp4(*, location: bool = True, filler: int = 4096) -> bytes:
    """An MP4 laid out as a phone writes one: `ftyp`, the media, then `moov` with a `©xyz` atom."""
    ftyp = _box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2mp41")
    mdat = _box(b"mdat", bytes(range(256)) * (filler // 256))
    mvhd = _box(b"mvhd", bytes(100))
    udta = _box(b"udta", _box(b"\xa9xyz", struct.pack(">HH", len(XYZ), 0x15C7) + XYZ) if location else b"")
    return ftyp + mdat + _box(b"moov", mvhd + udta)


def mp4_header(total: int) -> bytes:
    """The first bytes of an MP4-like file of `total` bytes: `ftyp` and one `mdat` filling the rest."""
    ftyp = _box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2mp41")
    return ftyp + struct.pack(">I4s", total - len(ftyp), b"mdat")


def pdf(text: str = "inspection report") -> bytes:
    return f"%PDF-1.4\n1 0 obj << /Title ({text}) >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".encode()
