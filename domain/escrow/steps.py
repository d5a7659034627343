"""The escrow's signed steps, each declared once (see domain/steps/spec.py for what derives from it).

A payload's fields are declared in the order the machine reads them, so a payload wrong in
two places is refused for the same one as always; a default is what the machine acts on
when the field is absent.

A payload model is named for its action, except where the read model already has a type of that
name (the recorded inspection request and report, an item's evidence, the filed warranty claim, a
defect, a holdback): there the
payload's name ends in `Payload`, so the OpenAPI document names each type once
(tests/test_step_routes.py checks no schema is split into -Input and -Output).
"""

from typing import Annotated, Any

from pydantic import StrictInt

from domain.roles import Role
from domain.steps.fields import (
    Count,
    Fen,
    Flag,
    Number,
    Objects,
    OneOf,
    PositiveFen,
    StageNumbers,
    StepPayload,
    Text,
    Texts,
)
from domain.steps.files import Files
from domain.steps.spec import StepSpec, rule_table

SIDES = frozenset({Role.OWNER, Role.CONTRACTOR})
OWNER = frozenset({Role.OWNER})


class ContractSign(StepPayload):
    terms_hash: Text


class ItemEvidencePayload(StepPayload):
    """One item the contractor points the inspector to: what to look at, and its photos."""

    note: Text
    files: Files = []


class InspectionRequestPayload(StepPayload):
    stage: Number
    evidence: Files = []  # photos of the stage as a whole
    note: Text = "-"
    items: Objects[ItemEvidencePayload] = []


class DefectPayload(StepPayload):
    description: Text
    location: Text
    cost_estimate_fen: Fen
    photos: Files = []  # the photos that show this defect


class InspectionReportPayload(StepPayload):
    stage: Number
    round: StrictInt  # from 1, checked once the stage is known to be under inspection
    result: Annotated[Text, OneOf("pass", "fail")]
    defects: Objects[DefectPayload] = []
    report_hash: Text
    files: Files = []  # the report itself and anything else the inspector attaches


class StageAccept(StepPayload):
    stage: Number
    report_hash: Text
    amount_fen: PositiveFen


class HoldbackPayload(StepPayload):
    item: Text
    description: Text
    amount_fen: PositiveFen


class StageAcceptPartial(StepPayload):
    stage: Number
    report_hash: Text
    pay_fen: PositiveFen
    holdbacks: Objects[HoldbackPayload]


class HoldbackRelease(StepPayload):
    stage: Number
    items: Texts
    amount_fen: PositiveFen


class StagePlan(StepPayload):
    name: Text
    amount_fen: PositiveFen


class ChangeOrderSign(StepPayload):
    change_no: Number
    from_stage: Number
    stages: Objects[StagePlan]
    retention_fen: Fen
    plan_hash: Text


class CancelSign(StepPayload):
    reason: Text = "mutual cancellation"


class DisputeRaise(StepPayload):
    stages: StageNumbers = []
    include_retention: Flag = False
    reason: Text
    evidence: Files = []


class DisputeDecide(StepPayload):
    dispute: Number
    outcome: Annotated[Text, OneOf("split", "rework", "refund")]
    reasons: Text
    decision_hash: Text
    pay_fen: Fen = 0
    refund_fen: Fen = 0
    rework_days: Count = 0


class DisputeWithdraw(StepPayload):
    dispute: Number
    case_id: Text


class WarrantyClaimPayload(StepPayload):
    amount_fen: PositiveFen
    description: Text
    evidence: Files = []


class WarrantyWithdraw(StepPayload):
    claim: Number


CONTRACT_SIGN = StepSpec(
    "contract.sign",
    SIDES,
    ContractSign,
    "Owner or contractor signs the contract terms",
    "/contract/signatures",
)
INSPECTION_REQUEST = StepSpec(
    "inspection.request",
    frozenset({Role.CONTRACTOR}),
    InspectionRequestPayload,
    "Contractor asks for the stage to be inspected",
    "/stages/{number}/inspection-requests",
    "stage",
)
INSPECTION_REPORT = StepSpec(
    "inspection.report",
    frozenset({Role.INSPECTOR}),
    InspectionReportPayload,
    "Inspector records a signed pass or fail with itemised defects",
    "/stages/{number}/inspection-reports",
    "stage",
)
STAGE_ACCEPT = StepSpec(
    "stage.accept",
    OWNER,
    StageAccept,
    "Owner accepts the stage: release it in full",
    "/stages/{number}/acceptance",
    "stage",
)
STAGE_ACCEPT_PARTIAL = StepSpec(
    "stage.accept_partial",
    OWNER,
    StageAcceptPartial,
    "Owner accepts the stage with an itemised holdback",
    "/stages/{number}/partial-acceptance",
    "stage",
)
HOLDBACK_RELEASE = StepSpec(
    "holdback.release",
    OWNER,
    HoldbackRelease,
    "Owner signs off held-back defects: release those amounts",
    "/stages/{number}/holdback-releases",
    "stage",
)
CHANGE_ORDER_SIGN = StepSpec(
    "change_order.sign", SIDES, ChangeOrderSign, "Propose or countersign a new stage plan", "/change-orders"
)
CANCEL_SIGN = StepSpec(
    "cancel.sign",
    SIDES,
    CancelSign,
    "Sign a mutual cancellation: accepted work paid, the rest refunded",
    "/cancellation",
)
DISPUTE_RAISE = StepSpec(
    "dispute.raise",
    SIDES,
    DisputeRaise,
    "Owner or contractor raises a dispute, freezing those releases",
    "/disputes",
)
DISPUTE_DECIDE = StepSpec(
    "dispute.decide",
    frozenset({Role.COUNCIL}),
    DisputeDecide,
    "The council's signed final decision, enforced through the bank",
    "/disputes/{number}/decision",
    "dispute",
)
# No route: it reaches the escrow only from the case it names, signed by that case's claimant.
DISPUTE_WITHDRAW = StepSpec(
    "dispute.withdraw", SIDES, DisputeWithdraw, "The claimant of a case withdraws it, and this dispute"
)
WARRANTY_CLAIM = StepSpec(
    "warranty.claim",
    OWNER,
    WarrantyClaimPayload,
    "Owner files a warranty claim against the retention",
    "/warranty-claims",
)
WARRANTY_WITHDRAW = StepSpec(
    "warranty.withdraw",
    OWNER,
    WarrantyWithdraw,
    "Owner withdraws a warranty claim once the defect is fixed",
    "/warranty-claims/{number}/withdrawal",
    "claim",
)

ESCROW_STEPS: tuple[StepSpec[Any], ...] = (
    CONTRACT_SIGN,
    INSPECTION_REQUEST,
    INSPECTION_REPORT,
    STAGE_ACCEPT,
    STAGE_ACCEPT_PARTIAL,
    HOLDBACK_RELEASE,
    CHANGE_ORDER_SIGN,
    CANCEL_SIGN,
    DISPUTE_RAISE,
    DISPUTE_DECIDE,
    DISPUTE_WITHDRAW,
    WARRANTY_CLAIM,
    WARRANTY_WITHDRAW,
)
ESCROW_RULES = rule_table(ESCROW_STEPS)
