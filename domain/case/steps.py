"""A case's signed steps, each declared once (see domain/steps/spec.py for what derives from it),
and the signed claim that files a case.

A payload's fields are declared in the order the machine reads them, so a payload wrong in
two places is refused for the same one as always; a default is what the machine acts on
when the field is absent. A field the machine requires, or limits to options, only in some
cases (a car case's remedy, a renovation's outcome, the escrow step of a case that decides
an escrow's dispute) is optional here and read with domain/steps/payloads.py.
"""

from typing import Annotated, Any

from pydantic import Field, StrictStr

from domain.case.terms import CAR, REJECTION_GROUNDS, RENOVATION
from domain.roles import Role
from domain.steps.fields import (
    AnyText,
    Count,
    Document,
    Fen,
    Flag,
    MaybeDocument,
    MaybeNumber,
    MaybeText,
    Number,
    Objects,
    OneOf,
    StepPayload,
    Text,
)
from domain.steps.files import Files
from domain.steps.spec import StepSpec, rule_table
from expert_panels.car_remedy import Defence

COUNCIL = frozenset({Role.COUNCIL})
EXPERT = frozenset({Role.EXPERT})
PARTIES = frozenset({Role.CLAIMANT, Role.RESPONDENT})
DEFENCES = tuple(defence.value for defence in Defence)  # what a car dealer may raise in its answer


class CaseAccept(StepPayload):
    note: Text = "accepted"


# Each extension of the mediation period both parties sign adds at most this many working days.
MAX_EXTENSION_WORKING_DAYS = 30


class CaseReject(StepPayload):
    reasons: Text
    # the grounds of SAMR Order No. 20 art. 15 it rests on (domain/case/terms.py), each named once
    grounds: Annotated[
        list[Annotated[StrictStr, OneOf(*REJECTION_GROUNDS)]], Field(max_length=len(REJECTION_GROUNDS))
    ] = []


class AnswerSubmit(StepPayload):
    text: Text  # the answer itself, signed as written
    evidence: Files = []
    # a car case's only: the business's defences of SAMR Order No. 43 (art. 32, and art. 40's
    # not_household_use), raised not proved, each named once (expert_panels/car_remedy.py Defence)
    defences: Annotated[list[Annotated[StrictStr, OneOf(*DEFENCES)]], Field(max_length=len(DEFENCES))] = []


class SettlementSign(StepPayload):
    pay_fen: Fen
    refund_fen: Fen
    remedy: MaybeText = None  # one of the car remedies in a car case; any text (or none) otherwise
    settlement_hash: Text


class StrikeSubmit(StepPayload):
    expert_id: Text
    reason: Text


class DeclarationSign(StepPayload):
    independent: Flag
    reason: Text = "declared independent"


class EvidenceSubmit(StepPayload):
    reply: Flag = False
    evidence: Files
    note: AnyText = ""  # what the files show, for the panel


class InspectionSign(StepPayload):
    report_hash: Text


class ClockPause(StepPayload):
    reason: Text


class ClockResume(StepPayload):
    note: Text = "resumed"


class VoteCommit(StepPayload):
    commitment: Text


class VoteReveal(StepPayload):
    opinion: Document
    salt: Text


class DecisionSummarise(StepPayload):
    summary: Text
    remedy: MaybeText = None  # a car case's remedy, one of the car remedies
    outcome: MaybeText = None  # a renovation's outcome: split, refund or rework
    rework_days: Count = 0
    departure_reason: MaybeText = None  # only when the remedy departs from the statutory one


class DecisionSign(StepPayload):
    decision_hash: Text
    dissent: AnyText = ""


class DecisionCountersign(StepPayload):
    decision_hash: Text


class DecisionObject(StepPayload):
    reason: Text


class EnforcementSubmit(StepPayload):
    escrow_step: Document


class RemedyConfirm(StepPayload):
    remedy: Text


class CaseWithdraw(StepPayload):
    reason: Text
    escrow_step: MaybeDocument = None  # the claimant's signed `dispute.withdraw`, when there is an escrow


class MediationExtend(StepPayload):
    working_days: Annotated[Number, Field(le=MAX_EXTENSION_WORKING_DAYS)]


