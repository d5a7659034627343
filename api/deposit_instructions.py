"""An escrow's deposit instructions, for the API and the escrow page alike (one copy of the rule)."""

from api.fund_models import FundDeposit
from api.models import DepositInstructions
from config.settings import Settings
from domain.deposit_reference import deposit_reference
from domain.escrow.snapshot import EscrowSnapshot
from domain.money import yuan


def deposit_instructions(snapshot: EscrowSnapshot, settings: Settings) -> DepositInstructions:
    """The bank the API itself uses (its URL for a program, its name for a person), the escrow's
    account there (named after the escrow), the escrow's own reference to quote, what is due."""
    due = snapshot.contract_total_fen - snapshot.ledger.deposited_fen
    return DepositInstructions(
        escrow_id=snapshot.escrow_id,
        bank_url=settings.bank_url,
        bank_name=settings.bank_name,
        account_holder=settings.bank_account_holder,
        account_id=snapshot.escrow_id,
        payer_id=snapshot.owner_id,
        reference=deposit_reference(snapshot.escrow_id),
        due_fen=max(due, 0),
    )


def deposit_qr_text(instructions: DepositInstructions | FundDeposit) -> str:
    """What the deposit step's QR code says (an escrow's, or a compensation fund's alike): the bank,
    the account holder and account to pay into, the reference to quote and the amount due, one
    `name: value` a line, so a banking app or a person reads it alike (the bank's name, never its
    URL: a person pays a bank, not an API)."""
    return "\n".join(
        (
            f"bank: {instructions.bank_name}",
            f"holder: {instructions.account_holder}",
            f"account: {instructions.account_id}",
            f"reference: {instructions.reference}",
            f"amount: {yuan(instructions.due_fen)}",
        )
    )
