"""What the public record is computed from: plain facts read from the read models.

The store builds these from `escrow_projection`, `case_projection`, the audit trail
(each signed step's timestamp is the workflow's own clock) and `projection_milestone`
(the first projection that saw a release or a conclusion, on the workflow's clock).
"""

from dataclasses import dataclass, field
from datetime import datetime

from domain.case.snapshot import CaseSnapshot
from domain.escrow.snapshot import EscrowSnapshot
from domain.roles import VERIFIED_ROLES


@dataclass(frozen=True)
class Business:
    """A party as the record prints it. A business (contractor, dealer, inspector) is printed by
    the legal name and credit code the council verified on its licence, so two businesses with
    one display name are told apart and nobody is listed under a name it merely typed; an
    unverified one is printed by its party id only (`credit_code` None). A consumer keeps its
    registered name, which the record never publishes (public_record/decisions.py scrubs it)."""

    party_id: str
    role: str
    name: str
    address: str | None
    credit_code: str | None = None


def unverified_name(party_id: str) -> str:
    return f"{party_id} (not verified)"


@dataclass
class EscrowFacts:
    escrow_id: str
    owner_id: str
    contractor_id: str
    inspector_id: str | None
    snapshot: EscrowSnapshot
    reports: dict[int, list[str]] = field(default_factory=dict)  # stage -> results in order
    accepted_at: dict[int, datetime] = field(default_factory=dict)  # stage -> the owner's acceptance
    released_at: dict[int, datetime] = field(default_factory=dict)  # stage -> release seen done
    dispute_closed_at: dict[int, datetime] = field(default_factory=dict)  # dispute number -> closed


@dataclass
class CaseFacts:
    case_id: str
    domain: str
    main_specialty: str | None
    claimant_id: str
    respondent_id: str
    escrow_id: str | None
    phase: str
    snapshot: CaseSnapshot
    filed_at: datetime
    concluded_at: datetime | None = None


@dataclass
class History:
    """Everything the record is computed from, read once."""

    escrows: list[EscrowFacts]
    cases: list[CaseFacts]
    parties: dict[str, tuple[str, str, str | None]]  # party id -> (role, display name, address)
    file_kinds: dict[str, str] = field(default_factory=dict)  # a case's file -> photo | video | document
    licences: dict[str, tuple[str, str]] = field(default_factory=dict)  # verified: (legal name, code)

    def business(self, party_id: str) -> Business:
        role, name, address = self.parties.get(party_id, ("contractor", party_id, None))
        if role not in {r.value for r in VERIFIED_ROLES}:
            return Business(party_id, role, name, address)
        licence = self.licences.get(party_id)
        if licence is None:
            return Business(party_id, role, unverified_name(party_id), None)
        legal_name, credit_code = licence
        return Business(party_id, role, legal_name, address, credit_code)
