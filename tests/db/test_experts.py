"""The expert registry's helpers, on SQLite and PostgreSQL (see tests/db/conftest.py)."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from db import experts
from db.models import ExpertAffiliationRecord, ExpertRecord
from expert_panels.registry import Affiliation, Expert, InvalidExpert, expert_document, expert_from_document
from tests.db.factories import make_party


def expert(expert_id: str, **overrides) -> Expert:
    fields = {
        "expert_id": expert_id,
        "name": f"Expert {expert_id}",
        "domain": "renovation",
        "specialties": ["waterproofing"],
        "affiliations": [],
    }
    fields.update(overrides)
    return Expert(**fields)


EMPLOYED = Affiliation("ORG-GUILIN-DECOR", "employed", date(2019, 3, 1), date(2022, 6, 30))
PAID = Affiliation("ORG-BANK", "paid", date(2024, 1, 1))


def count_experts(session: Session) -> int:
    return session.exec(select(func.count()).select_from(ExpertRecord)).one()


def test_created_expert_reads_back_whole_with_its_party(session: Session) -> None:
    party = make_party(session, "expert", "Zhang Wei")
    created = experts.create_expert(
        session=session,
        expert=expert("EXP-1", specialties=["plumbing", "electrical"], affiliations=[EMPLOYED, PAID]),
        party_id=party.id,
    )

    stored = experts.get_expert(session=session, expert_id="EXP-1")

    assert stored == created
    assert stored.expert.specialties == ["electrical", "plumbing"]
    assert stored.expert.affiliations == [EMPLOYED, PAID]
    assert stored.party_id == party.id
    assert stored.expert.active is True and stored.expert.open_cases == 0
    assert stored.created_at.tzinfo == UTC and stored.created_at == stored.updated_at
    assert experts.get_expert(session=session, expert_id="EXP-2") is None


def test_new_ids_are_typed_and_distinct() -> None:
    ids = {experts.new_expert_id() for _ in range(50)}

    assert len(ids) == 50
    assert all(i.startswith("EXP-") and len(i) == 12 for i in ids)


def test_batch_create_stores_all_or_nothing(session: Session) -> None:
    experts.create_expert(session=session, expert=expert("EXP-1"))
    owner = make_party(session, "owner")

    with pytest.raises(experts.ExpertExistsError):
        experts.create_experts(session=session, experts=[(expert("EXP-2"), None), (expert("EXP-1"), None)])
    with pytest.raises(experts.NotAnExpertPartyError):
        experts.create_experts(
            session=session, experts=[(expert("EXP-2"), None), (expert("EXP-3"), owner.id)]
        )
    with pytest.raises(InvalidExpert) as invalid:
        experts.create_experts(session=session, experts=[(expert("EXP-2"), None), (expert("bad id!"), None)])

    assert invalid.value.field == "expert_id"
    assert count_experts(session) == 1
    assert session.execute(text("SELECT count(*) FROM expert_specialty")).scalar_one() == 1

    made = experts.create_experts(session=session, experts=[(expert("EXP-2"), None), (expert("EXP-3"), None)])
    assert [m.expert.expert_id for m in made] == ["EXP-2", "EXP-3"]
    assert count_experts(session) == 3


def test_one_party_signs_for_one_expert(session: Session) -> None:
    party = make_party(session, "expert")
    experts.create_expert(session=session, expert=expert("EXP-1"), party_id=party.id)

    with pytest.raises(experts.PartyAlreadyLinkedError):
        experts.create_expert(session=session, expert=expert("EXP-2"), party_id=party.id)
    experts.check_party_link(session=session, party_id=party.id, expert_id="EXP-1")  # its own link is fine
    with pytest.raises(experts.NotAnExpertPartyError):
        experts.check_party_link(session=session, party_id="P-NOBODY0000")

    # The database holds the rule too, for writers racing past the check.
    session.add(ExpertRecord(expert_id="EXP-3", party_id=party.id, name="X", domain="car"))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    assert count_experts(session) == 1


@pytest.mark.parametrize(
    "record",
    [
        ExpertAffiliationRecord(
            expert_id="EXP-1", org_id="O", kind="paid", start_date=date(2024, 2, 1), end_date=date(2024, 1, 1)
        ),
        ExpertAffiliationRecord(expert_id="EXP-1", org_id="O", kind="volunteer", start_date=date(2024, 2, 1)),
        ExpertAffiliationRecord(expert_id="EXP-404", org_id="O", kind="paid", start_date=date(2024, 2, 1)),
    ],
    ids=["end-before-start", "unknown-kind", "unknown-expert"],
)
def test_database_refuses_broken_affiliations(session: Session, record: ExpertAffiliationRecord) -> None:
    experts.create_expert(session=session, expert=expert("EXP-1"))

    session.add(record)
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    assert session.execute(text("SELECT count(*) FROM expert_affiliation")).scalar_one() == 0


def test_update_changes_only_what_is_given_and_replaces_affiliations(session: Session) -> None:
    party = make_party(session, "expert")
    created = experts.create_expert(
        session=session, expert=expert("EXP-1", affiliations=[EMPLOYED, PAID]), party_id=party.id
    )

    renamed = experts.update_expert(session=session, expert_id="EXP-1", name="Zhang Wei")
    assert renamed.expert.name == "Zhang Wei"
    assert renamed.expert.affiliations == [EMPLOYED, PAID]
    assert renamed.party_id == party.id
    assert renamed.updated_at > created.updated_at

    replaced = experts.update_expert(
        session=session,
        expert_id="EXP-1",
        specialties=["structure", "painting"],
        affiliations=[PAID],
        party_id=None,
    )
    assert replaced.expert.specialties == ["painting", "structure"]
    assert replaced.expert.affiliations == [PAID]
    assert replaced.party_id is None
    assert experts.get_expert(session=session, expert_id="EXP-1") == replaced
    assert session.execute(text("SELECT count(*) FROM expert_affiliation")).scalar_one() == 1

    same = experts.update_expert(
        session=session, expert_id="EXP-1", specialties=["structure", "painting"], party_id=None
    )
    assert same == replaced  # nothing changed, so not even updated_at moved


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"specialties": ["engine"]}, "specialties"),  # a car specialty on a renovation expert
        ({"specialties": []}, "specialties"),
        ({"specialties": None}, "specialties"),
        ({"name": " "}, "name"),
        ({"name": None}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"affiliations": None}, "affiliations"),
    ],
)
def test_invalid_update_changes_nothing(session: Session, changes: dict, field: str) -> None:
    before = experts.create_expert(session=session, expert=expert("EXP-1", affiliations=[PAID]))

    with pytest.raises(InvalidExpert) as invalid:
        experts.update_expert(session=session, expert_id="EXP-1", **changes)

    assert invalid.value.field == field
    assert experts.get_expert(session=session, expert_id="EXP-1") == before


def test_update_of_unknown_expert_or_bad_link_raises(session: Session) -> None:
    owner = make_party(session, "owner")
    experts.create_expert(session=session, expert=expert("EXP-1"))

    with pytest.raises(experts.ExpertNotFoundError):
        experts.update_expert(session=session, expert_id="EXP-2", name="A")
    with pytest.raises(experts.NotAnExpertPartyError):
        experts.update_expert(session=session, expert_id="EXP-1", party_id=owner.id)
    assert experts.get_expert(session=session, expert_id="EXP-1").party_id is None


def test_deactivation_is_idempotent_and_keeps_the_expert_listed(session: Session) -> None:
    experts.create_expert(session=session, expert=expert("EXP-1"))

    first = experts.set_expert_active(session=session, expert_id="EXP-1", active=False)
    again = experts.set_expert_active(session=session, expert_id="EXP-1", active=False)

    assert first.expert.active is False
    assert again == first
    listed, count = experts.list_experts(session=session)
    assert (count, [s.expert.active for s in listed]) == (1, [False])
    with pytest.raises(experts.ExpertNotFoundError):
        experts.set_expert_active(session=session, expert_id="EXP-2", active=False)


def test_reactivation_puts_the_expert_back_and_repeating_it_changes_nothing(session: Session) -> None:
    experts.create_expert(session=session, expert=expert("EXP-1"))
    experts.set_expert_active(session=session, expert_id="EXP-1", active=False)

    back = experts.set_expert_active(session=session, expert_id="EXP-1", active=True)
    again = experts.set_expert_active(session=session, expert_id="EXP-1", active=True)

    assert back.expert.active is True
    assert again == back
    assert [c.active for c in experts.load_candidates(session=session, domain="renovation")] == [True]


def test_the_party_an_expert_signs_with_finds_its_entry(session: Session) -> None:
    party = make_party(session, "expert")
    stranger = make_party(session, "expert")
    experts.create_expert(session=session, expert=expert("EXP-1"), party_id=party.id)

    found = experts.expert_of_party(session=session, party_id=party.id)

    assert found is not None and found.expert.expert_id == "EXP-1"
    assert experts.expert_of_party(session=session, party_id=stranger.id) is None


def test_list_filters_combine_and_page(session: Session) -> None:
    experts.create_expert(session=session, expert=expert("EXP-A", name="Zhang Wei", specialties=["plumbing"]))
    experts.create_expert(
        session=session, expert=expert("EXP-B", name="zhang li", specialties=["plumbing", "painting"])
    )
    experts.create_expert(session=session, expert=expert("EXP-C", name="Wang 100%", specialties=["painting"]))
    experts.create_expert(
        session=session, expert=expert("EXP-D", name="Chen", domain="car", specialties=["electrical"])
    )
    experts.set_expert_active(session=session, expert_id="EXP-B", active=False)

    def ids(**filters) -> tuple[list[str], int]:
        found, count = experts.list_experts(session=session, **filters)
        return [s.expert.expert_id for s in found], count

    assert ids() == (["EXP-A", "EXP-B", "EXP-C", "EXP-D"], 4)
    assert ids(domain="car") == (["EXP-D"], 1)
    assert ids(specialty="plumbing") == (["EXP-A", "EXP-B"], 2)
    assert ids(specialty="plumbing", active=True) == (["EXP-A"], 1)
    assert ids(active=False) == (["EXP-B"], 1)
    assert ids(q="ZHANG") == (["EXP-A", "EXP-B"], 2)
    assert ids(q="0%") == (["EXP-C"], 1)
    assert ids(q="%") == (["EXP-C"], 1)  # literal, not a wildcard
    assert ids(q="_") == ([], 0)
    assert ids(specialty="electrical", domain="renovation") == ([], 0)
    assert ids(limit=2, offset=1) == (["EXP-B", "EXP-C"], 4)
    with pytest.raises(ValueError):
        experts.list_experts(session=session, limit=0)


def test_load_candidates_returns_valid_pure_experts_of_the_domain(session: Session) -> None:
    party = make_party(session, "expert")
    experts.create_expert(
        session=session,
        expert=expert("EXP-B", specialties=["structure", "carpentry"], affiliations=[EMPLOYED, PAID]),
        party_id=party.id,
    )
    experts.create_expert(session=session, expert=expert("EXP-A"))
    experts.create_expert(session=session, expert=expert("EXP-C", domain="car", specialties=["body"]))
    experts.set_expert_active(session=session, expert_id="EXP-A", active=False)

    candidates = experts.load_candidates(session=session, domain="renovation")

    assert [type(c) for c in candidates] == [Expert, Expert]
    assert [c.expert_id for c in candidates] == ["EXP-A", "EXP-B"]
    assert [c.active for c in candidates] == [False, True]
    with_ties = candidates[1]
    assert with_ties.affiliations == [EMPLOYED, PAID]
    assert all(type(a.start) is date for a in with_ties.affiliations)
    assert with_ties.affiliations[0].overlaps(date(2022, 6, 30)) and not with_ties.affiliations[0].overlaps(
        date(2022, 7, 1)
    )
    for candidate in candidates:  # valid through and through: survives the document round trip
        document = expert_document(candidate)
        assert expert_document(expert_from_document(document)) == document
    assert experts.load_candidates(session=session, domain="car")[0].specialties == ["body"]
    assert experts.load_candidates(session=session, domain="boats") == []


def test_expert_party_keys_name_the_linked_signers_only(session: Session) -> None:
    first, second = make_party(session, "expert", "A"), make_party(session, "expert", "B")
    experts.create_expert(session=session, expert=expert("EXP-1"), party_id=first.id)
    experts.create_expert(session=session, expert=expert("EXP-2"), party_id=second.id)
    experts.create_expert(session=session, expert=expert("EXP-3"))

    keys = experts.expert_party_keys(session=session, expert_ids=["EXP-1", "EXP-3", "EXP-404"])

    assert keys == {"EXP-1": (first.id, first.public_key)}
    assert experts.expert_party_keys(session=session, expert_ids=[]) == {}
    assert set(experts.expert_party_keys(session=session, expert_ids=["EXP-1", "EXP-2"])) == {
        "EXP-1",
        "EXP-2",
    }


def test_existing_expert_ids(session: Session) -> None:
    experts.create_expert(session=session, expert=expert("EXP-1"))

    assert experts.existing_expert_ids(session=session, expert_ids=["EXP-1", "EXP-2", "EXP-1"]) == {"EXP-1"}
    assert experts.existing_expert_ids(session=session, expert_ids=[]) == set()
    assert isinstance(experts.get_expert(session=session, expert_id="EXP-1").created_at, datetime)
