"""Evidence files made for the tests and the bench: real JPEGs (with or without GPS EXIF, an XMP
packet, a comment), PNGs (with text chunks if asked), MP4s with a location atom, PDFs, and their
'sha256:' digests."""

import hashlib
import io
import struct

from PIL import Image
from PIL.ExifTags import GPS, IFD, Base
from PIL.PngImagePlugin import PngInfo

SHANGHAI = {GPS.GPSLatitudeRef: "N", GPS.GPSLatitude: (31.0, 14.0, 2.0), GPS.GPSLongitudeRef: "E"}
XYZ = b"+31.2304+121.4737/"
XMP_LATITUDE = b'exif:GPSLatitude="31,14.0333N"'
XMP_GPS = (  # an XMP packet as a phone or Lightroom writes one, the location in exif: properties
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description rdf:about="" xmlns:exif="http://ns.adobe.com/exif/1.0/" '
    + XMP_LATITUDE
    + b' exif:GPSLongitude="121,28.4222E"/></rdf:RDF></x:xmpmeta>'
)
XMP_APP1 = b"http://ns.adobe.com/xap/1.0/\x00"


def digest_of(data: bytes) -> str:
    return f"sha256:{hashlib.sha256(data).hexdigest()}"


def photo(
    width: int = 640,
    height: int = 480,
    *,
    gps: bool = False,
    orientation: int | None = None,
    quality: int = 90,
    xmp: bytes | None = None,
    comment: bytes | None = None,
) -> bytes:
    """A noisy JPEG (noise does not compress away), with GPS EXIF, an orientation, an XMP packet
    (an APP1 segment after the start of the image, where cameras put it) and a comment if asked."""
    image = Image.effect_noise((width, height), 80).convert("RGB")
    exif = Image.Exif()
    exif[Base.Make] = "TestCam"
    if orientation is not None:
        exif[Base.Orientation] = orientation
    if gps:
        exif[IFD.GPSInfo] = dict(SHANGHAI)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality, exif=exif.tobytes(), comment=comment or b"")
    data = out.getvalue()
    if xmp is None:
        return data
    segment = XMP_APP1 + xmp
    return data[:2] + b"\xff\xe1" + struct.pack(">H", 2 + len(segment)) + segment + data[2:]


def png(
    width: int = 64,
    height: int = 48,
    label: str = "",
    *,
    texts: dict[str, str] | None = None,
    compressed: dict[str, str] | None = None,
    xmp: bytes | None = None,
) -> bytes:
    """A plain PNG; the same `label` always makes the same bytes, and another label others.
    `texts` become tEXt chunks, `compressed` zTXt ones and `xmp` the iTXt chunk
    `XML:com.adobe.xmp`, as Photoshop and exiftool write it."""
    out = io.BytesIO()
    info = PngInfo()
    if label:
        info.add_text("Title", label)
    for key, value in (texts or {}).items():
        info.add_text(key, value)
    for key, value in (compressed or {}).items():
        info.add_text(key, value, zip=True)
    if xmp is not None:
        info.add_itxt("XML:com.adobe.xmp", xmp.decode())
    Image.new("RGB", (width, height), "teal").save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def png_chunk_types(data: bytes) -> list[bytes]:
    """The PNG's chunk types in order, read from their headers."""
    types, at = [], 8
    while at + 8 <= len(data):
        length, kind = struct.unpack_from(">I4s", data, at)
        types.append(kind)
        at += 12 + length
    return types


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
