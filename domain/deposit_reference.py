"""The reference an owner quotes on the bank transfer into an escrow: the escrow's id and two check
digits, e.g. `ESC-2026-00042-86`.

Decided here:

- The escrow's id, because that is what the owner, the bank clerk and the council already call
  the escrow, and it tells two escrows' transfers apart (a constant reference told nobody anything).
- Two check digits after it (ISO 7064 MOD 97-10, the scheme of IBAN and of the RF creditor
  reference, ISO 11649, over the id's letters and digits, a letter counting 10-35), because two
  escrows' ids are one keystroke apart (`...00042`, `...00043`): with the check, every single
  mistyped character and every swap of two neighbours gives a reference that names no escrow,
  so whoever matches transfers by reference (a clerk, or a bank that pools escrows into one
  account) sees the typo instead of crediting the neighbour's escrow.
- Money is matched by the escrow's own account, not by the reference (`api/deposit_check.py`):
  a transfer into the escrow's account quoting another reference, or none, is still that escrow's
  money and is recorded; refusing it would leave money at the bank on no ledger. The bank books
  the reference as quoted, and the money statement shows it.
"""


def deposit_reference(escrow_id: str) -> str:
    """The reference to quote when paying into `escrow_id`'s account."""
    return f"{escrow_id}-{check_digits(escrow_id):02d}"


def check_digits(text: str) -> int:
    """ISO 7064 MOD 97-10 over the letters and digits of `text` (2 to 98): with them appended, the
    digits read as one number leave 1 divided by 97."""
    digits = "".join(
        str(int(character, 36)) for character in text if character.isascii() and character.isalnum()
    )
    return 98 - int(digits + "00") % 97
