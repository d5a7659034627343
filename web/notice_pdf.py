"""The printable notice of a published quarterly list: one A4 PDF per district, for community boards.

Made with reportlab and its built-in CJK font STSong-Light (an Adobe CID font every PDF reader
has: no font file to ship, and the same bytes every run with `invariant`). Chinese first, English
beneath, on one sheet: a board is read by passers-by in either language. The figures are the frozen
document's, formatted as the web list formats them (`percent`), so paper and web never differ.
"""

import io
from datetime import datetime
from functools import cache
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from domain.calendar import SHANGHAI
from public_record.notices import by_district, district_words, unplaced
from public_record.quarterly import percent
from web.i18n import translate

FONT = "STSong-Light"
LANGUAGES = ("zh-CN", "en")


@cache
def _font() -> str:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _style(size: float, *, leading: float | None = None) -> ParagraphStyle:
    return ParagraphStyle(
        f"notice-{size}", fontName=_font(), fontSize=size, leading=leading or size * 1.3, wordWrap="CJK"
    )


def _day(moment: str) -> str:
    return datetime.fromisoformat(moment).astimezone(SHANGHAI).date().isoformat()


def record_url(public_url: str, quarter: str) -> str:
    return f"{public_url.rstrip('/')}/public/quarters/{quarter}"


def notice_pdf(
    document: dict[str, Any], district: str, rows: list[dict[str, Any]], *, public_url: str
) -> bytes:
    """One district's notice: the council, the quarter, publication and validity, the district's rows
    of the list (rank, verified name, credit code, complaints, mediation rate with its n) and where
    to complain."""
    values = {
        "quarter": document["quarter"],
        "date": _day(document["published_at"]),
        "count": document["complaints_in_quarter"],
        "url": record_url(public_url, document["quarter"]),
    }
    words = district_words(district)

    def both(key: str, style: ParagraphStyle, **extra: object) -> list[Paragraph]:
        """The sentence in Chinese, then in English beneath it."""
        return [
            Paragraph(escape(translate(language, key, **(values | extra))), style) for language in LANGUAGES
        ]

    title, body, small = _style(16), _style(10), _style(8)
    story: list[Flowable] = [
        Paragraph(escape(translate("zh-CN", "notice.council")), body),
        Paragraph(escape(translate("en", "notice.council")), body),
        Spacer(1, 3 * mm),
        *both("notice.title", title),
        Spacer(1, 2 * mm),
        Paragraph(escape(translate("zh-CN", "notice.district", district=words.zh)), body),
        Paragraph(escape(translate("en", "notice.district", district=words.en)), body),
        *both("notice.published", body),
        *both("notice.valid", body, date=_day(document["expires_at"])),
        Spacer(1, 2 * mm),
        *both("notice.explain", small),
        Spacer(1, 3 * mm),
    ]
    heads = ("notice.rank", "notice.name", "notice.credit_code", "notice.complaints", "notice.rate")
    table = [[both(key, small) for key in heads]]
    for row in rows:
        table.append(
            [
                [Paragraph(str(row["rank"]), body)],
                [Paragraph(escape(row["name"]), body)],
                [Paragraph(escape(row["credit_code"]), small)],
                [Paragraph(str(row["complaints"]), body)],
                [
                    Paragraph(
                        f"{percent(row['mediation_rate'])} ({row['mediation_successes']}/{row['mediated']})",
                        body,
                    )
                ],
            ]
        )
    widths = [14 * mm, 64 * mm, 44 * mm, 20 * mm, 38 * mm]
    grid = Table(table, colWidths=widths, repeatRows=1)
    grid.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story += [grid, Spacer(1, 3 * mm), *both("notice.rate_rule", small)]
    if count := unplaced(document):
        story += both("notice.unplaced", small, count=count)
    story += [Spacer(1, 3 * mm), *both("notice.where", body)]
    out = io.BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"{translate('zh-CN', 'notice.title', quarter=document['quarter'])} {district}",
        author=translate("zh-CN", "notice.council"),
        invariant=1,
    ).build(story)
    return out.getvalue()


def notices(document: dict[str, Any], *, public_url: str) -> dict[str, bytes]:
    """Every district's notice of a published list, by district code."""
    return {
        district: notice_pdf(document, district, rows, public_url=public_url)
        for district, rows in by_district(document).items()
    }
