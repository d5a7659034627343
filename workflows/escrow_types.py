"""The escrow workflow's public types: what the API sends and what it gets back."""

from dataclasses import dataclass, field

from domain.escrow.carry import WarrantyCarry
from domain.escrow.terms import ContractTerms
from domain.steps.signing import SignedStep

WORKFLOW_ID_PREFIX = "escrow-"
STEP_REJECTED = "StepRejected"


def escrow_workflow_id(escrow_id: str) -> str:
    return WORKFLOW_ID_PREFIX + escrow_id


@dataclass
class EscrowInput:
    terms: ContractTerms
    council_keys: dict[str, str] = field(default_factory=dict)
    max_skew_seconds: int = 900
    # set only when an escrow continues as new into its warranty: the life it carries on
    carried: WarrantyCarry | None = None


@dataclass
class StepInput:
    """A signed step for an escrow or a case (`submit_step`), with its signer's key events: all
    of them, in order, as the API stores them (the process applies those it has not yet)."""

    step: SignedStep
    keys: list[SignedStep] = field(default_factory=list)
    # every council member's registration key, as the API knows them now (db.keys.council_keys): a
    # member who joined after the process started signs as one (SignedStepMachine.council_key)
    councils: dict[str, str] = field(default_factory=dict)


@dataclass
class KeysInput:
    """A party's key events for an escrow or a case without a step (`learn_keys`): pushed after a
    revocation or a recovery, so the process refuses a revoked key before the party signs again."""

    party_id: str
    events: list[SignedStep]
    councils: dict[str, str] = field(default_factory=dict)  # as StepInput's


@dataclass
class DepositConfirmation:
    tx_id: str
    amount_fen: int


@dataclass
class StepReceipt:
    entry_hash: str
    version: int
    phase: str


@dataclass
class EscrowOutcome:
    escrow_id: str
    phase: str
    deposited_fen: int
    released_fen: int
    refunded_fen: int
