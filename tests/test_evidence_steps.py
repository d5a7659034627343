"""Signed steps naming evidence files, end to end over real HTTP: upload first, then sign.

An escrow step, a claim and a case step naming a file the store does not hold are refused
(422 `file_not_uploaded`) and change nothing; the same steps after the client uploads the file
are accepted, and the projection records which escrow or case names which file. Then who may
read the files: the case's seated panel (the case's files, and the stage photos of the escrow
the case is about), and not a member of another case's panel, an outsider, a party of another
escrow or an expert who was drawn and declined the seat; the uploader alone gets the original
with its GPS block (api/evidence_access.py).
"""

import io

import httpx
import pytest
from PIL import Image
from PIL.ExifTags import IFD
from sqlmodel import Session, select

from client.case_session import CaseSession
from client.escrow_session import eventually
from client.party import Party
from db.models import EvidenceRef
from domain.case import steps as case_steps
from domain.escrow import steps as escrow_steps
from tests.kits.case_kit import claim, file
from tests.kits.evidence_files import digest_of, pdf, photo
from tests.kits.flow import EscrowFlow
from tests.kits.staff_kit import DisputedEscrow, filed_case, retire_enrolled

DEFECT = {"description": "floor drain set too high", "location": "bathroom", "cost_estimate_fen": 50_000}


async def refs_of(stack, subject_id: str, count: int) -> set[tuple[str, int, str, str]]:
    """The (digest, seq, action, signer) references the projection recorded for the subject,
    once there are `count` of them."""

    async def read() -> set[tuple[str, int, str, str]]:
        with Session(stack.engine) as session:
            rows = session.exec(select(EvidenceRef).where(EvidenceRef.subject_id == subject_id)).all()
            return {(r.digest, r.seq, r.action, r.signer_id) for r in rows}

    return await eventually(read, lambda refs: len(refs) >= count, f"{count} refs of {subject_id}", 20.0)


async def test_an_escrow_step_names_only_uploaded_files_and_the_projection_records_them(stack):
    flow = await EscrowFlow(stack).register()
    await flow.create_funded(total_fen=2_000_000)
    stage_photo = photo(400, 300)
    digest = digest_of(stage_photo)
    request = {"stage": 1, "evidence": [digest], "note": "ready for inspection"}
    before = await flow.state()

    refusal = await flow.refused(
        flow.send(flow.contractor, escrow_steps.INSPECTION_REQUEST, request), 422, "file_not_uploaded"
    )
    assert digest in refusal.message
    after = await flow.state()
    assert after.version == before.version and after.stages[0].last_request is None

    assert await flow.request_inspection(1, [stage_photo]) == [digest]  # uploaded, then signed
    assert (await flow.state()).stages[0].last_request.files == [digest]
    defect_photo, report = photo(300, 200), pdf(f"stage 1 report of {flow.escrow_id}")
    await flow.report(1, "fail", [DEFECT | {"photos": [defect_photo]}], files=[report])
    state = await flow.state()
    assert state.stages[0].last_report.defects[0].photos == [digest_of(defect_photo)]
    assert state.stages[0].last_report.files == [digest_of(report)]

    refs = await refs_of(stack, flow.escrow_id, 3)
    by_action = {(d, action, signer) for d, _, action, signer in refs}
    assert by_action == {
        (digest, "inspection.request", flow.contractor.id),
        (digest_of(defect_photo), "inspection.report", flow.inspector.id),
        (digest_of(report), "inspection.report", flow.inspector.id),
    }
    # the escrow's other parties now read the contractor's photo; before, it was the uploader's alone
    read = await stack.http.get(f"/evidence/{digest}/thumbnail", headers=flow.owner.auth)
    assert read.status_code == 200 and read.headers["content-type"] == "image/jpeg"


async def test_a_claim_and_a_case_step_name_only_uploaded_files(stack):
    flow = await EscrowFlow(stack).register()
    await flow.create_funded(total_fen=2_000_000)
    await flow.request_inspection(1)
    leak = photo(500, 400)
    await flow.raise_dispute(flow.owner, [1], "the waterproofing leaks", evidence=[leak])
    escrow_refs = await refs_of(stack, flow.escrow_id, 1)
    assert {(d, action, signer) for d, _, action, signer in escrow_refs} == {
        (digest_of(leak), "dispute.raise", flow.owner.id)
    }
    video = pdf(f"flood test of {flow.escrow_id}")  # any kind: the check is the same
    payload = claim(flow.escrow_id, 1, evidence=[digest_of(video)])

    refused = await file(stack, flow.owner, flow.contractor.id, payload)
    assert (refused.status_code, refused.json()["detail"]["code"]) == (422, "file_not_uploaded")
    assert (await flow.state()).disputes[0].case_id is None, "no case was filed"

    assert await flow.owner.upload_files([video]) == [digest_of(video)]
    filed = await file(stack, flow.owner, flow.contractor.id, payload)
    assert filed.status_code == 201, filed.text
    case = CaseSession(stack.http, claimant=flow.owner, respondent=flow.contractor, council=flow.council)
    case.case_id = filed.json()["case_id"]
    assert await refs_of(stack, case.case_id, 1) == {(digest_of(video), 0, "claim.file", flow.owner.id)}
    await case.accept()

    receipt = pdf(f"membrane receipt for {case.case_id}")
    answer = {"text": "the membrane was laid to standard", "evidence": [digest_of(receipt)]}
    before = await case.state()
    await flow.refused(case.send(flow.contractor, case_steps.ANSWER_SUBMIT, answer), 422, "file_not_uploaded")
    assert (await case.state()).version == before.version

    await case.answer(answer["text"], [receipt])
    state = await case.state()
    assert state.answer is not None and [e.hashes for e in state.evidence] == [
        [digest_of(video)],
        [digest_of(receipt)],
    ]
    refs = await refs_of(stack, case.case_id, 2)
    assert {(d, action) for d, _, action, _ in refs} == {
        (digest_of(video), "claim.file"),
        (digest_of(receipt), "answer.submit"),
    }


