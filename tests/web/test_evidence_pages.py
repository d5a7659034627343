"""The galleries of evidence files on the pages over HTTP: the stage pages (an inspection
request's note, items and photos, a report's defects with their photos and its files, the
escrow's disputes), the case file for parties, council and experts (the claim's files, the
answer's text and files, each submission with its note), and the expert's view of the escrow.
Each file shows a thumbnail for a photo or an icon for a PDF, its size, its hash, who added it
and when; a file the reader may not open shows its hash alone."""

from functools import partial
from html import unescape

from sqlmodel import Session

from db import crud
from domain.escrow import steps
from domain.money import yuan
from tests.kits.evidence_files import digest_of, pdf, photo
from tests.kits.flow import EscrowFlow
from tests.kits.staff_kit import LEAK_PHOTO_DIGEST, STAGE_PHOTO_DIGEST, TOTAL_FEN, filed_case, page, part
from tests.web.conftest import referenced
from web.evidence_view import FileShown, files_shown
from web.i18n import translate
from web.templating import file_size, templates

DRAIN_PHOTO, TILE_PHOTO, STAGE_VIEW, CEILING = (photo(320 + n, 240) for n in range(4))
SIGNED_REPORT, ANSWER_PDF = pdf("the signed inspection report"), pdf("the waterproofing test record")
DRAIN = {
    "description": "地漏倒坡积水",
    "location": "主卫",
    "cost_estimate_fen": 120_000,
    "photos": [DRAIN_PHOTO],
}


def gallery_item(text: str, digest: str) -> str:
    """The gallery entry of one file: from its <li> to its hash (the page must show it)."""
    start = text.rindex('<li class="evidence-file', 0, text.index(f'<code class="hash">{digest}</code>'))
    return unescape(text[start : text.index(f"{digest}</code>", start)])


def shows_photo(text: str, digest: str, uploader: str) -> None:
    item = gallery_item(text, digest)
    assert f'<img src="/evidence/{digest}/thumbnail" loading="lazy"' in item
    assert f'href="/evidence/{digest}"' in item and "查看照片" in item
    assert f"由 {uploader} 添加" in item and "<time datetime=" in item


async def test_the_stage_pages_show_the_request_items_the_defects_and_the_report_with_their_files(stack):
    flow = await EscrowFlow(stack).register()
    await flow.create_funded(total_fen=TOTAL_FEN)
    stage_photos = await flow.contractor.upload_files([STAGE_VIEW])
    tile_photos = await flow.contractor.upload_files([TILE_PHOTO])
    request = {
        "stage": 1,
        "evidence": stage_photos,
        "note": "水电完工，请验收",
        "items": [{"note": "卫生间闭水试验 48 小时", "files": tile_photos}, {"note": "强弱电分管"}],
    }
    await flow.send(flow.contractor, steps.INSPECTION_REQUEST, request)
    await flow.report(1, "fail", [DRAIN], files=[SIGNED_REPORT])
    await flow.raise_dispute(flow.owner, [1], "地漏积水", evidence=[CEILING])
    await referenced(stack, flow.escrow_id, [digest_of(CEILING)])  # the last step's file
    contractor, inspector, owner = flow.contractor.name, flow.inspector.name, flow.owner.name

    for reader in (flow.owner, flow.inspector, flow.contractor):
        shown = (await page(stack, f"/my/escrows/{flow.escrow_id}", reader)).text
        stage = part(shown, 'id="stage-1"', 'id="stage-2"')
        assert "第 1 次验收申请" in stage and "水电完工，请验收" in stage
        items = part(stage, '<ol class="request-items">', "</ol>")
        assert "卫生间闭水试验 48 小时" in items and "强弱电分管" in items
        shows_photo(stage, stage_photos[0], contractor)
        shows_photo(items, tile_photos[0], contractor)
        defects = stage.split('<ul class="defects">', 1)[1]
        assert "地漏倒坡积水 (主卫)" in defects
        shows_photo(defects, digest_of(DRAIN_PHOTO), inspector)
        report_file = gallery_item(stage, digest_of(SIGNED_REPORT))
        assert "kind-document" in report_file and "打开 PDF" in report_file and "<img" not in report_file
        assert file_size(len(SIGNED_REPORT)) in report_file and f"由 {inspector} 添加" in report_file
        dispute = part(shown, 'id="dispute-1"')
        assert "地漏积水" in dispute and "进行中" in dispute
        shows_photo(dispute, digest_of(CEILING), owner)

    english = (await page(stack, f"/my/escrows/{flow.escrow_id}", flow.owner, lang="en")).text
    assert "Inspection request, round 1" in english and f"Added by {inspector}" in english
    assert "Open the PDF" in english and "Disputes and warranty claims" in english


