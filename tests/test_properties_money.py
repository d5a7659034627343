"""Property tests for the money arithmetic not covered by the escrow programs.

Covered elsewhere: the default stage split (tests/test_properties_canonical.py),
and holdbacks, refunds, decision splits, cancellations and retention under random
step programs (tests/test_properties_escrow.py). Here: fen shown as yuan, the
car usage fee's rounding, and the panel's money split.
"""

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.money import yuan
from expert_panels.car_remedy import MAX_USAGE_COEFFICIENT_PPM, usage_fee_fen
from expert_panels.votes import UPHELD, Opinion, aggregate

PROPERTIES = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
FEN = st.integers(-(10**15), 10**15)
YUAN = re.compile(r"^(-?)¥(\d{1,3}(?:,\d{3})*)\.(\d{2})$")


@PROPERTIES
@given(fen=FEN)
def test_yuan_shows_every_fen_exactly(fen):
    shown = yuan(fen)
    match = YUAN.match(shown)
    assert match, shown
    sign, whole, cents = match.groups()
    back = int(whole.replace(",", "")) * 100 + int(cents)
    assert (-back if sign else back) == fen


def test_yuan_examples():
    assert [yuan(f) for f in (0, 5, 150, -150, 20_000_000)] == [
        "¥0.00",
        "¥0.05",
        "¥1.50",
        "-¥1.50",
        "¥200,000.00",
    ]


@PROPERTIES
@given(
    price=st.integers(0, 10**10),
    km=st.integers(0, 10**6),
    ppm=st.integers(0, MAX_USAGE_COEFFICIENT_PPM),
    more_km=st.integers(0, 10**5),
)
def test_the_usage_fee_is_the_formula_rounded_down_to_the_fen(price, km, ppm, more_km):
    fee = usage_fee_fen(price, km, ppm)
    exact_scaled = price * km * ppm  # the formula times 1000 x 1,000,000, in integers
    assert fee * 10**9 <= exact_scaled < (fee + 1) * 10**9  # never more than the formula, under 1 fen less
    assert usage_fee_fen(price, km + more_km, ppm) >= fee  # more kilometres never cost less


@PROPERTIES
@given(data=st.data(), disputed=st.integers(0, 10**9), members=st.integers(1, 7))
def test_the_panels_split_is_a_proposal_a_majority_stands_behind(data, disputed, members):
    proposals = data.draw(st.lists(st.integers(0, disputed), min_size=members, max_size=members))
    opinions = {f"EXP-{n}": Opinion({"item": UPHELD}, pay_fen=pay) for n, pay in enumerate(proposals)}
    decision = aggregate(opinions, disputed, "EXP-0")
    pay, refund = decision.pay_fen, decision.refund_fen
    assert pay + refund == disputed and pay >= 0 and refund >= 0  # every disputed fen goes one way
    assert pay in proposals  # someone proposed exactly this; no averaging, no half fen
    assert 2 * sum(p >= pay for p in proposals) > members  # a strict majority would pay at least this
    assert 2 * sum(p <= pay for p in proposals) >= members  # and at least half would pay no more
