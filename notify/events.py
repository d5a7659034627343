"""What the notifier is told after each projection, read off a snapshot: pure, so it is tested
without Temporal and the workflow only compares what it is told with what it has sent.

`escrow_news` / `case_news` turn a snapshot into `SubjectNews`: the awaited open actions (as the
machine declares them: nothing here re-derives a rule) and the facts messages are made of, each
with a key that stays the same in every later snapshot: money moved (a movement the bank
confirmed, an amount held back), a dispute raised, a panel seat offered, a decision signed, a
case's mediation period ended without agreement (SAMR Order No. 20 art. 21(5)), a case's
working-day deadline moved by a newer calendar. The notifier sends a fact once, the first time its
key appears. `page_link` is the one place the
page a message points to is chosen.
"""

from dataclasses import dataclass, field
from typing import Any

from domain.case.machine import local_day
from domain.case.snapshot import CaseSnapshot
from domain.case.state import CasePhase
from domain.escrow.snapshot import EscrowSnapshot
from domain.escrow.state import DisputeCause, MovementKind, MovementReason, MovementStatus, Phase
from domain.fund.snapshot import FundSnapshot
from domain.fund.state import FundMovementKind
from domain.open_actions import UNAWAITED, AtDeadline, OpenAction
from domain.roles import Role
from notify.kinds import MessageKind

ESCROW = "escrow"
CASE = "case"
FUND = "fund"
CLOSED_ESCROW = frozenset({Phase.CLOSED, Phase.CANCELLED})
CLOSED_CASE = frozenset({CasePhase.CLOSED, CasePhase.REJECTED})
HELD_BACK = MovementReason.ACCEPTED_WITH_HOLDBACK  # why an amount of a stage is held back
# Actions whose own fact already says what is awaited and by when: no second message for them.
SAID_BY_A_FACT = frozenset({"declaration.sign"})
# Case roles read the case on these pages; escrow roles (and the council) on the escrow's page.
CASE_PAGES = {Role.EXPERT: "/expert/cases", Role.COUNCIL: "/council/cases"}
# Whose deadline each recounted one is (the council's alert tells the council): the claimant waits
# for the acceptance decision, which the respondent is not yet told of; the mediation period is both
# parties' (its end opens arbitration or court to them).
RECOUNT_TOLD = {"acceptance_due": (Role.CLAIMANT,), "mediation_due": (Role.CLAIMANT, Role.RESPONDENT)}


@dataclass(frozen=True)
class Recipient:
    """Who is told: one party, or (party None) every member of the role: the council."""

    role: Role
    party_id: str | None


@dataclass(frozen=True)
class Fact:
    """Something that happened, told once to each recipient: `key` is stable across snapshots."""

    key: str
    kind: MessageKind
    recipients: list[Recipient]
    params: dict[str, Any]  # as notify/messages.py PARAMS declares for `kind`, `subject` included
    ref: str | None = None  # what within the subject, for the link


@dataclass
class SubjectNews:
    """One escrow's or case's state as the notifier needs it, at snapshot `version`."""

    subject_id: str
    subject_kind: str  # escrow | case
    version: int
    closed: bool
    actions: list[OpenAction] = field(default_factory=list)  # the awaited ones only
    facts: list[Fact] = field(default_factory=list)


def page_link(subject_kind: str, subject_id: str, role: Role, ref: str | None) -> str:
    """The page where `role` reads (and acts on) the subject; a stage's own part of the escrow page;
    for a fund's advance, the consumer's case page, and the business's own fund page."""
    if subject_kind == FUND:
        return f"/my/cases/{ref}" if role is Role.CLAIMANT and ref else "/my/fund"
    if subject_kind == ESCROW:
        anchor = f"#{ref}" if ref is not None and ref.startswith("stage-") else ""
        return f"/my/escrows/{subject_id}{anchor}"
    return f"{CASE_PAGES.get(role, '/my/cases')}/{subject_id}"


def escrow_news(snapshot: EscrowSnapshot) -> SubjectNews:
    escrow_id = snapshot.escrow_id
    sides = [Recipient(Role.OWNER, snapshot.owner_id), Recipient(Role.CONTRACTOR, snapshot.contractor_id)]
    facts: list[Fact] = []
    for movement in snapshot.movements:
        if movement.status is MovementStatus.DONE:
            moved = "released" if movement.kind is MovementKind.PAYOUT else "refunded"
            facts.append(
                Fact(
                    key=f"{escrow_id}/money/{movement.key.removeprefix(f'{escrow_id}:')}",
                    kind=MessageKind.MONEY_MOVED,
                    recipients=sides,
                    params=_money(escrow_id, movement.amount_fen, moved, movement.reason),
                )
            )
    for stage in snapshot.stages:
        for number, holdback in enumerate(stage.holdbacks, start=1):
            facts.append(
                Fact(
                    key=f"{escrow_id}/money/stage-{stage.number}:holdback-{number}",
                    kind=MessageKind.MONEY_MOVED,
                    recipients=sides,
                    params=_money(escrow_id, holdback.amount_fen, "held_back", HELD_BACK),
                    ref=f"stage-{stage.number}",
                )
            )
    for dispute in snapshot.disputes:
        facts.append(
            Fact(
                key=f"{escrow_id}/dispute-{dispute.number}/raised",
                kind=MessageKind.DISPUTE_RAISED,
                recipients=[side for side in sides if side.role != dispute.raised_by],
                params={
                    "subject": escrow_id,
                    "claimant": dispute.raised_by,
                    "cause": dispute.cause,
                    "reason": dispute.reason,
                },
            )
        )
        if dispute.status == "decided" and dispute.case_id is None:  # a case's decision is told by the case
            facts.append(
                Fact(
                    key=f"{escrow_id}/dispute-{dispute.number}/decided",
                    kind=MessageKind.DECISION_SIGNED,
                    recipients=sides,
                    params={"subject": escrow_id, "outcome": dispute.outcome or ""},
                )
            )
    return SubjectNews(
        subject_id=escrow_id,
        subject_kind=ESCROW,
        version=snapshot.version,
        closed=snapshot.phase in CLOSED_ESCROW,
        actions=snapshot.awaited(),
        facts=facts,
    )


