"""What the claim forms need: a party files a dispute case (`claim.file`, `POST /cases`) in the browser.

Two forms build one claim (static/claim_form.js) and are signed by static/steps.js like every
step: on the escrow page the owner or the contractor takes one of the escrow's open disputes
to the council, and on `/my/cases/new` a car buyer files against a dealer. The claim's
envelope is addressed to the respondent, not to the escrow the page is about, and is posted
with the claimant's token (the route knows the claimant by it).

Decision: an escrow's claim asks for exactly what the dispute holds (the escrow machine's
`disputed_fen`, which the snapshot carries per dispute): the escrow refuses any other amount,
so the form shows it and does not ask. A form appears only for a dispute still open with no
case; the escrow refuses a second case for it anyway (`case_already_filed`).
"""

from dataclasses import asdict, dataclass, field

from domain.escrow.snapshot import DisputeSnapshot, EscrowSnapshot
from domain.roles import Role
from expert_panels.registry import SPECIALTIES
from web.step_words import STEPS_JS_WORDS

# What the dialog names a claim's fields by; "items" has a claim's own word (see steps.js `label`).
CLAIM_FIELDS = (
    "respondent",  # what the dialog calls a claim's subject (the forms' data-subject-label)
    "domain",
    "main_specialty",
    "claim.file.items",
    "item_id",
    "description",
    "disputed_fen",
    "remedy_sought",
    "evidence",
    "escrow_id",
    "escrow_dispute",
)
CLAIM_WORDS = [
    *STEPS_JS_WORDS,
    "action.claim.file",
    *(f"field.{name}" for name in CLAIM_FIELDS),
    *(f"domain.{domain}" for domain in SPECIALTIES),
    *(f"specialty.{name}" for names in SPECIALTIES.values() for name in names),
    "error.claim_respondent",
    "error.claim_items",
    "error.claim_item_blank",
    "error.claim_remedy",
]


@dataclass
class FileableDispute(DisputeSnapshot):
    """An open dispute the reader may take to the council, with whom the claim is against."""

    respondent_id: str = field(kw_only=True)


def fileable_disputes(snapshot: EscrowSnapshot, role: Role | None) -> list[FileableDispute]:
    """The escrow's open disputes no case decides yet, each with its respondent: the other side.

    Only the owner and the contractor may file (a case is between them); others get none.
    """
    sides = {Role.OWNER: snapshot.contractor_id, Role.CONTRACTOR: snapshot.owner_id}
    if role not in sides:
        return []
    return [
        FileableDispute(**asdict(dispute), respondent_id=sides[role])
        for dispute in snapshot.disputes
        if dispute.status == "open" and dispute.case_id is None
    ]