async def test_the_case_file_shows_every_file_with_its_note_for_parties_council_and_panel(stack):
    disputed = await filed_case(stack, defects=[DRAIN])
    case, flow = disputed.case, disputed.flow
    await case.accept()
    await case.answer("防水层按图施工，闭水试验记录附后", [ANSWER_PDF])
    await disputed.demo.negotiate_in_vain(case)
    state = await disputed.demo.form_panel(case)
    await case.submit_evidence(flow.owner, [CEILING], note="楼下天花板连续三天渗水")
    await referenced(stack, case.case_id, [digest_of(CEILING)])
    member = case.expert(case.seats(state)[0])

    for path, reader in (
        (f"/expert/cases/{case.case_id}", member),
        (f"/my/cases/{case.case_id}", flow.owner),
        (f"/my/cases/{case.case_id}", flow.contractor),
        (f"/council/cases/{case.case_id}", flow.council),
    ):
        shown = (await page(stack, path, reader)).text
        assert "防水层按图施工，闭水试验记录附后" in part(shown, 'id="answer"'), path
        evidence = part(shown, 'id="evidence"')
        claim, answer, submitted = evidence.split("<li>\n")[1:4]
        assert "随申请提交" in claim and "随答辩提交" in answer and "举证" in submitted, path
        shows_photo(claim, LEAK_PHOTO_DIGEST, flow.owner.name)
        answered = gallery_item(answer, digest_of(ANSWER_PDF))
        assert "kind-document" in answered and f"由 {flow.contractor.name} 添加" in answered, path
        assert "楼下天花板连续三天渗水" in submitted
        shows_photo(submitted, digest_of(CEILING), flow.owner.name)

    # The panel also reads the escrow's files: the inspection request's photo and the defect's.
    escrow = part((await page(stack, f"/expert/cases/{case.case_id}", member)).text, 'id="case-escrow"')
    stage = part(escrow, 'id="escrow-stage-1"', 'id="escrow-stage-2"')
    shows_photo(stage, STAGE_PHOTO_DIGEST, flow.contractor.name)
    shows_photo(stage.split('<ul class="defects">', 1)[1], digest_of(DRAIN_PHOTO), flow.inspector.name)


def test_a_file_the_reader_may_not_open_shows_its_hash_alone():
    """No thumbnail, no link: never a broken image (web/evidence_view.py decides who may open)."""
    readable = FileShown(digest_of(b"a"), "photo", 2048, "image/jpeg", "王芳", None)
    hidden = FileShown(digest_of(b"b"))
    gallery = templates.env.from_string(
        '{% from "evidence_files.html" import evidence_files with context %}{{ evidence_files(hashes) }}'
    )
    html = gallery.render(
        hashes=[readable.digest, hidden.digest],
        evidence={readable.digest: readable, hidden.digest: hidden},
        t=partial(translate, "zh-CN"),
    )
    assert html.count("<img ") == 1 and f"/evidence/{readable.digest}/thumbnail" in html
    shown = gallery_item(html, hidden.digest)
    assert "此处无法打开该文件" in shown and "/evidence/" not in shown and "kind-" not in shown
    assert "2 KB" in gallery_item(html, readable.digest)


async def test_a_warranty_claim_shows_its_photos_to_the_contractor(stack):
    flow = await EscrowFlow(stack).register()
    await flow.in_warranty(total_fen=TOTAL_FEN)
    number = await flow.claim_warranty(20_000, "卫生间墙角返潮", [CEILING])
    await referenced(stack, flow.escrow_id, [digest_of(CEILING)])
    claim = part(
        (await page(stack, f"/my/escrows/{flow.escrow_id}", flow.contractor)).text,
        f'id="warranty-claim-{number}"',
    )
    assert "保修索赔 1" in claim and "卫生间墙角返潮" in claim and yuan(20_000) in claim and "进行中" in claim
    shows_photo(claim, digest_of(CEILING), flow.owner.name)


async def test_a_page_opens_a_file_for_its_uploader_and_for_the_readers_of_a_subject_naming_it(stack):
    flow = await EscrowFlow(stack).register()
    await flow.create_funded(total_fen=TOTAL_FEN)
    [named] = await flow.request_inspection(1, [photo(200, 150)])  # bytes of this test's own
    [unnamed] = await flow.contractor.upload_files([photo(200, 150)])  # uploaded, named by no step
    await referenced(stack, flow.escrow_id, [named])

    def readable(reader, subject: str) -> dict[str, bool]:
        with Session(stack.engine) as session:
            [party] = crud.list_parties(session=session, ids=[reader.id])
            shown = files_shown(session, party, [subject], [named, unnamed])
        return {digest: file.readable for digest, file in shown.items()}

    assert readable(flow.owner, flow.escrow_id) == {named: True, unnamed: False}
    assert readable(flow.contractor, "ESC-none") == {named: True, unnamed: True}  # the uploader's own
    assert readable(flow.owner, "ESC-none") == {named: False, unnamed: False}  # another page's subject
