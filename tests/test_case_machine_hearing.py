"""Case machine, steps 5 and 6: evidence, inspection, clock pauses, commit-reveal votes, the decision."""

from dataclasses import asdict
from datetime import timedelta

import pytest

from domain.canonical import content_hash
from domain.case.outcomes import decision_document
from domain.case.state import CasePhase
from domain.steps.files import file_hash
from domain.steps.rejections import RejectionKind
from expert_panels.votes import commitment
from tests.kits.dispute_kit import CAR, DISPUTED, SALT, BranchKit

INVALID, FORBIDDEN, CONFLICT = RejectionKind.INVALID, RejectionKind.FORBIDDEN, RejectionKind.CONFLICT
DAY, SECOND = timedelta(days=1), timedelta(seconds=1)
PHOTOS = {"evidence": [file_hash(b"photos")]}
REPLY = {"evidence": [file_hash(b"reply")], "reply": True}


def in_evidence(domain: str = "renovation") -> BranchKit:
    kit = BranchKit(domain)
    kit.to_evidence()
    assert kit.m.phase is CasePhase.EVIDENCE
    return kit


def in_voting(domain: str = "renovation") -> BranchKit:
    kit = BranchKit(domain)
    kit.to_voting()
    return kit


def non_chair(kit: BranchKit) -> str:
    return next(e for e in kit.seats if e != kit.chair)


# ------------------------------------------------------------------- evidence
def test_the_panel_forming_opens_seven_days_of_evidence_and_seven_of_replies():
    kit = in_evidence()
    r = kit.m.round
    assert (r.formed_at, r.evidence_due, r.reply_due) == (kit.now, kit.now + 7 * DAY, kit.now + 14 * DAY)
    assert kit.m.next_deadline() == r.reply_due


def test_evidence_and_replies_within_their_windows_refused_after():
    kit = in_evidence()
    r = kit.m.round
    kit.step("claimant", "evidence.submit", PHOTOS)
    kit.step("respondent", "evidence.submit", REPLY)  # a reply may come early
    kit.run_to(r.evidence_due)
    invoice = {"evidence": [file_hash(b"invoice")], "note": "the membrane's invoice"}
    kit.step("respondent", "evidence.submit", invoice)  # the last second counts
    kit.run_to(r.evidence_due + SECOND)
    kit.reject("claimant", "evidence.submit", PHOTOS, CONFLICT, "window_closed")
    kit.step("claimant", "evidence.submit", REPLY)
    kit.now = r.reply_due + SECOND  # a reply arriving before the timer has been processed
    kit.reject("respondent", "evidence.submit", REPLY, CONFLICT, "window_closed")
    kit.m.on_time(kit.now)
    assert kit.m.phase is CasePhase.VOTING
    kit.reject("respondent", "evidence.submit", REPLY, CONFLICT, "wrong_phase")
    assert [(e.party, e.reply, e.note, e.at) for e in kit.m.snapshot().evidence] == [
        ("claimant", False, "", r.formed_at),
        ("respondent", True, "", r.formed_at),
        ("respondent", False, "the membrane's invoice", r.evidence_due),
        ("claimant", True, "", r.evidence_due + SECOND),
    ]


@pytest.mark.parametrize(
    ("who", "payload", "kind", "code"),
    [
        ("claimant", {"evidence": []}, INVALID, "evidence_required"),
        ("claimant", {}, INVALID, "missing_fields"),
        ("claimant", {"evidence": "sha256:x"}, INVALID, "not_a_list"),
        ("claimant", {"evidence": ["x"], "reply": "yes"}, INVALID, "not_a_boolean"),
        ("claimant", {"evidence": ["photos.jpg"]}, INVALID, "not_a_file_hash"),
        ("claimant", {**PHOTOS, "note": 3}, INVALID, "not_text"),
        ("council", PHOTOS, FORBIDDEN, "wrong_role"),
    ],
)
def test_bad_evidence_is_refused(who, payload, kind, code):
    kit = in_evidence()
    kit.reject(who, "evidence.submit", payload, kind, code)


def test_an_expert_does_not_submit_evidence():
    kit = in_evidence()
    kit.reject(kit.chair, "evidence.submit", PHOTOS, FORBIDDEN, "wrong_role")


def test_evidence_before_the_panel_forms_is_refused():
    kit = BranchKit()
    kit.to_draw()
    kit.reject("claimant", "evidence.submit", PHOTOS, CONFLICT, "wrong_phase")


