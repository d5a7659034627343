"""An escrow's deposit instructions, for the API and the escrow page alike (one copy of the rule)."""

from api.models import DepositInstructions
from config.settings import Settings
from domain.escrow.snapshot import EscrowSnapshot
from domain.money import yuan

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


def deposit_qr_text(instructions: DepositInstructions) -> str:
    """What the deposit step's QR code says: the account to pay into, the reference to quote and the
    amount due, one `name: value` a line, so a banking app or a person reads it alike."""
    return "\n".join(
        (
            f"account: {instructions.account_id}",
            f"reference: {instructions.reference}",
            f"amount: {yuan(instructions.due_fen)}",
        )
    )
