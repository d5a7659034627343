"""Who may be named as a contract's inspector: the accreditation model's own rules, and the
panel draw's conflict rule applied to the contractor."""

from dataclasses import replace
from datetime import date

import pytest

from expert_panels.draw import DrawRequest, exclusion_reason
from expert_panels.inspectors import CONFLICT, NOT_ACCREDITED, Accreditation, ineligibility
from expert_panels.registry import Affiliation, InvalidExpert
from tests.expert_panels.kit import expert

D = date
TODAY = D(2027, 3, 15)
WHO = "inspector Lijiang Inspection (P-INSPECTOR)"


def accredited(*ties: Affiliation, **changes) -> Accreditation:
    fields = {
        "accreditation_id": "ACC-1",
        "party_id": "P-INSPECTOR",
        "specialties": ["waterproofing", "electrical"],
        "valid_from": D(2026, 1, 1),
        "valid_until": D(2028, 12, 31),
        "affiliations": list(ties),
    }
    return Accreditation(**{**fields, **changes})


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"specialties": ["engine"]}, "specialties"),  # a car specialty: inspectors work on renovations
        ({"specialties": ["waterproofing", "grouting"]}, "specialties"),
        ({"specialties": []}, "specialties"),
        ({"specialties": ["plumbing", "plumbing"]}, "specialties"),
        ({"valid_until": D(2025, 12, 31)}, "valid_until"),  # ends before it starts
        ({"valid_from": "2026-01-01"}, "valid_from"),  # a string is not a date
        ({"valid_until": None}, "valid_until"),
        ({"party_id": " "}, "party_id"),
        ({"accreditation_id": ""}, "accreditation_id"),
        ({"affiliations": ["P-CONTRACTOR"]}, "affiliations[0]"),
        ({"deactivation_reason": "  "}, "reason"),
    ],
)
def test_bad_accreditation_data_is_refused_naming_the_field(changes, field):
    good = accredited()
    with pytest.raises(InvalidExpert) as caught:
        replace(good, **changes)
    assert caught.value.field == field


def test_a_tie_ending_before_it_starts_is_refused_as_for_experts():
    with pytest.raises(InvalidExpert, match="affiliation.end"):
        Affiliation("P-CONTRACTOR", "paid", D(2026, 5, 1), D(2026, 4, 1))


def test_an_accredited_independent_inspector_may_be_named():
    other_firm = Affiliation("P-OTHER", "employed", D(2025, 1, 1))
    assert ineligibility(WHO, [accredited(other_firm)], "P-CONTRACTOR", TODAY) is None
    # both ends of the validity period count
    assert ineligibility(WHO, [accredited()], "P-CONTRACTOR", D(2026, 1, 1)) is None
    assert ineligibility(WHO, [accredited()], "P-CONTRACTOR", D(2028, 12, 31)) is None


@pytest.mark.parametrize(
    ("records", "on", "words"),
    [
        ([], TODAY, "is not on the council's list of accredited inspectors"),
        ([accredited()], D(2029, 1, 1), "was accredited until 2028-12-31"),
        ([accredited()], D(2025, 12, 31), "is accredited only from 2026-01-01"),
        (
            [accredited(deactivation_reason="report forged for stage 2 of ESC-2027-000014")],
            TODAY,
            "deactivated by the council: report forged for stage 2 of ESC-2027-000014",
        ),
    ],
)
def test_an_inspector_without_an_accreditation_holding_that_day_is_refused(records, on, words):
    code, sentence = ineligibility(WHO, records, "P-CONTRACTOR", on)
    assert code == NOT_ACCREDITED
    assert sentence.startswith(WHO)
    assert words in sentence


def test_a_new_accreditation_after_a_deactivated_one_is_what_counts():
    old = accredited(accreditation_id="ACC-OLD", deactivation_reason="lapsed insurance")
    new = accredited(accreditation_id="ACC-NEW", valid_from=D(2027, 3, 1))
    assert ineligibility(WHO, [old, new], "P-CONTRACTOR", TODAY) is None


@pytest.mark.parametrize(
    "tie",
    [
        Affiliation("P-CONTRACTOR", "employed", D(2020, 1, 1), D(2024, 6, 30)),  # ended within 3 years
        Affiliation("P-CONTRACTOR", "paid", D(2027, 1, 1)),  # still paid
        Affiliation("P-CONTRACTOR", "employed", D(2027, 9, 1)),  # a job agreed for later counts too
    ],
)
def test_a_tie_with_the_contractor_in_the_window_is_a_conflict(tie):
    code, sentence = ineligibility(WHO, [accredited(tie)], "P-CONTRACTOR", TODAY)
    assert code == CONFLICT
    assert sentence.startswith(WHO)
    assert f"{tie.kind} by P-CONTRACTOR from {tie.start.isoformat()}" in sentence
    assert "since 2024-03-15" in sentence


def test_a_tie_that_ended_before_the_window_is_no_conflict():
    old = Affiliation("P-CONTRACTOR", "employed", D(2015, 1, 1), D(2024, 3, 14))
    assert ineligibility(WHO, [accredited(old)], "P-CONTRACTOR", TODAY) is None


@pytest.mark.parametrize(
    "tie",
    [
        Affiliation("P-CONTRACTOR", "employed", D(2015, 1, 1), D(2024, 3, 14)),
        Affiliation("P-CONTRACTOR", "employed", D(2015, 1, 1), D(2024, 3, 15)),
        Affiliation("P-CONTRACTOR", "paid", D(2030, 1, 1)),
        Affiliation("P-ELSEWHERE", "paid", D(2026, 1, 1)),
    ],
)
def test_the_inspector_check_and_the_panel_draw_judge_a_tie_alike(tie):
    """One rule: an expert with this tie is kept off a case against the contractor exactly
    when an inspector with it is kept off the contractor's contracts."""
    request = DrawRequest(
        case_id="C-1",
        domain="renovation",
        main_specialty="waterproofing",
        party_org_ids=("P-OWNER", "P-CONTRACTOR"),
        as_of=TODAY,
    )
    drawn_out = exclusion_reason(request, replace(expert("E1", "waterproofing"), affiliations=[tie]))
    refused = ineligibility(WHO, [accredited(tie)], "P-CONTRACTOR", TODAY)
    assert (drawn_out is not None) == (refused is not None)