def test_a_pause_and_resume_shift_both_windows_by_the_paused_time():
    kit = in_evidence()
    r = kit.m.round
    evidence_due, reply_due = r.evidence_due, r.reply_due
    kit.tick(3 * DAY)
    kit.step("council", "clock.pause", {"reason": "lab test of the membrane"})
    assert r.paused_at == kit.now and kit.m.next_deadline() != reply_due
    kit.step("claimant", "evidence.submit", PHOTOS)  # the clock stands at day 3: still open
    kit.run_to(reply_due + 2 * DAY)  # the windows do not run while paused
    assert kit.m.phase is CasePhase.EVIDENCE
    kit.step("council", "clock.resume", {"note": "results in"})
    paused_for = 13 * DAY
    assert (r.paused_at, r.evidence_due, r.reply_due) == (
        None,
        evidence_due + paused_for,
        reply_due + paused_for,
    )
    assert kit.m.next_deadline() == r.reply_due
    kit.run_to(r.evidence_due)
    kit.step("respondent", "evidence.submit", PHOTOS)
    kit.run_to(r.evidence_due + SECOND)
    kit.reject("respondent", "evidence.submit", PHOTOS, CONFLICT, "window_closed")
    kit.run_to(r.reply_due - SECOND)
    assert kit.m.phase is CasePhase.EVIDENCE
    kit.run_to(r.reply_due)
    assert kit.m.phase is CasePhase.VOTING


def test_a_pause_does_not_reopen_a_window_that_had_closed():
    kit = in_evidence()
    kit.run_to(kit.m.round.evidence_due + DAY)
    kit.step("council", "clock.pause", {"reason": "teardown of the shower tray"})
    kit.reject("claimant", "evidence.submit", PHOTOS, CONFLICT, "window_closed")
    kit.step("claimant", "evidence.submit", REPLY)  # the reply window was open when the clock stopped


@pytest.mark.parametrize(
    ("paused", "who", "action", "payload", "kind", "code"),
    [
        (True, "council", "clock.pause", {"reason": "again"}, CONFLICT, "already_paused"),
        (False, "council", "clock.resume", {}, CONFLICT, "not_paused"),
        (False, "council", "clock.pause", {}, INVALID, "missing_fields"),
        (False, "claimant", "clock.pause", {"reason": "lab"}, FORBIDDEN, "wrong_role"),
        (True, "respondent", "clock.resume", {}, FORBIDDEN, "wrong_role"),
        (True, "council", "clock.resume", {"reason": "done"}, INVALID, "unknown_fields"),
    ],
)
def test_pausing_twice_resuming_unpaused_and_other_bad_clock_steps_are_refused(
    paused, who, action, payload, kind, code
):
    kit = in_evidence()
    if paused:
        kit.step("council", "clock.pause", {"reason": "lab"})
    kit.reject(who, action, payload, kind, code)


def test_the_clock_is_paused_and_resumed_only_while_evidence_is_taken():
    kit = in_evidence()
    kit.run_to(kit.m.round.reply_due)
    kit.reject("council", "clock.pause", {"reason": "too late"}, CONFLICT, "wrong_phase")
    kit.reject("council", "clock.resume", {}, CONFLICT, "wrong_phase")


# ------------------------------------------------------------ joint inspection
def test_a_joint_inspection_is_recorded_when_both_parties_and_the_chair_sign_the_same_hash():
    kit = in_evidence()
    report = {"report_hash": "sha256:site-visit"}
    kit.step("claimant", "inspection.sign", {"report_hash": "sha256:draft"})
    kit.step("respondent", "inspection.sign", report)  # a different report replaces the draft
    assert kit.m.round.inspection.signed_by == ["respondent"]
    kit.reject("respondent", "inspection.sign", report, CONFLICT, "already_signed")
    kit.reject(non_chair(kit), "inspection.sign", report, FORBIDDEN, "chair_only")
    kit.reject("council", "inspection.sign", report, FORBIDDEN, "wrong_role")
    kit.reject("claimant", "inspection.sign", {}, INVALID, "missing_fields")
    kit.step(kit.chair, "inspection.sign", report)
    kit.step("claimant", "inspection.sign", report)
    inspection = kit.m.round.inspection
    assert (inspection.report_hash, sorted(inspection.signed_by)) == (
        "sha256:site-visit",
        sorted(["claimant", "respondent", kit.chair]),
    )
    # once all three signed, nobody can swap the joint report for another alone
    kit.reject(
        "respondent", "inspection.sign", {"report_hash": "sha256:mine"}, CONFLICT, "inspection_recorded"
    )


# --------------------------------------------------------------------- voting
def test_the_reply_window_closing_opens_the_vote():
    kit = in_voting()
    assert kit.m.round.vote_due == kit.now + 7 * DAY


