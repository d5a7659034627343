"""Amounts: stored and computed in integer fen only, within one bound, and shown as yuan."""

MAX_AMOUNT_FEN = 10**13
"""The largest amount anything may name or hold: ¥100,000,000,000.00 (¥100 billion).

Far above any renovation or car, and the one bound every door checks: the API's models,
the signed-step readers and the machines themselves (contract terms and their total,
change orders, deposits and what has been deposited in all, acceptances, holdbacks,
decisions, settlements, warranty claims, car prices and usage fees). Why this figure:

- the read models keep amounts in 64-bit integers (BigInteger, at most 2^63 - 1, about
  9.2 x 10^18); one escrow's figures never exceed the bound, so even the council's sums
  over 900,000 escrows at the bound stay below the overflow that once wedged a projection;
- the sandbox bank refuses a single transaction above this same constant
  (sandbox_bank/schemas.py imports it), so whatever the escrow instructs the bank can
  book, and an amount the bank would refuse is one the escrow refuses first;
- a float carries integers exactly only up to 2^53 (about 9 x 10^15): a client that
  reads amounts as JavaScript numbers shows every fen below the bound exactly.
"""


def yuan(fen: int) -> str:
    """¥ with two decimals and thousands separators; negative amounts keep their sign in front."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}¥{whole:,}.{cents:02d}"
