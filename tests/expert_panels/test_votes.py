"""Commit-reveal tamper detection, majority per item, ties broken by the chair, median splits."""

import hashlib

import pytest

from expert_panels.votes import (
    REJECTED,
    UPHELD,
    InvalidOpinion,
    Opinion,
    aggregate,
    check_reveal,
    commitment,
    median_proposal,
    opinion_document,
    opinion_from_document,
)

SALT = "4f1c2a9e7b6d5c3a8e0f"
U, R = UPHELD, REJECTED


def op(*findings: str, pay: int | None = None, reasons: str = "") -> Opinion:
    return Opinion({f"item-{n + 1}": f for n, f in enumerate(findings)}, pay, reasons)


# ------------------------------------------------------------ commit-reveal
def test_commitment_is_sha256_of_canonical_json():
    expected = hashlib.sha256(b'{"opinion":{"b":1,"a":[2]},"salt":"' + SALT.encode() + b'"}').hexdigest()
    assert expected != commitment({"b": 1, "a": [2]}, SALT)  # keys are sorted, not as written
    canonical = hashlib.sha256(b'{"opinion":{"a":[2],"b":1},"salt":"' + SALT.encode() + b'"}').hexdigest()
    assert commitment({"b": 1, "a": [2]}, SALT) == canonical


def test_an_honest_reveal_checks_out_whatever_the_key_order():
    opinion = opinion_document(op(U, R, pay=120_000, reasons="membrane lapped short"))
    c = commitment(opinion, SALT)
    assert check_reveal(c, dict(reversed(list(opinion.items()))), SALT)
    assert check_reveal(c.upper(), opinion, SALT)


@pytest.mark.parametrize(
    ("opinion_change", "salt", "commit_change"),
    [
        (lambda o: o | {"findings": {"item-1": R, "item-2": R}}, SALT, None),
        (lambda o: o | {"pay_fen": 120_001}, SALT, None),
        (lambda o: o | {"reasons": "membrane lapped short."}, SALT, None),
        (lambda o: o | {"pay_fen": 120_000.0}, SALT, None),  # a float never verifies
        (None, SALT + "x", None),
        (None, "short", None),
        (None, SALT, lambda c: c[:-1] + ("0" if c[-1] != "0" else "1")),
        (None, SALT, lambda c: None),
    ],
)
def test_any_change_to_a_reveal_is_detected(opinion_change, salt, commit_change):
    opinion = opinion_document(op(U, R, pay=120_000, reasons="membrane lapped short"))
    c = commitment(opinion, SALT)
    revealed = opinion_change(dict(opinion)) if opinion_change else opinion
    assert check_reveal(commit_change(c) if commit_change else c, revealed, salt) is False


@pytest.mark.parametrize("salt", ["", "x" * 15, None])
def test_a_short_salt_cannot_commit(salt):
    with pytest.raises(InvalidOpinion, match="salt"):
        commitment({"findings": {"a": U}}, salt)


# ---------------------------------------------------------------- opinions
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"findings": {}}, "at least one item"),
        ({"findings": {"a": "partly"}}, "finding must be"),
        ({"findings": {"": U}}, "item ids"),
        ({"findings": {"a": U}, "pay_fen": -1}, "pay_fen"),
        ({"findings": {"a": U}, "pay_fen": 10.0}, "pay_fen"),
        ({"findings": {"a": U}, "pay_fen": True}, "pay_fen"),
        ({"findings": {"a": U}, "reasons": None}, "reasons"),
    ],
)
def test_bad_opinions_are_refused(kwargs, message):
    with pytest.raises(InvalidOpinion, match=message):
        Opinion(**kwargs)


def test_opinion_document_round_trip():
    opinion = op(U, R, pay=5, reasons="r")
    assert opinion_from_document(opinion_document(opinion)) == opinion
    with pytest.raises(InvalidOpinion):
        opinion_from_document({"findings": {"a": U}, "extra": 1})


