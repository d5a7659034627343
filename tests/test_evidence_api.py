"""The evidence endpoints over real HTTP: upload, download, thumbnail and meta, who may read
what, the headers files are served with, a step naming a file the store does not hold, and the
sweep of files no step names."""

import io
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from PIL import Image
from PIL.ExifTags import IFD
from pydantic import BaseModel
from sqlmodel import Session, select

from activities.evidence import EvidenceActivities
from activities.projections import evidence_refs, record_trail_and_alerts
from activities.types import EvidenceSweepInput
from api.errors import ApiError
from api.evidence_named import require_uploaded
from client.escrow_session import eventually
from client.party import Party
from db import crud
from db import evidence as files
from db.engine import single_transaction
from db.models import EvidenceFile, EvidenceRef
from domain.steps.files import Files, OneFile
from evidence.store import make_store, original_key, public_key, thumbnail_key
from tests.kits.evidence_files import XMP_GPS, XMP_LATITUDE, digest_of, mp4, pdf, photo, png
from tests.kits.flow import EscrowFlow
from workflows.evidence_sweep import SCHEDULE_ID, ensure_sweep_schedule

OCTETS = {"Content-Type": "application/octet-stream"}


def code(response: httpx.Response) -> tuple[int, str | None]:
    return response.status_code, response.json()["detail"]["code"] if response.is_error else None


async def put(http: httpx.AsyncClient, party: Party, digest: str, data: bytes) -> httpx.Response:
    return await http.put(f"/evidence/{digest}", content=data, headers=party.auth | OCTETS)


def refer(stack, digest: str, subject_id: str, signer: Party, seq: int = 1) -> None:
    """What the projection records when a trail entry names the file (activities/projections.py)."""
    with Session(stack.engine) as session:
        files.record_refs(
            session=session,
            subject_id=subject_id,
            refs=[
                {"digest": digest, "seq": seq, "action": "stage.request_inspection", "signer_id": signer.id}
            ],
        )


@pytest.fixture(scope="module")
async def escrows(stack):
    """Escrow A (its owner, contractor, inspector, council) and escrow B (its own parties), both
    in the read model."""
    mine = await EscrowFlow(stack).register()
    await mine.create(total_fen=300_000)
    other = await EscrowFlow(stack).register()
    await other.create(total_fen=200_000)

    def projected() -> bool:
        with Session(stack.engine) as session:
            return all(
                crud.get_escrow_projection(session=session, escrow_id=f.escrow_id) for f in (mine, other)
            )

    async def read() -> bool:
        return projected()

    await eventually(read, bool, "both escrows in the read model", 20.0)
    return mine, other


async def test_upload_answers_the_record_and_again_the_same_record(stack, escrows):
    http, (mine, _) = stack.http, escrows
    data = pdf("stage 2 invoice")
    digest = await mine.contractor.upload_evidence(data, name="../../etc/Invoice 2 (final).pdf")
    again = await put(http, mine.contractor, digest, data)
    assert again.status_code == 200
    record = again.json()
    assert record | {"uploaded_at": None} == {
        "digest": digest,
        "size_bytes": len(data),
        "media_type": "application/pdf",
        "kind": "document",
        "uploaded_by": mine.contractor.id,
        "uploaded_at": None,
        "thumbnail": False,
    }
    meta = await http.get(f"/evidence/{digest}/meta", headers=mine.contractor.auth)
    assert meta.json() == record
    # another party learns nothing from the digest alone: it must send the bytes
    assert code(await put(http, mine.owner, digest, data[:-1] + b" ")) == (422, "hash_mismatch")
    same = await put(http, mine.owner, digest, data)
    assert (same.status_code, same.json()) == (200, record), "the first uploader stays the uploader"
    download = await http.get(f"/evidence/{digest}", headers=mine.contractor.auth)
    assert download.content == data
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"] == 'attachment; filename="Invoice_2_final.pdf"'
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["cache-control"].startswith("private")
    assert code(await http.get(f"/evidence/{digest}/thumbnail", headers=mine.contractor.auth)) == (
        404,
        "no_thumbnail",
    )


