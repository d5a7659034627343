"""The kinds of message the notifier sends: one name per thing a party is told."""

from enum import StrEnum


class MessageKind(StrEnum):
    channel_verification = "channel_verification"
    action_awaiting = "action_awaiting"
    deadline_reminder = "deadline_reminder"
    money_moved = "money_moved"
    dispute_raised = "dispute_raised"
    panel_seat_offered = "panel_seat_offered"
    decision_signed = "decision_signed"
