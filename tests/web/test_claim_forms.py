"""Which claim forms the escrow page offers, read over real HTTP with each party's page session.

The owner and the contractor each see a "take this dispute to the council" form for every
open dispute that no case decides yet, addressed to the other side and fixed at what the
dispute holds; the inspector and the council see none, and a dispute's form goes once its
case is filed. A car buyer's form asks for the car's facts. (Who may open /my/cases/new is in
test_page_matrix.py.)
"""

import re
from dataclasses import asdict, replace

from client.party import Party
from domain.money import yuan
from expert_panels.car_remedy import FaultPart
from tests.kits.flow import EscrowFlow
from tests.kits.machine_kit import funded
from tests.kits.staff_kit import page
from web.claim_forms import fileable_disputes
from web.statutory_words import CLAIM_FORM_FACTS

CLAIM_FORM = re.compile(r'<form data-step="claim\.file".*?</form>', re.S)


async def claim_forms(flow: EscrowFlow, party) -> list[dict[str, str]]:
    """The claim forms on the party's escrow page, each as its hidden fields."""
    shown = await page(flow.stack, f"/my/escrows/{flow.escrow_id}", party)
    assert shown.status_code == 200
    return [
        dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form)) | {"html": form}
        for form in CLAIM_FORM.findall(shown.text)
    ]


async def test_each_side_may_take_an_open_dispute_to_the_council_until_its_case_is_filed(stack):
    flow = await EscrowFlow(stack).register()
    created = await flow.create_funded(total_fen=1_000_000)
    stages, retention = created["terms"]["stages"], created["terms"]["retention_fen"]
    owner, contractor = flow.owner, flow.contractor
    assert await claim_forms(flow, owner) == []

    await flow.raise_dispute(contractor, [1], "业主拒绝验收")
    await flow.raise_dispute(owner, [2], "墙面开裂", include_retention=True)
    for_owner = await claim_forms(flow, owner)
    assert [(f["escrow_dispute"], f["subject"], f["disputed_fen"]) for f in for_owner] == [
        ("1", contractor.id, str(stages[0]["amount_fen"])),
        ("2", contractor.id, str(stages[1]["amount_fen"] + retention)),
    ]
    assert yuan(stages[1]["amount_fen"] + retention) in for_owner[1]["html"]
    assert {(f["domain"], f["escrow_id"]) for f in for_owner} == {("renovation", flow.escrow_id)}
    for_contractor = await claim_forms(flow, contractor)
    assert [(f["escrow_dispute"], f["subject"]) for f in for_contractor] == [("1", owner.id), ("2", owner.id)]
    assert await claim_forms(flow, flow.inspector) == []
    assert await claim_forms(flow, flow.council) == []

    claim = {
        "domain": "renovation",
        "main_specialty": "waterproofing",
        "items": [{"item_id": "item-1", "description": "墙面开裂"}],
        "disputed_fen": stages[1]["amount_fen"] + retention,
        "remedy_sought": "退还第 2 阶段款项",
        "escrow_id": flow.escrow_id,
        "escrow_dispute": 2,
    }
    signed = asdict(owner.sign("claim.file", contractor.id, claim))
    filed = await stack.http.post("/cases", json=signed, headers=owner.auth)
    assert filed.status_code == 201, filed.json()
    assert [f["escrow_dispute"] for f in await claim_forms(flow, owner)] == ["1"]
    assert [f["escrow_dispute"] for f in await claim_forms(flow, contractor)] == ["1"]


def test_only_open_disputes_without_a_case_can_be_filed_and_only_by_the_two_sides():
    kit = funded()
    kit.inspected(1)
    kit.dispute("owner", [1])
    kit.decide(1, "refund", refund_fen=30_000)
    kit.dispute("contractor", [2])
    parties = {"P-OWNER", "P-CONTRACTOR"}
    kit.m.plan_case(dispute=2, case_id="CASE-2026-00001", parties=parties, disputed_fen=30_000)()
    kit.dispute("owner", [3])
    snapshot = kit.m.snapshot()
    assert [(d.number, d.respondent_id) for d in fileable_disputes(snapshot, "owner")] == [
        (3, "P-CONTRACTOR")
    ]
    assert [(d.number, d.respondent_id) for d in fileable_disputes(snapshot, "contractor")] == [
        (3, "P-OWNER")
    ]
    assert fileable_disputes(snapshot, "inspector") == fileable_disputes(snapshot, "council") == []
    # the page offers only what the machine declares: no declaration, no form
    assert fileable_disputes(replace(snapshot, open_actions=[]), "owner") == []


async def test_a_car_buyers_form_asks_for_every_car_fact_the_first_four_required(stack):
    buyer = await Party(stack.http, "buyer", "赵敏").register()
    form = (await page(stack, "/my/cases/new", buyer)).text.split('id="new-case"', 1)[1]
    facts = form.split("<fieldset data-car-facts", 1)[1].split("</fieldset>", 1)[0]
    fields = [
        (dict(re.findall(r'([\w-]+)="([^"]*)"', attributes)), attributes)
        for attributes in re.findall(r"<(?:input|select) ([^>]*)>", facts)
    ]
    assert [field["name"] for field, _ in fields] == list(CLAIM_FORM_FACTS)  # one field each, in this order
    required = [field["name"] for field, attributes in fields if " required" in attributes]
    assert required == ["delivered_on", "fault_on", "km", "fault_part"]
    for field, _ in fields:  # labelled: by a label for it, or a box inside its label
        box = f'<label class="choice"><input type="checkbox" name="{field["name"]}"'
        assert f'<label for="{field["id"]}">' in facts if "id" in field else box in facts
    assert '<option value="">请选择</option>' in facts
    assert [f'<option value="{part.value}">' in facts for part in FaultPart] == [True] * len(FaultPart)
    assert (
        ">动力蓄电池起火<" in facts
        and ">制动系统失效<" in facts
        and "<summary>更多情况（可选）</summary>" in facts
    )
    assert 'name="still_not_working" value="false"> 更换后车辆已能正常使用' in facts
    english = (await page(stack, "/my/cases/new", buyer, lang="en")).text
    assert ">Traction battery fire<" in english and "Days in the workshop in total" in english
