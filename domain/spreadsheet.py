"""CSV that a spreadsheet opens as data, never as formulas.

A cell starting with `=`, `+`, `-` or `@` is a formula to Excel, LibreOffice and Sheets, and a
leading tab or carriage return lets one hide behind it: a business that registers the name
`=HYPERLINK("http://evil.example","click")` would otherwise run its formula on the computer of
whoever opens the council's public list. Such a cell gets a leading `'` (OWASP's rule), which
the spreadsheet shows as text. Every CSV the app writes goes through `csv_text`.

Rows end in CRLF (RFC 4180): Python's writer quotes a cell holding a line-break character only
when that character is part of its line terminator, so with a bare LF a CR inside a cell would
go out unquoted and split the row in two.
"""

import csv
import io
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutral_cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_text(rows: Iterable[Iterable[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([neutral_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue()
