"""The panel's case file as a seated expert reads it over HTTP: the dispute demo's closing table.

What the panel decides on is the files themselves, so the table is made the way an expert's
browser would see them: the case and the escrow stages it is about read with the expert's own
token, then each file's record, its bytes and (a photo's) thumbnail fetched from the evidence
store. A photo is also checked for a GPS block: the uploader's original keeps it, the expert's
copy must not.
"""

import io
from dataclasses import dataclass
from typing import Any

import httpx
from PIL import Image
from PIL.ExifTags import IFD
from rich.console import Console
from rich.table import Table

from client.party import Party, raise_for_error
from domain.case.snapshot import read_case_snapshot


@dataclass(frozen=True)
class CaseFileRow:
    digest: str
    step: str  # the step that put it before the panel: claim.file, evidence.submit, stage 1 request...
    kind: str
    size_bytes: int
    uploaded_by: str
    readable: bool  # the expert fetched its bytes
    thumbnail: bool | None  # the expert fetched its thumbnail (None: not a photo)
    location: bool | None  # the bytes the expert got carry a GPS block (None: not a photo)


def _escrow_files(view: dict[str, Any]) -> dict[str, str]:
    """The files of the escrow's stages the panel reads: each stage's last request and report."""
    named: dict[str, str] = {}
    for stage in view["stages"]:
        request, report = stage.get("last_request"), stage.get("last_report")
        where = f"stage {stage['number']}"
        if request:
            for digest in [*request["files"], *(f for item in request["items"] for f in item["files"])]:
                named.setdefault(digest, f"{where} inspection.request")
        if report:
            for digest in [*report.get("files", []), *(f for d in report["defects"] for f in d["photos"])]:
                named.setdefault(digest, f"{where} inspection.report")
    return named


def _has_gps(data: bytes) -> bool:
    return bool(Image.open(io.BytesIO(data)).getexif().get_ifd(IFD.GPSInfo))


async def read_case_file(http: httpx.AsyncClient, case_id: str, expert: Party) -> list[CaseFileRow]:
    """Every file before the panel of `case_id` (the case's, then its escrow's), as `expert` reads it."""
    if not expert.token:
        await expert.renew_token()
    case = read_case_snapshot((await http.get(f"/cases/{case_id}", headers=expert.auth)).content)
    named: dict[str, str] = {}
    for entry in case.evidence:
        for digest in entry.hashes:
            named.setdefault(digest, entry.action)
    if case.escrow_id:
        view = raise_for_error(await http.get(f"/cases/{case_id}/escrow", headers=expert.auth))
        named |= {d: step for d, step in _escrow_files(view).items() if d not in named}
    rows = []
    for digest, step in named.items():
        meta = raise_for_error(await http.get(f"/evidence/{digest}/meta", headers=expert.auth))
        body = await http.get(f"/evidence/{digest}", headers=expert.auth)
        photo = meta["kind"] == "photo"
        thumbnail = None
        if photo:
            thumbnail = (await http.get(f"/evidence/{digest}/thumbnail", headers=expert.auth)).is_success
        rows.append(
            CaseFileRow(
                digest=digest,
                step=step,
                kind=meta["kind"],
                size_bytes=meta["size_bytes"],
                uploaded_by=meta["uploaded_by"],
                readable=body.is_success,
                thumbnail=thumbnail,
                location=_has_gps(body.content) if photo and body.is_success else None,
            )
        )
    return rows


def _yes(value: bool | None, yes: str = "yes", no: str = "NO") -> str:
    return "-" if value is None else yes if value else no


def print_case_file(console: Console, title: str, rows: list[CaseFileRow], names: dict[str, str]) -> None:
    """The table: step, kind, size, who added it, the short hash, and what the expert could fetch
    (the file, its thumbnail) and whether a GPS block reached it."""
    table = Table(title=title, title_justify="left")
    for column in ("step", "kind", "size", "added by", "hash", "read", "thumb", "GPS"):
        table.add_column(column, justify="right" if column == "size" else "left")
    for row in rows:
        table.add_row(
            row.step,
            row.kind,
            f"{row.size_bytes / 1024:,.0f} KB",
            names.get(row.uploaded_by, row.uploaded_by),
            row.digest[7:15] + "…",
            _yes(row.readable),
            _yes(row.thumbnail),
            _yes(row.location, "YES", "none"),
        )
    console.print(table)


async def located_originals(
    http: httpx.AsyncClient, rows: list[CaseFileRow], uploaders: list[Party]
) -> list[str]:
    """The photos among `rows` whose original, as its uploader reads it, carries a GPS block."""
    by_id = {party.id: party for party in uploaders}
    located = []
    for row in rows:
        uploader = by_id.get(row.uploaded_by)
        if row.kind == "photo" and uploader is not None:
            original = await http.get(f"/evidence/{row.digest}", headers=uploader.auth)
            if original.is_success and _has_gps(original.content):
                located.append(row.digest)
    return located
