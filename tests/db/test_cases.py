"""The case read model on both backends: version ordering, filters, who sees what, and the activity."""

import json
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from activities.projections import ProjectionActivities
from activities.types import CaseProjectionInput
from db import cases, crud
from tests.kits.dispute_kit import DISPUTED, CaseKit

FILED = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def case_row(case_id: str, version: int, claimant: str, respondent: str, **overrides: Any) -> dict[str, Any]:
    """Keyword arguments for upsert_case_projection: a renovation case just filed."""
    fields: dict[str, Any] = {
        "case_id": case_id,
        "version": version,
        "workflow_id": f"dispute-{case_id}",
        "domain": "renovation",
        "claimant_id": claimant,
        "respondent_id": respondent,
        "escrow_id": None,
        "phase": "filed",
        "disputed_fen": 600_000,
        "outcome": None,
        "pay_fen": None,
        "refund_fen": None,
        "remedy": None,
        "noncompliant": False,
        "filed_at": FILED,
        "summary": {"case_id": case_id, "version": version},
    }
    fields.update(overrides)
    return fields


def ids(session: Session, **filters: Any) -> list[str]:
    return [case.case_id for case in cases.list_cases(session=session, **filters)]


def test_newer_versions_apply_and_older_or_equal_are_ignored(session: Session) -> None:
    assert cases.upsert_case_projection(
        session=session, **case_row("CASE-1", 2, "P-A", "P-B", phase="answer")
    )

    stale = case_row("CASE-1", 1, "P-A", "P-B", phase="filed")
    replayed = case_row("CASE-1", 2, "P-A", "P-B", phase="rejected")
    assert not cases.upsert_case_projection(session=session, **stale)
    assert not cases.upsert_case_projection(session=session, **replayed)
    stored = cases.get_case_projection(session=session, case_id="CASE-1")
    assert (stored.version, stored.phase, stored.outcome) == (2, "answer", None)

    concluded = case_row(
        "CASE-1",
        7,
        "P-A",
        "P-B",
        phase="enforcement",
        outcome="split",
        pay_fen=250_000,
        refund_fen=350_000,
        remedy="-",
    )
    assert cases.upsert_case_projection(session=session, **concluded)
    stored = cases.get_case_projection(session=session, case_id="CASE-1")
    assert (stored.version, stored.phase) == (7, "enforcement")
    assert (stored.outcome, stored.pay_fen, stored.refund_fen, stored.remedy) == (
        "split",
        250_000,
        350_000,
        "-",
    )
    assert json.loads(stored.summary_json) == {"case_id": "CASE-1", "version": 7}
    assert stored.filed_at == FILED
    assert cases.get_case_projection(session=session, case_id="CASE-2") is None


def test_bad_amounts_are_refused(session: Session) -> None:
    with pytest.raises(TypeError):
        cases.upsert_case_projection(session=session, **case_row("CASE-3", 1, "P-A", "P-B", disputed_fen=1.0))
    with pytest.raises(IntegrityError):
        cases.upsert_case_projection(session=session, **case_row("CASE-3", 1, "P-A", "P-B", pay_fen=-1))
    assert cases.get_case_projection(session=session, case_id="CASE-3") is None


def test_filters_and_paging_newest_filed_first(session: Session) -> None:
    for n, domain, phase in [
        (1, "renovation", "filed"),
        (2, "car", "filed"),
        (3, "renovation", "evidence"),
        (4, "car", "closed"),
    ]:
        cases.upsert_case_projection(
            session=session,
            **case_row(
                f"CASE-2026-0000{n}",
                1,
                f"P-CLAIMANT{n}",
                "P-DEALER",
                domain=domain,
                phase=phase,
                filed_at=FILED + timedelta(days=n),
            ),
        )

    assert ids(session) == [f"CASE-2026-0000{n}" for n in (4, 3, 2, 1)]
    assert ids(session, phase="filed") == ["CASE-2026-00002", "CASE-2026-00001"]
    assert ids(session, domain="car") == ["CASE-2026-00004", "CASE-2026-00002"]
    assert ids(session, domain="car", phase="filed") == ["CASE-2026-00002"]
    assert ids(session, domain="renovation", phase="closed") == []
    assert ids(session, limit=2, offset=1) == ["CASE-2026-00003", "CASE-2026-00002"]
    assert ids(session, party_id="P-DEALER", domain="renovation", limit=1) == ["CASE-2026-00003"]
    with pytest.raises(ValueError):
        cases.list_cases(session=session, limit=0)


