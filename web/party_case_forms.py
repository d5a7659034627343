"""Which of their signed steps a claimant or respondent sees on their case page, and when.

The forms are signed in the browser by static/steps.js with the builders of
static/case_steps.js, as on the staff case pages. A form shows only when the case waits
for (or is open to) this side's step; the case machine still refuses anything out of
turn or out of time, so a page left open too long only earns a refusal in words.

Decisions:
- The evidence form offers both windows (first evidence, then replies to the other
  side's) with their deadlines, instead of choosing by the server's clock: the case's
  own clock (its timers) decides, and the machine answers `window_closed` if the reader
  picked a window that has shut.
- A settlement the other side has signed is offered as it stands ("agree to these
  terms"); proposing different terms stays possible until the decision is countersigned,
  as the machine allows.
- The claimant may withdraw the case while the machine allows it (WITHDRAWABLE, and no
  objection lodged). For a case deciding an escrow's dispute the form also signs the
  claimant's `dispute.withdraw` for that escrow, nested in the case step as the council's
  enforcement nests its `dispute.decide`, so one confirmation ends both.
"""

from typing import Any

from domain.case.machine import CAR_REMEDIES, SETTLEABLE, WITHDRAWABLE
from domain.case.snapshot import CaseSnapshot
from domain.case.state import CasePhase
from domain.case.terms import CAR
from web.case_views import inspection_awaits
from web.step_words import STEPS_JS_WORDS

PARTY_STEP_ACTIONS = (
    "answer.submit",
    "settlement.sign",
    "strike.submit",
    "evidence.submit",
    "decision.object",
    "remedy.confirm",
    "inspection.sign",
    "case.withdraw",
    "dispute.withdraw",  # the escrow step a withdrawal carries
)
PARTY_STEP_FIELDS = (
    "action",
    "case_id",
    "signer",
    "answer_hash",
    "evidence",
    "settlement_hash",
    "pay_fen",
    "refund_fen",
    "remedy",
    "expert_id",
    "reason",
    "reply",
    "report_hash",
    "escrow_step",
    "dispute",
)
PARTY_STEP_WORDS = [
    *STEPS_JS_WORDS,
    *(f"action.{action}" for action in PARTY_STEP_ACTIONS),
    *(f"field.{name}" for name in PARTY_STEP_FIELDS),
    "field.settlement.sign.pay_fen",  # a case's parties are a business and a consumer, not an escrow's
    "field.settlement.sign.refund_fen",
    *(f"decision.remedy.{remedy}" for remedy in sorted(CAR_REMEDIES)),
    "error.answer_required",
    "error.evidence_required",
    "error.reason_required",
    "error.settlement_exceeds",
    "error.report_required",
]


def side_of(case: CaseSnapshot, party_id: str) -> str | None:
    """The reader's side in the case: "claimant", "respondent", or None when neither."""
    if party_id == case.claimant_id:
        return "claimant"
    if party_id == case.respondent_id:
        return "respondent"
    return None


def party_steps(case: CaseSnapshot, side: str) -> dict[str, Any]:
    """The step forms this side sees now, each with what it needs to render."""
    phase, current = case.phase, case.current_round
    steps: dict[str, Any] = {}
    if phase == CasePhase.ANSWER and side == "respondent":
        steps["answer"] = True
    if phase in SETTLEABLE:
        settlement = case.settlement
        steps["settlement"] = {
            "proposed": settlement if settlement and side not in settlement.signed_by else None,
            "mine": settlement if settlement and side in settlement.signed_by else None,
            "remedies": sorted(CAR_REMEDIES) if case.domain == CAR else None,
        }
    if phase == CasePhase.PANEL and current and side not in current.strikes:
        steps["strike"] = sorted(current.seats)
    if phase == CasePhase.EVIDENCE and current and not current.paused_at:
        steps["evidence"] = True
    if inspection_awaits(case, side):
        steps["inspection"] = True
    if phase == CasePhase.OBJECTION and case.objection is None:
        steps["objection"] = True
    if (
        phase == CasePhase.ENFORCEMENT
        and case.domain == CAR
        and side == "respondent"
        and not case.remedy_confirmed
        and case.outcome is not None
    ):
        steps["remedy"] = case.outcome.remedy
    if side == "claimant" and phase in WITHDRAWABLE and case.objection is None:
        steps["withdraw"] = True
    return {name: shown for name, shown in steps.items() if shown}
