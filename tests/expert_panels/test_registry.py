"""The registry model refuses bad data with a message naming the field."""

from dataclasses import replace
from datetime import date, datetime

import pytest

from expert_panels.registry import (
    Affiliation,
    InvalidExpert,
    expert_document,
    expert_from_document,
)
from tests.expert_panels.kit import expert, paid_by

D = date


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"specialties": ["engine"]}, "specialties"),  # a car specialty for a renovation expert
        ({"specialties": ["plumbing", "gearbox"]}, "specialties"),
        ({"specialties": []}, "specialties"),
        ({"specialties": ["plumbing", "plumbing"]}, "specialties"),
        ({"domain": "boats"}, "domain"),
        ({"expert_id": " "}, "expert_id"),
        ({"name": ""}, "name"),
        ({"open_cases": -1}, "open_cases"),
        ({"open_cases": True}, "open_cases"),
        ({"open_cases": 1.0}, "open_cases"),
        ({"active": "yes"}, "active"),
        ({"affiliations": ["ORG-1"]}, "affiliations[0]"),
    ],
)
def test_bad_expert_data_is_refused_naming_the_field(changes, field):
    good = expert("E1", "plumbing")
    with pytest.raises(InvalidExpert) as caught:
        replace(good, **changes)
    assert caught.value.field == field
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("domain", "specialties"),
    [
        ("car", ["engine", "transmission", "ev_battery_motor", "electrical", "body"]),
        ("renovation", ["waterproofing", "electrical", "plumbing", "carpentry", "painting", "structure"]),
    ],
)
def test_every_specialty_of_each_domain_is_accepted(domain, specialties):
    assert expert("E1", *specialties, domain=domain).specialties == specialties


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"org_id": "O", "kind": "paid", "start": D(2024, 5, 2), "end": D(2024, 5, 1)}, "affiliation.end"),
        ({"org_id": "O", "kind": "owner", "start": D(2024, 5, 1)}, "affiliation.kind"),
        ({"org_id": "", "kind": "paid", "start": D(2024, 5, 1)}, "affiliation.org_id"),
        ({"org_id": "O", "kind": "paid", "start": datetime(2024, 5, 1)}, "affiliation"),
        ({"org_id": "O", "kind": "paid", "start": "2024-05-01"}, "affiliation"),
    ],
)
def test_bad_affiliations_are_refused(kwargs, field):
    with pytest.raises(InvalidExpert) as caught:
        Affiliation(**kwargs)
    assert caught.value.field == field


def test_a_one_day_affiliation_is_fine():
    assert Affiliation("O", "employed", D(2024, 5, 1), D(2024, 5, 1)).end == D(2024, 5, 1)


@pytest.mark.parametrize(
    ("start", "end", "first", "last", "overlaps"),
    [
        (D(2020, 1, 1), D(2022, 12, 31), D(2023, 1, 1), None, False),  # ended the day before
        (D(2020, 1, 1), D(2023, 1, 1), D(2023, 1, 1), None, True),  # ended on the first day
        (D(2020, 1, 1), None, D(2023, 1, 1), None, True),  # still going on
        (D(2027, 1, 1), None, D(2023, 1, 1), D(2026, 3, 1), False),  # starts after the window
        (D(2026, 3, 1), None, D(2023, 1, 1), D(2026, 3, 1), True),  # starts on the last day
        (D(2027, 1, 1), None, D(2023, 1, 1), None, True),  # open-ended window catches the future
    ],
)
def test_affiliation_overlap(start, end, first, last, overlaps):
    assert Affiliation("O", "paid", start, end).overlaps(first, last) is overlaps


def test_document_round_trip_and_order_independence():
    one = expert(
        "E1", "plumbing", "carpentry", affiliations=(paid_by("B", D(2021, 1, 1)), paid_by("A", D(2020, 1, 1)))
    )
    two = replace(one, specialties=["carpentry", "plumbing"], affiliations=list(reversed(one.affiliations)))
    assert expert_document(one) == expert_document(two)
    back = expert_from_document(expert_document(one))
    assert expert_document(back) == expert_document(one)
    assert back.affiliations[0].start == D(2020, 1, 1)


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        (
            {"affiliations": [{"org_id": "O", "kind": "paid", "start": "2024-05-02", "end": "2024-05-01"}]},
            "affiliations[0].end",
        ),
        ({"affiliations": [{"org_id": "O", "kind": "paid", "start": "May 2024"}]}, "affiliations[0].start"),
        (
            {
                "affiliations": [
                    {"org_id": "O", "kind": "paid", "start": "2024-05-02"},
                    {"org_id": "O", "start": "2024-05-02"},
                ]
            },
            "affiliations[1].kind",
        ),
        ({"affiliations": "ORG"}, "affiliations"),
        ({"specialties": ["roofing"]}, "specialties"),
        ({"name": None}, "name"),
    ],
)
def test_documents_report_the_row_field_at_fault(patch, field):
    raw = {"expert_id": "E1", "name": "A", "domain": "renovation", "specialties": ["plumbing"]} | patch
    with pytest.raises(InvalidExpert) as caught:
        expert_from_document(raw)
    assert caught.value.field == field


def test_a_missing_key_is_named():
    with pytest.raises(InvalidExpert, match="domain: is missing"):
        expert_from_document({"expert_id": "E1", "name": "A", "specialties": ["plumbing"]})


def test_empty_end_in_a_csv_row_means_ongoing():
    raw = {
        "expert_id": "E1",
        "name": "A",
        "domain": "car",
        "specialties": ["engine"],
        "affiliations": [{"org_id": "O", "kind": "employed", "start": "2024-05-02", "end": ""}],
        "open_cases": 2,
        "active": False,
    }
    got = expert_from_document(raw)
    assert (got.affiliations[0].end, got.open_cases, got.active) == (None, 2, False)
