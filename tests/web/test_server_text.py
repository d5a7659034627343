"""Every code the server stores has words in both languages (web/server_text.py), with the same
parameters in each, and a party's own words inside them stay as typed."""

import json
from string import Formatter

import pytest

from domain.alert_codes import AlertCode, kind_of
from domain.case.seat_changes import SeatChange, seat_change
from domain.escrow.state import Dispute, DisputeCause, MovementReason
from expert_panels.draw import ALTERNATE, EXCLUDED, MAIN_SPECIALTY_QUOTA, PANEL_SEATS, STRUCK
from web.i18n import LANGUAGES, MESSAGES_DIR
from web.server_text import REASON_CODES, alert_text, dispute_reason, movement_reason, reason_text
from workflows.catch_up import DUTIES

# The words a parameter names (web/server_text.py WORD_PARAMS, LIST_PARAMS) that are this file's.
NAMED_WORDS = {
    *(f"server.duty.{duty}" for duty in DUTIES),
    *(f"server.requirement.{r}" for r in (MAIN_SPECIALTY_QUOTA, PANEL_SEATS, ALTERNATE)),
    *(f"server.deadline.{name}" for name in ("acceptance_due", "mediation_due")),  # CaseMachine counts
}


def own_words(language: str) -> dict[str, str]:
    """server_text's own file, so a key missing from it is not hidden by another file's."""
    return json.loads((MESSAGES_DIR / f"server_text.{language}.json").read_text(encoding="utf-8"))


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_code_the_server_stores_has_words(language):
    words = own_words(language)
    wanted = {
        *(f"server.alert.{code}" for code in AlertCode),
        *(f"server.reason.{code}" for code in REASON_CODES),
        *NAMED_WORDS,
    }
    assert sorted(wanted - words.keys()) == []


def test_each_code_takes_the_same_parameters_in_every_language():
    chinese, english = own_words("zh-CN"), own_words("en")
    differ = {key for key in chinese if placeholders(chinese[key]) != placeholders(english[key])}
    assert differ == set()


def test_an_alert_is_said_in_the_readers_language_with_the_partys_words_as_typed():
    params = {"number": "1", "raised_by": "owner", "reason": "墙面开裂 / the wall cracked"}
    assert (
        alert_text("zh-CN", AlertCode.DISPUTE_OPENED, params)
        == "业主提出了第 1 号争议：墙面开裂 / the wall cracked"
    )
    assert alert_text("en", AlertCode.DISPUTE_OPENED, params) == (
        "Dispute 1 opened by Owner: 墙面开裂 / the wall cracked"
    )


def test_a_dispute_the_contract_opened_is_said_in_the_readers_language():
    """The machine stores why a dispute opened as a code (DisputeCause), never English words: the
    alert, the escrow page and the case page say it per reader, and a party's reason stays as typed."""
    silent = Dispute(2, "system", "", [3], False, [], "t", cause=DisputeCause.OWNER_SILENT)
    assert dispute_reason("zh-CN", silent) == "业主在验收期限内既未确认也未提出异议，按合同转入争议"
    assert dispute_reason("en", silent).startswith("The owner neither accepted nor disputed the stage")
    failed = Dispute(3, "system", "", [1], False, [], "t", cause=DisputeCause.INSPECTION_FAILED_REPEATEDLY)
    assert dispute_reason("zh-CN", failed) == "该阶段验收不合格次数过多，按合同转入争议"
    raised = Dispute(4, "contractor", "漏水 / leaking", [1], False, [], "t")
    assert dispute_reason("en", raised) == "漏水 / leaking"
    typed = Dispute(5, "owner", "the floor leaks", [1], False, [], "t")
    assert dispute_reason("en", typed) == "the floor leaks"  # a party's words as typed, not begun anew
    unanswered = {"number": "5", "raised_by": "owner", "cause": "cancellation_unanswered", "reason": "停工"}
    said = alert_text("zh-CN", AlertCode.DISPUTE_OPENED, unanswered)
    assert said == "业主提出了第 5 号争议：装修公司未同意解除合同：停工"
    system = {"number": "2", "raised_by": "system", "cause": "owner_silent", "reason": ""}
    assert "owner neither accepted nor disputed" in alert_text("en", AlertCode.DISPUTE_OPENED, system)


@pytest.mark.parametrize("language", LANGUAGES)
def test_why_money_moved_is_said_for_every_reason_and_a_payers_reference_stays_as_typed(language):
    said = {reason: movement_reason(language, reason) for reason in MovementReason}
    assert all(text and text != reason for reason, text in said.items())
    assert len(set(said.values())) == len(said)  # no two reasons read alike
    assert movement_reason(language, "ESC-2026-00001 首付") == "ESC-2026-00001 首付"


def test_a_list_of_deadlines_and_a_duty_are_words_too():
    said = alert_text("zh-CN", AlertCode.PROVISIONAL_DEADLINE, {"deadlines": "acceptance_due,mediation_due"})
    assert said.endswith("受理期限, 调解期限")
    said = alert_text(
        "en",
        AlertCode.DUTY_FAILING,
        {"subject_id": "ESC-1", "duty": "panel_draw", "error": "e", "retry_at": "t"},
    )
    assert said.startswith("ESC-1: reading the registry for the panel draw failed (e)")


def test_a_legacy_alert_and_an_unknown_code_show_as_they_were_stored():
    assert alert_text("zh-CN", AlertCode.LEGACY, {"text": "not funded in time"}) == "not funded in time"
    assert alert_text("en", "from_a_newer_build", {"x": "1"}) == "from_a_newer_build"


def test_a_code_says_which_kind_of_alert_it_is():
    assert kind_of(AlertCode.SEAT_UNFILLABLE) == kind_of(AlertCode.PANEL_UNFILLABLE) == "panel_unfillable"
    assert kind_of(AlertCode.MEDIATION_RECOUNTED) == "deadline_recounted"
    assert kind_of(AlertCode.VOTE_OVERDUE) == "vote_overdue"


def test_a_seat_change_and_an_exclusion_are_said_in_the_readers_language():
    struck = seat_change(SeatChange.STRUCK, "claimant", "reviewed: the contractor")
    assert struck == f"{STRUCK}: claimant: reviewed: the contractor"
    assert reason_text("zh-CN", struck) == "申请人申请回避：reviewed: the contractor"
    assert reason_text("en", f"{EXCLUDED}: {struck}") == (
        "Set aside for this case: Struck by Claimant: reviewed: the contractor"
    )
    assert reason_text("zh-CN", seat_change(SeatChange.DECLARATION_TIMED_OUT)) == "未在期限内签署独立性声明"
    assert reason_text("en", "struck by the claimant: old words") == "struck by the claimant: old words"
