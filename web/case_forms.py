"""What the signed case-step forms on the council's and experts' case pages need.

The forms are signed in the browser by static/steps.js (the confirmation dialog, signing,
posting) with the payload builders of static/case_steps.js; the server only decides which
form a reader sees and renders what will be signed. Which form: one for each step the case
declares open to the reader (`open_actions`), never otherwise; the machine still refuses any
step out of turn, so a stale page only earns a refusal.

Decision: the chair's summary form shows the decision the revealed votes make (the same
`aggregate` the machine applies when the summary is signed) and offers only the outcomes
the machine accepts for it (`domain.case.machine.summary_choices`, the rule it checks with).
For a car claim that states its facts it preselects the statutory remedy and asks for the
panel's reasons only when the chair picks another (`departure_reason`, as the machine requires).
"""

from domain.case.machine import CAR_REMEDIES, RENOVATION_OUTCOMES
from domain.case.snapshot import CaseSnapshot
from domain.case.terms import REJECTION_GROUNDS
from expert_panels.votes import Decision, aggregate
from web.step_words import STEPS_JS_WORDS

# The words steps.js shows in the confirmation dialog of a case step, and case_steps.js's refusals.
CASE_STEP_ACTIONS = (
    "case.accept",
    "case.reject",
    "declaration.sign",
    "decision.summarise",
    "decision.sign",
    "decision.countersign",
    "enforcement.submit",
    "dispute.decide",
    "clock.pause",
    "clock.resume",
    "inspection.sign",
)
CASE_STEP_FIELDS = (
    "action",
    "case_id",  # what the dialog calls the envelope's subject here (the pages' data-subject-label)
    "signer",
    "note",
    "reasons",
    "grounds",
    "independent",
    "reason",
    "summary",
    "outcome",
    "rework_days",
    "remedy",
    "departure_reason",
    "decision_hash",
    "dissent",
    "escrow_step",
    "dispute",
    "pay_fen",
    "refund_fen",
    "note",
    "report_hash",
)
CASE_STEP_WORDS = [
    *STEPS_JS_WORDS,
    *(f"action.{action}" for action in CASE_STEP_ACTIONS),
    *(f"field.{name}" for name in CASE_STEP_FIELDS),
    *(f"decision.outcome.{outcome}" for outcome in sorted(RENOVATION_OUTCOMES)),
    *(f"decision.remedy.{remedy}" for remedy in sorted(CAR_REMEDIES)),
    *(f"ground.{ground}" for ground in REJECTION_GROUNDS),  # the dialog names the grounds signed
    "error.reasons_required",
    "error.decline_reason",
    "error.summary_required",
    "error.rework_days",
    "error.reason_required",
    "error.report_required",
    "error.departure_reason_required",
]


def panel_decision(case: CaseSnapshot) -> Decision | None:
    """The decision the current round's revealed votes make, once every member has revealed."""
    current = case.current_round
    chair = current.chair if current else None
    if not current or chair is None or set(current.reveals) != set(current.seats):
        return None
    return aggregate(dict(current.reveals), case.disputed_fen, chair)
