"""`escrow demo --dispute` and `escrow demo --car` complete against the live test stack.

The stack's registry is shared with the other tests, so a draw may seat an expert
whose key the demo does not hold; the demo lets such seats pass to alternates.
"""

import io
import json
from collections import Counter
from datetime import UTC, datetime, timedelta

from PIL import Image
from PIL.ExifTags import IFD

from cli.dev import free_port
from cli.dispute_demo import KEYSTORE_NAME, RENOVATION_TIES, drive_car_demo, drive_dispute_demo
from client.case_session import KeptExpert
from client.escrow_session import eventually
from client.party import Party
from domain.case.draws import AbandonedPanelDraw, DrawEntry
from domain.case.snapshot import CaseSnapshot, read_case_snapshot
from expert_panels.draw import draw_panel, draw_record_from_document, verify_abandoned_draw, verify_draw
from expert_panels.registry import expert_from_document
from workflows.case import CaseWorkflow
from workflows.case_types import case_workflow_id
from workflows.escrow import EscrowWorkflow
from workflows.escrow_types import escrow_workflow_id


def keystore(stack) -> dict[str, dict]:
    path = stack.settings.data_dir / KEYSTORE_NAME
    return {entry["label"]: entry for entry in json.loads(path.read_text())["experts"]}


async def case_state(stack, case_id: str) -> tuple[CaseSnapshot, list[DrawEntry]]:
    handle = stack.temporal.get_workflow_handle_for(CaseWorkflow.run, case_workflow_id(case_id))
    return await handle.query(CaseWorkflow.snapshot), await handle.query(CaseWorkflow.draw_records)


def check_draws(draws: list[DrawEntry]) -> dict[str, str]:
    """Every draw re-runs from its record, a draw given up included; the exclusions of the last one."""
    for entry in draws:
        record = draw_record_from_document(entry.draw)
        candidates = [expert_from_document(raw) for raw in entry.candidates]
        if isinstance(entry, AbandonedPanelDraw):
            vacated, reason = entry.abandoned.vacated, entry.abandoned.reason
            assert verify_abandoned_draw(record, candidates, leaving_id=vacated, reason=reason) == []
        else:
            assert verify_draw(record, candidates) == []
    return draws[-1].draw["exclusions"]


async def test_dispute_demo_pays_the_panels_split_through_the_escrow(stack):
    # a bank URL where nothing listens: the demo must pay in at the bank the API names
    told_only_the_api = stack.settings.model_copy(update={"bank_url": f"http://127.0.0.1:{free_port()}"})
    status, escrow_id, case_id = await drive_dispute_demo(told_only_the_api, str(stack.http.base_url))
    assert status == 0

    escrow_handle = stack.temporal.get_workflow_handle_for(EscrowWorkflow.run, escrow_workflow_id(escrow_id))
    escrow = await escrow_handle.query(EscrowWorkflow.snapshot)
    disputed = escrow.stages[0].amount_fen
    pay, refund = disputed * 60 // 100, disputed - disputed * 60 // 100  # the median of 50%, 60%, 70%
    assert escrow.disputes[0].status == "decided"
    ledger = escrow.ledger
    assert (ledger.released_fen, ledger.refunded_fen, ledger.pending_fen) == (pay, refund, 0)
    assert ledger.held_fen == ledger.deposited_fen - disputed
    statement = {
        e.idempotency_key.removeprefix(f"{escrow_id}:"): (e.kind, e.amount_fen)
        for e in await stack.bank.statement(escrow_id)
    }
    assert statement == {
        "deposit-1": ("deposit", ledger.deposited_fen),
        "dispute-1:pay": ("payout", pay),
        "dispute-1:refund": ("refund", refund),
    }

    # only the case's clock was fast-forwarded (10 + 2 + 14 + 15 days); the escrow kept real time
    case_handle = stack.temporal.get_workflow_handle(case_workflow_id(case_id))
    now = datetime.now(UTC)
    assert await stack.skipper.get_current_time(case_handle) > now + timedelta(days=40)
    assert abs(await stack.skipper.get_current_time(escrow_handle) - now) < timedelta(minutes=1)

    case, draws = await case_state(stack, case_id)
    assert (case.phase, case.escrow_id) == ("closed", escrow_id)
    assert case.outcome.source == "decision"
    assert (case.outcome.outcome, case.outcome.pay_fen, case.outcome.refund_fen) == (
        "split",
        pay,
        refund,
    )
    exclusions = check_draws(draws)
    pool = keystore(stack)
    conflicted = {
        pool[label]["expert_id"] for label, tie in RENOVATION_TIES.items() if tie.end_days_ago != 5 * 365
    }
    assert {e for e, reason in exclusions.items() if reason.startswith("conflict")} >= conflicted
    assert not exclusions.get(pool["R07"]["expert_id"], "").startswith("conflict")  # tie over 3 years ago
    assert set(case.rounds[-1].seats) <= {entry["expert_id"] for entry in pool.values()}
    await panel_reads_the_case_file(stack, case_id, pool, case.rounds[-1].seats)
    await published_with_evidence_counts(stack, case_id)