@pytest.fixture
async def experts_leave(stack):
    yield
    await retire_enrolled(stack)  # this test's experts leave the registry's draws with it


async def at_evidence(stack, stage_photo: bytes) -> tuple[DisputedEscrow, Party]:
    """An escrow case whose stage 1 request carried `stage_photo`, its panel seated and hearing
    evidence; and a member of that panel."""
    disputed = await filed_case(stack, stage_photos=[stage_photo])
    case = disputed.case
    await case.accept()
    await case.answer("the drain was laid to the plan")
    await disputed.demo.negotiate_in_vain(case)
    state = await disputed.demo.form_panel(case)
    return disputed, case.expert(case.seats(state)[0])


def has_gps(data: bytes) -> bool:
    return bool(Image.open(io.BytesIO(data)).getexif().get_ifd(IFD.GPSInfo))


async def status(http: httpx.AsyncClient, party: Party, path: str) -> tuple[int, str | None]:
    response = await http.get(path, headers=party.auth)
    return response.status_code, response.json()["detail"]["code"] if response.is_error else None


async def test_the_seated_panel_reads_its_case_files_and_the_escrows_stage_photos_and_nobody_else(
    stack, experts_leave
):
    http = stack.http
    stage_photo = photo(640, 480)
    disputed, member = await at_evidence(stack, stage_photo)
    owner = disputed.flow.owner
    on_site = photo(1200, 900, gps=True)
    await disputed.case.submit_evidence(owner, [on_site], note="taken at the drain")
    case_photo, stage = digest_of(on_site), digest_of(stage_photo)
    await refs_of(stack, disputed.case.case_id, 2)  # the claim's photo and this one

    for path in (
        f"/evidence/{case_photo}",
        f"/evidence/{case_photo}/thumbnail",
        f"/evidence/{stage}/thumbnail",
    ):
        assert await status(http, member, path) == (200, None), path
    seen = await http.get(f"/evidence/{case_photo}", headers=member.auth)
    own = await http.get(f"/evidence/{case_photo}", headers=owner.auth)
    assert own.content == on_site and has_gps(own.content), "the uploader reads the original"
    assert not has_gps(seen.content), "the panel reads the copy without location"
    thumbnail = await http.get(f"/evidence/{case_photo}/thumbnail", headers=member.auth)
    assert max(Image.open(io.BytesIO(thumbnail.content)).size) == 320

    other, other_member = await at_evidence(stack, photo(641, 480))
    outsider = await Party(http, "owner", "Someone else").register()
    for refused in (other_member, outsider, other.flow.owner, other.flow.contractor):
        for path in (f"/evidence/{case_photo}", f"/evidence/{case_photo}/thumbnail", f"/evidence/{stage}"):
            assert await status(http, refused, path) == (403, "not_a_participant"), (refused.name, path)


async def test_an_expert_who_declines_the_seat_reads_none_of_the_files_and_those_who_sat_do(
    stack, experts_leave
):
    """Drawn, then declined for a conflict: the seat and the files go to the alternate; the
    panel that sat reads the case's files and the escrow's (api.case_access.sat_on_panel)."""
    http = stack.http
    stage = digest_of(stage_photo := photo(643, 480))
    disputed = await filed_case(stack, stage_photos=[stage_photo])
    case = disputed.case
    await case.accept()
    await case.answer("the drain was laid to the plan")
    await disputed.demo.negotiate_in_vain(case)
    drawn = await case.until("panel")
    declined = next(expert_id for expert_id in case.seats(drawn) if expert_id in case.experts)
    leaver = case.expert(declined)

    async def leaver_reads() -> tuple[int, str | None]:
        return await status(http, leaver, f"/evidence/{stage}")

    await eventually(
        leaver_reads, lambda seen: seen == (200, None), "the drawn expert reads the escrow's photo", 20
    )
    await case.declare(declined, independent=False, reason="I consulted for the owner")
    refused = (403, "not_a_participant")
    await eventually(leaver_reads, lambda seen: seen == refused, "the declined expert reads it no more", 20)

    state = await disputed.demo.form_panel(case)
    on_site = photo(1200, 901)
    await case.submit_evidence(disputed.flow.owner, [on_site], note="taken at the drain")
    await refs_of(stack, case.case_id, 2)  # the claim's photo and this one
    member = case.expert(next(e for e in case.seats(state) if e in case.experts))
    for path in (f"/evidence/{digest_of(on_site)}", f"/evidence/{stage}/thumbnail"):
        assert await status(http, member, path) == (200, None), path
        assert await status(http, leaver, path) == refused, path
