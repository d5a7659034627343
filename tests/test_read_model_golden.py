"""The read model's JSON, pinned byte for byte: what `GET /escrows/{id}` and `GET /cases/{id}` answer
and what the projections store as `summary_json`.

Each scenario drives a machine down a long path and keeps the snapshot's JSON after every step. Keys and
signatures are generated afresh on every run, so every long key-like string (public keys, signatures,
trail hashes) is replaced by a placeholder numbered by first appearance: the structure, the key order,
every number, every timestamp and every word stay pinned. Record anew, after an intended change only,
with `GOLDEN_RECORD=1 pytest tests/test_read_model_golden.py`.
"""

import json
import os
import re
from collections.abc import Callable
from dataclasses import is_dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter

from domain.steps.files import file_hash
from tests.kits.dispute_kit import CAR, CaseKit
from tests.kits.machine_kit import DEFECT, Kit, decision

GOLDEN = Path(__file__).parent / "golden"
VOLATILE = re.compile(r"^(sha256:)?[A-Za-z0-9+/=_-]{40,}$")


def read_model_json(snapshot: Any) -> str:
    """The bytes the API answers with: a typed snapshot is made JSON by pydantic, as FastAPI makes a
    `response_model`, then encoded as Starlette's JSONResponse does."""
    if is_dataclass(snapshot) and not isinstance(snapshot, type):
        snapshot = TypeAdapter(type(snapshot)).dump_python(snapshot, mode="json")
    return json.dumps(snapshot, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def stable(text: str) -> str:
    names: dict[str, str] = {}

    def name(value: Any) -> Any:
        if isinstance(value, str) and VOLATILE.match(value):
            return names.setdefault(value, f"<volatile-{len(names) + 1}>")
        if isinstance(value, dict):
            return {name(k): name(v) for k, v in value.items()}
        if isinstance(value, list):
            return [name(v) for v in value]
        return value

    return json.dumps(name(json.loads(text)), ensure_ascii=False, separators=(",", ":"))


class Recorder:
    def __init__(self, snapshot: Callable[[], Any]) -> None:
        self.snapshot = snapshot
        self.lines: list[str] = []

    def __call__(self, label: str) -> None:
        self.lines.append(label + "\t" + stable(read_model_json(self.snapshot())))


# ----------------------------------------------------------------- escrow scenarios
def escrow_through_warranty(record: Recorder, kit: Kit) -> None:
    record("created")
    kit.sign_contract()
    record("signed")
    kit.deposit(kit.m.contract_total_fen)
    record("funded")
    wall = file_hash(b"kitchen wall")
    items = [{"note": "厨房墙面瓷砖", "files": [wall]}]
    request = {"stage": 1, "note": "水电完工", "evidence": [file_hash(b"stage 1")], "items": items}
    kit.step("contractor", "inspection.request", request)
    record("stage 1 inspection requested")
    kit.report(1, "fail", [{**DEFECT, "photos": [wall]}])
    record("stage 1 failed")
    report_hash = kit.inspected(1)
    record("stage 1 passed")
    door = {"item": "door", "description": "门缝 4 mm", "amount_fen": 2_000}
    kit.step(
        "owner",
        "stage.accept_partial",
        {"stage": 1, "pay_fen": 28_000, "holdbacks": [door], "report_hash": report_hash},
    )
    record("stage 1 accepted in part")
    kit.settle()
    record("stage 1 paid")
    kit.step("owner", "holdback.release", {"stage": 1, "items": ["door"], "amount_fen": 2_000})
    kit.settle()
    record("holdback released")
    plan = kit.change_payload([20_000, 20_000, 10_000], retention=5_000)
    kit.step("owner", "change_order.sign", plan)
    record("change proposed")
    kit.step("contractor", "change_order.sign", plan)
    kit.settle()
    record("change applied")
    kit.inspected(2)
    kit.dispute("owner", [2])
    record("stage 2 disputed")
    kit.decide(1, "split", pay_fen=12_000, refund_fen=8_000)
    record("dispute decided")
    kit.settle()
    kit.pass_stage(3)
    kit.pass_stage(4)
    record("works done")
    kit.step(
        "owner",
        "warranty.claim",
        {"description": "bathroom leak", "amount_fen": 2_000, "evidence": [file_hash(b"leak")]},
    )
    record("claim filed")
    kit.tick(timedelta(days=730))
    kit.settle()
    record("warranty expired")
    kit.step("owner", "warranty.withdraw", {"claim": 1})
    kit.settle()
    record("closed")


def escrow_cancelled_by_one_side(record: Recorder, kit: Kit) -> None:
    kit.fund()
    kit.pass_stage(1)
    kit.request(2)
    record("inspection requested")
    kit.tick(timedelta(days=4))
    record("inspector late")
    kit.step("owner", "cancel.sign", {"reason": "the crew stopped coming"})
    record("cancellation asked")
    kit.run_to(kit.m.cancellation.answer_due)
    record("cancellation disputed")
    kit.step(
        "council", "dispute.decide", decision(1, "refund", refund_fen=kit.m.disputed_fen(kit.m.disputes[0]))
    )
    kit.settle()
    record("refunded")


def escrow_owner_silent(record: Recorder, kit: Kit) -> None:
    kit.fund()
    kit.inspected(1)
    record("awaiting acceptance")
    kit.tick(timedelta(days=8))
    record("silence escalated")


# ------------------------------------------------------------------- case scenarios
def decided_round(record: Recorder, kit: CaseKit, proposals: list[int | None], **summary: Any) -> None:
    seats = kit.form_panel()
    record("panel formed")
    kit.step("claimant", "evidence.submit", {"evidence": [file_hash(b"photos")], "note": "闭水试验照片"})
    kit.tick(timedelta(days=14))
    record("voting")
    kit.vote(dict(zip(seats, proposals, strict=True)))
    record("voted")
    chair = kit.m.round.draw.chair
    kit.step(chair, "decision.summarise", {"summary": "地面渗水；瓷砖无问题", **summary})
    record("summarised")
    decision_hash = kit.m.round.decision_hash
    for expert_id in seats:
        kit.step(expert_id, "decision.sign", {"decision_hash": decision_hash})
    kit.step("council", "decision.countersign", {"decision_hash": decision_hash})
    record("decision signed")


def renovation_case_appealed(record: Recorder, kit: CaseKit) -> None:
    record("filed")
    kit.to_draw()
    record("to draw")
    decided_round(record, kit, [600_000, 400_000, 500_000], outcome="split")
    kit.step("respondent", "decision.object", {"reason": "the panel ignored the moisture readings"})
    record("objected")
    kit.draw(seed="appeal")
    record("appeal drawn")


def car_case_not_confirmed(record: Recorder, kit: CaseKit) -> None:
    kit.to_draw()
    decided_round(record, kit, [None, None, None], remedy="refund_or_replace")
    kit.tick(timedelta(days=15))
    record("enforcement")
    kit.tick(timedelta(days=15))
    record("closed, not confirmed")


def settled_case(record: Recorder, kit: CaseKit) -> None:
    kit.step("council", "case.accept", {})
    record("accepted")
    offer = kit.settlement(300_000, 700_000)
    kit.step("respondent", "settlement.sign", offer)
    record("one signature")
    kit.step("claimant", "settlement.sign", offer)
    record("settled")


def escrow_kit() -> Kit:
    return Kit()


def renovation_kit() -> CaseKit:
    return CaseKit()


def car_kit() -> CaseKit:
    return CaseKit(CAR)


SCENARIOS: dict[str, tuple[Callable[[], Any], Callable[[Recorder, Any], None]]] = {
    "escrow_through_warranty": (escrow_kit, escrow_through_warranty),
    "escrow_cancelled_by_one_side": (escrow_kit, escrow_cancelled_by_one_side),
    "escrow_owner_silent": (escrow_kit, escrow_owner_silent),
    "case_renovation_appealed": (renovation_kit, renovation_case_appealed),
    "case_car_not_confirmed": (car_kit, car_case_not_confirmed),
    "case_settled": (renovation_kit, settled_case),
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_the_read_model_json_is_unchanged(name: str) -> None:
    make_kit, scenario = SCENARIOS[name]
    kit = make_kit()
    record = Recorder(kit.m.snapshot)
    scenario(record, kit)
    got = "\n".join(record.lines) + "\n"
    path = GOLDEN / f"{name}.jsonl"
    if os.environ.get("GOLDEN_RECORD"):
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(got, encoding="utf-8")
    expected = path.read_text(encoding="utf-8").splitlines()
    for line, want in zip(record.lines, expected, strict=True):
        assert line == want, f"{name}: the read model changed at step '{line.split(chr(9))[0]}'"
