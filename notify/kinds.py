"""What a notification is about: one kind per message the catalogue words (notify/texts/)."""

from enum import StrEnum


class MessageKind(StrEnum):
    CHANNEL_VERIFICATION = "channel_verification"
    ACTION_AWAITING = "action_awaiting"
    DEADLINE_REMINDER = "deadline_reminder"
    MONEY_MOVED = "money_moved"
    DISPUTE_RAISED = "dispute_raised"
    PANEL_SEAT_OFFERED = "panel_seat_offered"
    DECISION_SIGNED = "decision_signed"
    KEY_RECOVERY_SIGNED = "key_recovery_signed"
    KEY_RECOVERED = "key_recovered"
    MEDIATION_ENDED = "mediation_ended"
    DEADLINE_MOVED = "deadline_moved"