def test_reveals_open_only_after_every_commitment():
    kit = in_voting()
    opinions = {e: kit.opinion(500_000) for e in kit.seats}
    first, *others = kit.seats
    kit.commit(first, opinions[first])
    kit.reject(
        first, "vote.commit", {"commitment": commitment(opinions[first], SALT)}, CONFLICT, "already_committed"
    )
    kit.reject(
        first, "vote.reveal", {"opinion": opinions[first], "salt": SALT}, CONFLICT, "commitments_outstanding"
    )
    for expert_id in others:
        kit.commit(expert_id, opinions[expert_id])
    kit.reveal(first, opinions[first])
    kit.reject(first, "vote.reveal", {"opinion": opinions[first], "salt": SALT}, CONFLICT, "already_revealed")
    assert kit.m.phase is CasePhase.VOTING
    for expert_id in others:
        kit.reveal(expert_id, opinions[expert_id])
    assert kit.m.phase is CasePhase.SUMMARY


@pytest.mark.parametrize(
    ("payload", "kind", "code"),
    [
        ({"commitment": "abc"}, INVALID, "bad_commitment"),
        ({}, INVALID, "missing_fields"),
        ({"commitment": 42}, INVALID, "not_text"),
    ],
)
def test_bad_commitments_are_refused(payload, kind, code):
    kit = in_voting()
    kit.reject(kit.chair, "vote.commit", payload, kind, code)


def test_votes_are_refused_before_the_vote_and_from_non_members():
    kit = in_evidence()
    kit.reject(kit.chair, "vote.commit", {"commitment": "0" * 64}, CONFLICT, "wrong_phase")
    kit.reject("claimant", "vote.commit", {"commitment": "0" * 64}, FORBIDDEN, "wrong_role")


FULL = {"leak": "upheld", "tiles": "rejected"}


@pytest.mark.parametrize(
    ("domain", "committed", "revealed", "code"),
    [
        # a reveal must be exactly what was committed to
        ("renovation", {"findings": FULL, "pay_fen": 1}, {"findings": FULL, "pay_fen": 2}, "reveal_mismatch"),
        # findings must cover exactly the claimed items
        ("renovation", {"findings": {"leak": "upheld"}, "pay_fen": 1}, None, "findings_mismatch"),
        ("renovation", {"findings": {**FULL, "paint": "upheld"}, "pay_fen": 1}, None, "findings_mismatch"),
        ("renovation", {"findings": {**FULL, "leak": "maybe"}, "pay_fen": 1}, None, "bad_opinion"),
        ("renovation", {"findings": FULL, "pay_fen": 1, "mood": "tired"}, None, "bad_opinion"),
        # a renovation proposal lies within 0..disputed
        ("renovation", {"findings": FULL, "pay_fen": DISPUTED + 1}, None, "bad_proposal"),
        ("renovation", {"findings": FULL, "pay_fen": None}, None, "bad_proposal"),
        ("renovation", {"findings": FULL}, None, "bad_proposal"),
        ("renovation", {"findings": FULL, "pay_fen": -1}, None, "bad_opinion"),
        # a car opinion carries no money
        ("car", {"findings": FULL, "pay_fen": 0}, None, "bad_proposal"),
        ("car", {"findings": FULL, "pay_fen": 50_000}, None, "bad_proposal"),
    ],
)
def test_reveals_that_break_the_rules_are_refused(domain, committed, revealed, code):
    kit = in_voting(domain)
    for expert_id in kit.seats:
        kit.commit(expert_id, committed)
    kit.reject(kit.chair, "vote.reveal", {"opinion": revealed or committed, "salt": SALT}, INVALID, code)


def test_a_reveal_with_another_salt_is_refused():
    kit = in_voting()
    opinion = kit.opinion(5)
    for expert_id in kit.seats:
        kit.commit(expert_id, opinion)
    kit.reject(kit.chair, "vote.reveal", {"opinion": opinion, "salt": SALT + "!"}, INVALID, "reveal_mismatch")


@pytest.mark.parametrize(("domain", "pay"), [("renovation", 0), ("renovation", DISPUTED), ("car", None)])
def test_proposals_at_the_bounds_are_accepted(domain, pay):
    kit = in_voting(domain)
    kit.vote({e: pay for e in kit.seats})
    assert kit.m.phase is CasePhase.SUMMARY


