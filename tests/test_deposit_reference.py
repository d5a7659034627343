"""The reference an owner quotes on a deposit (domain/deposit_reference.py): each escrow its own, and
a typo in it names no escrow at all."""

import pytest

from domain.deposit_reference import check_digits, deposit_reference

ESCROW_ID = "ESC-2026-00042"


def names_an_escrow(reference: str) -> bool:
    """Whether `reference` is the reference of the escrow whose id it starts with."""
    escrow_id, _, _ = reference.rpartition("-")
    return reference == deposit_reference(escrow_id)


def test_the_check_digits_are_those_of_iban_and_of_the_rf_creditor_reference():
    # Published vectors: the IBAN GB82 WEST 1234 5698 7654 32 (its check is over the account, then
    # the country and 00) and the creditor reference RF18 5390 0754 7034 (ISO 11649, likewise).
    assert check_digits("WEST12345698765432GB") == 82
    assert check_digits("539007547034RF") == 18


def test_each_escrow_quotes_its_own_id_and_two_check_digits():
    assert deposit_reference(ESCROW_ID) == "ESC-2026-00042-86"
    assert deposit_reference("ESC-2026-00043") == "ESC-2026-00043-83"
    assert len({deposit_reference(f"ESC-2026-{n:05d}") for n in range(1, 1_001)}) == 1_000


def single_typos(reference: str) -> set[str]:
    """Every reference one mistyped digit, or one swap of two neighbouring digits, away."""
    typos = set()
    for i, character in enumerate(reference):
        if character.isdigit():
            typos |= {reference[:i] + digit + reference[i + 1 :] for digit in "0123456789"}
            if i + 1 < len(reference) and reference[i + 1].isdigit():
                typos.add(reference[:i] + reference[i + 1] + character + reference[i + 2 :])
    return typos - {reference}


@pytest.mark.parametrize("escrow_id", [ESCROW_ID, "ESC-2026-00043", "ESC-2027-10000", "ESC-2026-99999"])
def test_a_mistyped_digit_or_a_swap_of_neighbours_names_no_escrow(escrow_id: str):
    reference = deposit_reference(escrow_id)
    assert names_an_escrow(reference)
    typos = single_typos(reference)
    assert len(typos) > 100
    assert [typo for typo in typos if names_an_escrow(typo)] == []