async def test_refusals_over_http_change_nothing(stack, escrows):
    http, (mine, _) = stack.http, escrows
    data = photo()
    digest = digest_of(data)
    assert code(await put(http, mine.owner, digest, data[:-1] + b"\x00")) == (422, "hash_mismatch")
    assert code(await put(http, mine.owner, "sha256:ABC", data)) == (422, "not_a_file_hash")
    named = await http.put(
        f"/evidence/{digest}?name=a%00b.jpg", content=data, headers=mine.owner.auth | OCTETS
    )
    assert code(named) == (422, "nul_character"), "a name with a NUL, refused at the edge"
    named = await http.put(
        f"/evidence/{digest}?name=a%07b.jpg", content=data, headers=mine.owner.auth | OCTETS
    )
    assert code(named) == (422, "invalid_input"), "a name with another control character"
    html = b"<html><body>hello</body></html>"
    assert code(await put(http, mine.owner, digest_of(html), html)) == (415, "unsupported_file_type")
    assert code(await http.put(f"/evidence/{digest}", content=data, headers=OCTETS)) == (
        401,
        "not_authenticated",
    )
    assert code(await http.put(f"/evidence/{digest}", content=data, headers=mine.owner.auth)) == (
        422,
        "invalid_input",
    ), "an upload without a type is a JSON body, read by the JSON policy"
    assert code(await http.get(f"/evidence/{digest}", headers=mine.owner.auth)) == (404, "no_such_file")
    with Session(stack.engine) as session:
        assert files.get_file(session=session, digest=digest) is None
    store = make_store(stack.settings)
    assert not await store.exists(original_key(digest))


async def test_a_photo_is_read_by_the_escrow_that_names_it_and_by_nobody_else(stack, escrows):
    """Uploader, the escrow's other parties and the council read it; a party of another escrow
    and an outsider do not. Location is stripped for all but the uploader."""
    http, (mine, other) = stack.http, escrows
    data = photo(800, 600, gps=True)
    digest = await mine.contractor.upload_evidence(data, name="kitchen.jpg")
    outsider = await Party(http, "owner", "Outsider").register()

    before = await http.get(f"/evidence/{digest}", headers=mine.owner.auth)
    assert code(before) == (403, "not_a_participant"), "no step names it yet: the uploader's alone"
    refer(stack, digest, mine.escrow_id, mine.contractor)

    for reader in (mine.contractor, mine.owner, mine.inspector, mine.council):
        for path in ("", "/thumbnail", "/meta"):
            assert (await http.get(f"/evidence/{digest}{path}", headers=reader.auth)).status_code == 200
    for stranger in (other.owner, other.contractor, other.inspector, outsider):
        for path in ("", "/thumbnail", "/meta"):
            response = await http.get(f"/evidence/{digest}{path}", headers=stranger.auth)
            assert code(response) == (403, "not_a_participant"), (stranger.name, path)

    own = await http.get(f"/evidence/{digest}", headers=mine.contractor.auth)
    assert own.content == data
    assert Image.open(io.BytesIO(own.content)).getexif().get_ifd(IFD.GPSInfo), "the uploader keeps GPS"
    seen = await http.get(f"/evidence/{digest}", headers=mine.owner.auth)
    assert seen.content != data
    assert not Image.open(io.BytesIO(seen.content)).getexif().get_ifd(IFD.GPSInfo), "others never see GPS"
    assert seen.headers["content-type"] == "image/jpeg"
    assert seen.headers["content-disposition"] == 'inline; filename="kitchen.jpg"'
    thumb = await http.get(f"/evidence/{digest}/thumbnail", headers=mine.owner.auth)
    assert (
        thumb.headers["content-type"] == "image/jpeg"
        and max(Image.open(io.BytesIO(thumb.content)).size) == 320
    )


async def test_pages_read_with_the_session_cookie_and_upload_only_with_the_header(stack, escrows):
    http, (mine, _) = stack.http, escrows
    session_token = await mine.owner.open_session()
    data = photo(320, 240)
    digest = digest_of(data)
    async with httpx.AsyncClient(base_url=http.base_url, cookies={"party_session": session_token}) as browser:
        as_photo = {"Content-Type": "image/jpeg"}
        refused = await browser.put(f"/evidence/{digest}", content=data, headers=as_photo)
        assert code(refused) == (403, "session_header_required")
        headers = as_photo | {"X-Requested-With": "fetch"}
        stored = await browser.put(f"/evidence/{digest}", content=data, headers=headers)
        assert stored.status_code == 201 and stored.json()["thumbnail"] is True
        assert (await browser.get(f"/evidence/{digest}/thumbnail")).status_code == 200