def test_a_party_never_sees_another_partys_cases(session: Session) -> None:
    for case_id, claimant, respondent in [
        ("CASE-2026-00001", "P-OWNER", "P-BUILDER"),
        ("CASE-2026-00002", "P-OTHER-OWNER", "P-BUILDER"),
        ("CASE-2026-00003", "P-BUILDER", "P-OWNER"),
        ("CASE-2026-00004", "P-OTHER-OWNER", "P-OTHER-BUILDER"),
    ]:
        cases.upsert_case_projection(session=session, **case_row(case_id, 1, claimant, respondent))

    assert ids(session, party_id="P-OWNER") == ["CASE-2026-00003", "CASE-2026-00001"]
    assert ids(session, party_id="P-BUILDER") == [f"CASE-2026-0000{n}" for n in (3, 2, 1)]
    assert ids(session, party_id="P-OTHER-BUILDER") == ["CASE-2026-00004"]
    assert ids(session, party_id="P-STRANGER") == []
    assert ids(session, party_id="P-OWNER", phase="closed") == []


def test_open_cases_and_the_cases_a_panel_member_sits_on(session: Session) -> None:
    def seated(*party_ids: str) -> dict[str, Any]:
        return {"rounds": [{"seats": {f"EXP-{p}": {"party_id": p} for p in party_ids}}]}

    for case_id, phase, summary in [
        ("CASE-2026-00001", "voting", seated("P-EXPERT", "P-OTHER")),
        ("CASE-2026-00002", "closed", seated("P-EXPERT")),
        ("CASE-2026-00003", "panel", seated("P-EXPERTISE")),  # a longer id that starts the same
        ("CASE-2026-00004", "rejected", {"rounds": []}),
        ("CASE-2026-00005", "filed", {"note": 'say "party_id":"P-EXPERT" % _'}),
    ]:
        row = case_row(case_id, 1, "P-OWNER", "P-BUILDER", phase=phase, summary=summary)
        cases.upsert_case_projection(session=session, **row)

    assert ids(session, open_only=True) == ["CASE-2026-00005", "CASE-2026-00003", "CASE-2026-00001"]
    naming = cases.list_open_cases_naming(session=session, party_id="P-EXPERT")
    # quotes inside a text are escaped in the stored JSON, so a note cannot pose as a seat
    assert [row.case_id for row in naming] == ["CASE-2026-00001"]
    assert [r.case_id for r in cases.list_open_cases_naming(session=session, party_id="P-NOBODY")] == []


def test_the_activity_projects_a_case_its_trail_and_its_alerts_once(session: Session, clean_engine) -> None:
    kit = CaseKit()
    kit.tick(timedelta(days=12))  # the council is late: an alert
    activities = ProjectionActivities(clean_engine)

    def project(trail_from: int, alerts_from: int) -> CaseProjectionInput:
        snapshot = kit.m.snapshot()
        projected = CaseProjectionInput(
            kit.m.subject_id,
            kit.m.version,
            snapshot,
            kit.m.trail_records(trail_from),
            [asdict(alert) for alert in snapshot.alerts[alerts_from:]],
        )
        activities.store_case(projected)
        return projected

    first = project(0, 0)
    kit.step("council", "case.accept", {})
    kit.step("respondent", "answer.submit", {"text": "answer"})
    kit.step("claimant", "settlement.sign", kit.settlement(400_000, DISPUTED - 400_000))
    kit.step("respondent", "settlement.sign", kit.settlement(400_000, DISPUTED - 400_000))
    second = project(0, 1)
    activities.store_case(second)  # a retry changes nothing
    activities.store_case(first)  # nor does a late, older projection

    stored = cases.get_case_projection(session=session, case_id="CASE-2026-00001")
    assert (stored.version, stored.phase, stored.workflow_id) == (
        kit.m.version,
        "enforcement",
        "dispute-CASE-2026-00001",
    )
    assert (stored.claimant_id, stored.respondent_id, stored.escrow_id) == (
        "P-CLAIMANT",
        "P-RESPONDENT",
        "ESC-2026-00001",
    )
    assert (stored.outcome, stored.pay_fen, stored.refund_fen) == ("split", 400_000, DISPUTED - 400_000)
    assert stored.filed_at == kit.m.filed_at
    assert json.loads(stored.summary_json)["trail_head"] == kit.m.trail_head

    trail = crud.list_audit_entries(session=session, subject_id="CASE-2026-00001")
    assert [(e.seq, e.action) for e in trail] == [
        (1, "case.accept"),
        (2, "answer.submit"),
        (3, "settlement.sign"),
        (4, "settlement.sign"),
    ]
    assert trail[-1].entry_hash == kit.m.trail_head
    alerts = crud.list_alerts(session=session, subject_id="CASE-2026-00001")
    assert [(a.kind, a.business_key) for a in alerts] == [
        ("acceptance_overdue", "CASE-2026-00001:acceptance-overdue")
    ]