CASE_ACCEPT = StepSpec("case.accept", COUNCIL, CaseAccept, "The council accepts the case", "/acceptance")
CASE_REJECT = StepSpec(
    "case.reject", COUNCIL, CaseReject, "The council rejects the case, with reasons", "/rejection"
)
ANSWER_SUBMIT = StepSpec(
    "answer.submit", frozenset({Role.RESPONDENT}), AnswerSubmit, "The respondent answers the claim", "/answer"
)
SETTLEMENT_SIGN = StepSpec(
    "settlement.sign",
    PARTIES,
    SettlementSign,
    "Either party proposes or countersigns a settlement",
    "/settlement-signatures",
)
STRIKE_SUBMIT = StepSpec(
    "strike.submit", PARTIES, StrikeSubmit, "A party strikes one panel member, with a reason", "/strikes"
)
DECLARATION_SIGN = StepSpec(
    "declaration.sign",
    EXPERT,
    DeclarationSign,
    "A drawn expert declares independence, or declines",
    "/declarations",
)
EVIDENCE_SUBMIT = StepSpec(
    "evidence.submit",
    PARTIES,
    EvidenceSubmit,
    "A party submits evidence or a reply: uploaded files, with a note",
    "/evidence",
)
INSPECTION_SIGN = StepSpec(
    "inspection.sign",
    PARTIES | EXPERT,
    InspectionSign,
    "Parties and chair sign the joint site report",
    "/site-inspection-signatures",
)
CLOCK_PAUSE = StepSpec(
    "clock.pause",
    COUNCIL,
    ClockPause,
    "The council pauses the clock for lab tests or a teardown",
    "/clock-pauses",
)
CLOCK_RESUME = StepSpec(
    "clock.resume", COUNCIL, ClockResume, "The council restarts the clock", "/clock-resumptions"
)
VOTE_COMMIT = StepSpec(
    "vote.commit", EXPERT, VoteCommit, "A panel member commits to a hashed opinion", "/vote-commitments"
)
VOTE_REVEAL = StepSpec(
    "vote.reveal", EXPERT, VoteReveal, "A panel member reveals the opinion and its salt", "/vote-reveals"
)
DECISION_SUMMARISE = StepSpec(
    "decision.summarise",
    EXPERT,
    DecisionSummarise,
    "The chair writes the plain-language summary",
    "/decision-summary",
)
DECISION_SIGN = StepSpec(
    "decision.sign",
    EXPERT,
    DecisionSign,
    "A panel member signs the decision, dissent noted",
    "/decision-signatures",
)
DECISION_COUNTERSIGN = StepSpec(
    "decision.countersign",
    COUNCIL,
    DecisionCountersign,
    "The council countersigns the decision",
    "/decision-countersignature",
)
DECISION_OBJECT = StepSpec(
    "decision.object",
    PARTIES,
    DecisionObject,
    "A party objects: one appeal to a larger panel",
    "/objections",
)
ENFORCEMENT_SUBMIT = StepSpec(
    "enforcement.submit",
    COUNCIL,
    EnforcementSubmit,
    "The council's signed escrow decision, to be paid out",
    "/enforcement",
)
REMEDY_CONFIRM = StepSpec(
    "remedy.confirm",
    frozenset({Role.RESPONDENT}),
    RemedyConfirm,
    "The dealer confirms the decided remedy",
    "/remedy-confirmation",
)
CASE_WITHDRAW = StepSpec(
    "case.withdraw",
    frozenset({Role.CLAIMANT}),
    CaseWithdraw,
    "The claimant withdraws the case (and its escrow dispute)",
    "/withdrawal",
)
MEDIATION_EXTEND = StepSpec(
    "mediation.extend",
    PARTIES,
    MediationExtend,
    "Either party signs an extension of the mediation period; both must sign it",
    "/mediation-extensions",
)

CASE_STEPS: tuple[StepSpec[Any], ...] = (
    CASE_ACCEPT,
    CASE_REJECT,
    ANSWER_SUBMIT,
    SETTLEMENT_SIGN,
    STRIKE_SUBMIT,
    DECLARATION_SIGN,
    EVIDENCE_SUBMIT,
    INSPECTION_SIGN,
    CLOCK_PAUSE,
    CLOCK_RESUME,
    VOTE_COMMIT,
    VOTE_REVEAL,
    DECISION_SUMMARISE,
    DECISION_SIGN,
    DECISION_COUNTERSIGN,
    DECISION_OBJECT,
    ENFORCEMENT_SUBMIT,
    REMEDY_CONFIRM,
    CASE_WITHDRAW,
    MEDIATION_EXTEND,
)
CASE_RULES = rule_table(CASE_STEPS)


class ClaimItem(StepPayload):
    item_id: Text
    description: Text


class ClaimFile(StepPayload):
    """The signed claim that files a case (`claim.file`), read by the API before any case exists."""

    domain: Annotated[Text, OneOf(RENOVATION, CAR)]
    items: Objects[ClaimItem]
    main_specialty: Text  # one of the domain's specialties (expert_panels/registry.py)
    disputed_fen: Fen
    remedy_sought: Text
    car_facts: MaybeDocument = None  # a car claim's facts (expert_panels/car_claim.py)
    evidence: Files = []
    escrow_id: MaybeText = None
    escrow_dispute: MaybeNumber = None  # required with escrow_id
    known_since: MaybeText = None  # YYYY-MM-DD: when the claimant knew or should have known of the harm