async def test_a_video_location_is_hidden_from_others(stack, escrows):
    http, (mine, _) = stack.http, escrows
    data = mp4(location=True, filler=100_000)
    digest = await mine.owner.upload_evidence(data)
    refer(stack, digest, mine.escrow_id, mine.owner)
    seen = await http.get(f"/evidence/{digest}", headers=mine.contractor.auth)
    assert seen.headers["content-type"] == "video/mp4" and seen.headers["content-disposition"].startswith(
        "inline"
    )
    assert len(seen.content) == len(data) and b"+31.2304" not in seen.content
    assert b"+31.2304" in (await http.get(f"/evidence/{digest}", headers=mine.owner.auth)).content


async def test_a_location_in_xmp_or_png_text_is_hidden_from_others(stack, escrows):
    http, (mine, _) = stack.http, escrows
    label = uuid.uuid4().hex  # a PNG of this test's own: the same chunks make the same bytes
    for data in (photo(320, 240, xmp=XMP_GPS), png(label=label, texts={"GPS": "31.2304 N"}, xmp=XMP_GPS)):
        digest = await mine.owner.upload_evidence(data)
        refer(stack, digest, mine.escrow_id, mine.owner)
        seen = await http.get(f"/evidence/{digest}", headers=mine.contractor.auth)
        assert seen.status_code == 200 and XMP_LATITUDE not in seen.content and b"31.2304" not in seen.content
        assert (await http.get(f"/evidence/{digest}", headers=mine.owner.auth)).content == data


class Report(BaseModel):
    note: str
    photos: Files
    document: OneFile | None = None


async def test_a_step_naming_a_file_not_uploaded_is_refused_and_a_named_one_is_marked(stack, escrows):
    _, (mine, _) = stack, escrows
    held = await mine.inspector.upload_evidence(photo(200, 100))
    missing = digest_of(b"never uploaded")
    with Session(stack.engine) as session:
        with pytest.raises(ApiError) as refused:
            require_uploaded(session, Report, {"note": "n", "photos": [held, missing]})
        assert (refused.value.status, refused.value.code) == (422, "file_not_uploaded")
        assert missing in refused.value.message
        assert require_uploaded(session, Report, {"note": "n", "photos": [held]}) == [held]
        record = files.get_file(session=session, digest=held)
        assert record is not None and record.last_named_at is not None
        assert require_uploaded(session, Report, {"note": 1, "photos": [missing]}) == [], (
            "a malformed payload is the machine's to refuse, with its own code"
        )


def test_the_projection_finds_the_files_each_trail_entry_names():
    """Through the steps' declarations: a request's files and its items' files, each once; an
    unknown action names none."""
    a, b = "sha256:" + "a" * 64, "sha256:" + "b" * 64
    request = {"stage": 1, "evidence": [a, b], "items": [{"note": "tiles", "files": [a]}]}
    entries = [
        {"seq": 3, "action": "inspection.request", "signer": "P-1", "envelope": {"payload": request}},
        {"seq": 4, "action": "other.step", "signer": "P-2", "envelope": {"payload": {"evidence": [b]}}},
    ]
    assert evidence_refs(entries) == [
        {"digest": a, "seq": 3, "action": "inspection.request", "signer_id": "P-1"},
        {"digest": b, "seq": 3, "action": "inspection.request", "signer_id": "P-1"},
    ]


