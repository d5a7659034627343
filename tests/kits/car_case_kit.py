"""A car case whose buyer states the car's facts, for the page tests: filed, or taken to the
chair's summary by the demo's car experts (enrolled afresh, the only ones it can draw).

The facts give a statutory remedy with every part a page shows: a deciding rule with a usage
fee (Art. 24(1)(iv): over 30 days under repair) and further grounds (the same problem repaired
more than 4 times, Art. 24(1)(iv) again, and free repair, Art. 19).
"""

from dataclasses import dataclass

from cli.dispute_demo import CAR_POOL, CAR_TIES, WINDOWS, CaseClocks, DisputeDemo
from client.case_session import CaseSession
from client.party import Party
from tests.conftest import Stack
from tests.kits.flow import COUNCIL_SECRET
from tests.kits.staff_kit import expert_pool

FACTS = {
    "delivered_on": "2026-01-10",
    "fault_on": "2026-11-25",
    "km": 18_000,
    "fault_part": "transmission",
    "total_days_under_repair": 35,
    "same_problem_repairs": 5,
}
GEARBOX = "变速箱反复打滑，累计在修理厂 35 天"


@dataclass
class CarCase:
    case: CaseSession
    demo: DisputeDemo
    buyer: Party
    dealer: Party
    council: Party


async def filed_car_case(stack: Stack) -> CarCase:
    """The buyer's claim against the dealer, with the facts above: waiting for the council."""
    buyer = await Party(stack.http, "buyer", "赵敏").register()
    dealer = await Party(stack.http, "dealer", "漓江汽车销售服务有限公司").register()
    council = await Party(stack.http, "council", "调解委员会 陈委员").register(
        enrolment_secret=COUNCIL_SECRET
    )
    demo = DisputeDemo(stack.settings, stack.http, CaseClocks(stack.temporal))
    case = CaseSession(stack.http, claimant=buyer, respondent=dealer, council=council, clock=demo.clocks.now)
    await case.file(
        {
            "domain": "car",
            "main_specialty": "transmission",
            "items": [{"item_id": "gearbox", "description": GEARBOX}],
            "disputed_fen": 15_800_000,
            "remedy_sought": "按三包规定换车",
            "car_facts": FACTS,
        }
    )
    return CarCase(case, demo, buyer, dealer, council)


async def car_case_at_summary(stack: Stack) -> CarCase:
    """A filed car case taken through acceptance, answer, negotiation, panel, evidence and a
    unanimous vote upholding the claim: waiting for the chair's summary."""
    car = await filed_car_case(stack)
    case, demo = car.case, car.demo
    case.experts = await expert_pool(stack, car.council, car.dealer, CAR_POOL, CAR_TIES)
    await case.accept()
    await case.answer("sha256:dealer-answer")
    await demo.negotiate_in_vain(case)
    await demo.form_panel(case)
    await demo.skip(case, WINDOWS.evidence_days + WINDOWS.reply_days, "evidence and replies close")
    opinion = {"findings": {"gearbox": "upheld"}, "pay_fen": None, "reasons": "离合器片烧蚀"}
    await demo.vote(case, [opinion] * 3)
    return car
