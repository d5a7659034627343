"""The expert-panel dispute (DESIGN "Expert-panel dispute", steps 1 to 8) as a pure machine.

Filing, council acceptance, the respondent's answer, negotiation and settlement,
a fair draw with strikes and independence declarations, evidence windows with a
joint site inspection and clock pauses, commit-reveal votes, a decision signed by
every panel member and countersigned by the council, one appeal to a larger panel
with no overlap, and enforcement: through the escrow for a renovation (a
council-signed `dispute.decide` step the workflow hands to the escrow), by the
dealer's confirmation for a car.

The registry is I/O, so the machine asks for it (`draw_request()`) and the
workflow answers with the candidates (`record_draw`); everything else is a pure
function of the steps and the time passed in.

Decision, when a window starts (the workflow may handle a timer late, e.g. after a
worker was down, so `now` in `on_time` can be well past the deadline that fired):
- a window that follows another starts when that one ended: negotiation after the
  answer window (`answer_due`), the panel forming when the strike window ends
  (`strike_due`), evidence then reply from the forming, the vote from the end of the
  reply window (moved on by clock pauses), the car dealer's remedy window from the end
  of the objection window, the decision target from the forming (plus paused time);
- a window that starts with a person's signed step starts at that step's time: the
  answer window at acceptance, negotiation at the answer, the panel forming at the
  last independence declaration if that came after the strike window, the objection
  window at the countersignature, a settlement's remedy window at its second signature;
- a window that starts with something only the workflow does starts when it does it,
  as nobody can act on a panel they have not been told of: strikes and declarations
  from the draw, an alternate's declaration from being seated; a draw that failed is
  retried a day after the attempt.
"""

from copy import deepcopy
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from domain.alert_codes import AlertCode
from domain.calendar import SHANGHAI, WorkCalendar
from domain.canonical import content_hash, jsonable_object
from domain.case import steps
from domain.case.draws import (
    AbandonedPanelDraw,
    Abandonment,
    Attempts,
    DrawEntry,
    FailedPanelDraw,
    PanelDraw,
)
from domain.case.outcomes import (
    DecidedOutcome,
    EscrowDecision,
    Objection,
    Outcome,
    PanelDecision,
    SettledOutcome,
    StatutoryDecision,
    confirmed_remedy,
    decision_document,
    dropped,
)
from domain.case.seat_changes import SeatChange, seat_change
from domain.case.snapshot import (
    CaseSnapshot,
    abandoned_draw_snapshot,
    candidate_documents,
    failed_attempt_snapshot,
    round_snapshot,
)
from domain.case.state import (
    AbandonedDraw,
    Answer,
    CasePhase,
    Evidence,
    FailedAttempt,
    JointInspection,
    Mediation,
    MediationExtension,
    PanelRound,
    Recount,
    Seat,
    Settlement,
    TimeBar,
)
from domain.case.steps import CASE_RULES
from domain.case.terms import CAR, RENOVATION, CaseTerms
from domain.fund.terms import AdvanceClaim
from domain.open_actions import AtDeadline, OpenAction
from domain.roles import Role
from domain.steps.machine import SignedStepMachine
from domain.steps.parties import PartyKey
from domain.steps.payloads import choice, document, read_amount
from domain.steps.rejections import conflict, forbidden, invalid
from domain.steps.signing import Envelope, EnvelopeError, SignedStep, parse_envelope
from domain.steps.spec import Apply, Bound, bind
from expert_panels.car_claim import claimed_remedy
from expert_panels.car_remedy import Remedy
from expert_panels.draw import (
    DrawRequest,
    FailedDraw,
    InvalidDrawRequest,
    PanelUnfillable,
    appeal_request,
    draw_panel,
    draw_record_document,
    failed_draw,
    panel_size_for,
    replace_seat,
)
from expert_panels.registry import Expert
from expert_panels.votes import InvalidOpinion, aggregate, check_reveal, opinion_from_document

CLAIMANT, RESPONDENT, COUNCIL, EXPERT = Role.CLAIMANT, Role.RESPONDENT, Role.COUNCIL, Role.EXPERT
PARTIES = {CLAIMANT, RESPONDENT}
SETTLEABLE = {
    CasePhase.ANSWER,
    CasePhase.NEGOTIATION,
    CasePhase.DRAW,
    CasePhase.PANEL,
    CasePhase.EVIDENCE,
    CasePhase.VOTING,
    CasePhase.SUMMARY,
    CasePhase.SIGNING,
}
WITHDRAWABLE = {CasePhase.FILED} | SETTLEABLE
PANEL_AT_WORK = {CasePhase.EVIDENCE, CasePhase.VOTING, CasePhase.SUMMARY, CasePhase.SIGNING}
RENOVATION_OUTCOMES = {"split", "refund", "rework"}
CAR_REMEDIES = {remedy.value for remedy in Remedy}  # what Order No. 43 can give (car_remedy.Remedy)
CAR_REFUNDS = {Remedy.REFUND.value, Remedy.REFUND_OR_REPLACE.value}  # a remedy that is money back
DRAW_RETRY = timedelta(days=1)
# SAMR Order No. 20 art. 21(5): mediation without agreement ends 45 working days after the acceptance;
# the council is told 10 working days before, at 35.
MEDIATION_WORKING_DAYS = 45
MEDIATION_ALERT_WORKING_DAYS = 35
TIME_BAR_YEARS = 3  # art. 15(4)

T = TypeVar("T")


class CaseStateError(RuntimeError):
    """The machine's own state broke its rules (e.g. a window unset in the phase that has it): a
    bug in the machine, never something a party's step can cause."""


def present(value: T | None, what: str) -> T:
    """`value`, which the machine's rules guarantee is set at this point."""
    if value is None:
        raise CaseStateError(f"{what} is not set")
    return value


def _unfillable(
    exc: PanelUnfillable | InvalidDrawRequest, unfillable: AlertCode, refused: AlertCode
) -> tuple[AlertCode, dict[str, object]]:
    """The alert a failed draw or seat change raises: which requirement too few experts could meet,
    or (a malformed request) the draw's own words."""
    if isinstance(exc, PanelUnfillable):
        return unfillable, {"requirement": exc.requirement, "needed": exc.needed, "available": exc.available}
    return refused, {"problem": exc}


@dataclass
class Awaiting:
    """What a case waits for: the open actions it declares, and the moments its timers wake it."""

    actions: list[OpenAction] = field(default_factory=list)
    timers: list[datetime] = field(default_factory=list)

    def add(self, action: OpenAction) -> None:
        self.actions.append(action)

    def wake(self, at: datetime) -> None:
        self.timers.append(at)


