"""What the claim forms need: a party files a dispute case (`claim.file`, `POST /cases`) in the browser.

Two forms build one claim (static/claim_form.js) and are signed by static/steps.js like every
step: on the escrow page the owner or the contractor takes one of the escrow's open disputes
to the council, and on `/my/cases/new` a car buyer files against a dealer. The claim's
envelope is addressed to the respondent, not to the escrow the page is about, and is posted
with the claimant's token (the route knows the claimant by it).

Decision: an escrow's claim asks for exactly what the dispute holds (the escrow machine's
`disputed_fen`, which the snapshot carries per dispute): the escrow refuses any other amount,
so the form shows it and does not ask. A form appears only for a dispute the escrow machine
declares the reader may take to the council (its `claim.file` open action, `ref` "dispute-N"):
one still open with no case.
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
    """The disputes the machine says the reader may take to the council (`claim.file`), each with
    its respondent: the other side, who the machine says may file it too (a case is between them).
    """
    filing = [a for a in snapshot.open_actions if a.action == "claim.file"]
    mine = {a.ref for a in filing if a.role == role}
    against = {a.ref: a.party_id for a in filing if a.role != role and a.party_id is not None}
    return [
        FileableDispute(**asdict(dispute), respondent_id=against[ref])
        for dispute in snapshot.disputes
        if (ref := f"dispute-{dispute.number}") in mine and ref in against
    ]
