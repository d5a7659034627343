"""Which of their signed steps a claimant or respondent sees on their case page, and when.

The forms are signed in the browser by static/steps.js with the builders of
static/case_steps.js, as on the staff case pages. A form shows only for a step the case
declares open to this side (`open_actions`); the case machine still refuses anything out
of turn or out of time, so a page left open too long only earns a refusal in words.

Decisions:
- The evidence form offers both windows (first evidence, then replies to the other
  side's) with their deadlines, instead of choosing by the server's clock: the case's
  own clock (its timers) decides, and the machine answers `window_closed` if the reader
  picked a window that has shut.
- A settlement the other side has signed is offered as it stands ("agree to these
  terms"); proposing different terms stays possible until the decision is countersigned,
  as the machine allows.
- A car dealer's answer offers the defences of SAMR Order No. 43 (art. 32, art. 40) as boxes to
  tick, each with its article; a renovation's answer offers none (the machine refuses them).
- The claimant may withdraw the case while the case declares `case.withdraw` open to them
  (until a decision is countersigned). For a case deciding an escrow's dispute the form also signs the
  claimant's `dispute.withdraw` for that escrow, nested in the case step as the council's
  enforcement nests its `dispute.decide`, so one confirmation ends both.
"""

from typing import Any

from domain.case.machine import CAR_REMEDIES
from domain.case.outcomes import confirmed_remedy
from domain.case.snapshot import CaseSnapshot
from domain.case.steps import DEFENCES, MAX_EXTENSION_WORKING_DAYS
from domain.case.terms import CAR
from web.case_views import steps_open_to
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
    "mediation.extend",
)
PARTY_STEP_FIELDS = (
    "action",
    "case_id",
    "signer",
    "text",
    "evidence",
    "note",
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
    "working_days",
    "defences",
)
PARTY_STEP_WORDS = [
    *STEPS_JS_WORDS,
    *(f"action.{action}" for action in PARTY_STEP_ACTIONS),
    *(f"field.{name}" for name in PARTY_STEP_FIELDS),
    "field.settlement.sign.pay_fen",  # a case's parties are a business and a consumer, not an escrow's
    "field.settlement.sign.refund_fen",
    *(f"decision.remedy.{remedy}" for remedy in sorted(CAR_REMEDIES)),
    *(f"defence.{defence}" for defence in DEFENCES),  # the answer's dialog names the defences raised
    "error.answer_required",
    "error.evidence_required",
    "error.reason_required",
    "error.settlement_exceeds",
    "error.report_required",
    "error.working_days",
]


def party_forms(case: CaseSnapshot, party_id: str, side: str) -> dict[str, Any]:
    """The step forms this side sees: one for each step the case declares open to them now, with
    what the form needs to render."""
    steps = steps_open_to(case, party_id, side)
    current, settlement = case.current_round, case.settlement
    forms: dict[str, Any] = {
        # a car dealer's answer may raise the defences of Order No. 43 (arts. 32 and 40)
        "answer": {"defences": DEFENCES if case.domain == CAR else ()} if "answer.submit" in steps else None,
        "strike": sorted(current.seats) if current and "strike.submit" in steps else None,
        "evidence": "evidence.submit" in steps,
        "inspection": "inspection.sign" in steps,
        "objection": "decision.object" in steps,
        "remedy": confirmed_remedy(case.domain, case.outcome)
        if case.outcome and "remedy.confirm" in steps
        else None,
        "withdraw": "case.withdraw" in steps,
        # the most working days one extension of the mediation period may add
        "extend": MAX_EXTENSION_WORKING_DAYS if "mediation.extend" in steps else None,
    }
    if "settlement.sign" in steps:
        forms["settlement"] = {
            "proposed": settlement if settlement and side not in settlement.signed_by else None,
            "mine": settlement if settlement and side in settlement.signed_by else None,
            "remedies": sorted(CAR_REMEDIES) if case.domain == CAR else None,
        }
    return {name: shown for name, shown in forms.items() if shown}
