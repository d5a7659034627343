"""Reading the council's expert CSV into validated registry entries and a per-row error report.

The format (UTF-8, an Excel byte-order mark is fine, or the charset the request names;
comma-separated; a header row):

    expert_id,name,domain,specialties,affiliations,party_id
    ,Zhang Wei,renovation,waterproofing;plumbing,ORG-GUILIN-DECOR|employed|2019-03-01|2022-06-30,
    EXP-LI-01,Li Na,car,engine;transmission,ORG-DEALER-7|paid|2024-01-01,P-ABCDEFGHIJ

- name, domain, specialties are required columns; expert_id, affiliations, party_id optional
  (the columns may be left out, or the cells left empty). Column order is free; an unknown
  column is refused, so a misspelt one cannot be silently ignored.
- specialties: semicolon-separated, from the domain's fixed set.
- affiliations: semicolon-separated `org_id|kind|start|end`, kind employed or paid, ISO dates,
  end optional (still holding).
- expert_id empty: one like EXP-7KQ2MZ9A is made up. party_id: a party with role expert.

Row numbers count the header as row 1, as a spreadsheet shows them; blank lines are
skipped but still counted. A row's problem is a code with the values its sentence names
(api/error_messages), so the council reads it in its own language; the English stays as
`reason`. This module checks each row on its own and the file against itself (an id or party
twice); checks against the registry are the caller's.
"""

import codecs
import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

from db.experts import check_registry_fields
from domain.steps.rejections import ParamValue
from expert_panels.registry import Affiliation, Expert, InvalidExpert, affiliation_from_document

COLUMNS = ("expert_id", "name", "domain", "specialties", "affiliations", "party_id")
REQUIRED_COLUMNS = ("name", "domain", "specialties")
MAX_ROWS = 5000


class CsvFileError(ValueError):
    """The file as a whole cannot be read: encoding, header, size."""


@dataclass(frozen=True)
class RowProblem:
    row: int
    field: str
    code: str
    reason: str  # the English, for developers and logs
    params: dict[str, ParamValue]

    @classmethod
    def of(cls, row: int, refusal: InvalidExpert) -> "RowProblem":
        return cls(row, refusal.field, refusal.code, refusal.message, refusal.params)


@dataclass(frozen=True)
class ParsedRow:
    row: int
    expert: Expert
    party_id: str | None


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


def _affiliations(cell: str, problems: list[InvalidExpert]) -> list[Affiliation]:
    found = []
    for n, text in enumerate(_split(cell)):
        field = f"affiliations[{n}]"
        parts = [part.strip() for part in text.split("|")]
        if len(parts) not in (3, 4):
            problems.append(
                InvalidExpert(
                    field,
                    f"{text!r}: expected org_id|kind|start or org_id|kind|start|end",
                    "bad_affiliation",
                    params={"text": text},
                )
            )
            continue
        raw = dict(zip(("org_id", "kind", "start", "end"), parts, strict=False))
        try:
            found.append(affiliation_from_document(raw, field))
        except InvalidExpert as exc:
            problems.append(exc)
    return found


def _header(cells: list[str]) -> list[str]:
    names = [cell.strip().lower() for cell in cells]
    if not any(names):
        raise CsvFileError("the first row must be the header: " + ",".join(COLUMNS))
    unknown = [name for name in names if name not in COLUMNS]
    if unknown:
        raise CsvFileError(f"unknown column(s) {', '.join(map(repr, unknown))}; known: {', '.join(COLUMNS)}")
    if len(set(names)) != len(names):
        raise CsvFileError("a column is named twice in the header")
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        raise CsvFileError(f"missing column(s): {', '.join(missing)}")
    return names


def decode(body: bytes, charset: str | None = None) -> str:
    """UTF-8 (a byte-order mark is dropped) unless the request names another charset, e.g. gb18030;
    text only: no NUL character."""
    try:
        name = codecs.lookup(charset or "utf-8").name
    except LookupError:
        raise CsvFileError(f"unknown charset {charset!r}") from None
    try:
        text = body.decode("utf-8-sig" if name == "utf-8" else name)
    except UnicodeDecodeError as exc:
        raise CsvFileError(f"the file is not valid {name} (byte {exc.start})") from None
    if "\x00" in text:  # csv reads it, PostgreSQL stores no text holding it (config/json_policy.py)
        raise CsvFileError(f"the file holds a NUL character (U+0000) at character {text.index(chr(0))}")
    return text


def parse_experts(text: str, *, new_id: Callable[[], str]) -> tuple[list[ParsedRow], list[RowProblem]]:
    """Every data row as a valid entry, or the problems found in it (possibly several per row)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = _header(next(reader, []))
        records = list(enumerate(reader, start=2))
    except csv.Error as exc:
        raise CsvFileError(f"row {reader.line_num}: {exc}") from None
    records = [(row, cells) for row, cells in records if any(cell.strip() for cell in cells)]
    if not records:
        raise CsvFileError("the file has a header but no expert rows")
    if len(records) > MAX_ROWS:
        raise CsvFileError(f"at most {MAX_ROWS} experts per file; split it")

    parsed: list[ParsedRow] = []
    problems: list[RowProblem] = []
    first_row_of_id: dict[str, int] = {}
    first_row_of_party: dict[str, int] = {}
    for row, cells in records:
        found: list[InvalidExpert] = []
        if len(cells) > len(header):
            found.append(
                InvalidExpert(
                    "row",
                    f"{len(cells)} cells but the header names {len(header)} columns",
                    "too_many_cells",
                    params={"cells": len(cells), "columns": len(header)},
                )
            )
        values = dict(zip(header, (cell.strip() for cell in cells), strict=False))
        expert_id = values.get("expert_id") or new_id()
        if expert_id in first_row_of_id:
            first = first_row_of_id[expert_id]
            found.append(
                InvalidExpert(
                    "expert_id",
                    f"{expert_id!r} is already on row {first}",
                    "expert_id_repeated",
                    params={"expert_id": expert_id, "first_row": first},
                )
            )
        else:
            first_row_of_id[expert_id] = row
        party_id = values.get("party_id") or None
        if party_id is not None:
            if party_id in first_row_of_party:
                first = first_row_of_party[party_id]
                found.append(
                    InvalidExpert(
                        "party_id",
                        f"{party_id!r} is already linked on row {first}",
                        "party_id_repeated",
                        params={"party_id": party_id, "first_row": first},
                    )
                )
            else:
                first_row_of_party[party_id] = row
        affiliations = _affiliations(values.get("affiliations", ""), found)
        try:
            expert = Expert(
                expert_id=expert_id,
                name=values.get("name", ""),
                domain=values.get("domain", ""),
                specialties=_split(values.get("specialties", "")),
                affiliations=affiliations,
            )
            check_registry_fields(expert)
        except InvalidExpert as exc:
            found.append(exc)
        else:
            if not found:
                parsed.append(ParsedRow(row=row, expert=expert, party_id=party_id))
        problems.extend(RowProblem.of(row, refusal) for refusal in found)
    return parsed, problems
