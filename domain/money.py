"""How amounts are shown to people: money is stored and computed in integer fen only."""


def yuan(fen: int) -> str:
    """¥ with two decimals and thousands separators; negative amounts keep their sign in front."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}¥{whole:,}.{cents:02d}"
