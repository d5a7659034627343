"""Evidence files: uploaded before a step naming them is signed, read by those the file concerns.

`PUT /evidence/{digest}` takes the raw bytes (streamed: never read whole) and keeps them only if
they hash to `digest`; the same file uploaded again answers its record (200). Reads work with the
session cookie alone, so a page can show `<img src="/evidence/{digest}/thumbnail">`. The bytes
are streamed out with the type read from them at upload, `nosniff`, a `Content-Disposition` that
opens photos and videos in place and saves PDFs, and `Cache-Control: private`. Anyone but the
uploader gets the copy without location metadata when the original had any. docs/EVIDENCE.md.
"""

import re
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse
from sqlmodel import Session

from api.deps import CurrentParty, EvidenceStoreDep, SessionDep, release_connection
from api.errors import ApiError, error_responses
from api.evidence_access import may_read_file, require_file_reader
from api.evidence_models import EvidenceFilePublic
from db import evidence as files
from db.models import EvidenceFile
from domain.steps.files import FILE_HASH
from evidence.kinds import FileType
from evidence.refusals import EvidenceRefused
from evidence.store import original_key, public_key, thumbnail_key
from evidence.upload import store_upload

router = APIRouter(prefix="/evidence", tags=["evidence"], responses=error_responses(401, 422))
READ_ERRORS = error_responses(403, 404)
UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
BINARY_BODY = {
    "requestBody": {
        "required": True,
        "description": "the file's bytes, exactly those whose SHA-256 is the digest in the path",
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}
FILE_BYTES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/octet-stream": {}}, "description": "the file's bytes"}
}


def _checked(digest: str) -> str:
    if not FILE_HASH.match(digest):
        raise ApiError(422, "not_a_file_hash", "a file is named 'sha256:' and 64 lowercase hex digits")
    return digest


def _public(record: EvidenceFile) -> EvidenceFilePublic:
    return EvidenceFilePublic.model_validate(record.model_dump() | {"thumbnail": record.kind == "photo"})


def _readable(session: Session, party: CurrentParty, digest: str) -> EvidenceFile:
    record = files.get_file(session=session, digest=_checked(digest))
    if record is None:
        raise ApiError(404, "no_such_file", f"the evidence store holds no file {digest}")
    require_file_reader(session, party, record)
    release_connection(session)
    return record


@router.put(
    "/{digest}",
    response_model=EvidenceFilePublic,
    status_code=201,
    responses=error_responses(413, 415)
    | {200: {"model": EvidenceFilePublic, "description": "the file was already stored"}},
    openapi_extra=BINARY_BODY,
)
async def upload(
    digest: str,
    request: Request,
    party: CurrentParty,
    session: SessionDep,
    store: EvidenceStoreDep,
    name: Annotated[
        str | None,
        Query(
            max_length=200,
            pattern=r"^[^\x00-\x1f\x7f]*$",
            description="the file's name, kept for its download",
        ),
    ] = None,
) -> Response | EvidenceFilePublic:
    """Upload a file under the SHA-256 of its bytes: 201 stored, 200 already stored.

    A file the caller may already read is answered at once, its body unread. Anyone else
    sending a stored file's digest must send its bytes too (checked like a first upload), so
    a hash alone never tells who uploaded a file, its size or its type.

    Refused: bytes that hash to something else (422 `hash_mismatch`), a type other than JPEG,
    PNG, WebP, MP4, QuickTime or PDF (415 `unsupported_file_type`), over the kind's size
    (413 `file_too_large`), a photo that cannot be decoded safely (422 `unreadable_image`).
    """
    existing = files.get_file(session=session, digest=_checked(digest))
    if existing is not None and may_read_file(session, party, existing):
        return _again(existing)  # already stored, and readable by the caller: the body is not needed
    release_connection(session)
    try:
        stored = await store_upload(store, digest, request.stream())
    except EvidenceRefused as refused:
        raise ApiError(refused.status, refused.code, refused.message) from None
    record, created = files.add_file(
        session=session,
        digest=digest,
        size_bytes=stored.size_bytes,
        media_type=stored.file_type.media_type,
        kind=stored.file_type.kind,
        uploaded_by=party.id,
        original_name=name,
        has_public_copy=stored.has_public_copy,
    )
    return _public(record) if created else _again(record)


def _again(record: EvidenceFile) -> Response:
    return Response(_public(record).model_dump_json(), status_code=200, media_type="application/json")


def _download_name(record: EvidenceFile, suffix: str = "") -> str:
    """The name a download is saved under: the uploaded name's last part, in safe ASCII, with
    the extension of the type read from the bytes (never the one the uploader gave)."""
    extension = "jpg" if suffix else FileType(record.media_type, record.kind).extension  # type: ignore[arg-type]
    base = re.split(r"[\\/]", record.original_name or "")[-1].rsplit(".", 1)[0]
    stem = UNSAFE_NAME.sub("_", base).strip("._")[:80]
    return f"{stem or 'evidence-' + record.digest[7:19]}{suffix}.{extension}"


def _file_response(
    store: EvidenceStoreDep, key: str, media_type: str, disposition: str, filename: str
) -> StreamingResponse:
    return StreamingResponse(
        store.stream(key),
        media_type=media_type,
        headers={
            "Content-Disposition": f'{disposition}; filename="{filename}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, max-age=3600",
        },
    )


@router.get("/{digest}", response_class=StreamingResponse, responses=READ_ERRORS | FILE_BYTES)
async def download(
    digest: str, party: CurrentParty, session: SessionDep, store: EvidenceStoreDep
) -> StreamingResponse:
    """The file's bytes: the original to its uploader, to anyone else the copy without location
    metadata when the original had any."""
    record = _readable(session, party, digest)
    own = record.uploaded_by == party.id
    key = public_key(digest) if record.has_public_copy and not own else original_key(digest)
    disposition = "attachment" if record.kind == "document" else "inline"
    return _file_response(store, key, record.media_type, disposition, _download_name(record))


@router.get("/{digest}/thumbnail", response_class=StreamingResponse, responses=READ_ERRORS | FILE_BYTES)
async def thumbnail(
    digest: str, party: CurrentParty, session: SessionDep, store: EvidenceStoreDep
) -> StreamingResponse:
    """A photo's thumbnail (JPEG, at most 320 px on its longer side, no metadata); 404
    `no_thumbnail` for videos and documents."""
    record = _readable(session, party, digest)
    if record.kind != "photo":
        raise ApiError(404, "no_thumbnail", f"only photos have thumbnails; this file is a {record.kind}")
    return _file_response(
        store, thumbnail_key(digest), "image/jpeg", "inline", _download_name(record, "-thumbnail")
    )


@router.get("/{digest}/meta", response_model=EvidenceFilePublic, responses=READ_ERRORS)
def meta(digest: str, party: CurrentParty, session: SessionDep) -> EvidenceFilePublic:
    """What the store knows of the file: size, type, who uploaded it and when."""
    return _public(_readable(session, party, digest))