class CaseMachine(SignedStepMachine):
    rules = CASE_RULES
    subject_kind = "case"

    def __init__(
        self,
        terms: CaseTerms,
        *,
        council_keys: dict[str, str],
        calendar: WorkCalendar,
        filed_at: datetime,
        max_skew: timedelta,
    ) -> None:
        read_amount(terms.disputed_fen, "disputed_fen")  # the API read it so from the signed claim
        super().__init__(terms.case_id, content_hash(terms_document(terms)), max_skew, council_keys)
        self.terms = terms
        self.statutory = claimed_remedy(terms.car_facts, calendar=calendar) if terms.car_facts else None
        self.windows = terms.windows
        self.calendar = calendar
        self.phase = CasePhase.FILED
        self.filed_at = filed_at
        self.acceptance_due = calendar.add_working_days(filed_at, self.windows.acceptance_working_days)
        self.acceptance_alerted = False
        self.provisional_alerted = False
        self.mediation: Mediation | None = None  # from the acceptance (SAMR Order No. 20 art. 21(5))
        self._alert_if_provisional(filed_at)
        self.answer_due: datetime | None = None
        self.answer: Answer | None = None
        self.negotiation_due: datetime | None = None
        self.settlement: Settlement | None = None
        self.rounds: list[PanelRound] = []
        self.abandoned_draws: list[AbandonedDraw] = []
        self.draw_retry_at: datetime | None = None
        self.evidence = (
            [Evidence(CLAIMANT, list(terms.evidence), False, filed_at, action="claim.file")]
            if terms.evidence
            else []
        )
        self.outcome: Outcome | None = None
        self.objection: Objection | None = None
        self.objection_due: datetime | None = None
        self.escrow_step: SignedStep | None = None
        self.escrow_refusal: str | None = None  # why the escrow last refused the council's step (a code)
        self.remedy_due: datetime | None = None
        self.remedy_confirmed: str | None = None
        self.noncompliant = False
        self.rejection: str | None = None
        self.rejection_grounds: list[str] = []
        self.time_barred = time_bar(terms.known_since, filed_at)
        self.set_aside: dict[str, str] = {}  # expert_id -> why they may not sit again on this case
        self.recounts: list[Recount] = []  # deadlines a newer calendar moved
        self._keys: dict[str, PartyKey] = {}

    # --------------------------------------------------------------- signers
    def _handlers(self) -> list[Bound]:
        return [
            bind(steps.CASE_ACCEPT, self._plan_case_accept),
            bind(steps.CASE_REJECT, self._plan_case_reject),
            bind(steps.ANSWER_SUBMIT, self._plan_answer_submit),
            bind(steps.SETTLEMENT_SIGN, self._plan_settlement_sign),
            bind(steps.STRIKE_SUBMIT, self._plan_strike_submit),
            bind(steps.DECLARATION_SIGN, self._plan_declaration_sign),
            bind(steps.EVIDENCE_SUBMIT, self._plan_evidence_submit),
            bind(steps.INSPECTION_SIGN, self._plan_inspection_sign),
            bind(steps.CLOCK_PAUSE, self._plan_clock_pause),
            bind(steps.CLOCK_RESUME, self._plan_clock_resume),
            bind(steps.VOTE_COMMIT, self._plan_vote_commit),
            bind(steps.VOTE_REVEAL, self._plan_vote_reveal),
            bind(steps.DECISION_SUMMARISE, self._plan_decision_summarise),
            bind(steps.DECISION_SIGN, self._plan_decision_sign),
            bind(steps.DECISION_COUNTERSIGN, self._plan_decision_countersign),
            bind(steps.DECISION_OBJECT, self._plan_decision_object),
            bind(steps.ENFORCEMENT_SUBMIT, self._plan_enforcement_submit),
            bind(steps.REMEDY_CONFIRM, self._plan_remedy_confirm),
            bind(steps.CASE_WITHDRAW, self._plan_case_withdraw),
            bind(steps.MEDIATION_EXTEND, self._plan_mediation_extend),
        ]

    @property
    def round(self) -> PanelRound | None:
        return self.rounds[-1] if self.rounds else None

    def _panel(self) -> PanelRound:
        """The current round, which exists from the draw on (negotiation's end or an objection)."""
        return present(self.round, f"a panel round in phase {self.phase.value}")

    def _signer(self, party_id: str) -> tuple[str, str]:
        for role, party in ((CLAIMANT, self.terms.claimant), (RESPONDENT, self.terms.respondent)):
            if party.party_id == party_id:
                return role, party.public_key
        if (key := self.council_key(party_id)) is not None:
            return COUNCIL, key
        seat = self._seat_of_party(party_id)
        if seat is not None:
            return EXPERT, seat.public_key
        raise forbidden("not_a_party", "the signer is not a party, council member or panel member here")

    def _seat_of_party(self, party_id: str) -> Seat | None:
        current = self.round
        if current is None:
            return None
        return next((s for s in current.seats.values() if s.party_id == party_id), None)

    def _acting_as(self, role: str, party_id: str) -> str:
        """Panel members act as their expert id; everyone else as their role."""
        if role != EXPERT:
            return role
        return present(self._seat_of_party(party_id), f"the seat of {party_id}").expert_id

    def _outcome(self) -> Outcome:
        """The outcome, which exists from the case's conclusion (enforcement) on."""
        if self.outcome is None:
            raise CaseStateError(f"no outcome in phase {self.phase.value}")
        return self.outcome

    def _require(self, *phases: CasePhase) -> None:
        if self.phase not in phases:
            raise conflict("wrong_phase", f"the case is in {self.phase.value}")

    # ------------------------------------------------------ acceptance, answer
    def _plan_case_accept(self, payload: steps.CaseAccept, actor: str, now: datetime) -> Apply:
        self._require(CasePhase.FILED)

        def apply() -> None:
            self.phase = CasePhase.ANSWER
            self.answer_due = now + timedelta(days=self.windows.answer_days)
            due = self.calendar.add_working_days(now, MEDIATION_WORKING_DAYS)
            self.mediation = Mediation(accepted_at=now, due=due)
            self._alert_if_provisional(now)

        return apply

    def _plan_case_reject(self, payload: steps.CaseReject, actor: str, now: datetime) -> Apply:
        self._require(CasePhase.FILED)
        reasons = payload.reasons
        grounds = list(payload.grounds)
        if len(set(grounds)) != len(grounds):
            raise invalid("duplicate_grounds", "name each ground of art. 15 once")

        def apply() -> None:
            self.phase, self.rejection = CasePhase.REJECTED, reasons
            self.rejection_grounds = grounds

        return apply

    def _plan_answer_submit(self, payload: steps.AnswerSubmit, actor: str, now: datetime) -> Apply:
        self._require(CasePhase.ANSWER)
        hashes, defences = list(payload.evidence), list(payload.defences)
        if defences and self.terms.domain != CAR:
            raise invalid("defences_for_cars_only", "only a car dealer raises the defences of Order No. 43")
        if len(set(defences)) != len(defences):
            raise invalid("duplicate_defences", "name each defence once")
        # the claim's facts weighed with the dealer's defences, as raised: the remedy stands and
        # `if_proved` says what each would change (a claim without facts has no statutory remedy)
        statutory = (
            claimed_remedy(self.terms.car_facts, defences, self.calendar) if self.terms.car_facts else None
        )

        def apply() -> None:
            self.answer = Answer(payload.text, now, defences)
            self.statutory = statutory
            if hashes:
                self.evidence.append(Evidence(RESPONDENT, hashes, False, now, action="answer.submit"))
            self._open_negotiation(now)

        return apply

    def _open_negotiation(self, now: datetime) -> None:
        self.phase = CasePhase.NEGOTIATION
        self.negotiation_due = now + timedelta(days=self.windows.negotiation_days)

    # ------------------------------------------------------------ settlement
    def _plan_settlement_sign(self, payload: steps.SettlementSign, actor: str, now: datetime) -> Apply:
        self._require(*SETTLEABLE)
        pay, refund = payload.pay_fen, payload.refund_fen
        if self.terms.domain == CAR:
            remedy = choice(payload.remedy, "remedy", CAR_REMEDIES)  # the dealer later confirms exactly this
        else:
            remedy = payload.remedy or "-"
        if self.terms.domain == RENOVATION and pay + refund != self.terms.disputed_fen:
            raise invalid(
                "amounts_do_not_add_up",
                f"pay plus refund must be {self.terms.disputed_fen} fen",
                params={"amount_fen": self.terms.disputed_fen},
            )
        proposed = payload.settlement_hash
        if proposed != settlement_hash(self.subject_id, pay, refund, remedy):
            raise invalid("settlement_hash_mismatch", "settlement_hash does not match the settlement")
        current = self.settlement
        same = current if current is not None and current.settlement_hash == proposed else None
        if same is not None and actor in same.signed_by:
            raise conflict("already_signed", f"the {actor} already signed this settlement")

        def apply() -> None:
            if same is None:
                self.settlement = Settlement(proposed, pay, refund, remedy, [actor])
                return
            same.signed_by.append(actor)
            outcome = "refund" if pay == 0 else "split"
            self._conclude(SettledOutcome("settlement", outcome, pay, refund, remedy, 0), now)

        return apply

    # ------------------------------------------------------------------ draw
    def draw_request(self, now: datetime) -> DrawRequest | None:
        """What the workflow should draw a panel for now, if anything."""
        if self.phase is not CasePhase.DRAW or (self.draw_retry_at and now < self.draw_retry_at):
            return None
        previous = self.rounds[-2] if len(self.rounds) > 1 else None
        if previous is not None and previous.draw is not None:
            request = appeal_request(previous.draw, as_of=now.date(), panel_size=5)
        else:
            request = DrawRequest(
                case_id=self.subject_id,
                domain=self.terms.domain,
                main_specialty=self.terms.main_specialty,
                party_org_ids=(self.terms.claimant_org, self.terms.respondent_org),
                as_of=now.date(),
                panel_size=panel_size_for(self.terms.disputed_fen, self.terms.small_claim_threshold_fen),
            )
        return replace(request, excluded={**self.set_aside, **request.excluded})

    def record_draw(
        self,
        request: DrawRequest,
        candidates: list[Expert],
        keys: dict[str, PartyKey],
        seed: str,
        now: datetime,
    ) -> None:
        """Seat the panel drawn from `candidates`; `keys` are the signing keys of those who may sit."""
        signable = [c for c in candidates if c.expert_id in keys]
        try:
            record = draw_panel(request, signable, seed)
        except (PanelUnfillable, InvalidDrawRequest) as exc:
            if isinstance(exc, PanelUnfillable):
                self._keep_failed_attempt(failed_draw(request, signable, seed, exc), signable, now)
            self.draw_retry_at = now + DRAW_RETRY
            code, params = _unfillable(exc, AlertCode.PANEL_UNFILLABLE, AlertCode.DRAW_REFUSED)
            self._alert(code, f"round-{len(self.rounds)}:draw-failed:{now.date().isoformat()}", now, **params)
            self._after_change()
            return
        current = self._panel()
        current.draw = record
        current.candidates = signable
        current.seats = {i: self._seat(i, keys[i], now) for i in record.panel}
        current.strike_due = now + timedelta(days=self.windows.strike_days)
        self._keys = keys
        self.draw_retry_at = None
        self.phase = CasePhase.PANEL
        self._after_change()

    def _keep_failed_attempt(self, failed: FailedDraw, candidates: list[Expert], now: datetime) -> None:
        current = self._panel()
        attempts = current.failed_draw.attempts + 1 if current.failed_draw else 1
        current.failed_draw = FailedAttempt(failed, candidates, attempts, now)

    def _seat(self, expert_id: str, key: PartyKey, now: datetime) -> Seat:
        due = now + timedelta(days=self.windows.declaration_days)
        return Seat(expert_id, key.party_id, key.public_key, now, due)

    def _replace(self, expert_id: str, reason: str, now: datetime) -> None:
        current = self._panel()
        record = present(current.draw, "the panel's draw")
        try:
            record, newcomer = replace_seat(record, expert_id, reason)
        except (PanelUnfillable, InvalidDrawRequest) as exc:
            self.set_aside[expert_id] = reason
            code, params = _unfillable(exc, AlertCode.SEAT_UNFILLABLE, AlertCode.SEAT_CHANGE_REFUSED)
            self._alert(
                code, f"round-{current.number}:{expert_id}:unfillable", now, expert_id=expert_id, **params
            )
            self._restart_draw(expert_id, reason, str(exc), now)
            return
        self.set_aside[expert_id] = reason
        current.draw = record
        del current.seats[expert_id]
        current.seats[newcomer] = self._seat(newcomer, self._keys[newcomer], now)

    def _restart_draw(self, vacated: str, reason: str, problem: str, now: datetime) -> None:
        """A fresh round in place of the current one, whose draw's record is kept to be re-run."""
        current = self._panel()
        record = (present(current.draw, "the panel's draw"), current.candidates)
        self.abandoned_draws.append(AbandonedDraw(current.number, *record, vacated, reason, problem, now))
        self.rounds[-1] = PanelRound(number=current.number, failed_draw=current.failed_draw)
        self.phase = CasePhase.DRAW
        self.draw_retry_at = now + DRAW_RETRY

    def _plan_strike_submit(self, payload: steps.StrikeSubmit, actor: str, now: datetime) -> Apply:
        self._require(CasePhase.PANEL)
        current = self._panel()
        if current.strike_due and now > current.strike_due:
            raise conflict("strike_window_closed", "the window for strikes has closed")
        if actor in current.strikes:
            raise conflict("strike_used", f"the {actor} has already struck an expert")
        expert_id, reason = payload.expert_id, payload.reason
        if expert_id not in current.seats:
            raise conflict(
                "not_on_panel", f"{expert_id} holds no seat on this panel", params={"expert_id": expert_id}
            )
        return lambda: self._strike(actor, expert_id, reason, now)

    def _strike(self, party: str, expert_id: str, reason: str, now: datetime) -> None:
        self._panel().strikes[party] = expert_id
        self._replace(expert_id, seat_change(SeatChange.STRUCK, party, reason), now)

    def _plan_declaration_sign(self, payload: steps.DeclarationSign, expert_id: str, now: datetime) -> Apply:
        self._require(CasePhase.PANEL)
        seat = self._panel().seats[expert_id]
        if seat.declared:
            raise conflict("already_declared", "the independence declaration is already signed")
        if now >= seat.declaration_due:  # the timer may not have fired yet: the seat has passed on
            raise conflict("declaration_window_closed", "the time to sign the declaration is over")
        independent = payload.independent
        reason = payload.reason

        def apply() -> None:
            if independent:
                seat.declared, seat.declared_at = True, now
            else:
                self._replace(expert_id, seat_change(SeatChange.DECLINED, reason), now)

        return apply

    # -------------------------------------------------------------- evidence
    def _plan_evidence_submit(self, payload: steps.EvidenceSubmit, actor: str, now: datetime) -> Apply:
        self._require(CasePhase.EVIDENCE)
        current = self._panel()
        reply = payload.reply
        hashes = list(payload.evidence)
        if not hashes:
            raise invalid("evidence_required", "name at least one evidence hash")
        due = present(current.reply_due if reply else current.evidence_due, "the evidence windows")
        if (current.paused_at or now) > due:  # a paused clock stands still: it does not reopen a window
            raise conflict("window_closed", f"the {'reply' if reply else 'evidence'} window has closed")
        return lambda: self.evidence.append(Evidence(actor, hashes, reply, now, payload.note))

    def _plan_inspection_sign(self, payload: steps.InspectionSign, actor: str, now: datetime) -> Apply:
        self._require(CasePhase.EVIDENCE)
        current = self._panel()
        if actor not in PARTIES and actor != self._chair():
            raise forbidden(
                "chair_only", "the joint inspection report is signed by the parties and the chair"
            )
        report_hash = payload.report_hash
        report = current.inspection
        same = report if report is not None and report.report_hash == report_hash else None
        if same is not None and actor in same.signed_by:
            raise conflict("already_signed", "this report is already signed by you")
        if report is not None and set(report.signed_by) == PARTIES | {self._chair()}:
            raise conflict("inspection_recorded", "the joint inspection report is signed by all three")

        def apply() -> None:
            if same is not None:
                same.signed_by.append(actor)
            else:
                current.inspection = JointInspection(report_hash, [actor])

        return apply

    def _plan_clock_pause(self, payload: steps.ClockPause, actor: str, now: datetime) -> Apply:
        self._require(CasePhase.EVIDENCE)
        current = self._panel()
        if current.paused_at:
            raise conflict("already_paused", "the clock is already paused")
        # the reply window's timer may not have fired yet
        if now >= present(current.reply_due, "the reply window"):
            raise conflict("evidence_closed", "the evidence windows have ended: there is no clock to pause")

        def apply() -> None:
            current.paused_at = now

        return apply

    def _plan_clock_resume(self, payload: steps.ClockResume, actor: str, now: datetime) -> Apply:
        self._require(CasePhase.EVIDENCE)
        current = self._panel()
        paused_at = current.paused_at
        if not paused_at:
            raise conflict("not_paused", "the clock is running")

        def apply() -> None:
            if (mediation := self._mediation_counting()) is not None:  # art. 20: paused time does not count
                mediation.paused_working_days += self.calendar.working_days_between(paused_at, now)
                self._count_mediation(mediation)
            paused_for = now - paused_at
            current.evidence_due = present(current.evidence_due, "the evidence window") + paused_for
            current.reply_due = present(current.reply_due, "the reply window") + paused_for
            current.decision_due = present(current.decision_due, "the decision target") + paused_for
            current.paused_at = None

        return apply

    # ---------------------------------------------------------------- voting
    def _plan_vote_commit(self, payload: steps.VoteCommit, expert_id: str, now: datetime) -> Apply:
        self._require(CasePhase.VOTING)
        current = self._panel()
        if expert_id in current.commitments:
            raise conflict("already_committed", "your vote is already committed")
        commitment = payload.commitment
        if len(commitment) != 64 or any(c not in "0123456789abcdef" for c in commitment):
            raise invalid("bad_commitment", "a commitment is a sha256 hex digest")
        return lambda: current.commitments.__setitem__(expert_id, commitment)

    def _plan_vote_reveal(self, payload: steps.VoteReveal, expert_id: str, now: datetime) -> Apply:
        self._require(CasePhase.VOTING)
        current = self._panel()
        if set(current.commitments) != set(current.seats):
            raise conflict("commitments_outstanding", "reveals open once every member has committed")
        if expert_id in current.reveals:
            raise conflict("already_revealed", "your vote is already revealed")
        opinion_raw = payload.opinion
        salt = payload.salt
        if not check_reveal(current.commitments[expert_id], opinion_raw, salt):
            raise invalid("reveal_mismatch", "the opinion and salt do not match your commitment")
        try:
            opinion = opinion_from_document(opinion_raw)
        except InvalidOpinion as exc:
            raise invalid("bad_opinion", str(exc)) from None
        items = {item.item_id for item in self.terms.items}
        if set(opinion.findings) != items:
            raise invalid("findings_mismatch", f"give a finding on exactly these items: {sorted(items)}")
        if self.terms.domain == RENOVATION and (
            opinion.pay_fen is None or opinion.pay_fen > self.terms.disputed_fen
        ):
            raise invalid(
                "bad_proposal",
                f"propose a payment from 0 to {self.terms.disputed_fen} fen",
                params={"maximum_fen": self.terms.disputed_fen},
            )
        if self.terms.domain == CAR and opinion.pay_fen is not None:
            raise invalid("bad_proposal", "a car case decides a remedy, not a money split")
        return lambda: current.reveals.__setitem__(expert_id, opinion)

    def _chair(self) -> str:
        return present(self._panel().draw, "the panel's draw").chair

    def _plan_decision_summarise(
        self, payload: steps.DecisionSummarise, expert_id: str, now: datetime
    ) -> Apply:
        self._require(CasePhase.SUMMARY)
        if expert_id != self._chair():
            raise forbidden("chair_only", "the chair writes the summary")
        summary = payload.summary
        outcome, rework_days, remedy = self._summary_outcome(payload)
        current = self._panel()
        opinions = dict(current.reveals)
        decision = aggregate(opinions, self.terms.disputed_fen, self._chair())
        if self.terms.domain == RENOVATION and outcome not in summary_choices(RENOVATION, decision.pay_fen):
            raise invalid("outcome_mismatch", "the panel's median pays the business: the outcome is a split")
        document = PanelDecision(
            case_id=self.subject_id,
            round=current.number,
            findings=decision.findings,
            dissent={k: list(v) for k, v in decision.dissent.items()},
            tie_broken_by_chair=list(decision.tie_broken_by_chair),
            pay_fen=decision.pay_fen,
            refund_fen=decision.refund_fen,
            reasons={e: o.reasons for e, o in opinions.items()},
            summary=summary,
            outcome=outcome,
            rework_days=rework_days,
            remedy=remedy,
        )
        # only a car claim that states its facts has a statutory remedy (older decisions keep their hash)
        if self.statutory is not None:
            departure = self._departure(payload, remedy, self.statutory)
            document = StatutoryDecision(
                **asdict(document), statutory_remedy=self.statutory, departure_reason=departure
            )
        elif payload.departure_reason is not None:
            raise invalid("not_a_departure", "the claim states no car facts: there is no statutory remedy")

        def apply() -> None:
            current.decision = document
            current.decision_hash = content_hash(decision_document(document))
            self.phase = CasePhase.SIGNING

        return apply

    def _departure(
        self, payload: steps.DecisionSummarise, remedy: str, claimed: dict[str, Any]
    ) -> str | None:
        """Why the panel departs from what the regulation gives on the claimed facts; None if it does not."""
        statutory = claimed["remedy"]
        if remedy == statutory:
            if payload.departure_reason is not None:
                raise invalid(
                    "not_a_departure", f"the remedy is the statutory one ({statutory}): no departure"
                )
            return None
        if payload.departure_reason is None:
            raise invalid(
                "departure_reason_required",
                f"the statutory remedy on the claimed facts is {statutory} ({claimed['article']}): "
                "say why the panel departs from it",
            )
        return payload.departure_reason

    def _summary_outcome(self, payload: steps.DecisionSummarise) -> tuple[str, int, str]:
        if self.terms.domain == CAR:
            return "remedy", 0, choice(payload.remedy, "remedy", CAR_REMEDIES)
        outcome = choice(payload.outcome, "outcome", RENOVATION_OUTCOMES)
        rework_days = payload.rework_days
        if (outcome == "rework") != (rework_days > 0):
            raise invalid("bad_rework", "a rework order, and only a rework order, sets rework_days")
        return outcome, rework_days, "-"

    def _plan_decision_sign(self, payload: steps.DecisionSign, expert_id: str, now: datetime) -> Apply:
        self._require(CasePhase.SIGNING)
        current = self._panel()
        if payload.decision_hash != current.decision_hash:
            raise invalid("decision_hash_mismatch", "sign the decision as drafted")
        if expert_id in current.signatures:
            raise conflict("already_signed", "you already signed this decision")
        dissent = payload.dissent

        def apply() -> None:
            current.signatures.append(expert_id)
            if dissent:
                current.dissent_notes[expert_id] = dissent

        return apply

    def _plan_decision_countersign(
        self, payload: steps.DecisionCountersign, actor: str, now: datetime
    ) -> Apply:
        self._require(CasePhase.SIGNING)
        current = self._panel()
        if set(current.signatures) != set(current.seats):
            raise conflict("signatures_outstanding", "every panel member signs before the council")
        if payload.decision_hash != current.decision_hash:
            raise invalid("decision_hash_mismatch", "countersign the decision the panel signed")

        def apply() -> None:
            current.countersigned = True
            if current.number == 1:
                self.phase = CasePhase.OBJECTION
                self.objection_due = now + timedelta(days=self.windows.objection_days)
            else:
                self._conclude_from_decision(now)

        return apply

    # ------------------------------------------------------------ objection
    def _plan_decision_object(self, payload: steps.DecisionObject, actor: str, now: datetime) -> Apply:
        self._require(CasePhase.OBJECTION)
        # the timer may not have fired yet: the decision has concluded
        if now >= present(self.objection_due, "the objection window"):
            raise conflict("objection_window_closed", "the objection window has closed")
        reason = payload.reason

        def apply() -> None:
            self.objection = Objection(actor, reason)
            self.rounds.append(PanelRound(number=2))
            self.phase = CasePhase.DRAW

        return apply

    def _conclude_from_decision(self, start: datetime) -> None:
        """The decision concludes the case at `start`: as the council's expert opinion when the
        mediation period ended before then without agreement (SAMR Order No. 20 art. 21(5))."""
        current = self._panel()
        decision = present(current.decision, "the panel's decision")
        ended = self.mediation.ended_at if self.mediation is not None else None
        self._conclude(
            DecidedOutcome(
                "decision",
                decision.outcome,
                decision.pay_fen or 0,
                decision.refund_fen or 0,
                decision.remedy,
                decision.rework_days,
                present(current.decision_hash, "the decision's hash"),
                expert_opinion=ended is not None and ended <= start,
            ),
            start,
        )

    def _conclude(self, outcome: SettledOutcome | DecidedOutcome, start: datetime) -> None:
        """Enforcement begins. A case no escrow enforces (a car's, a renovation filed without one)
        gives the business a window from `start` to confirm it complied; after it, it is recorded
        non-compliant (and its fund, if it pledged one, may pay the consumer first)."""
        self.outcome = outcome
        self.phase = CasePhase.ENFORCEMENT
        if self.terms.escrow_id is None:
            self.remedy_due = start + timedelta(days=self.windows.remedy_confirmation_days)

    def advance_claim(self) -> AdvanceClaim | None:
        """What a fund may pay the consumer in advance on this case (docs/ADVANCE_COMPENSATION.md):
        only a panel decision the council countersigned, recorded non-compliant, that gives the
        consumer money: a renovation's refund (or a split's refund part); a car's refund, which the
        decision does not put a figure on (Order No. 43 art. 27's usage fee is left to the parties),
        up to the amount the claim disputed. A repair or a replaced part is not money: no fund pays it."""
        outcome = self.outcome
        if not (self.noncompliant and isinstance(outcome, DecidedOutcome)):
            return None
        if self.terms.domain == CAR:
            decided = self.terms.disputed_fen if outcome.remedy in CAR_REFUNDS else 0
        else:
            decided = outcome.refund_fen
        if decided <= 0:
            return None
        return AdvanceClaim(
            self.subject_id,
            outcome.decision_hash,
            self.terms.claimant.party_id,
            self.terms.respondent.party_id,
            decided,
            present(self.remedy_due, "the remedy window"),
        )

    # ----------------------------------------------------------- enforcement
    def _plan_enforcement_submit(self, payload: steps.EnforcementSubmit, actor: str, now: datetime) -> Apply:
        self._require(CasePhase.ENFORCEMENT)
        if self.terms.domain != RENOVATION or self.terms.escrow_id is None:
            raise conflict("no_escrow", "only a renovation case with an escrow is enforced through it")
        if self.escrow_step is not None:
            raise conflict("already_submitted", "the escrow step is already on its way")
        step = self._escrow_step(payload.escrow_step)

        def apply() -> None:
            self.escrow_step = step
            self.escrow_refusal = None

        return apply

    def _escrow_step(self, raw: dict[str, Any]) -> SignedStep:
        """The council's `dispute.decide` for the escrow must say exactly what was concluded here."""
        step, envelope = self._signed_escrow_step(raw, self.council_now(), "a council member")
        expected = asdict(self.escrow_decision())
        said = {k: envelope.payload.get(k, 0) for k in expected}
        if envelope.action != "dispute.decide" or said != expected:
            raise invalid(
                "escrow_step_mismatch", f"the escrow step must decide {expected} for {self.terms.escrow_id}"
            )
        return step

    def _signed_escrow_step(
        self, raw: dict[str, Any], keys: dict[str, str], signers: str
    ) -> tuple[SignedStep, Envelope]:
        """A step for this case's escrow, signed by one of `keys` (party id to public key)."""
        if set(raw) != {"envelope", "signature"}:
            raise invalid("bad_escrow_step", "escrow_step is {envelope, signature}")
        step = SignedStep(envelope=raw["envelope"], signature=raw["signature"])
        try:
            envelope = parse_envelope(step.envelope)
        except EnvelopeError as exc:
            raise invalid("bad_escrow_step", str(exc)) from None
        key = keys.get(envelope.signer)
        if key is None or not self.holds_key(envelope.signer, key, step):
            raise forbidden("bad_escrow_step", f"the escrow step must be signed by {signers}")
        if envelope.subject != self.terms.escrow_id:
            raise invalid("escrow_step_mismatch", f"the escrow step must be for {self.terms.escrow_id}")
        return step, envelope

    def escrow_decision(self) -> EscrowDecision:
        """What the council's `dispute.decide` for the escrow must say (see `EscrowDecision`)."""
        outcome = self._outcome()
        return EscrowDecision(
            dispute=self.terms.escrow_dispute,
            outcome=outcome.outcome,
            pay_fen=outcome.pay_fen if outcome.outcome == "split" else 0,
            refund_fen=outcome.refund_fen if outcome.outcome != "rework" else 0,
            rework_days=outcome.rework_days,
        )

    def awaits_escrow_step(self) -> bool:
        """Concluded, to be enforced through the escrow, and the council has not yet signed the step."""
        return (
            self.phase is CasePhase.ENFORCEMENT
            and self.terms.domain == RENOVATION
            and self.terms.escrow_id is not None
            and self.escrow_step is None
        )

    def escrow_enforced(self) -> None:
        self.phase = CasePhase.CLOSED
        self._after_change()

    def escrow_cancelled(self, now: datetime) -> None:
        """Both sides cancelled the escrow, which ended the dispute this case was deciding: there is
        nothing left to decide or enforce. Like a withdrawal, no money moves through the case."""
        if self.finished:
            return
        self.outcome = dropped("cancellation", "")  # its source says what happened, in any language
        self.escrow_step = None
        self.phase = CasePhase.CLOSED
        self._alert(AlertCode.ESCROW_CANCELLED, "escrow-cancelled", now)
        self._after_change()

    def escrow_refused(self, detail: str, now: datetime, code: str | None = None) -> None:
        """The escrow would not apply the step (e.g. it changed meanwhile): the council must look.

        A refused withdrawal still ends the case (dropping one's own claim needs nobody's
        leave); the escrow's dispute stays open for the council to decide on the escrow. A refused
        decision keeps the escrow's `code` (`escrow_refusal`), which the council's page shows in
        words above the form to sign the step again."""
        self.escrow_step = None
        self.escrow_refusal = code or "step_failed"
        if self._outcome().source == "withdrawal":
            self.phase = CasePhase.CLOSED
            self._alert(
                AlertCode.ESCROW_REFUSED_WITHDRAWAL, f"escrow-refused:{self.version}", now, detail=detail
            )
        else:
            self._alert(
                AlertCode.ESCROW_REFUSED_DECISION, f"escrow-refused:{self.version}", now, detail=detail
            )
        self._after_change()

    # ------------------------------------------------------------ withdrawal
    def _plan_case_withdraw(self, payload: steps.CaseWithdraw, actor: str, now: datetime) -> Apply:
        """The claimant drops the case before any decision is countersigned.

        A case deciding an escrow's dispute carries the claimant's own signed
        `dispute.withdraw` for that escrow, handed over like a council's decision, so the
        frozen money goes back to where the contract had it.
        """
        self._require(*WITHDRAWABLE)
        if self.objection is not None:
            raise conflict(
                "decision_made", "a decision was countersigned and appealed: it can't be withdrawn"
            )
        reason = payload.reason
        step = None
        if self.terms.escrow_id is None:
            if payload.escrow_step is not None:
                raise invalid("no_escrow", "this case decides no escrow's dispute")
        else:
            step = self._withdrawal_escrow_step(document(payload.escrow_step, "escrow_step"))

        def apply() -> None:
            self.outcome = dropped("withdrawal", reason)
            if step is None:
                self.phase = CasePhase.CLOSED
                return
            self.escrow_step = step
            self.phase = CasePhase.ENFORCEMENT

        return apply

    def _withdrawal_escrow_step(self, raw: dict[str, Any]) -> SignedStep:
        claimant = self.terms.claimant
        step, envelope = self._signed_escrow_step(
            raw, {claimant.party_id: claimant.public_key}, "the claimant"
        )
        expected = {"dispute": self.terms.escrow_dispute, "case_id": self.subject_id}
        if envelope.action != "dispute.withdraw" or envelope.payload != expected:
            raise invalid(
                "escrow_step_mismatch", f"the escrow step must withdraw {expected} for {self.terms.escrow_id}"
            )
        return step

    def _plan_remedy_confirm(self, payload: steps.RemedyConfirm, actor: str, now: datetime) -> Apply:
        self._require(CasePhase.ENFORCEMENT)
        if self.terms.escrow_id is not None:
            raise conflict(
                "enforced_by_escrow", "this case's escrow carries out the decision: nothing to confirm"
            )
        if now >= present(self.remedy_due, "the remedy window"):  # the timer may not have fired yet
            raise conflict("remedy_window_closed", "the time to confirm the remedy is over")
        remedy = payload.remedy
        decided = confirmed_remedy(self.terms.domain, self._outcome())
        if remedy != decided:
            raise invalid("remedy_mismatch", f"the remedy decided is {decided}")

        def apply() -> None:
            self.remedy_confirmed = remedy
            self.phase = CasePhase.CLOSED

        return apply

    # ------------------------------------------------------------- mediation
    def _plan_mediation_extend(self, payload: steps.MediationExtend, actor: str, now: datetime) -> Apply:
        """Either party signs an extension of the mediation period by a stated number of working days;
        it takes effect when the other signs the same. Until then a different number replaces it."""
        mediation = self._mediation_counting()
        if mediation is None:
            if self.mediation is not None and self.mediation.ended_at is not None:
                ended = local_day(self.mediation.ended_at)
                raise conflict(
                    "mediation_ended", f"the mediation period ended on {ended}", params={"date": ended}
                )
            raise conflict("wrong_phase", f"the case is in {self.phase.value}: no mediation period runs")
        if now >= mediation.due and not self._clock_paused():  # the timer may not have fired yet
            ended = local_day(mediation.due)
            raise conflict(
                "mediation_ended", f"the mediation period ended on {ended}", params={"date": ended}
            )
        days = payload.working_days
        proposed = mediation.proposed
        same = proposed if proposed is not None and proposed.working_days == days else None
        if same is not None and actor in same.signed_by:
            raise conflict("already_signed", f"the {actor} already signed this extension")

        def apply() -> None:
            if same is None:
                mediation.proposed = MediationExtension(days, [actor])
                return
            mediation.proposed = None
            mediation.extensions.append(days)
            self._count_mediation(mediation)

        return apply

    def _mediation_counting(self) -> Mediation | None:
        """The mediation period while it counts: from the acceptance until an agreement or another end
        of the case (settlement, decision concluded, withdrawal, cancellation) or its own end."""
        mediation = self.mediation
        if mediation is None or mediation.ended_at is not None or self.outcome is not None or self.finished:
            return None
        return mediation

    def _clock_paused(self) -> bool:
        """The council paused the clock for testing or appraisal (art. 20: that time does not count)."""
        current = self.round
        return current is not None and current.paused_at is not None

    def _count_mediation(self, mediation: Mediation) -> None:
        """The period's end on the case's calendar: 45 working days from the acceptance, plus the
        working days paused and every extension both parties signed."""
        days = MEDIATION_WORKING_DAYS + mediation.paused_working_days + sum(mediation.extensions)
        mediation.due = self.calendar.add_working_days(mediation.accepted_at, days)

    def _mediation_alert_at(self, mediation: Mediation) -> datetime:
        days = MEDIATION_ALERT_WORKING_DAYS + mediation.paused_working_days
        return self.calendar.add_working_days(mediation.accepted_at, days)

    def _time_mediation(self, now: datetime) -> None:
        """At 35 working days the council is told; at the end the case records that mediation ended
        without agreement and goes on (art. 21(5))."""
        mediation = self._mediation_counting()
        if mediation is None or self._clock_paused():
            return
        if not mediation.alerted and now >= self._mediation_alert_at(mediation):
            mediation.alerted = True
            self._alert(
                AlertCode.MEDIATION_NEARLY_OVER,
                "mediation-alert",
                now,
                days=MEDIATION_ALERT_WORKING_DAYS,
                due=local_day(mediation.due),
            )
        if now >= mediation.due:
            mediation.ended_at, mediation.proposed = mediation.due, None
            self._alert(AlertCode.MEDIATION_ENDED, "mediation-ended", now, due=local_day(mediation.due))

    def _await_mediation(self, waits: Awaiting) -> None:
        """The end of the mediation period: nobody's step is awaited, but either party may sign an
        extension until then, and at it the case records that mediation ended. While the clock is
        paused the period stands still."""
        mediation = self._mediation_counting()
        if mediation is None:
            return
        running = not self._clock_paused()
        due = mediation.due if running else None
        signed = mediation.proposed.signed_by if mediation.proposed else []
        for side in (CLAIMANT, RESPONDENT):
            if side not in signed:
                at = AtDeadline.ENDS_MEDIATION
                waits.add(self._of(side, "mediation.extend", mediation.accepted_at, due, at, "mediation"))
        if running:
            if not mediation.alerted:
                waits.wake(self._mediation_alert_at(mediation))
            waits.wake(mediation.due)

    def refuse_calendar(self, problem: str, now: datetime) -> None:
        """A calendar document that cannot be read (the `update_calendar` signal): the case keeps its
        calendar and the council is told."""
        self._alert(AlertCode.CALENDAR_REFUSED, f"calendar-refused-{self.version}", now, problem=problem)
        self._after_change()

    # ------------------------------------------------------------------ time
    def _formed(self) -> datetime:
        """When the panel formed: the strike window's end, or the last declaration if that came later.

        A window that follows another starts when that one ended (see the module's decision).
        """
        current = self._panel()
        declared = [present(s.declared_at, "a declaration's time") for s in current.seats.values()]
        return max([present(current.strike_due, "the strike window"), *declared])

    def _advance(self, now: datetime) -> None:
        if self.phase not in (CasePhase.PANEL, CasePhase.EVIDENCE, CasePhase.VOTING):
            return
        current = self._panel()
        if (
            self.phase is CasePhase.PANEL
            and now >= present(current.strike_due, "the strike window")
            and all(s.declared for s in current.seats.values())
        ):
            self.phase = CasePhase.EVIDENCE
            current.formed_at = formed = self._formed()
            current.decision_due = formed + timedelta(days=self.windows.decision_target_days)
            current.evidence_due = formed + timedelta(days=self.windows.evidence_days)
            current.reply_due = current.evidence_due + timedelta(days=self.windows.reply_days)
        if (
            self.phase is CasePhase.EVIDENCE
            and not current.paused_at
            and now >= (reply_due := present(current.reply_due, "the reply window"))
        ):
            self.phase = CasePhase.VOTING
            current.vote_due = reply_due + timedelta(days=self.windows.vote_days)
        if self.phase is CasePhase.VOTING and current.reveals and set(current.reveals) == set(current.seats):
            self.phase = CasePhase.SUMMARY

    # ---------------------------------------------------------- working days
    def _working_day_counts(self) -> dict[str, tuple[datetime, datetime]]:
        """The deadlines counted in working days, by their snapshot field: where each count starts
        and where it ends."""
        counts = {"acceptance_due": (self.filed_at, self.acceptance_due)}
        if (mediation := self._mediation_counting()) is not None:
            counts["mediation_due"] = (mediation.accepted_at, mediation.due)
        return counts

    def provisional_deadlines(self) -> list[str]:
        """The working-day deadlines counted through a year whose holiday notice is not known yet."""
        counts = self._working_day_counts().items()
        return [name for name, (start, due) in counts if self.calendar.provisional_between(start, due)]

    def _alert_if_provisional(self, now: datetime) -> None:
        """Tell the council, once per case, that a deadline may move when a notice comes out."""
        provisional = self.provisional_deadlines()
        if self.provisional_alerted or not provisional:
            return
        self.provisional_alerted = True
        self._alert(
            AlertCode.PROVISIONAL_DEADLINE, "provisional-deadline", now, deadlines=",".join(provisional)
        )

    def update_calendar(self, calendar: WorkCalendar, now: datetime) -> None:
        """A newer calendar (the workflow's `update_calendar` signal): the working-day deadlines still
        pending are counted again on it. Each that moved is recorded (`recounts`, which every case
        page lists and the notifier tells the parties of) and the council is alerted. Not a trail
        entry: the trail holds signed steps, and nobody signs a calendar; the signal itself is in
        the workflow's history."""
        self.calendar = calendar
        if self.phase is CasePhase.FILED and not self.acceptance_alerted:
            before = self.acceptance_due
            self.acceptance_due = calendar.add_working_days(
                self.filed_at, self.windows.acceptance_working_days
            )
            self._recounted(
                "acceptance_due", before, self.acceptance_due, AlertCode.ACCEPTANCE_RECOUNTED, now
            )
        if (mediation := self._mediation_counting()) is not None:
            before = mediation.due
            self._count_mediation(mediation)
            self._recounted("mediation_due", before, mediation.due, AlertCode.MEDIATION_RECOUNTED, now)
        self._alert_if_provisional(now)
        self._after_change()

    def _recounted(
        self, deadline: str, before: datetime, after: datetime, code: AlertCode, now: datetime
    ) -> None:
        if after == before:
            return
        was, due = local_day(before), local_day(after)
        self.recounts.append(Recount(deadline, was, due, now))
        self._alert(code, f"calendar-{self.version}:{deadline.replace('_', '-')}", now, due=due, was=was)

    # ------------------------------------------------------- what is awaited
    def open_actions(self) -> list[OpenAction]:
        """What the case waits for now, from whom, by when, and what happens then."""
        return self._awaiting().actions

    def _deadlines(self) -> list[datetime]:
        return self._awaiting().timers

    def _awaiting(self) -> Awaiting:
        """The open actions and, beside each, the timer that makes its deadline happen: one place for
        both, so what a page says is due and when the workflow wakes cannot drift apart."""
        waits = Awaiting()
        phase = self.phase
        if phase is CasePhase.FILED:
            alerting = not self.acceptance_alerted
            at = AtDeadline.ALERTS_COUNCIL if alerting else AtDeadline.NOTHING
            waits.add(OpenAction("case.accept", Role.COUNCIL, None, self.filed_at, self.acceptance_due, at))
            if alerting:
                waits.wake(self.acceptance_due)
        if phase is CasePhase.ANSWER:
            answer_due = present(self.answer_due, "the answer window")
            since = answer_due - timedelta(days=self.windows.answer_days)
            waits.add(self._of(RESPONDENT, "answer.submit", since, answer_due, AtDeadline.CLOSES_WINDOW))
            waits.wake(answer_due)
        if phase in SETTLEABLE:
            self._await_settlement(waits)
        if phase is CasePhase.DRAW:
            retry = self.draw_retry_at
            at = AtDeadline.RETRIES_DRAW if retry else AtDeadline.NOTHING
            waits.add(OpenAction("panel.draw", Role.COUNCIL, None, None, retry, at))
            if retry:
                waits.wake(retry)
        if phase is CasePhase.PANEL:
            self._await_panel(waits)
        if phase is CasePhase.EVIDENCE:
            self._await_evidence(waits)
        if phase in (CasePhase.VOTING, CasePhase.SUMMARY, CasePhase.SIGNING):
            self._await_decision(waits)
        if (target := self._decision_target()) is not None:
            waits.wake(target)
        if phase is CasePhase.OBJECTION:
            objection_due = present(self.objection_due, "the objection window")
            since = objection_due - timedelta(days=self.windows.objection_days)
            for side in (CLAIMANT, RESPONDENT):
                waits.add(self._of(side, "decision.object", since, objection_due, AtDeadline.CLOSES_WINDOW))
            waits.wake(objection_due)
        if phase is CasePhase.ENFORCEMENT:
            self._await_enforcement(waits)
        if phase in WITHDRAWABLE and self.objection is None:
            waits.add(self._of(CLAIMANT, "case.withdraw", None, None, AtDeadline.NOT_AWAITED))
        self._await_mediation(waits)
        return waits

    def _of(
        self,
        side: str,
        action: str,
        since: datetime | None,
        due: datetime | None,
        at: AtDeadline,
        ref: str | None = None,
    ) -> OpenAction:
        """An action awaited from the claimant or the respondent."""
        party = self.terms.claimant if side == CLAIMANT else self.terms.respondent
        return OpenAction(action, Role(side), party.party_id, since, due, at, ref)

    def _of_seat(
        self, seat: Seat, action: str, since: datetime | None, due: datetime | None, at: AtDeadline
    ) -> OpenAction:
        """An action awaited from a panel member; `ref` is their expert id (their seat)."""
        return OpenAction(action, Role.EXPERT, seat.party_id, since, due, at, seat.expert_id)

    def _await_settlement(self, waits: Awaiting) -> None:
        """Either side may sign a settlement (its own terms, or the other side's) until a decision is
        countersigned; during negotiation the draw waits for the side that has not signed."""
        negotiating = self.phase is CasePhase.NEGOTIATION
        due = present(self.negotiation_due, "the negotiation window") if negotiating else None
        since = due - timedelta(days=self.windows.negotiation_days) if due else None
        signed = self.settlement.signed_by if self.settlement else []
        for side in (CLAIMANT, RESPONDENT):
            if due and side not in signed:
                waits.add(self._of(side, "settlement.sign", since, due, AtDeadline.CLOSES_WINDOW))
            else:
                waits.add(self._of(side, "settlement.sign", None, None, AtDeadline.NOT_AWAITED))
        if due:
            waits.wake(due)

    def _await_panel(self, waits: Awaiting) -> None:
        """Strikes until the strike window ends, and each seated member's independence declaration."""
        current = self._panel()
        strike_due = present(current.strike_due, "the strike window")
        since = strike_due - timedelta(days=self.windows.strike_days)
        for side in (CLAIMANT, RESPONDENT):
            if side not in current.strikes:
                waits.add(self._of(side, "strike.submit", since, strike_due, AtDeadline.CLOSES_WINDOW))
        undeclared = [s for s in current.seats.values() if not s.declared]
        for seat in undeclared:
            due = seat.declaration_due
            waits.add(self._of_seat(seat, "declaration.sign", seat.seated_at, due, AtDeadline.PASSES_SEAT))
            waits.wake(due)
        # the end of the strike window matters only once every seat is declared; before that a
        # passed strike_due would stay a deadline in the past and wake the workflow forever
        if not undeclared:
            waits.wake(strike_due)

    def _await_evidence(self, waits: Awaiting) -> None:
        """Evidence, then replies, from both sides; the joint inspection report's signatures; the
        council's clock. A paused clock stands still: nothing is due until it runs again."""
        current = self._panel()
        running = current.paused_at is None
        evidence_due = present(current.evidence_due, "the evidence window")
        reply_due = present(current.reply_due, "the reply window")
        at = AtDeadline.CLOSES_WINDOW if running else AtDeadline.NOTHING
        for side in (CLAIMANT, RESPONDENT):
            for ref, since, due in (
                ("evidence", current.formed_at, evidence_due),
                ("reply", evidence_due, reply_due),
            ):
                waits.add(self._of(side, "evidence.submit", since, due if running else None, at, ref))
        report = current.inspection
        signed = set(report.signed_by) if report else set()
        chair = self._chair()
        if signed != PARTIES | {chair}:  # a joint site report is optional: nothing waits for it
            for side in (CLAIMANT, RESPONDENT):
                if side not in signed:
                    waits.add(self._of(side, "inspection.sign", None, None, AtDeadline.NOT_AWAITED))
            if chair not in signed:
                seat = current.seats[chair]
                waits.add(self._of_seat(seat, "inspection.sign", None, None, AtDeadline.NOT_AWAITED))
        if running:
            waits.add(OpenAction("clock.pause", Role.COUNCIL, None, None, None, AtDeadline.NOT_AWAITED))
            waits.wake(reply_due)
        else:  # the evidence windows stand still until the council lets the clock run again
            resume = OpenAction(
                "clock.resume", Role.COUNCIL, None, current.paused_at, None, AtDeadline.NOTHING
            )
            waits.add(resume)

    def _await_decision(self, waits: Awaiting) -> None:
        """Each member's vote, committed then revealed; the chair's summary; each member's signature,
        then the council's countersignature. Past the due time the council is told."""
        current = self._panel()
        if self.phase is CasePhase.VOTING:
            vote_due = present(current.vote_due, "the vote window")
            alerting = not current.vote_overdue_alerted
            at = AtDeadline.ALERTS_COUNCIL if alerting else AtDeadline.NOTHING
            since = vote_due - timedelta(days=self.windows.vote_days)
            committed = set(current.commitments) == set(current.seats)
            for expert_id, seat in current.seats.items():
                if expert_id not in current.commitments:
                    waits.add(self._of_seat(seat, "vote.commit", since, vote_due, at))
                elif committed and expert_id not in current.reveals:
                    waits.add(self._of_seat(seat, "vote.reveal", since, vote_due, at))
            if alerting:
                waits.wake(vote_due)
            return
        target = self._decision_target()
        due = current.decision_due
        at = AtDeadline.ALERTS_COUNCIL if target is not None else AtDeadline.NOTHING
        if self.phase is CasePhase.SUMMARY:
            waits.add(self._of_seat(current.seats[self._chair()], "decision.summarise", None, due, at))
            return
        unsigned = [s for expert_id, s in current.seats.items() if expert_id not in current.signatures]
        for seat in unsigned:
            waits.add(self._of_seat(seat, "decision.sign", None, due, at))
        if not unsigned:
            waits.add(OpenAction("decision.countersign", Role.COUNCIL, None, None, due, at))

    def _await_enforcement(self, waits: Awaiting) -> None:
        """The council's step for the escrow, or the car dealer's confirmation of the remedy."""
        if self.awaits_escrow_step():
            waits.add(OpenAction("enforcement.submit", Role.COUNCIL, None, None, None, AtDeadline.NOTHING))
        if self.remedy_due:
            since = self.remedy_due - timedelta(days=self.windows.remedy_confirmation_days)
            at = AtDeadline.RECORDED_NONCOMPLIANT
            waits.add(self._of(RESPONDENT, "remedy.confirm", since, self.remedy_due, at))
            waits.wake(self.remedy_due)

    def _decision_target(self) -> datetime | None:
        """When the panel's countersigned decision is due, while it is still outstanding.

        Paused time does not count (the target moves on at `clock.resume`), and while the
        clock is paused the target is not running at all, so nothing is overdue.
        """
        current = self.round
        if self.phase not in PANEL_AT_WORK:  # e.g. settled meanwhile: no decision is owed any more
            return None
        if current is None or not current.formed_at or current.target_alerted or current.countersigned:
            return None
        if current.paused_at:
            return None
        return current.decision_due

    def next_deadline(self) -> datetime | None:
        return min(self._deadlines(), default=None)

    def on_time(self, now: datetime) -> None:
        self._time_mediation(now)
        if self.phase is CasePhase.FILED and not self.acceptance_alerted and now >= self.acceptance_due:
            self.acceptance_alerted = True
            self._alert(AlertCode.ACCEPTANCE_OVERDUE, "acceptance-overdue", now)
        if self.phase is CasePhase.ANSWER and now >= (answer_due := present(self.answer_due, "the answer")):
            self._open_negotiation(answer_due)  # silence does not lose the case
        if self.phase is CasePhase.NEGOTIATION and now >= present(self.negotiation_due, "negotiation"):
            self.rounds.append(PanelRound(number=1))
            self.phase = CasePhase.DRAW
        if self.phase is CasePhase.PANEL:
            current = self._panel()
            for seat in list(current.seats.values()):
                if not seat.declared and now >= seat.declaration_due and seat.expert_id in current.seats:
                    self._replace(seat.expert_id, seat_change(SeatChange.DECLARATION_TIMED_OUT), now)
                    if self.phase is not CasePhase.PANEL:
                        break
        if (
            self.phase is CasePhase.VOTING
            and not (current := self._panel()).vote_overdue_alerted
            and now >= present(current.vote_due, "the vote window")
        ):
            current.vote_overdue_alerted = True
            self._alert(AlertCode.VOTE_OVERDUE, f"round-{current.number}:vote-overdue", now)
        if (target := self._decision_target()) is not None and now >= target:
            current = self._panel()
            current.target_alerted = True
            self._alert(AlertCode.DECISION_OVERDUE, f"round-{current.number}:decision-overdue", now)
        if self.phase is CasePhase.OBJECTION and now >= (
            objection_due := present(self.objection_due, "objection")
        ):
            self._conclude_from_decision(objection_due)
        if self.phase is CasePhase.ENFORCEMENT and self.remedy_due and now >= self.remedy_due:
            self.noncompliant = True
            self.phase = CasePhase.CLOSED
            self._alert(AlertCode.REMEDY_NOT_CONFIRMED, "remedy-not-confirmed", now)
        self._advance(now)
        self._after_change()

    @property
    def finished(self) -> bool:
        return self.phase in (CasePhase.CLOSED, CasePhase.REJECTED)

    def needs_escrow_enforcement(self) -> bool:
        return self.phase is CasePhase.ENFORCEMENT and self.escrow_step is not None

    # --------------------------------------------------------------- reading
    def draw_entries(self) -> list[DrawEntry]:
        """Every draw of this case: those abandoned because a seat could not be refilled first, then
        each round's latest attempt that could seat nobody, then the draw of each round as it stands."""
        abandoned: list[DrawEntry] = [
            AbandonedPanelDraw(d.round, d.draw, d.candidates, Abandonment(d.vacated, d.reason, d.problem))
            for d in map(abandoned_draw_snapshot, self.abandoned_draws)
        ]
        failed: list[DrawEntry] = [
            FailedPanelDraw(r.number, a.draw, a.candidates, Attempts(a.attempts, a.attempted_at))
            for r in self.rounds
            if r.failed_draw is not None
            for a in [failed_attempt_snapshot(r.failed_draw)]
        ]
        current: list[DrawEntry] = [
            PanelDraw(r.number, draw_record_document(r.draw), candidate_documents(r.candidates))
            for r in self.rounds
            if r.draw is not None
        ]
        return abandoned + failed + current

    def snapshot(self) -> CaseSnapshot:
        """The case as it stands, a copy: nothing a reader does to it reaches the machine."""
        return deepcopy(
            CaseSnapshot(
                case_id=self.subject_id,
                domain=self.terms.domain,
                version=self.version,
                phase=self.phase,
                claimant_id=self.terms.claimant.party_id,
                respondent_id=self.terms.respondent.party_id,
                escrow_id=self.terms.escrow_id,
                escrow_dispute=self.terms.escrow_dispute,
                disputed_fen=self.terms.disputed_fen,
                items=self.terms.items,
                main_specialty=self.terms.main_specialty,
                remedy_sought=self.terms.remedy_sought,
                car_facts=self.terms.car_facts,
                statutory_remedy=self.statutory,
                filed_at=self.filed_at,
                acceptance_due=self.acceptance_due,
                answer_due=self.answer_due,
                answer=self.answer,
                negotiation_due=self.negotiation_due,
                settlement=self.settlement,
                rounds=[round_snapshot(r) for r in self.rounds],
                abandoned_draws=[abandoned_draw_snapshot(d) for d in self.abandoned_draws],
                evidence=self.evidence,
                outcome=self.outcome,
                objection=self.objection,
                objection_due=self.objection_due,
                escrow_step=self.escrow_step,
                escrow_decision=self.escrow_decision() if self.awaits_escrow_step() else None,
                remedy_due=self.remedy_due,
                remedy_confirmed=self.remedy_confirmed,
                noncompliant=self.noncompliant,
                rejection=self.rejection,
                alerts=self.alerts,
                trail_head=self.trail_head,
                trail_length=len(self.trail),
                open_actions=self.open_actions(),
                provisional_deadlines=self.provisional_deadlines(),
                rejection_grounds=self.rejection_grounds,
                mediation=self.mediation,
                time_barred=self.time_barred,
                escrow_refusal=self.escrow_refusal if self.awaits_escrow_step() else None,
                recounts=self.recounts,
                advance_claim=self.advance_claim(),
            )
        )