async def test_the_sweep_deletes_only_old_files_no_step_names(stack, escrows):
    http, (mine, _) = stack.http, escrows
    referenced = await mine.owner.upload_evidence(photo(120, 90))
    old = await mine.owner.upload_evidence(photo(121, 90))
    fresh = await mine.owner.upload_evidence(photo(122, 90))
    named = await mine.owner.upload_evidence(photo(123, 90))
    refer(stack, referenced, mine.escrow_id, mine.owner, seq=7)
    refer(stack, referenced, mine.escrow_id, mine.owner, seq=7)  # recorded twice: idempotent
    long_ago = datetime.now(UTC) - timedelta(hours=48)
    with Session(stack.engine) as session:
        for digest in (referenced, old, named):
            record = session.get(EvidenceFile, digest)
            record.uploaded_at = long_ago
            session.add(record)
        session.get(EvidenceFile, named).last_named_at = datetime.now(UTC) - timedelta(hours=1)
        session.commit()
        refs = len(session.exec(select(EvidenceRef).where(EvidenceRef.digest == referenced)).all())
    assert refs == 1
    store = make_store(stack.settings)
    sweep = EvidenceActivities(stack.engine, store).sweep_evidence
    result = sweep(EvidenceSweepInput(grace_hours=24))
    assert result.files_deleted == 1
    assert code(await http.get(f"/evidence/{old}/meta", headers=mine.owner.auth)) == (404, "no_such_file")
    assert not await store.exists(original_key(old)) and not await store.exists(thumbnail_key(old))
    for kept in (referenced, fresh, named):
        assert (await http.get(f"/evidence/{kept}/meta", headers=mine.owner.auth)).status_code == 200
        assert await store.exists(original_key(kept)) and await store.exists(thumbnail_key(kept))
    assert not await store.exists(public_key(old))
    assert sweep(EvidenceSweepInput(grace_hours=24)).files_deleted == 0


async def test_the_sweep_runs_on_its_schedule_created_once(stack, escrows):
    """The worker's schedule (created idempotently) starts the sweep workflow, which sweeps."""
    _, (mine, _) = stack, escrows
    old = await mine.owner.upload_evidence(photo(124, 90))
    with Session(stack.engine) as session:
        session.get(EvidenceFile, old).uploaded_at = datetime.now(UTC) - timedelta(hours=48)
        session.commit()
    every = timedelta(hours=12)  # never fires by itself during the test: triggered below
    queue = stack.settings.temporal_task_queue
    assert await ensure_sweep_schedule(stack.temporal, task_queue=queue, every=every, grace_hours=24)
    schedule = stack.temporal.get_schedule_handle(SCHEDULE_ID)
    try:
        assert not await ensure_sweep_schedule(stack.temporal, task_queue=queue, every=every, grace_hours=24)
        await schedule.trigger()

        async def swept() -> EvidenceFile | None:
            with Session(stack.engine) as session:
                return session.get(EvidenceFile, old)

        await eventually(
            swept, lambda record: record is None, "the scheduled sweep deleted the old file", 30.0
        )
        described = await schedule.describe()
        assert described.info.num_actions == 1
    finally:
        await schedule.delete()


def test_the_projection_records_each_new_entrys_files_once(stack):
    """`record_trail_and_alerts` with a step whose payload names files (a defect's photos and the
    report's files): one `evidence_ref` per (file, entry), however often the projection runs."""
    subject = f"ESC-TEST-{uuid.uuid4().hex[:8]}"
    a, b = "sha256:" + "c" * 64, "sha256:" + "d" * 64
    entry = {
        "seq": 1,
        "action": "inspection.report",
        "signer": "P-INSPECTOR",
        "signer_role": "inspector",
        "entry_hash": "e" * 64,
        "prev_hash": "f" * 64,
        "envelope": {
            "action": "inspection.report",
            "payload": {
                "stage": 1,
                "round": 1,
                "result": "fail",
                "defects": [
                    {"description": "cracks", "location": "hall", "cost_estimate_fen": 0, "photos": [a]}
                ],
                "report_hash": "sha256:report",
                "files": [b],
            },
        },
        "signature": "sig",
    }
    for _ in range(2):
        with single_transaction(stack.engine) as session:
            record_trail_and_alerts(session, subject, [entry], [])
    with Session(stack.engine) as session:
        rows = session.exec(select(EvidenceRef).where(EvidenceRef.subject_id == subject)).all()
        assert sorted((r.digest, r.seq, r.action, r.signer_id) for r in rows) == [
            (a, 1, "inspection.report", "P-INSPECTOR"),
            (b, 1, "inspection.report", "P-INSPECTOR"),
        ]
