"""The pure parts of the public record: the spike threshold, anonymisation, quarters, outcomes."""

from dataclasses import replace
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from domain.case.outcomes import DecidedOutcome, SettledOutcome
from public_record.alerts import MIN_COUNT, spikes, threshold
from public_record.complaints import Complaint, case_outcome, money_outcome, tally
from public_record.decisions import published_decision, scrub
from public_record.facts import CaseFacts, History
from public_record.periods import BadMonth, BadQuarter, Month, Quarter
from public_record.quarterly import quarterly_list
from public_record.scorecards import scorecards
from tests.kits.dispute_kit import START, BranchKit


def complaint(
    n: int, business: str, month: int, outcome: str = "open", raised_by: str = "consumer"
) -> Complaint:
    return Complaint(
        key=f"C-{business}-{month}-{n}",
        business_id=business,
        consumer_id=f"P-OWNER-{n}",
        raised_by=raised_by,
        domain="renovation",
        specialty="waterproofing",
        filed_at=datetime(2027, month, 10, 4, tzinfo=UTC),
        closed_at=None,
        outcome=outcome,
        escrow_id=None,
    )


def many(business: str, month: int, count: int, **kw) -> list[Complaint]:
    return [complaint(n, business, month, **kw) for n in range(count)]


def test_threshold_keeps_small_numbers_quiet_and_scales_with_the_baseline():
    assert threshold([0, 0, 0])[2] == MIN_COUNT  # four complaints out of nowhere are not a spike
    mean, sd, limit = threshold([10, 12, 14])
    assert (mean, round(sd, 3)) == (12, 1.633)
    assert limit == pytest.approx(12 + 3 * 12**0.5)  # Poisson floor beats the small observed spread


def test_a_business_spikes_against_its_own_baseline_only():
    history = (
        many("B-STEADY", 1, 9) + many("B-STEADY", 2, 10) + many("B-STEADY", 3, 11) + many("B-STEADY", 4, 12)
    )
    history += many("B-SPIKE", 2, 1) + many("B-SPIKE", 4, 6)
    history += many("B-BUSINESS-RAISED", 4, 9, raised_by="business")  # disputes, not complaints
    found = {(a.subject, a.key, a.count) for a in spikes(history, Month(2027, 4))}
    assert found == {("business", "B-SPIKE", 6)}
    assert spikes(history, Month(2027, 3)) == []


def test_the_category_spikes_when_every_business_rises_together():
    history = (
        many("B-A", 1, 2) + many("B-B", 2, 2) + many("B-A", 3, 2) + many("B-A", 4, 4) + many("B-B", 4, 4)
    )
    found = {(a.subject, a.key, a.count) for a in spikes(history, Month(2027, 4))}
    assert found == {("category", "renovation/waterproofing", 8)}


def test_scrub_removes_names_phones_and_addresses_but_keeps_trade_words():
    text = (
        "Chen Jing (tel 139 1234 5678, landline 0773-2881234, +86 13800138000) "
        "of 桂林市七星区漓江路12号3栋501室 "
        "and Flat 3-2-501, 8 Zhongshan Road; 水路改造 and 电路 redone; Ms Chen agreed. Guilin is fine."
    )
    scrubbed = scrub(text, names=["Chen Jing"], addresses=["8 Zhongshan Road"])
    for secret in (
        "Chen",
        "Jing",
        "139 1234 5678",
        "0773-2881234",
        "13800138000",
        "漓江路12号",
        "3-2-501",
        "Zhongshan",
    ):
        assert secret not in scrubbed
    assert "水路改造" in scrubbed and "电路" in scrubbed and "Guilin is fine" in scrubbed


