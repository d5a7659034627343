"""Case machine, steps 1 to 3: acceptance in working days, the answer window, negotiation, settlement."""

import json
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta

import pytest

from domain.calendar import WorkCalendar
from domain.case.machine import settlement_hash, terms_document
from domain.case.snapshot import case_snapshot_json, read_case_snapshot
from domain.case.state import Answer, CasePhase, Evidence
from domain.steps.files import file_hash
from domain.steps.rejections import RejectionKind
from tests.kits.dispute_kit import CAR, DISPUTED, START, BranchKit

INVALID, FORBIDDEN, CONFLICT = RejectionKind.INVALID, RejectionKind.FORBIDDEN, RejectionKind.CONFLICT
SECOND = timedelta(seconds=1)

# START is Monday 2 March 2026, 09:00 in Shanghai. Wednesday 4 and Thursday 5 March are holidays
# here, Saturday 7 March a make-up working day.
HOLIDAYS = frozenset({date(2026, 3, 4), date(2026, 3, 5)})
MAKEUP = frozenset({date(2026, 3, 7)})


def end_of_day_shanghai(day: date) -> datetime:
    """23:59:59 in Shanghai (UTC+8) on `day`, in UTC."""
    return datetime(day.year, day.month, day.day, 15, 59, 59, tzinfo=UTC)


# ------------------------------------------------------------------ acceptance
@pytest.mark.parametrize(
    ("calendar", "seventh_working_day"),
    [
        (WorkCalendar(), date(2026, 3, 11)),  # Tue..Fri, Mon..Wed
        (WorkCalendar(holidays=HOLIDAYS), date(2026, 3, 13)),  # two holidays push it two days
        (WorkCalendar(makeup_workdays=MAKEUP), date(2026, 3, 10)),  # the Saturday counts
        (WorkCalendar(holidays=HOLIDAYS, makeup_workdays=MAKEUP), date(2026, 3, 12)),
    ],
)
def test_the_acceptance_deadline_is_the_end_of_the_seventh_working_day(calendar, seventh_working_day):
    kit = BranchKit(calendar=calendar)
    assert kit.m.acceptance_due == end_of_day_shanghai(seventh_working_day)
    assert kit.m.next_deadline() == kit.m.acceptance_due


def test_the_acceptance_alert_fires_once_right_after_the_seventh_working_day():
    kit = BranchKit(calendar=WorkCalendar(holidays=HOLIDAYS, makeup_workdays=MAKEUP))
    due = end_of_day_shanghai(date(2026, 3, 12))
    kit.run_to(end_of_day_shanghai(date(2026, 3, 11)))  # the end of the sixth working day
    kit.run_to(due - SECOND)  # the last second of the seventh
    assert kit.alerts() == [] and kit.m.phase is CasePhase.FILED
    kit.run_to(due)
    assert kit.alerts("acceptance_overdue") == ["acceptance-overdue"]
    assert kit.m.next_deadline() is None  # alerted once: no timer left while the case waits
    kit.tick(timedelta(days=30))
    assert kit.alerts() == ["acceptance-overdue"]
    kit.step("council", "case.accept", {"note": "late, sorry"})  # late acceptance still works
    assert kit.m.phase is CasePhase.ANSWER and kit.m.answer_due == kit.now + timedelta(days=5)


def test_accepting_opens_the_answer_window():
    kit = BranchKit()
    kit.reject("council", "case.accept", {"verdict": "yes"}, INVALID, "unknown_fields")
    kit.reject("claimant", "case.accept", {}, FORBIDDEN, "wrong_role")
    kit.step("council", "case.accept", {})
    assert (kit.m.phase, kit.m.answer_due) == (CasePhase.ANSWER, START + timedelta(days=5))
    assert kit.m.next_deadline() == kit.m.answer_due
    kit.reject("council", "case.accept", {}, CONFLICT, "wrong_phase")
    kit.reject("council", "case.reject", {"reasons": "too late"}, CONFLICT, "wrong_phase")


def test_rejecting_with_reasons_closes_the_case_as_rejected():
    kit = BranchKit()
    kit.reject("council", "case.reject", {}, INVALID, "missing_fields")
    kit.reject("council", "case.reject", {"reasons": "  "}, INVALID, "not_text")
    kit.reject("respondent", "case.reject", {"reasons": "no"}, FORBIDDEN, "wrong_role")
    kit.step("council", "case.reject", {"reasons": "outside the council's remit"})
    assert (kit.m.phase, kit.m.rejection) == (CasePhase.REJECTED, "outside the council's remit")
    assert kit.m.finished and kit.m.next_deadline() is None
    kit.reject("council", "case.accept", {}, CONFLICT, "wrong_phase")
    kit.reject("respondent", "answer.submit", {"text": "a"}, CONFLICT, "wrong_phase")
    kit.reject("respondent", "settlement.sign", kit.settlement(0, DISPUTED), CONFLICT, "wrong_phase")
    kit.tick(timedelta(days=30))
    assert kit.alerts() == []  # a rejected case raises no acceptance alert


