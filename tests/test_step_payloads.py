"""A signed payload is read into its model and refused with the codes clients have always seen
(domain/steps/payload_errors.py): one refusal, INVALID (HTTP 422), naming the field."""

import pytest

from domain.case.steps import CaseWithdraw, DecisionSign, SettlementSign
from domain.escrow.steps import (
    DisputeDecide,
    DisputeRaise,
    InspectionReportPayload,
    StageAccept,
    StageAcceptPartial,
    WarrantyClaimPayload,
)
from domain.money import MAX_AMOUNT_FEN
from domain.steps.fields import MAX_ITEMS, MAX_TEXT
from domain.steps.payload_errors import read_payload
from domain.steps.rejections import RejectionKind, StepRejected

ACCEPT = {"stage": 1, "report_hash": "sha256:r", "amount_fen": 100}
HOLDBACK = {"item": "door", "description": "scratched", "amount_fen": 10}
PARTIAL = {"stage": 1, "report_hash": "sha256:r", "pay_fen": 90, "holdbacks": [HOLDBACK]}
DECIDE = {"dispute": 1, "outcome": "split", "reasons": "r", "decision_hash": "sha256:d"}


@pytest.mark.parametrize(
    ("model", "raw", "code", "message"),
    [
        (StageAccept, {**ACCEPT, "z": 1, "a": 2}, "unknown_fields", "unexpected payload fields: ['a', 'z']"),
        (StageAccept, {"stage": 1, "x": 1}, "unknown_fields", "unexpected payload fields: ['x']"),
        (
            StageAccept,
            {"stage": "1"},
            "missing_fields",
            "missing payload fields: ['amount_fen', 'report_hash']",
        ),
        (StageAccept, {**ACCEPT, "amount_fen": 1.0}, "not_an_integer", "'amount_fen' must be an integer"),
        (StageAccept, {**ACCEPT, "amount_fen": None}, "not_an_integer", "'amount_fen' must be an integer"),
        (StageAccept, {**ACCEPT, "amount_fen": 0}, "out_of_range", "'amount_fen' must be at least 1"),
        (
            StageAccept,
            {**ACCEPT, "amount_fen": MAX_AMOUNT_FEN + 1},
            "out_of_range",
            f"'amount_fen' must be at most {MAX_AMOUNT_FEN} fen (¥100,000,000,000.00)",
        ),
        (StageAccept, {**ACCEPT, "report_hash": 7}, "not_text", "'report_hash' must be a non-empty string"),
        (StageAccept, {**ACCEPT, "report_hash": " "}, "not_text", "'report_hash' must be a non-empty string"),
        (
            StageAccept,
            {**ACCEPT, "report_hash": "x" * 2001},
            "too_long",
            f"'report_hash' is longer than {MAX_TEXT}",
        ),
        (
            WarrantyClaimPayload,
            {"amount_fen": 1, "description": "d", "evidence": "e"},
            "not_a_list",
            "'evidence' must",
        ),
        (
            WarrantyClaimPayload,
            {"amount_fen": 1, "description": "d", "evidence": [""]},
            "not_a_file_hash",
            "every entry of 'evidence' must be 'sha256:' and the 64 lowercase hex digits",
        ),
        (
            WarrantyClaimPayload,
            {"amount_fen": 1, "description": "d", "evidence": ["sha256:" + "A" * 64]},
            "not_a_file_hash",
            "every entry of 'evidence'",
        ),
        (
            WarrantyClaimPayload,
            {"amount_fen": 1, "description": "d", "evidence": ["e"] * (MAX_ITEMS + 1)},
            "too_many_items",
            f"'evidence' has more than {MAX_ITEMS} items",
        ),
        (DisputeRaise, {"reason": "r", "include_retention": 1}, "not_a_boolean", "'include_retention' must"),
        (DisputeRaise, {"reason": "r", "stages": ["2"]}, "no_such_stage", "'stages'"),
        (DisputeRaise, {"reason": "r", "stages": [0]}, "no_such_stage", "'stages'"),
        (DisputeDecide, {**DECIDE, "outcome": "halve"}, "bad_choice", "'outcome' must be one of"),
        (DisputeDecide, {**DECIDE, "outcome": 3}, "not_text", "'outcome' must be a non-empty string"),
        (DisputeDecide, {**DECIDE, "rework_days": -1}, "out_of_range", "'rework_days' must be at least 0"),
        (
            StageAcceptPartial,
            {**PARTIAL, "holdbacks": [HOLDBACK, 3]},
            "not_an_object",
            "every entry of 'holdbacks'",
        ),
        (
            StageAcceptPartial,
            {**PARTIAL, "holdbacks": [{**HOLDBACK, "amount_fen": 0}, "x"]},
            "not_an_object",  # every entry an object before any entry's fields, as the readers did
            "every entry of 'holdbacks' must be an object",
        ),
        (
            StageAcceptPartial,
            {**PARTIAL, "holdbacks": [{"item": 1, "extra": 1}]},
            "unknown_fields",
            "unexpected payload fields: ['extra']",
        ),
        (
            StageAcceptPartial,
            {**PARTIAL, "holdbacks": [{"item": "a"}]},
            "missing_fields",
            "['amount_fen', 'desc",
        ),
        (
            StageAcceptPartial,
            {**PARTIAL, "holdbacks": [{**HOLDBACK, "amount_fen": 0}]},
            "out_of_range",
            "'amount_fen' must be at least 1",
        ),
        (
            InspectionReportPayload,
            {"stage": 1, "round": 1, "result": "ok", "report_hash": "h"},
            "bad_choice",
            "'result'",
        ),
        (
            CaseWithdraw,
            {"reason": "r", "escrow_step": None},
            "not_an_object",
            "'escrow_step' must be an object",
        ),
        (
            CaseWithdraw,
            {"reason": "r", "escrow_step": []},
            "not_an_object",
            "'escrow_step' must be an object",
        ),
        (
            SettlementSign,
            {"pay_fen": 0, "refund_fen": 0, "settlement_hash": "h", "remedy": None},
            "not_text",
            "'remedy'",
        ),
        (
            DecisionSign,
            {"decision_hash": "h", "dissent": 0},
            "not_text",
            "'dissent' must be a non-empty string",
        ),
    ],
)
def test_a_wrong_payload_is_refused_with_its_code_and_a_sentence_naming_the_field(model, raw, code, message):
    with pytest.raises(StepRejected) as refused:
        read_payload(model, raw)
    assert (refused.value.kind, refused.value.code) == (RejectionKind.INVALID, code)
    assert message in refused.value.message


def test_absent_optional_fields_take_the_value_the_machine_acts_on_and_blank_dissent_is_allowed():
    assert read_payload(DisputeDecide, DECIDE).pay_fen == 0
    assert read_payload(DisputeRaise, {"reason": "r"}).stages == []
    assert read_payload(DecisionSign, {"decision_hash": "h", "dissent": ""}).dissent == ""
    assert read_payload(CaseWithdraw, {"reason": "r"}).escrow_step is None
    assert read_payload(StageAccept, {**ACCEPT, "amount_fen": MAX_AMOUNT_FEN}).amount_fen == MAX_AMOUNT_FEN