def test_outcomes_from_the_consumers_side():
    assert money_outcome("split", pay_fen=0, refund_fen=100) == "for_consumer"
    assert money_outcome("split", pay_fen=100, refund_fen=0) == "for_business"
    assert money_outcome("split", pay_fen=40, refund_fen=60) == "split"
    assert money_outcome("rework", pay_fen=0, refund_fen=0) == "for_consumer"
    settled = SimpleNamespace(
        phase="enforcement", outcome=SettledOutcome("settlement", "split", 1, 1, "-", 0)
    )
    assert case_outcome(settled) == "settled"
    decided = DecidedOutcome("decision", "remedy", 0, 0, "none", 0, "sha256:decision")
    car = SimpleNamespace(phase="closed", outcome=decided)
    assert case_outcome(car) == "for_business"
    assert case_outcome(SimpleNamespace(phase="rejected", outcome=None)) == "rejected"


def test_mediation_rate_counts_settled_and_withdrawn_over_what_closed():
    outcomes = ["settled", "withdrawn", "for_consumer", "split", "rejected", "open"]
    counts = tally(complaint(n, "B", 1, outcome=o) for n, o in enumerate(outcomes))
    assert (counts.mediation_successes, counts.mediated, counts.mediation_rate) == (2, 4, 0.5)
    assert tally([complaint(1, "B", 1)]).mediation_rate is None


def test_quarters_follow_the_shanghai_calendar():
    assert str(Quarter.parse("2027Q1")) == "2027Q1"
    assert Quarter.of(datetime(2026, 12, 31, 17, tzinfo=UTC)) == Quarter(2027, 1)  # 01:00 on 1 January there
    assert Quarter(2027, 4).ends_at == datetime(2027, 12, 31, 16, tzinfo=UTC)
    assert Month(2027, 1).previous() == Month(2026, 12)
    for bad in ("2027Q5", "27Q1", "2027-Q1", "0000Q1", "9999Q4", "2027Q1\n"):
        with pytest.raises(BadQuarter):
            Quarter.parse(bad)
    assert Quarter.parse("2999Q4").ends_at == datetime(2999, 12, 31, 16, tzinfo=UTC)  # still ends
    for bad in ("0000-01", "9999-12", "2027-13", "2027-00", "2027-1", "2027-01\n"):
        with pytest.raises(BadMonth):
            Month.parse(bad)


def test_a_withdrawn_case_counts_as_withdrawn():
    kit = BranchKit("car")
    kit.step("claimant", "case.withdraw", {"reason": "the dealer fixed it"})
    assert case_outcome(kit.m.snapshot()) == "withdrawn"


PHOTO, CLIP, INVOICE, UNKNOWN = (f"sha256:{n * 64}" for n in "abcd")


def decided_car_case(evidence: tuple[tuple[str, list[str]], ...] = ()) -> tuple[BranchKit, CaseFacts]:
    """A car case decided by its panel (departing from the statutory remedy), with each
    (party, files) of `evidence` submitted while the panel heard evidence."""
    facts = {"delivered_on": "2026-02-24", "fault_on": "2026-03-01", "km": 412, "fault_part": "engine"}
    kit = BranchKit("car", car_facts=facts)
    kit.to_evidence()
    for party, files in evidence:
        kit.step(party, "evidence.submit", {"evidence": files, "reply": party == "respondent"})
    kit.run_to(kit.m.round.reply_due)
    kit.vote(dict.fromkeys(kit.seats))
    kit.summarise(remedy="refund_or_replace", departure_reason="Wang Fang's engine must be replaced: Art. 22")
    kit.sign_decision()
    kit.run_to(kit.m.objection_due)
    return kit, CaseFacts(
        case_id=kit.m.subject_id,
        domain="car",
        main_specialty="engine",
        claimant_id="P-CLAIMANT",
        respondent_id="P-RESPONDENT",
        escrow_id=None,
        phase=kit.m.phase.value,
        snapshot=kit.m.snapshot(),
        filed_at=START,
        concluded_at=kit.now,
    )


PARTIES = {"P-CLAIMANT": ("buyer", "Wang Fang", None), "P-RESPONDENT": ("dealer", "Lijiang Auto", None)}