# -------------------------------------------------------------- answer window
def test_an_answer_moves_the_case_to_negotiation():
    kit = BranchKit()
    kit.reject("respondent", "answer.submit", {"text": "a"}, CONFLICT, "wrong_phase")
    kit.step("council", "case.accept", {})
    kit.tick(timedelta(days=2))
    kit.reject("claimant", "answer.submit", {"text": "a"}, FORBIDDEN, "wrong_role")
    kit.reject("respondent", "answer.submit", {}, INVALID, "missing_fields")
    kit.reject("respondent", "answer.submit", {"text": " ", "evidence": []}, INVALID, "not_text")
    kit.reject(
        "respondent", "answer.submit", {"text": "a", "evidence": ["receipt"]}, INVALID, "not_a_file_hash"
    )
    answer = "The tray was fitted to the maker's instructions; the leak is at the owner's own tap."
    kit.step("respondent", "answer.submit", {"text": answer, "evidence": [file_hash(b"receipt")]})
    snapshot = kit.m.snapshot()
    assert (snapshot.phase, snapshot.answer) == (CasePhase.NEGOTIATION, Answer(answer, kit.now))
    assert kit.m.negotiation_due == kit.now + timedelta(days=10)
    assert [(e.party, e.hashes, e.action, e.at) for e in snapshot.evidence] == [
        ("respondent", [file_hash(b"receipt")], "answer.submit", kit.now)
    ]
    kit.reject("respondent", "answer.submit", {"text": "b"}, CONFLICT, "wrong_phase")


def test_silence_for_five_days_moves_to_negotiation_and_does_not_lose_the_case():
    kit = BranchKit()
    kit.step("council", "case.accept", {})
    answer_due = kit.m.answer_due
    kit.run_to(answer_due - SECOND)
    assert kit.m.phase is CasePhase.ANSWER
    kit.run_to(answer_due)
    assert (kit.m.phase, kit.m.answer, kit.m.outcome) == (CasePhase.NEGOTIATION, None, None)
    assert kit.m.negotiation_due == answer_due + timedelta(days=10)
    assert kit.alerts() == []
    kit.reject("respondent", "answer.submit", {"text": "late"}, CONFLICT, "wrong_phase")


def test_the_end_of_negotiation_moves_to_the_draw():
    kit = BranchKit()
    kit.step("council", "case.accept", {})
    kit.step("respondent", "answer.submit", {"text": "a"})
    kit.run_to(kit.m.negotiation_due - SECOND)
    assert kit.m.phase is CasePhase.NEGOTIATION and kit.m.draw_request(kit.now) is None
    kit.run_to(kit.m.negotiation_due)
    assert kit.m.phase is CasePhase.DRAW and [r.number for r in kit.m.rounds] == [1]
    request = kit.m.draw_request(kit.now)
    assert (request.case_id, request.panel_size, request.main_specialty) == (
        kit.m.subject_id,
        3,
        "waterproofing",
    )
    assert request.party_org_ids == ("ORG-CONTRACTOR", "ORG-OWNER")


# ---------------------------------------------------------------- settlement
def reach(phase: CasePhase) -> BranchKit:
    """A renovation case brought to `phase` along the main path."""
    kit = BranchKit()
    script = [
        (CasePhase.ANSWER, lambda: kit.step("council", "case.accept", {})),
        (CasePhase.NEGOTIATION, lambda: kit.step("respondent", "answer.submit", {"text": "a"})),
        (CasePhase.DRAW, lambda: kit.run_to(kit.m.negotiation_due)),
        (CasePhase.PANEL, kit.draw),
        (CasePhase.EVIDENCE, kit.declare_all),
        (CasePhase.VOTING, lambda: kit.run_to(kit.m.round.reply_due)),
        (CasePhase.SUMMARY, lambda: kit.vote(dict(zip(kit.seats, [600_000, 400_000, 500_000], strict=True)))),
        (CasePhase.SIGNING, lambda: kit.summarise(outcome="split")),
        (CasePhase.OBJECTION, kit.sign_decision),
        (CasePhase.ENFORCEMENT, lambda: kit.run_to(kit.m.objection_due)),
    ]
    for reached, action in script:
        if kit.m.phase is phase:
            break
        action()
        assert kit.m.phase is reached
    assert kit.m.phase is phase
    return kit


SETTLEABLE = [
    CasePhase.ANSWER,
    CasePhase.NEGOTIATION,
    CasePhase.DRAW,
    CasePhase.PANEL,
    CasePhase.EVIDENCE,
    CasePhase.VOTING,
    CasePhase.SUMMARY,
    CasePhase.SIGNING,
]


