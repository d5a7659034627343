"""What every account a process keeps at the bank refuses before it counts a deposit the bank
confirmed: an escrow's (domain/escrow/machine.py) and a compensation fund's (domain/fund/machine.py)."""

from collections.abc import Mapping

from domain.money import MAX_AMOUNT_FEN, yuan
from domain.steps.rejections import duplicate, invalid


def check_deposit(
    kind: str, deposits: Mapping[str, int], deposited_fen: int, tx_id: str, amount_fen: int
) -> None:
    """A transaction id and a positive integer amount, not recorded before, and within the bound
    (domain/money.py): what has been deposited in all never exceeds it, so no figure the `kind`
    (escrow, fund) keeps or projects can outgrow its 64-bit column."""
    if not tx_id or isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0:
        raise invalid("bad_deposit", "a deposit needs a bank transaction id and a positive amount")
    if tx_id in deposits:
        raise duplicate(
            "deposit_already_recorded", f"deposit {tx_id} is already recorded", params={"tx_id": tx_id}
        )
    if deposited_fen + amount_fen > MAX_AMOUNT_FEN:
        raise invalid(
            "deposit_out_of_range",
            f"deposits into one {kind} may total at most {yuan(MAX_AMOUNT_FEN)}; "
            f"{yuan(deposited_fen)} is already deposited",
            params={"maximum_fen": MAX_AMOUNT_FEN, "deposited_fen": deposited_fen},
        )