def case_news(snapshot: CaseSnapshot) -> SubjectNews:
    case_id = snapshot.case_id
    sides = [
        Recipient(Role.CLAIMANT, snapshot.claimant_id),
        Recipient(Role.RESPONDENT, snapshot.respondent_id),
    ]
    facts: list[Fact] = []
    if snapshot.answer_due is not None:  # accepted by the council: the respondent must answer it
        reason = snapshot.remedy_sought or snapshot.main_specialty or snapshot.domain
        facts.append(
            Fact(
                key=f"{case_id}/raised",
                kind=MessageKind.DISPUTE_RAISED,
                recipients=sides[1:],
                params={
                    "subject": case_id,
                    "claimant": Role.CLAIMANT.value,
                    "cause": DisputeCause.RAISED,  # a claim is always its claimant's own words
                    "reason": reason,
                },
            )
        )
    for panel in snapshot.rounds:
        for seat in panel.seats.values():
            facts.append(
                Fact(
                    key=f"{case_id}/round-{panel.number}/seat-{seat.expert_id}/{seat.seated_at.isoformat()}",
                    kind=MessageKind.PANEL_SEAT_OFFERED,
                    recipients=[Recipient(Role.EXPERT, seat.party_id)],
                    params={"subject": case_id, "due": seat.declaration_due.isoformat()},
                )
            )
    mediation = snapshot.mediation
    if mediation is not None and mediation.ended_at is not None:
        facts.append(
            Fact(
                key=f"{case_id}/mediation-ended",
                kind=MessageKind.MEDIATION_ENDED,
                recipients=sides,
                params={"subject": case_id, "ended": local_day(mediation.ended_at)},
            )
        )
    for recount in snapshot.recounts:
        told = RECOUNT_TOLD.get(recount.deadline, ())
        facts.append(
            Fact(
                key=f"{case_id}/recount/{recount.deadline}/{recount.at.isoformat()}",
                kind=MessageKind.DEADLINE_MOVED,
                recipients=[side for side in sides if side.role in told],
                params={
                    "subject": case_id,
                    "deadline": recount.deadline,
                    "was": recount.was,
                    "moved_to": recount.due,
                },
            )
        )
    outcome = snapshot.outcome
    if outcome is not None and outcome.source == "decision":
        facts.append(
            Fact(
                key=f"{case_id}/decision",
                kind=MessageKind.DECISION_SIGNED,
                recipients=sides,
                # a car's decision is its remedy (the outcome says only "remedy")
                params={
                    "subject": case_id,
                    "outcome": outcome.remedy if outcome.outcome == "remedy" else outcome.outcome,
                },
            )
        )
    return SubjectNews(
        subject_id=case_id,
        subject_kind=CASE,
        version=snapshot.version,
        closed=snapshot.phase in CLOSED_CASE,
        actions=snapshot.awaited(),
        facts=facts,
    )


def fund_news(snapshot: FundSnapshot) -> SubjectNews:
    """An advance the bank paid: the consumer is told the money came (from the business's fund, on
    the panel's decision), and the business that its fund paid it and is owed it."""
    facts = [
        Fact(
            key=f"{snapshot.fund_id}/money/{movement.key.removeprefix(f'{snapshot.fund_id}:')}",
            kind=MessageKind.MONEY_MOVED,
            recipients=[
                Recipient(Role.CLAIMANT, movement.beneficiary),
                Recipient(Role.RESPONDENT, snapshot.business_id),
            ],
            params=_money(
                str(movement.case_id), movement.amount_fen, "advanced", MovementReason.DISPUTE_DECISION
            ),
            ref=movement.case_id,
        )
        for movement in snapshot.movements
        if movement.kind is FundMovementKind.ADVANCE and movement.status is MovementStatus.DONE
    ]
    return SubjectNews(
        subject_id=snapshot.fund_id, subject_kind=FUND, version=snapshot.version, closed=False, facts=facts
    )


def _money(subject: str, amount_fen: int, movement: str, why: MovementReason | str) -> dict[str, Any]:
    return {"subject": subject, "amount_fen": amount_fen, "movement": movement, "why": why}


def consequential(action: OpenAction) -> bool:
    """Whether something happens at the action's deadline: only those are reminded of."""
    return action.due is not None and action.at_deadline not in UNAWAITED | {AtDeadline.NOTHING}
