"""What the council is alerted of, as codes: each alert is stored as a code plus its parameters and
rendered in the reader's language (web/server_text.py, web/messages/server_text.*.json).

The set is declared once here, so a test can check that every code has words in every language.
An alert's `kind` stays what it was (tests, filters and the case page read it); a code is finer
where one kind says several things (a panel that cannot be drawn, or one seat that cannot be
refilled). `LEGACY` holds an alert stored before the codes, with its English sentence as `text`.
"""

from enum import StrEnum

# An alert's parameters: names to plain strings. A few names are words themselves and are rendered
# in the reader's language too (web/server_text.py `WORD_PARAMS`): roles, duties, deadlines.
AlertParams = dict[str, str]


class AlertCode(StrEnum):
    LEGACY = "legacy"  # params: text (the English sentence an alert was stored with before codes)
    # escrow (domain/escrow/machine.py)
    PAYOUT_FAILED = "payout_failed"  # movement, error (the bank's)
    CANCELLATION_UNANSWERED = "cancellation_unanswered"  # side (who asked), reason (theirs)
    DISPUTE_OPENED = "dispute_opened"  # number, raised_by, cause (a DisputeCause), reason
    DISPUTE_WITHDRAWN = "dispute_withdrawn"  # number, role, case_id
    FUNDING_EXPIRED = "funding_expired"
    INSPECTION_OVERDUE = "inspection_overdue"  # stage
    REWORK_OVERDUE = "rework_overdue"  # stage
    # case (domain/case/machine.py)
    PANEL_UNFILLABLE = "panel_unfillable"  # requirement, needed, available (expert_panels/draw.py)
    SEAT_UNFILLABLE = "seat_unfillable"  # expert_id, requirement, needed, available
    DRAW_REFUSED = "draw_refused"  # problem (the draw request was malformed)
    SEAT_CHANGE_REFUSED = "seat_change_refused"  # expert_id, problem
    ESCROW_CANCELLED = "escrow_cancelled"
    ESCROW_REFUSED_WITHDRAWAL = "escrow_refused_withdrawal"  # detail (the escrow's refusal)
    ESCROW_REFUSED_DECISION = "escrow_refused_decision"  # detail
    MEDIATION_NEARLY_OVER = "mediation_nearly_over"  # days, due
    MEDIATION_ENDED = "mediation_ended"  # due
    CALENDAR_REFUSED = "calendar_refused"  # problem
    PROVISIONAL_DEADLINE = "provisional_deadline"  # deadlines (snapshot field names, comma separated)
    ACCEPTANCE_RECOUNTED = "acceptance_recounted"  # due, was
    MEDIATION_RECOUNTED = "mediation_recounted"  # due, was
    ACCEPTANCE_OVERDUE = "acceptance_overdue"
    VOTE_OVERDUE = "vote_overdue"
    DECISION_OVERDUE = "decision_overdue"
    REMEDY_NOT_CONFIRMED = "remedy_not_confirmed"
    # fund (domain/fund/machine.py)
    ADVANCE_DUE = "advance_due"  # case_id, decided_fen: the business's fund may pay the consumer first
    # outside the machines
    DEPOSIT_WEBHOOK_REFUSED = "deposit_webhook_refused"  # amount_fen, account_id, tx_id, refusal, detail
    DEPOSIT_NOT_RECORDED = "deposit_not_recorded"  # amount_fen, account_id, tx_id, refusal, detail
    NOTIFICATION_FAILED = "notification_failed"  # message_kind, party_id, channel_id, reason
    NOTIFICATION_UNCONFIRMED = "notification_unconfirmed"  # message_kind, party_id, channel_id
    DUTY_FAILING = "duty_failing"  # subject_id, duty, error, retry_at
    COMPLAINT_SPIKE = "complaint_spike"  # label, count, month, baseline, mean, sd, threshold


# The kind an alert of each code is stored under, where the two differ.
_KINDS = {
    AlertCode.SEAT_UNFILLABLE: "panel_unfillable",
    AlertCode.DRAW_REFUSED: "panel_unfillable",
    AlertCode.SEAT_CHANGE_REFUSED: "panel_unfillable",
    AlertCode.ACCEPTANCE_RECOUNTED: "deadline_recounted",
    AlertCode.MEDIATION_RECOUNTED: "deadline_recounted",
}


def kind_of(code: AlertCode) -> str:
    return _KINDS.get(code, code.value)
