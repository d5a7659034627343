"""QR codes, made on the server with segno (no script or outside service draws them)."""

import io

import segno


def qr_svg(text: str) -> str:
    """The text as a QR code: an SVG document (with its namespace, so a page parses it as SVG
    and puts it in, or serves it as an image; the pages' policy loads no `data:` image)."""
    out = io.BytesIO()
    segno.make(text, error="m").save(
        out, kind="svg", scale=4, border=2, xmldecl=False, omitsize=True, nl=False
    )
    return out.getvalue().decode()