def test_the_vote_overdue_alert_fires_once():
    kit = in_voting()
    kit.commit(kit.chair, kit.opinion(500_000))  # one of three committed
    kit.run_to(kit.m.round.vote_due - SECOND)
    assert kit.alerts() == []
    kit.run_to(kit.m.round.vote_due)
    assert kit.alerts() == ["round-1:vote-overdue"]
    kit.tick(5 * DAY)
    assert kit.alerts() == ["round-1:vote-overdue"] and kit.m.phase is CasePhase.VOTING


def test_the_decision_target_alert_fires_once_28_days_after_the_panel_formed():
    kit = in_evidence()
    target = kit.m.round.formed_at + 28 * DAY
    kit.run_to(kit.m.round.reply_due)  # on_time runs at every deadline, as the workflow's timers do
    kit.run_to(kit.m.round.vote_due)
    kit.run_to(target - SECOND)
    assert kit.alerts() == ["round-1:vote-overdue"]
    kit.run_to(target)
    assert kit.alerts("decision_overdue") == ["round-1:decision-overdue"]
    kit.tick(30 * DAY)
    assert len(kit.alerts("decision_overdue")) == 1 and kit.m.next_deadline() is None


def test_a_decision_countersigned_in_time_raises_no_target_alert():
    kit = BranchKit()
    kit.to_draw()
    kit.decide([500_000] * 3, outcome="split")
    kit.run_to(kit.m.round.formed_at + 28 * DAY)
    assert kit.alerts() == []


# ------------------------------------------------------------------- decision
def in_summary(proposals, findings=None, domain="renovation") -> BranchKit:
    kit = in_voting(domain)
    for expert_id, pay, found in zip(kit.seats, proposals, findings or [None] * len(proposals), strict=True):
        opinion = kit.opinion(pay, found, reasons=f"{expert_id}: moisture readings")
        kit.commit(expert_id, opinion)
    for expert_id, pay, found in zip(kit.seats, proposals, findings or [None] * len(proposals), strict=True):
        kit.reveal(expert_id, kit.opinion(pay, found, reasons=f"{expert_id}: moisture readings"))
    assert kit.m.phase is CasePhase.SUMMARY
    return kit


def test_only_the_chair_summarises():
    kit = in_summary([600_000, 400_000, 500_000])
    summary = {"summary": "the floor leaks", "outcome": "split"}
    kit.reject(non_chair(kit), "decision.summarise", summary, FORBIDDEN, "chair_only")
    kit.reject("council", "decision.summarise", summary, FORBIDDEN, "wrong_role")
    kit.reject("claimant", "decision.summarise", summary, FORBIDDEN, "wrong_role")
    kit.step(kit.chair, "decision.summarise", summary)
    assert kit.m.phase is CasePhase.SIGNING
    kit.reject(kit.chair, "decision.summarise", summary, CONFLICT, "wrong_phase")


@pytest.mark.parametrize(
    ("proposals", "payload", "code"),
    [
        ([1, 2, 3], {"outcome": "split"}, "missing_fields"),  # no summary
        ([1, 2, 3], {"summary": "s", "outcome": "halve"}, "bad_choice"),
        ([1, 2, 3], {"summary": "s"}, "not_text"),  # a renovation names its outcome
        ([1, 2, 3], {"summary": "s", "outcome": "rework"}, "bad_rework"),
        ([1, 2, 3], {"summary": "s", "outcome": "split", "rework_days": 10}, "bad_rework"),
        ([1, 2, 3], {"summary": "s", "outcome": "rework", "rework_days": -1}, "out_of_range"),
        ([0, 1, 1], {"summary": "s", "outcome": "refund"}, "outcome_mismatch"),  # the median pays 1 fen
    ],
)
def test_bad_summaries_are_refused(proposals, payload, code):
    kit = in_summary(proposals)
    kit.reject(kit.chair, "decision.summarise", payload, INVALID, code)


def test_a_refund_when_the_median_pays_nothing_and_a_rework_order():
    kit = in_summary([0, 0, 1])
    kit.summarise(outcome="refund")
    assert (kit.m.round.decision.pay_fen, kit.m.round.decision.refund_fen) == (0, DISPUTED)
    kit = in_summary([1, 2, 3])
    kit.summarise(outcome="rework", rework_days=10)
    assert (kit.m.round.decision.outcome, kit.m.round.decision.rework_days) == ("rework", 10)


def test_a_car_summary_names_a_remedy():
    kit = in_summary([None, None, None], domain=CAR)
    kit.reject(kit.chair, "decision.summarise", {"summary": "s"}, INVALID, "not_text")
    kit.reject(kit.chair, "decision.summarise", {"summary": "s", "remedy": "new car"}, INVALID, "bad_choice")
    kit.step(kit.chair, "decision.summarise", {"summary": "s", "remedy": "replace_part"})
    decision = kit.m.round.decision
    assert (decision.outcome, decision.remedy, decision.pay_fen) == ("remedy", "replace_part", None)