@pytest.mark.parametrize("phase", SETTLEABLE)
def test_both_signing_the_same_settlement_goes_to_enforcement_from_any_open_phase(phase):
    kit = reach(phase)
    offer = kit.settlement(300_000, 700_000)
    kit.step("respondent", "settlement.sign", offer)
    assert kit.m.phase is phase and kit.m.settlement.signed_by == ["respondent"]
    kit.reject("respondent", "settlement.sign", offer, CONFLICT, "already_signed")
    kit.step("claimant", "settlement.sign", offer)
    assert kit.m.phase is CasePhase.ENFORCEMENT
    assert asdict(kit.m.outcome) == {
        "source": "settlement",
        "outcome": "split",
        "pay_fen": 300_000,
        "refund_fen": 700_000,
        "remedy": "-",
        "rework_days": 0,
    }
    # nothing of the abandoned path keeps running: no timer, no alert, however long we wait
    assert kit.m.next_deadline() is None
    kit.tick(timedelta(days=60))
    assert kit.alerts() == []


@pytest.mark.parametrize("phase", [CasePhase.FILED, CasePhase.OBJECTION, CasePhase.ENFORCEMENT])
def test_settlement_is_refused_before_acceptance_and_after_the_countersignature(phase):
    kit = reach(phase)
    kit.reject("claimant", "settlement.sign", kit.settlement(0, DISPUTED), CONFLICT, "wrong_phase")


def test_a_different_second_offer_replaces_the_first():
    kit = reach(CasePhase.NEGOTIATION)
    first, second = kit.settlement(300_000, 700_000), kit.settlement(450_000, 550_000)
    kit.step("respondent", "settlement.sign", first)
    kit.step("claimant", "settlement.sign", second)
    assert kit.m.phase is CasePhase.NEGOTIATION
    assert (kit.m.settlement.settlement_hash, kit.m.settlement.signed_by) == (
        second["settlement_hash"],
        ["claimant"],
    )
    kit.step("respondent", "settlement.sign", second)
    assert (kit.m.phase, kit.m.outcome.pay_fen, kit.m.outcome.refund_fen) == (
        CasePhase.ENFORCEMENT,
        450_000,
        550_000,
    )


def test_a_settlement_paying_nothing_is_a_refund():
    kit = reach(CasePhase.ANSWER)
    for party in ("claimant", "respondent"):
        kit.step(party, "settlement.sign", kit.settlement(0, DISPUTED))
    assert (kit.m.outcome.outcome, kit.m.outcome.refund_fen) == ("refund", DISPUTED)


@pytest.mark.parametrize(
    ("payload", "kind", "code"),
    [
        ({"pay_fen": 300_000, "refund_fen": 699_999}, INVALID, "amounts_do_not_add_up"),
        ({"pay_fen": 300_000, "refund_fen": 700_001}, INVALID, "amounts_do_not_add_up"),
        ({"pay_fen": DISPUTED + 1, "refund_fen": -1}, INVALID, "out_of_range"),
        ({"pay_fen": "300000"}, INVALID, "not_an_integer"),
        (
            {"settlement_hash": settlement_hash("CASE-2026-00001", 700_000, 300_000, "-")},
            INVALID,
            "settlement_hash_mismatch",
        ),
        (
            {"settlement_hash": settlement_hash("CASE-2026-00002", 300_000, 700_000, "-")},
            INVALID,
            "settlement_hash_mismatch",
        ),
        ({"remedy": "apology"}, INVALID, "settlement_hash_mismatch"),  # the hash covers the remedy
        ({"note": "x"}, INVALID, "unknown_fields"),
    ],
)
def test_bad_settlements_are_refused(payload, kind, code):
    kit = reach(CasePhase.NEGOTIATION)
    kit.reject("claimant", "settlement.sign", {**kit.settlement(300_000, 700_000), **payload}, kind, code)


def test_a_settlement_is_signed_by_the_parties_only():
    kit = reach(CasePhase.NEGOTIATION)
    kit.reject("council", "settlement.sign", kit.settlement(0, DISPUTED), FORBIDDEN, "wrong_role")


def test_a_car_settlement_need_not_add_up_to_the_disputed_amount():
    kit = BranchKit(CAR)
    kit.step("council", "case.accept", {})
    offer = kit.settlement(0, 20_000, "replace_part")
    for party in ("respondent", "claimant"):
        kit.step(party, "settlement.sign", offer)
    assert kit.m.phase is CasePhase.ENFORCEMENT and kit.m.outcome.remedy == "replace_part"
    assert kit.m.remedy_due == kit.now + timedelta(days=15)


def test_the_claims_specialty_remedy_sought_and_files_are_in_the_snapshot_from_its_filing():
    video = file_hash(b"leak video")
    kit = BranchKit(evidence=[video])
    snapshot = kit.m.snapshot()
    assert (snapshot.main_specialty, snapshot.remedy_sought) == ("waterproofing", "refund the disputed stage")
    assert [(i.item_id, i.description) for i in snapshot.items] == [
        ("leak", "bathroom floor leaks"),
        ("tiles", "hollow tiles"),
    ]
    assert snapshot.evidence == [Evidence("claimant", [video], False, START, action="claim.file")]
    assert read_case_snapshot(json.dumps(case_snapshot_json(snapshot))) == snapshot
    # a claim without files keeps the genesis its terms always had: the field is left out unset
    assert "evidence" in terms_document(kit.m.terms)
    assert "evidence" not in terms_document(BranchKit().m.terms)