# ---------------------------------------------------------------- majority
@pytest.mark.parametrize(
    ("votes", "chair", "finding", "dissent", "tie"),
    [
        ({"A": U, "B": U, "C": U}, "A", U, (), False),
        ({"A": U, "B": R, "C": U}, "A", U, ("B",), False),
        ({"A": R, "B": R, "C": U}, "C", R, ("C",), False),  # the chair is outvoted and dissents
        ({"A": U, "B": R}, "A", U, ("B",), True),
        ({"A": U, "B": R}, "B", R, ("A",), True),
        ({"A": U, "B": U, "C": R, "D": R}, "C", R, ("A", "B"), True),
        ({"A": U, "B": U, "C": U, "D": R}, "D", U, ("D",), False),
        ({"A": R}, "A", R, (), False),
    ],
)
def test_majority_per_item_and_ties_broken_by_the_chair(votes, chair, finding, dissent, tie):
    decision = aggregate({m: op(v) for m, v in votes.items()}, 0, chair)
    item = decision.items["item-1"]
    assert (item.finding, item.dissent, item.tie_broken_by_chair) == (finding, dissent, tie)
    assert (item.upheld, item.rejected) == (
        sum(v == U for v in votes.values()),
        sum(v == R for v in votes.values()),
    )
    assert decision.tie_broken_by_chair == (("item-1",) if tie else ())


def test_several_items_are_decided_independently():
    opinions = {"A": op(U, R, U), "B": op(U, U, R), "C": op(R, R, R)}
    decision = aggregate(opinions, 0, "A")
    assert decision.findings == {"item-1": U, "item-2": R, "item-3": R}
    assert decision.dissent == {"item-1": ("C",), "item-2": ("B",), "item-3": ("A",)}
    assert decision.members == ("A", "B", "C") and decision.tie_broken_by_chair == ()


# ------------------------------------------------------------------ money
@pytest.mark.parametrize(
    ("proposals", "median"),
    [
        ([500], 500),
        ([900, 100, 200], 200),
        ([0, 1_000_000, 1_000_000], 1_000_000),
        ([100, 300], 100),  # even count: the lower middle, never the average 200
        ([900, 100, 500, 300], 300),
        ([101, 102], 101),  # no half fen
        ([7, 7, 7, 7], 7),
    ],
)
def test_median_of_proposals(proposals, median):
    assert median_proposal(proposals) == median
    members = {f"M{n}": op(U, pay=p) for n, p in enumerate(proposals)}
    decision = aggregate(members, 1_000_000, "M0")
    assert (decision.pay_fen, decision.refund_fen) == (median, 1_000_000 - median)
    assert decision.proposals == tuple(sorted(proposals))


def test_a_decision_without_money():
    decision = aggregate({"A": op(U), "B": op(U), "C": op(R)}, 300_000, "A")
    assert (decision.pay_fen, decision.refund_fen, decision.proposals) == (None, None, ())


def test_reasons_are_kept_per_member():
    decision = aggregate({"A": op(U, reasons="wet wall"), "B": op(U, reasons="no slope")}, 0, "B")
    assert decision.reasons == {"A": "wet wall", "B": "no slope"}


@pytest.mark.parametrize(
    ("opinions", "disputed", "chair", "message"),
    [
        ({}, 100, "A", "no opinions"),
        ({"A": op(U)}, 100, "B", "chair"),
        ({"A": op(U, U), "B": op(U)}, 100, "A", "B gave no finding on item-2"),
        ({"A": op(U, pay=10), "B": op(U)}, 100, "A", "every member"),
        ({"A": op(U, pay=101), "B": op(U, pay=1)}, 100, "A", "A proposes paying 101"),
        ({"A": op(U)}, -1, "A", "disputed_fen"),
        ({"A": op(U)}, 1.5, "A", "disputed_fen"),
    ],
)
def test_opinions_that_cannot_be_aggregated(opinions, disputed, chair, message):
    with pytest.raises(InvalidOpinion, match=message):
        aggregate(opinions, disputed, chair)