def test_the_decision_document_records_findings_dissent_median_reasons_and_summary():
    split = {"leak": "upheld", "tiles": "upheld"}
    kit = in_summary([600_000, 400_000, 500_000], findings=[None, None, split])
    dissenter = kit.seats[2]
    kit.step(
        kit.chair,
        "decision.summarise",
        {"summary": "The floor leaks; the tiles are fine.", "outcome": "split"},
    )
    decision = kit.m.round.decision
    assert asdict(decision) == {
        "case_id": kit.m.subject_id,
        "round": 1,
        "findings": {"leak": "upheld", "tiles": "rejected"},
        "dissent": {"tiles": [dissenter]},
        "tie_broken_by_chair": [],
        "pay_fen": 500_000,
        "refund_fen": DISPUTED - 500_000,
        "reasons": {e: f"{e}: moisture readings" for e in kit.seats},
        "summary": "The floor leaks; the tiles are fine.",
        "outcome": "split",
        "rework_days": 0,
        "remedy": "-",
    }
    assert kit.m.round.decision_hash == content_hash(decision_document(decision))


def test_an_even_panel_takes_the_lower_middle_proposal_and_the_chair_breaks_ties():
    """Seats never go missing (a seat passes on or the draw restarts), so the even panel is drawn as two."""
    kit = BranchKit()
    kit.to_draw()
    kit.draw_sized(2)
    kit.declare_all()
    kit.run_to(kit.m.round.reply_due)
    chair, other = kit.chair, non_chair(kit)
    opinions = {
        chair: kit.opinion(600_000, {"leak": "upheld", "tiles": "rejected"}),
        other: kit.opinion(400_000, {"leak": "rejected", "tiles": "rejected"}),
    }
    for expert_id, opinion in opinions.items():
        kit.commit(expert_id, opinion)
    for expert_id, opinion in opinions.items():
        kit.reveal(expert_id, opinion)
    kit.summarise(outcome="split")
    decision = kit.m.round.decision
    assert (decision.pay_fen, decision.refund_fen) == (400_000, 600_000)  # lower middle
    assert decision.findings == {"leak": "upheld", "tiles": "rejected"}  # the chair's finding
    assert decision.tie_broken_by_chair == ["leak"]
    assert decision.dissent == {"leak": [other]}


def test_members_sign_the_exact_hash_then_the_council_countersigns_with_dissent_kept():
    kit = in_summary([600_000, 400_000, 500_000])
    decision_hash = kit.summarise(outcome="split")
    first, second, third = kit.seats
    kit.reject(
        "council",
        "decision.countersign",
        {"decision_hash": decision_hash},
        CONFLICT,
        "signatures_outstanding",
    )
    kit.reject(first, "decision.sign", {"decision_hash": "sha256:other"}, INVALID, "decision_hash_mismatch")
    kit.reject("claimant", "decision.sign", {"decision_hash": decision_hash}, FORBIDDEN, "wrong_role")
    kit.step(first, "decision.sign", {"decision_hash": decision_hash})
    kit.reject(first, "decision.sign", {"decision_hash": decision_hash}, CONFLICT, "already_signed")
    kit.step(second, "decision.sign", {"decision_hash": decision_hash, "dissent": "I would pay 600,000"})
    kit.reject(
        "council",
        "decision.countersign",
        {"decision_hash": decision_hash},
        CONFLICT,
        "signatures_outstanding",
    )
    kit.step(third, "decision.sign", {"decision_hash": decision_hash, "dissent": ""})
    kit.reject(first, "decision.countersign", {"decision_hash": decision_hash}, FORBIDDEN, "wrong_role")
    kit.reject(
        "council", "decision.countersign", {"decision_hash": "sha256:x"}, INVALID, "decision_hash_mismatch"
    )
    kit.step("council", "decision.countersign", {"decision_hash": decision_hash})
    r = kit.m.round
    assert (r.countersigned, kit.m.phase) == (True, CasePhase.OBJECTION)
    assert sorted(r.signatures) == sorted(kit.seats)
    assert r.dissent_notes == {second: "I would pay 600,000"}
    kit.reject("council", "decision.countersign", {"decision_hash": decision_hash}, CONFLICT, "wrong_phase")


def test_signing_before_the_summary_is_refused():
    kit = in_summary([1, 2, 3])
    kit.reject(kit.chair, "decision.sign", {"decision_hash": "sha256:x"}, CONFLICT, "wrong_phase")
