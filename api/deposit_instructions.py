"""An escrow's deposit instructions, for the API and the escrow page alike (one copy of the rule)."""

from api.models import DepositInstructions
from config.settings import Settings
from domain.escrow.snapshot import EscrowSnapshot

DEPOSIT_REFERENCE = "owner deposit"


def deposit_instructions(snapshot: EscrowSnapshot, settings: Settings) -> DepositInstructions:
    """The bank the API itself uses, the escrow's account there (named after the escrow), what is due."""
    due = snapshot.contract_total_fen - snapshot.ledger.deposited_fen
    return DepositInstructions(
        escrow_id=snapshot.escrow_id,
        bank_url=settings.bank_url,
        account_id=snapshot.escrow_id,
        payer_id=snapshot.owner_id,
        reference=DEPOSIT_REFERENCE,
        due_fen=max(due, 0),
    )