def test_a_published_car_decision_shows_the_statutory_remedy_and_why_the_panel_departed():
    kit, case = decided_car_case()
    published = published_decision(History(escrows=[], cases=[case], parties=PARTIES), case)
    assert published.evidence == {}
    assert published.statutory == {"remedy": "repair", "article": kit.m.statutory["article"]}
    assert published.departure_reason == "[consumer]'s engine must be replaced: Art. 22"


def test_a_decision_concluded_after_the_mediation_period_is_published_as_the_councils_expert_opinion():
    """SAMR Order No. 20 art. 21(5): past 45 working days without agreement, a panel decision "continues
    as the council's expert opinion"; one concluded within the period is none."""
    _, within = decided_car_case()
    assert (
        published_decision(History(escrows=[], cases=[within], parties=PARTIES), within).expert_opinion
        is False
    )
    facts = {"delivered_on": "2026-02-24", "fault_on": "2026-03-01", "km": 412, "fault_part": "engine"}
    kit = BranchKit("car", car_facts=facts)
    kit.to_draw()
    kit.run_to(kit.m.mediation.due)
    kit.decide([None] * 3, remedy="repair")
    kit.run_to(kit.m.objection_due)
    late = replace(within, snapshot=kit.m.snapshot(), concluded_at=kit.now)
    assert published_decision(History(escrows=[], cases=[late], parties=PARTIES), late).expert_opinion is True


def test_a_published_decision_counts_its_evidence_by_kind_and_names_no_file():
    """Each file once, however many steps name it; a file the store does not know is a 'file'."""
    _, case = decided_car_case((("claimant", [PHOTO, CLIP, UNKNOWN]), ("respondent", [INVOICE, PHOTO])))
    kinds = {PHOTO: "photo", CLIP: "video", INVOICE: "document"}
    published = published_decision(History(escrows=[], cases=[case], parties=PARTIES, file_kinds=kinds), case)
    assert published.evidence == {"photo": 1, "video": 1, "document": 1, "file": 1}
    assert list(published.evidence) == ["photo", "video", "document", "file"]
    assert "sha256:" not in repr(published)


def test_two_businesses_with_one_display_name_are_told_apart_and_an_unverified_one_is_not_named():
    """Issue 17 point 3: the record prints the verified legal name and code, never a typed name."""
    history = History(
        escrows=[],
        cases=[],
        parties={
            "P-REAL": ("contractor", "Guilin Decor", "1 Lijiang Road"),
            "P-TWIN": ("contractor", "Guilin Decor", "9 Qixing Road"),
            "P-FAKE": ("contractor", "Guilin Decor", "1 Lijiang Road"),
            "P-OWNER": ("owner", "Li Wei", "flat 501"),
        },
        licences={
            "P-REAL": ("桂林装饰工程有限公司", "91350100M000100Y43"),
            "P-TWIN": ("桂林市七星区装饰部", "91440300708461136T"),
        },
    )
    complaints = many("P-REAL", 4, 3) + many("P-TWIN", 4, 2) + many("P-FAKE", 4, 1)
    rows = quarterly_list(history, complaints, Quarter.parse("2027Q2"))
    printed = [(row.party_id, row.name, row.credit_code, row.address) for row in rows]
    assert printed == [
        ("P-REAL", "桂林装饰工程有限公司", "91350100M000100Y43", "1 Lijiang Road"),
        ("P-TWIN", "桂林市七星区装饰部", "91440300708461136T", "9 Qixing Road"),
        ("P-FAKE", "P-FAKE (not verified)", None, None),
    ]
    cards = {card.party_id: card for card in scorecards(history, complaints, "contractor")}
    assert (cards["P-TWIN"].name, cards["P-TWIN"].credit_code) == ("桂林市七星区装饰部", "91440300708461136T")
    assert "Guilin Decor" not in cards["P-FAKE"].name
    assert history.business("P-OWNER").name == "Li Wei"  # a consumer's name stays for the scrubber