def summary_choices(domain: str, pay_fen: int | None) -> list[str]:
    """What the chair may write for a decision whose median pays the business `pay_fen`: a car
    remedy, or a renovation outcome, "refund" only when the median pays the business nothing."""
    if domain == CAR:
        return sorted(CAR_REMEDIES)
    return sorted(RENOVATION_OUTCOMES - {"refund"} if pay_fen else RENOVATION_OUTCOMES)


def terms_document(terms: CaseTerms) -> dict[str, Any]:
    """The terms a case's trail starts from. A field added to the terms later is left out while
    unset, so a case filed before it keeps the genesis hash its trail was chained from."""
    document = jsonable_object(asdict(terms))
    for later, unset in (("car_facts", None), ("evidence", []), ("known_since", None)):
        if document[later] == unset:
            del document[later]
    return document


def local_day(moment: datetime) -> str:
    """The day in Shanghai, YYYY-MM-DD: how a deadline counted in working days is named."""
    return moment.astimezone(SHANGHAI).date().isoformat()


def time_bar(known_since: str | None, filed_at: datetime) -> TimeBar | None:
    """The flag of a claim filed more than three years after the stated date of knowledge (SAMR Order
    No. 20 art. 15(4)); None when it is within time or states no date. The three years end on the same
    day three years on (28 February for a 29 February), as a period in years does."""
    if known_since is None:
        return None
    known = date.fromisoformat(known_since)
    try:
        last = known.replace(year=known.year + TIME_BAR_YEARS)
    except ValueError:  # 29 February, in a year that has none
        last = date(known.year + TIME_BAR_YEARS, 2, 28)
    filed = filed_at.astimezone(SHANGHAI).date()
    return TimeBar(known_since, last.isoformat(), filed.isoformat()) if filed > last else None


def settlement_hash(case_id: str, pay_fen: int, refund_fen: int, remedy: str) -> str:
    return content_hash({"case_id": case_id, "pay_fen": pay_fen, "refund_fen": refund_fen, "remedy": remedy})
