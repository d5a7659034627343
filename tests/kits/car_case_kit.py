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
from tests.kits.businesses import verified_business
from tests.kits.driver import fill_car_facts, sign
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


async def filed_car_case(stack: Stack, facts: dict | None = None) -> CarCase:
    """The buyer's claim against the dealer, with the facts above (or `facts`): waiting for the council."""
    buyer = await Party(stack.http, "buyer", "赵敏").register()
    dealer = await verified_business(stack.http, "dealer", "漓江汽车销售服务有限公司")
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
            "car_facts": FACTS if facts is None else facts,
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
    await case.answer("dealer-answer")
    await demo.negotiate_in_vain(case)
    await demo.form_panel(case)
    await demo.skip(case, WINDOWS.evidence_days + WINDOWS.reply_days, "evidence and replies close")
    opinion = {"findings": {"gearbox": "upheld"}, "pay_fen": None, "reasons": "离合器片烧蚀"}
    await demo.vote(case, [opinion] * 3)
    return car


# Five days after delivery the transmission must be replaced: refund or replace (Art. 22).
GEARBOX_FACTS = {
    "delivered_on": "2026-11-20",
    "fault_on": "2026-11-25",
    "km": 412,
    "fault_part": "transmission",
    "needs_main_part_replacement": True,
}


async def file_car_case(buyer, dealer_id: str, amount: str = "158,000.00") -> str:
    """The buyer's claim from /my/cases/new, with the car's facts above; the browser then shows
    the new case's page."""
    await buyer.goto("/my/cases/new")
    await buyer.fill("#dealer-id", dealer_id)
    await buyer.fill("#amount", amount)
    await buyer.locator("#new-case input[name=description]").first.fill("变速箱在 2、3 挡之间打滑")
    await buyer.fill("#remedy", "按三包规定修理或换车")
    await buyer.select_option("#specialty", "transmission")
    await fill_car_facts(buyer, GEARBOX_FACTS)
    await sign(buyer, "#new-case")
    await buyer.wait_for_url("**/my/cases/CASE-*")
    return buyer.url.rsplit("/", 1)[1]
