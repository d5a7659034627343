"""Verified businesses over HTTP (issue 17 points 3, 5 and 6): a contractor, dealer or inspector
registers with its credit code and legal name, the council verifies or revokes it, and only a
verified business can be named in a new contract or case."""

import httpx

from client.accreditation import accredit_inspector
from client.businesses import demo_credit_code, give_demo_licence
from client.party import Party, StepRefused
from tests.kits.businesses import verified_business
from tests.kits.case_kit import claim, file
from tests.kits.flow import COUNCIL_SECRET, EscrowFlow

REAL_CODE = "91350100M000100Y43"


def refusal(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["detail"]["code"]


async def register(http: httpx.AsyncClient, role: str, **licence: str | None) -> httpx.Response:
    party = Party(http, role, "桂林家装")
    body = {"role": role, "display_name": party.name, "public_key": party.key.public_key_b64, **licence}
    return await http.post("/parties", json=body)


async def test_a_business_registers_with_a_valid_code_and_legal_name_only(stack):
    http = stack.http
    assert refusal(await register(http, "contractor")) == (422, "credit_code_required")
    assert refusal(await register(http, "dealer", credit_code=REAL_CODE)) == (422, "legal_name_required")
    typo = await register(http, "inspector", credit_code="91350100M000100Y44", legal_name="X 有限公司")
    assert refusal(typo) == (422, "credit_code_check")
    assert "mistyped" in typo.json()["detail"]["reason"]
    short = await register(http, "contractor", credit_code="9135", legal_name="X 有限公司")
    assert refusal(short) == (422, "credit_code_length")
    consumer = await register(http, "owner", credit_code=REAL_CODE, legal_name="X")
    assert refusal(consumer) == (422, "licence_not_expected")

    first = await register(
        http, "contractor", credit_code="9135 0100 m000 100y43", legal_name=" 某装饰有限公司 "
    )
    assert first.status_code == 201, first.json()
    party = first.json()["party"]
    assert (party["credit_code"], party["legal_name"], party["verified_at"]) == (
        REAL_CODE,
        "某装饰有限公司",
        None,
    )
    taken = await register(http, "dealer", credit_code=REAL_CODE, legal_name="Another")
    assert refusal(taken) == (409, "credit_code_taken")
    owner = await register(http, "owner")
    assert owner.status_code == 201 and owner.json()["party"]["credit_code"] is None


async def test_the_council_verifies_and_revokes_and_only_it(stack):
    http = stack.http
    council = await Party(http, "council", "Business desk").register(enrolment_secret=COUNCIL_SECRET)
    business = await give_demo_licence(Party(http, "inspector", "漓江检测")).register()
    owner = await Party(http, "owner", "Li Wei").register()

    assert refusal(await http.get("/businesses/awaiting", headers=owner.auth)) == (403, "council_only")
    awaiting = (await http.get("/businesses/awaiting", headers=council.auth, params={"limit": 200})).json()
    assert business.id in [b["id"] for b in awaiting]
    assert owner.id not in [b["id"] for b in awaiting]

    path = f"/businesses/{business.id}/verification"
    blank = await http.post(path, json={"checked": "  "}, headers=council.auth)
    assert refusal(blank) == (422, "checked_required")
    verified = await http.post(path, json={"checked": "licence original seen"}, headers=council.auth)
    assert verified.status_code == 200, verified.json()
    record = verified.json()
    assert (record["verified_by"], record["verification_note"]) == (council.id, "licence original seen")
    assert record["verified_at"] is not None
    assert refusal(await http.post(path, json={"checked": "again"}, headers=council.auth)) == (
        409,
        "already_verified",
    )
    awaiting = (await http.get("/businesses/awaiting", headers=council.auth, params={"limit": 200})).json()
    assert business.id not in [b["id"] for b in awaiting]
    not_a_business = await http.post(
        f"/businesses/{owner.id}/verification", json={"checked": "x"}, headers=council.auth
    )
    assert refusal(not_a_business) == (404, "business_not_found")

    revoke = f"/businesses/{business.id}/revocation"
    revoked = await http.post(revoke, json={"reason": "licence revoked by the SAMR"}, headers=council.auth)
    assert revoked.status_code == 200
    assert (revoked.json()["verified_at"], revoked.json()["verification_note"]) == (
        None,
        "licence revoked by the SAMR",
    )
    assert refusal(await http.post(revoke, json={"reason": "again"}, headers=council.auth)) == (
        409,
        "not_verified",
    )
    again = (await http.get("/businesses/awaiting", headers=council.auth, params={"limit": 200})).json()
    assert business.id in [b["id"] for b in again]


async def test_only_verified_businesses_are_named_in_a_new_contract(stack):
    flow = EscrowFlow(stack)
    await flow.council.register(enrolment_secret=COUNCIL_SECRET)
    await flow.owner.register()
    for business in (flow.contractor, flow.inspector):
        await give_demo_licence(business).register()

    refused = await flow.refused(flow.create(total_fen=1_000_000), 409, "party_not_verified")
    assert flow.contractor.name in refused.message and flow.contractor.id in refused.message
    await verified_contractor(flow)
    refused = await flow.refused(flow.create(total_fen=1_000_000), 409, "party_not_verified")
    assert flow.inspector.id in refused.message, "the inspector is checked as well"
    await stack.http.post(
        f"/businesses/{flow.inspector.id}/verification",
        json={"checked": "licence seen"},
        headers=flow.council.auth,
    )
    await accredit_inspector(flow.council, flow.inspector.id)  # verified and accredited: it may be named
    created = await flow.create(total_fen=1_000_000)
    assert created["escrow_id"]

    revoked = await stack.http.post(
        f"/businesses/{flow.contractor.id}/revocation",
        json={"reason": "licence withdrawn"},
        headers=flow.council.auth,
    )
    assert revoked.status_code == 200
    await flow.refused(flow.create(total_fen=1_000_000), 409, "party_not_verified")


async def verified_contractor(flow: EscrowFlow) -> None:
    response = await flow.owner.http.post(
        f"/businesses/{flow.contractor.id}/verification",
        json={"checked": "licence seen"},
        headers=flow.council.auth,
    )
    assert response.status_code == 200


async def test_a_case_cannot_name_an_unverified_dealer(stack):
    buyer = await Party(stack.http, "buyer", "Zhang Min").register()
    dealer = await give_demo_licence(Party(stack.http, "dealer", "Unchecked Motors")).register()
    car = claim(domain="car", main_specialty="transmission")

    refused = await file(stack, buyer, dealer.id, car)
    assert refusal(refused) == (409, "party_not_verified")
    assert "Unchecked Motors" in refused.json()["detail"]["message"]
    verified = await verified_business(stack.http, "dealer", "Checked Motors")
    assert (await file(stack, buyer, verified.id, car)).status_code == 201


async def test_a_party_card_shows_who_an_id_names_to_signed_in_parties(stack):
    http = stack.http
    owner = await Party(http, "owner", "Li Wei").register()
    code = demo_credit_code()
    contractor = await Party(
        http, "contractor", "桂林家装", credit_code=code, legal_name="桂林家装工程有限公司"
    ).register()

    assert refusal(await http.get(f"/parties/{contractor.id}/card")) == (401, "not_authenticated")
    card = (await http.get(f"/parties/{contractor.id}/card", headers=owner.auth)).json()
    assert card == {
        "id": contractor.id,
        "role": "contractor",
        "display_name": "桂林家装",
        "legal_name": "桂林家装工程有限公司",
        "credit_code": code,
        "verified": False,
    }
    assert refusal(await http.get("/parties/P-NOBODY0000/card", headers=owner.auth)) == (
        404,
        "party_not_found",
    )
    own = (await http.get(f"/parties/{owner.id}/card", headers=contractor.auth)).json()
    assert (own["role"], own["credit_code"], own["verified"]) == ("owner", None, False)


async def test_a_refusal_is_a_step_refused_for_clients(stack):
    """The client raises the API's code, so scripts tell an unverified party from a typo'd id."""
    try:
        await Party(stack.http, "dealer", "No licence").register()
    except StepRefused as refused:
        assert (refused.status, refused.code) == (422, "credit_code_required")
    else:
        raise AssertionError("a dealer without a licence was registered")


async def test_a_housing_association_verifies_for_the_council_only_while_delegated(stack):
    """Issue 17 point 3: "the council (or the housing association acting for it)". The association
    verifies (recorded with the member it acted for) and nothing else the council does; the
    council revokes the delegation and the verifications made under it stand."""
    http = stack.http
    council = await Party(http, "council", "Delegating member").register(enrolment_secret=COUNCIL_SECRET)
    association = await Party(http, "housing_association", "桂林市住房协会").register()
    owner = await Party(http, "owner", "Not an association").register()
    business = await give_demo_licence(Party(http, "contractor", "协会核验装饰")).register()
    other = await give_demo_licence(Party(http, "dealer", "协会撤销后")).register()
    verify_path = f"/businesses/{business.id}/verification"

    # the role alone allows nothing
    undelegated = await http.get("/businesses/awaiting", headers=association.auth)
    assert refusal(undelegated) == (403, "delegation_not_in_force")
    checked = {"checked": "licence original seen at the association"}
    assert refusal(await http.post(verify_path, json=checked, headers=association.auth)) == (
        403,
        "delegation_not_in_force",
    )

    grants = "/delegations"
    note = {"note": "delegation agreement 2026-07 signed"}
    blank = await http.post(grants, json={"party_id": association.id, "note": " "}, headers=council.auth)
    assert refusal(blank) == (422, "note_required")
    assert refusal(
        await http.post(grants, json={"party_id": association.id, **note}, headers=association.auth)
    ) == (
        403,
        "council_only",
    )
    wrong = await http.post(grants, json={"party_id": owner.id, **note}, headers=council.auth)
    assert refusal(wrong) == (422, "not_a_housing_association")
    unknown = await http.post(grants, json={"party_id": "P-NO-SUCH-ONE", **note}, headers=council.auth)
    assert refusal(unknown) == (404, "party_not_found")
    granted = await http.post(grants, json={"party_id": association.id, **note}, headers=council.auth)
    assert granted.status_code == 201, granted.json()
    delegation = granted.json()
    assert (delegation["delegate_id"], delegation["granted_by"], delegation["in_force"]) == (
        association.id,
        council.id,
        True,
    )
    again = await http.post(grants, json={"party_id": association.id, **note}, headers=council.auth)
    assert refusal(again) == (409, "already_delegated")

    awaiting = await http.get("/businesses/awaiting", headers=association.auth, params={"limit": 200})
    assert business.id in [b["id"] for b in awaiting.json()]
    verified = await http.post(verify_path, json=checked, headers=association.auth)
    assert verified.status_code == 200, verified.json()
    assert (verified.json()["verified_by"], verified.json()["verified_for"]) == (association.id, council.id)
    card = (await http.get(f"/parties/{business.id}/card", headers=owner.auth)).json()
    assert card["verified"] is True

    # nothing else the council does: revoking a verification, accrediting, delegating
    revoke = await http.post(
        f"/businesses/{business.id}/revocation", json={"reason": "x"}, headers=association.auth
    )
    assert refusal(revoke) == (403, "council_only")
    accredit = await http.post("/inspectors/accreditations", json={}, headers=association.auth)
    assert refusal(accredit) == (403, "council_only")
    assert refusal(await http.get(grants, headers=association.auth)) == (403, "council_only")

    revocation = f"{grants}/{delegation['id']}/revocation"
    ended = await http.post(revocation, json={"reason": "agreement ended"}, headers=council.auth)
    assert ended.status_code == 200, ended.json()
    assert (ended.json()["in_force"], ended.json()["revoked_by"]) == (False, council.id)
    assert refusal(await http.post(revocation, json={"reason": "twice"}, headers=council.auth)) == (
        409,
        "delegation_revoked",
    )
    after = await http.post(f"/businesses/{other.id}/verification", json=checked, headers=association.auth)
    assert refusal(after) == (403, "delegation_not_in_force")
    listed = {
        d["id"]: d for d in (await http.get(grants, headers=council.auth, params={"limit": 200})).json()
    }
    assert listed[delegation["id"]]["revocation_reason"] == "agreement ended"
    # the verification made under it stands, with whom it was made for
    stands = (await http.get(f"/parties/{business.id}/card", headers=owner.auth)).json()
    assert stands["verified"] is True
    # a council member verifies in person: recorded for nobody else
    in_person = await http.post(f"/businesses/{other.id}/verification", json=checked, headers=council.auth)
    assert (in_person.json()["verified_by"], in_person.json()["verified_for"]) == (council.id, None)
