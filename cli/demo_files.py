"""The files the demos attach to their steps: pictures and a PDF drawn here, uploaded for real.

The demos show evidence reaching the people who decide, so they upload files the store accepts
(JPEGs Pillow decodes, a PDF) rather than naming hashes of bytes nobody can open. Each picture
is a scene drawn with shapes and a caption, and the caption makes every file's hash its own;
`gps=True` writes a GPS EXIF block as a phone would, which everyone but the uploader gets
stripped (docs/EVIDENCE.md, "Location metadata").
"""

import io
import zlib

from PIL import Image, ImageDraw, ImageFont
from PIL.ExifTags import GPS, IFD, Base

SIZE = (1200, 900)
WATER = (70, 130, 200)
# Guilin, where the demo's flat is: what a phone writes into a photo taken on site
GUILIN = {
    GPS.GPSLatitudeRef: "N",
    GPS.GPSLatitude: (25.0, 16.0, 26.0),
    GPS.GPSLongitudeRef: "E",
    GPS.GPSLongitude: (110.0, 17.0, 24.0),
}


def _jpeg(image: Image.Image, *, gps: bool) -> bytes:
    exif = Image.Exif()
    exif[Base.Make] = "DemoPhone"
    if gps:
        exif[IFD.GPSInfo] = dict(GUILIN)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=88, exif=exif.tobytes())
    return out.getvalue()


def _caption(draw: ImageDraw.ImageDraw, text: str) -> None:
    font = ImageFont.load_default(size=40)
    draw.rectangle((0, SIZE[1] - 90, SIZE[0], SIZE[1]), fill=(20, 20, 20))
    draw.text((30, SIZE[1] - 70), text, fill=(255, 255, 255), font=font)


def _tiled_floor(draw: ImageDraw.ImageDraw, tile: int = 150) -> None:
    for x in range(0, SIZE[0], tile):
        for y in range(0, SIZE[1], tile):
            shade = 205 + (x // tile + y // tile) % 2 * 20
            draw.rectangle((x + 3, y + 3, x + tile - 3, y + tile - 3), fill=(shade, shade, shade - 10))


def floor_drain_photo(caption: str, *, gps: bool = False) -> bytes:
    """A 1200x900 JPEG of a bathroom floor drain standing in a spreading puddle."""
    image = Image.new("RGB", SIZE, (120, 120, 115))
    draw = ImageDraw.Draw(image)
    _tiled_floor(draw)
    centre = (SIZE[0] // 2, SIZE[1] // 2 - 40)
    for grow, alpha in ((330, 150), (250, 175), (170, 200)):  # the puddle, darker towards the drain
        draw.ellipse(
            (centre[0] - grow * 1.4, centre[1] - grow, centre[0] + grow * 1.4, centre[1] + grow),
            fill=(WATER[0] * alpha // 255, WATER[1] * alpha // 255, min(255, WATER[2] * alpha // 200)),
        )
    draw.rectangle((centre[0] - 90, centre[1] - 90, centre[0] + 90, centre[1] + 90), fill=(170, 170, 175))
    for slot in range(-60, 70, 24):
        draw.rectangle(
            (centre[0] - 65, centre[1] + slot, centre[0] + 65, centre[1] + slot + 10), fill=(30, 30, 30)
        )
    draw.line((centre[0] + 90, centre[1] - 90, centre[0] + 260, centre[1] - 200), fill=(60, 40, 30), width=6)
    _caption(draw, caption)
    return _jpeg(image, gps=gps)


def tiles_photo(caption: str, *, gps: bool = False) -> bytes:
    """A 1200x900 JPEG of a tiled wall, the tiles to look at circled in chalk."""
    image = Image.new("RGB", SIZE, (120, 120, 115))
    draw = ImageDraw.Draw(image)
    _tiled_floor(draw, tile=100)
    draw.ellipse((420, 220, 780, 520), outline=(250, 250, 250), width=8)
    _caption(draw, caption)
    return _jpeg(image, gps=gps)


def ceiling_stain_photo(caption: str, *, gps: bool = False) -> bytes:
    """A 1200x900 JPEG of the ceiling below: a water stain around a light fitting."""
    image = Image.new("RGB", SIZE, (236, 234, 226))
    draw = ImageDraw.Draw(image)
    for ring, colour in ((300, (214, 200, 160)), (220, (196, 178, 130)), (140, (170, 150, 100))):
        draw.ellipse((450 - ring, 400 - ring * 0.7, 450 + ring, 400 + ring * 0.7), fill=colour)
    draw.ellipse((760, 180, 900, 320), fill=(250, 250, 240), outline=(150, 150, 150), width=4)
    for drop in range(5):
        draw.ellipse((420 + drop * 18, 560 + drop * 30, 440 + drop * 18, 590 + drop * 30), fill=WATER)
    _caption(draw, caption)
    return _jpeg(image, gps=gps)


def dashboard_photo(caption: str, *, gps: bool = False) -> bytes:
    """A 1200x900 JPEG of a car's instrument cluster with the transmission warning lit."""
    image = Image.new("RGB", SIZE, (25, 25, 30))
    draw = ImageDraw.Draw(image)
    for left in (150, 650):  # the two dials
        draw.ellipse((left, 150, left + 400, 550), outline=(200, 200, 210), width=10)
        draw.line((left + 200, 350, left + 320, 230), fill=(230, 80, 40), width=8)
    draw.ellipse((540, 600, 660, 720), fill=(240, 170, 20))  # the warning light
    draw.text((575, 630), "!", fill=(25, 25, 30), font=ImageFont.load_default(size=60))
    _caption(draw, caption)
    return _jpeg(image, gps=gps)


def pdf_document(title: str, lines: list[str]) -> bytes:
    """A one-page PDF with a title and lines of text (Helvetica, no fonts embedded)."""
    text = ["BT /F1 20 Tf 72 760 Td (" + _pdf_text(title) + ") Tj ET"]
    text += [f"BT /F1 12 Tf 72 {720 - 20 * n} Td ({_pdf_text(line)}) Tj ET" for n, line in enumerate(lines)]
    stream = zlib.compress("\n".join(text).encode("latin-1"))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _pdf_text(line: str) -> str:
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
