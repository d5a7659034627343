"""Which experts read a case's files and its escrow's: those who sit or sat on one of its panels,
by the one rule the escrow view uses too (`api.case_access.sat_on_panel`).

The case is a real one, run by the case machine (tests/kits/dispute_kit.py) through a decline, a
strike of a member who had declared, a decision and an objection that seats a larger panel; its
snapshot is stored in a fresh read model as the projection stores it, beside a file its trail
names and a file the trail of the escrow it is about names, and `panel_seat` is written as the
registry writes it after each draw and seat change: a row for every seat ever drawn, the declined
and the struck kept inactive, so a rule counting those rows would let them in.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from api.case_escrow import case_escrow_reader_role
from api.errors import ApiError
from api.evidence_access import may_read_file, require_file_reader
from db import evidence as files
from db.cases import upsert_case_projection
from db.engine import make_engine
from db.experts import set_case_seats
from db.migrate import upgrade
from db.models import EvidenceFile, ExpertRecord, Party
from domain.case.snapshot import case_snapshot_json
from domain.roles import Role
from tests.kits.dispute_kit import BranchKit
from tests.kits.evidence_files import digest_of, pdf, photo

UPLOADER = "P-UPLOADER"
CASE_FILE, ESCROW_FILE = digest_of(photo(64, 48)), digest_of(pdf("stage 1 invoice"))


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


def party(party_id: str, role: Role = Role.EXPERT) -> Party:
    return Party(id=party_id, role=role.value, display_name=party_id, public_key=f"key-{party_id}")


def registered(engine: Engine, kit: BranchKit) -> None:
    """The uploader, the two files, and the registry: each expert linked to its party."""
    with Session(engine) as session:
        session.add(party(UPLOADER, Role.OWNER))
        session.add_all(party(key.party_id) for key in kit.parties.values())
        session.commit()  # before the rows that name them
        for digest in (CASE_FILE, ESCROW_FILE):
            session.add(
                EvidenceFile(
                    digest=digest,
                    size_bytes=1,
                    media_type="image/jpeg",
                    kind="photo",
                    uploaded_by=UPLOADER,
                    original_name=None,
                    has_public_copy=False,
                )
            )
        for expert in kit.experts:
            party_id = kit.parties[expert.expert_id].party_id
            session.add(
                ExpertRecord(
                    expert_id=expert.expert_id, party_id=party_id, name=expert.name, domain=expert.domain
                )
            )
        session.commit()


def stored(engine: Engine, kit: BranchKit) -> None:
    """The case in the read model as the projection writes it (a newer version replaces it), its
    current seats as the registry records them, and the two files named: one by the case's
    trail, one by its escrow's."""
    case = kit.m.snapshot()
    assert case.escrow_id is not None
    with Session(engine) as session:
        upsert_case_projection(
            session=session,
            case_id=case.case_id,
            version=case.version,
            workflow_id=f"case-{case.case_id}",
            domain=case.domain,
            claimant_id=case.claimant_id,
            respondent_id=case.respondent_id,
            escrow_id=case.escrow_id,
            phase=case.phase.value,
            disputed_fen=case.disputed_fen,
            outcome=None,
            pay_fen=None,
            refund_fen=None,
            remedy=None,
            noncompliant=False,
            filed_at=case.filed_at,
            summary=case_snapshot_json(case),
        )
        session.commit()
        set_case_seats(session=session, case_id=case.case_id, seated=kit.seats)
        for subject, digest in ((case.case_id, CASE_FILE), (case.escrow_id, ESCROW_FILE)):
            ref = {"digest": digest, "seq": 1, "action": "evidence.submit", "signer_id": UPLOADER}
            files.record_refs(session=session, subject_id=subject, refs=[ref])


def reads(engine: Engine, kit: BranchKit, expert_id: str) -> dict[str, bool]:
    """Whether the expert reads the case's file and the escrow's, and the escrow view."""
    reader = party(kit.parties[expert_id].party_id)
    with Session(engine) as session:
        shown = {
            name: may_read_file(session, reader, session.get(EvidenceFile, digest))
            for name, digest in (("case file", CASE_FILE), ("escrow file", ESCROW_FILE))
        }
    return shown | {"escrow": case_escrow_reader_role(reader, kit.m.snapshot()) is not None}


ALL = {"case file": True, "escrow file": True, "escrow": True}
NONE = {"case file": False, "escrow file": False, "escrow": False}


def test_those_who_sat_read_the_files_and_those_who_left_before_the_panel_formed_do_not(engine):
    kit = BranchKit()
    registered(engine, kit)
    kit.to_draw()
    drawn = kit.draw()
    stored(engine, kit)
    declined = drawn[0]
    kit.step(declined, "declaration.sign", {"independent": False, "reason": "I consulted for the owner"})
    stored(engine, kit)
    struck = kit.seats[0]
    kit.step(struck, "declaration.sign", {"independent": True})
    stored(engine, kit)
    assert reads(engine, kit, struck) == ALL, "declared: they sit"
    kit.step("respondent", "strike.submit", {"expert_id": struck, "reason": "too close to the owner"})
    stored(engine, kit)
    sitting = kit.seats
    assert declined not in sitting and struck not in sitting
    for expert_id in sitting:  # drawn, still to declare: they read the case and its files
        assert reads(engine, kit, expert_id) == ALL, expert_id
    for left in (declined, struck):
        assert reads(engine, kit, left) == NONE, left
        with Session(engine) as session, pytest.raises(ApiError) as refused:
            reader = party(kit.parties[left].party_id)
            require_file_reader(session, reader, session.get(EvidenceFile, CASE_FILE))
        assert (refused.value.status, refused.value.code) == (403, "not_a_participant")

    kit.decide([600_000, 400_000, 500_000], outcome="split")
    first_panel = kit.seats
    kit.step("claimant", "decision.object", {"reason": "the moisture readings were ignored"})
    appeal = kit.draw(seed="appeal")
    stored(engine, kit)
    assert set(first_panel).isdisjoint(appeal)
    for expert_id in (*first_panel, *appeal):  # the first panel keeps what it decided on
        assert reads(engine, kit, expert_id) == ALL, expert_id
    never = next(e.expert_id for e in kit.experts if e.expert_id not in {*drawn, *first_panel, *appeal})
    for refused_expert in (declined, struck, never):
        assert reads(engine, kit, refused_expert) == NONE, refused_expert