async def panel_reads_the_case_file(stack, case_id: str, pool: dict[str, dict], seats) -> None:
    """A seated expert, signed in with its own key, reads the case file the demo uploaded: the
    claim's two photos and three documents (a file named twice counts once), each thumbnail,
    the escrow's stage photo, and no GPS block in any photo it gets."""
    http = stack.http
    kept = next(entry for entry in pool.values() if entry["expert_id"] in seats)
    member = await KeptExpert(**kept).party(http).renew_token()
    case = read_case_snapshot((await http.get(f"/cases/{case_id}", headers=member.auth)).content)
    named = {digest for entry in case.evidence for digest in entry.hashes}
    metas = {d: (await http.get(f"/evidence/{d}/meta", headers=member.auth)).json() for d in named}
    assert Counter(meta["kind"] for meta in metas.values()) == {"photo": 2, "document": 3}
    escrow = (await http.get(f"/cases/{case_id}/escrow", headers=member.auth)).json()
    stage_photos = escrow["stages"][0]["last_request"]["files"]
    assert len(stage_photos) == 1
    photos = [d for d, meta in metas.items() if meta["kind"] == "photo"] + stage_photos
    for digest in photos:
        thumbnail = await http.get(f"/evidence/{digest}/thumbnail", headers=member.auth)
        assert thumbnail.status_code == 200 and thumbnail.headers["content-type"] == "image/jpeg"
        seen = await http.get(f"/evidence/{digest}", headers=member.auth)
        assert seen.status_code == 200
        assert not Image.open(io.BytesIO(seen.content)).getexif().get_ifd(IFD.GPSInfo)
    for digest in set(named) - set(photos):
        assert (await http.get(f"/evidence/{digest}", headers=member.auth)).content.startswith(b"%PDF-")


async def published_with_evidence_counts(stack, case_id: str) -> None:
    """The anonymised decision says how many files of each kind the panel had, never which."""

    async def published() -> list[dict]:
        return (await stack.http.get("/public/decisions.json")).json()

    decisions = await eventually(
        published, lambda found: any(d["case_id"] == case_id for d in found), "the decision published", 20.0
    )
    decision = next(d for d in decisions if d["case_id"] == case_id)
    assert decision["evidence"] == {"photo": 2, "document": 3}
    page = await stack.http.get("/public/decisions", params={"q": "membrane", "lang": "en"})
    assert "Evidence before the panel: 2 photos, 3 documents" in page.text
    assert "sha256:" not in json.dumps(decisions) and "sha256:" not in page.text


async def test_car_demo_ends_with_the_dealer_confirming_the_remedy_and_reuses_the_pool(stack):
    status, first_case = await drive_car_demo(stack.settings, str(stack.http.base_url))
    assert status == 0
    enrolled = keystore(stack)
    assert {label for label in enrolled if label.startswith("C")} == {f"C0{n}" for n in range(1, 9)}

    status, case_id = await drive_car_demo(stack.settings, str(stack.http.base_url))
    assert status == 0 and case_id != first_case
    assert keystore(stack) == enrolled  # the second run enrolled nobody: same experts, same keys

    case, draws = await case_state(stack, case_id)
    assert (case.phase, case.noncompliant) == ("closed", False)
    assert case.outcome.remedy == case.remedy_confirmed == "refund_or_replace"
    assert case.rounds[-1].countersigned and case.objection is None
    exclusions = check_draws(draws)
    for label in ("C07", "C08"):
        assert exclusions[enrolled[label]["expert_id"]].startswith("conflict")
    car_pool = {entry["expert_id"] for label, entry in enrolled.items() if label.startswith("C")}
    assert set(case.rounds[-1].seats) <= car_pool


async def test_car_demo_seats_only_its_own_experts_when_the_registry_holds_others(stack):
    """Experts whose keys the demo does not hold never declare: their seats pass to alternates."""
    council = await Party(stack.http, "council", "Guilin Consumer Council").register(
        enrolment_secret="test-council-secret"
    )
    outsiders = []
    for n in range(6):
        party = await Party(stack.http, "expert", f"Outside Expert {n}").register()
        body = {"name": party.name, "domain": "car", "specialties": ["transmission"], "party_id": party.id}
        created = await stack.http.post("/experts", json=body, headers=council.auth)
        assert created.status_code == 201, created.text
        outsiders.append(created.json()["expert_id"])
    try:
        status, case_id = await drive_car_demo(stack.settings, str(stack.http.base_url))
    finally:
        for expert_id in outsiders:
            await stack.http.post(f"/experts/{expert_id}/deactivation", headers=council.auth)
    assert status == 0

    case, draws = await case_state(stack, case_id)
    assert case.phase == "closed" and case.remedy_confirmed == "refund_or_replace"
    assert not set(case.rounds[-1].seats) & set(outsiders)
    check_draws(draws)
    for entry in draws:
        record = draw_record_from_document(entry.draw)
        candidates = [expert_from_document(raw) for raw in entry.candidates]
        first_seated = draw_panel(record.request, candidates, record.seed).panel
        left = {change.leaving_id: change.reason for change in record.replacements}
        if isinstance(entry, AbandonedPanelDraw):  # a draw given up: its last seat found no alternate
            left[entry.abandoned.vacated] = entry.abandoned.reason
        for expert_id in set(first_seated) & set(outsiders):
            assert left[expert_id] == "declaration_timed_out"
        assert set(left) <= set(outsiders)
