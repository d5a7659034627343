"""The council manages the expert registry over HTTP, against the real API and database.

The stack's database is shared by the whole session, so every test names its experts
with a tag of its own and filters by it.
"""

import uuid
from datetime import datetime

import pytest
from sqlalchemy import text

from api.error_catalogue import message
from client.party import Party

CSV_HEADER = "expert_id,name,domain,specialties,affiliations,party_id\n"


@pytest.fixture
def tag() -> str:
    return uuid.uuid4().hex[:8].upper()


@pytest.fixture
async def council(stack) -> Party:
    return await Party(stack.http, "council", "Guilin Consumer Council").register(
        enrolment_secret="test-council-secret"
    )


def body(tag: str, suffix: str = "", **overrides) -> dict:
    fields = {
        "expert_id": f"EXP-{tag}{suffix}",
        "name": f"Zhang Wei {tag}{suffix}",
        "domain": "renovation",
        "specialties": ["waterproofing", "plumbing"],
        "affiliations": [
            {"org_id": "ORG-GUILIN-DECOR", "kind": "employed", "start": "2019-03-01", "end": "2022-06-30"}
        ],
    }
    fields.update(overrides)
    return fields


def stored_count(stack, tag: str) -> int:
    with stack.engine.connect() as conn:
        return conn.execute(
            text("SELECT count(*) FROM expert WHERE name LIKE :pattern"), {"pattern": f"%{tag}%"}
        ).scalar_one()


async def test_council_creates_updates_links_and_deactivates_an_expert(stack, council, tag):
    http = stack.http
    expert_party = await Party(http, "expert", f"Zhang Wei {tag}").register()
    owner = await Party(http, "owner", "Li Na").register()

    created = await http.post("/experts", json=body(tag), headers=council.auth)
    assert created.status_code == 201, created.text
    expert = created.json()
    assert expert["expert_id"] == f"EXP-{tag}"
    assert expert["specialties"] == ["plumbing", "waterproofing"]
    assert expert["affiliations"] == [
        {"org_id": "ORG-GUILIN-DECOR", "kind": "employed", "start": "2019-03-01", "end": "2022-06-30"}
    ]
    assert (expert["active"], expert["open_cases"], expert["party_id"]) == (True, 0, None)
    assert (await http.get(f"/experts/EXP-{tag}", headers=council.auth)).json() == expert

    again = await http.post("/experts", json=body(tag), headers=council.auth)
    assert (again.status_code, again.json()["detail"]["code"]) == (409, "expert_exists")

    patched = await http.patch(
        f"/experts/EXP-{tag}",
        json={
            "specialties": ["structure"],
            "affiliations": [{"org_id": "ORG-BANK", "kind": "paid", "start": "2024-01-01"}],
            "party_id": expert_party.id,
        },
        headers=council.auth,
    )
    assert patched.status_code == 200, patched.text
    updated = patched.json()
    assert updated["name"] == expert["name"]
    assert updated["specialties"] == ["structure"]
    assert updated["affiliations"] == [
        {"org_id": "ORG-BANK", "kind": "paid", "start": "2024-01-01", "end": None}
    ]
    assert updated["party_id"] == expert_party.id
    assert datetime.fromisoformat(updated["updated_at"]) > datetime.fromisoformat(expert["updated_at"])

    not_expert = await http.patch(f"/experts/EXP-{tag}", json={"party_id": owner.id}, headers=council.auth)
    assert (not_expert.status_code, not_expert.json()["detail"]["code"]) == (422, "not_an_expert_party")
    second = await http.post(
        "/experts", json=body(tag, "-2", party_id=expert_party.id, affiliations=[]), headers=council.auth
    )
    assert (second.status_code, second.json()["detail"]["code"]) == (409, "party_already_linked")

    first = await http.post(f"/experts/EXP-{tag}/deactivation", headers=council.auth)
    repeated = await http.post(f"/experts/EXP-{tag}/deactivation", headers=council.auth)
    assert first.status_code == repeated.status_code == 200
    assert first.json()["active"] is False
    assert repeated.json() == first.json()
    listed = await http.get("/experts", params={"q": tag}, headers=council.auth)
    assert listed.json()["count"] == 1
    assert listed.json()["data"] == [first.json()]
    assert stored_count(stack, tag) == 1


async def test_list_filters_by_domain_specialty_activity_and_name(stack, council, tag):
    http = stack.http
    made = [
        body(tag, "-A", specialties=["plumbing"]),
        body(tag, "-B", specialties=["plumbing", "painting"]),
        body(tag, "-C", domain="car", specialties=["engine"], affiliations=[]),
    ]
    for item in made:
        assert (await http.post("/experts", json=item, headers=council.auth)).status_code == 201
    await http.post(f"/experts/EXP-{tag}-B/deactivation", headers=council.auth)

    async def ids(**params) -> tuple[list[str], int]:
        response = await http.get("/experts", params={"q": tag.lower(), **params}, headers=council.auth)
        assert response.status_code == 200, response.text
        page = response.json()
        return [e["expert_id"].removeprefix(f"EXP-{tag}") for e in page["data"]], page["count"]

    assert await ids() == (["-A", "-B", "-C"], 3)
    assert await ids(domain="car") == (["-C"], 1)
    assert await ids(specialty="plumbing") == (["-A", "-B"], 2)
    assert await ids(specialty="plumbing", active="true") == (["-A"], 1)
    assert await ids(active="false") == (["-B"], 1)
    assert await ids(limit=1, offset=1) == (["-B"], 3)
    assert await ids(q=f"nobody {tag}") == ([], 0)
    bad = await http.get("/experts", params={"limit": 0}, headers=council.auth)
    assert (bad.status_code, bad.json()["detail"]["code"]) == (422, "invalid_input")


async def test_only_the_council_reaches_the_registry(stack, council, tag):
    http = stack.http
    assert (await http.post("/experts", json=body(tag, "-X"), headers=council.auth)).status_code == 201
    owner = await Party(http, "owner", "Li Na").register()
    expert_party = await Party(http, "expert", "Wang Fang").register()
    csv = CSV_HEADER + f"EXP-{tag}-Y,Wang {tag},renovation,plumbing,,\n"
    calls = [
        ("POST", "/experts", {"json": body(tag, "-Z")}),
        ("GET", "/experts", {}),
        ("GET", f"/experts/EXP-{tag}-X", {}),
        ("PATCH", f"/experts/EXP-{tag}-X", {"json": {"name": "Taken Over"}}),
        ("POST", f"/experts/EXP-{tag}-X/deactivation", {}),
        ("POST", f"/experts/EXP-{tag}-X/reactivation", {}),
        ("POST", "/experts/import", {"content": csv, "headers": {"Content-Type": "text/csv"}}),
    ]
    for method, path, kwargs in calls:
        for party in (owner, expert_party):
            headers = {**kwargs.get("headers", {}), **party.auth}
            extra = {k: v for k, v in kwargs.items() if k != "headers"}
            response = await http.request(method, path, headers=headers, **extra)
            assert (response.status_code, response.json()["detail"]["code"]) == (403, "council_only"), path
        anonymous = await http.request(method, path, **kwargs)
        assert anonymous.status_code == 401, path

    still = (await http.get(f"/experts/EXP-{tag}-X", headers=council.auth)).json()
    assert (still["name"], still["active"]) == (f"Zhang Wei {tag}-X", True)
    assert stored_count(stack, tag) == 1


async def test_a_create_sent_again_with_its_key_answers_the_first_expert(stack, council, tag):
    http = stack.http
    made = body(tag, expert_id=None)
    del made["expert_id"]  # the registry makes the id up: a second create would make a second one
    keyed = {**council.auth, "Idempotency-Key": f"expert-form-{tag}"}

    first = await http.post("/experts", json=made, headers=keyed)
    again = await http.post("/experts", json=made, headers=keyed)
    other = await http.post("/experts", json={**made, "name": f"Li Na {tag}"}, headers=keyed)
    fresh = await http.post("/experts", json=made, headers={**keyed, "Idempotency-Key": f"other-{tag}"})

    assert first.status_code == again.status_code == 201, first.text
    assert again.json() == first.json()
    assert (other.status_code, other.json()["detail"]["code"]) == (409, "idempotency_key_reused")
    assert fresh.status_code == 201 and fresh.json()["expert_id"] != first.json()["expert_id"]
    assert stored_count(stack, tag) == 2  # the first and the fresh key's; nothing for the repeat or reuse
    bad_key = await http.post("/experts", json=made, headers={**council.auth, "Idempotency-Key": "x y"})
    assert (bad_key.status_code, bad_key.json()["detail"]["code"]) == (422, "invalid_input")
    assert stored_count(stack, tag) == 2


async def test_reactivation_puts_a_deactivated_expert_back(stack, council, tag):
    http = stack.http
    assert (await http.post("/experts", json=body(tag), headers=council.auth)).status_code == 201
    await http.post(f"/experts/EXP-{tag}/deactivation", headers=council.auth)

    back = await http.post(f"/experts/EXP-{tag}/reactivation", headers=council.auth)
    repeated = await http.post(f"/experts/EXP-{tag}/reactivation", headers=council.auth)

    assert back.status_code == repeated.status_code == 200
    assert back.json()["active"] is True
    assert repeated.json() == back.json()


async def test_linking_an_unknown_or_non_expert_party_changes_nothing(stack, council, tag):
    http = stack.http
    owner = await Party(http, "owner", "Li Na").register()
    assert (await http.post("/experts", json=body(tag), headers=council.auth)).status_code == 201
    before = (await http.get(f"/experts/EXP-{tag}", headers=council.auth)).json()

    for party_id in ("P-NOSUCHPARTY", owner.id, "'; DROP TABLE expert; --", "P-" + "X" * 5000):
        linked = await http.patch(f"/experts/EXP-{tag}", json={"party_id": party_id}, headers=council.auth)
        assert linked.status_code == 422, linked.text
        assert linked.json()["detail"]["code"] == "not_an_expert_party", party_id

    assert (await http.get(f"/experts/EXP-{tag}", headers=council.auth)).json() == before


async def test_unknown_expert_is_404(stack, council, tag):
    for method, path, kwargs in [
        ("GET", f"/experts/EXP-{tag}-NONE", {}),
        ("PATCH", f"/experts/EXP-{tag}-NONE", {"json": {"name": "A"}}),
        ("POST", f"/experts/EXP-{tag}-NONE/deactivation", {}),
        ("POST", f"/experts/EXP-{tag}-NONE/reactivation", {}),
    ]:
        response = await stack.http.request(method, path, headers=council.auth, **kwargs)
        assert (response.status_code, response.json()["detail"]["code"]) == (404, "expert_not_found")


@pytest.mark.parametrize(
    ("overrides", "field", "code", "zh"),
    [
        ({"specialties": ["tiling"]}, "specialties", "unknown_specialty", "“tiling”"),
        ({"specialties": []}, "specialties", "specialties_required", "专长"),
        ({"domain": "boats"}, "domain", "unknown_domain", "renovation"),
        ({"name": "  "}, "name", "value_required", "填写"),
        (
            {"affiliations": [{"org_id": "O", "kind": "friend", "start": "2024-01-01"}]},
            "affiliations[0].kind",
            "unknown_affiliation_kind",
            "paid",
        ),
        (
            {"affiliations": [{"org_id": "O", "kind": "paid", "start": "2024-02-01", "end": "2024-01-01"}]},
            "affiliations[0].end",
            "ends_before_start",
            "2024-01-01",
        ),
    ],
)
async def test_registry_rules_answer_their_own_code_naming_the_field(
    stack, council, tag, overrides, field, code, zh
):
    """Each rule says what is wrong, in the reader's language, with the value that broke it."""
    response = await stack.http.post(
        "/experts", json=body(tag, **overrides), headers={**council.auth, "Accept-Language": "zh-CN"}
    )

    assert response.status_code == 422
    detail = response.json()["detail"]
    assert (detail["code"], detail["field"]) == (code, field)
    assert detail["reason"].startswith(f"{field}: ")
    assert zh in detail["message"] and detail["message"] != detail["reason"]
    assert stored_count(stack, tag) == 0


async def test_invalid_update_is_refused_and_changes_nothing(stack, council, tag):
    await stack.http.post("/experts", json=body(tag), headers=council.auth)
    before = (await stack.http.get(f"/experts/EXP-{tag}", headers=council.auth)).json()

    for change, code in [
        ({"specialties": ["engine"]}, "unknown_specialty"),
        ({"name": None}, "value_required"),
        (
            {"affiliations": [{"org_id": "O", "kind": "paid", "start": "2024-01-01", "end": "2023-01-01"}]},
            "ends_before_start",
        ),
        ({"domain": "car"}, "invalid_input"),
        ({"party_id": "P-NOBODY0000"}, "not_an_expert_party"),
    ]:
        response = await stack.http.patch(f"/experts/EXP-{tag}", json=change, headers=council.auth)
        assert (response.status_code, response.json()["detail"]["code"]) == (422, code), change

    assert (await stack.http.get(f"/experts/EXP-{tag}", headers=council.auth)).json() == before


async def test_malformed_json_is_422_with_a_code(stack, council, tag):
    http = stack.http
    headers = {**council.auth, "Content-Type": "application/json"}
    cases = [
        ("POST", "/experts", '{"name": "Zhang", '),
        ("POST", "/experts", '["not", "an", "object"]'),
        ("POST", "/experts", '{"name": "Zhang", "domain": "renovation", "specialties": "plumbing"}'),
        (
            "POST",
            "/experts",
            '{"name": "Zhang", "domain": "renovation", "specialties": ["plumbing"], "x": 1}',
        ),
        (
            "POST",
            "/experts",
            f'{{"expert_id": "bad id {tag}", "name": "Zhang {tag}", "domain": "car", '
            '"specialties": ["engine"]}',
        ),
        (
            "POST",
            "/experts",
            f'{{"name": "Zhang {tag}", "domain": "car", "specialties": ["engine"], '
            '"affiliations": [{"org_id": "O", "kind": "paid", "start": "2024-13-01"}]}',
        ),
        ("PATCH", "/experts/EXP-ANY", "{oops"),
    ]
    for method, path, content in cases:
        response = await http.request(method, path, content=content, headers=headers)
        assert response.status_code == 422, content
        assert response.json()["detail"]["code"] == "invalid_input", content
    assert stored_count(stack, tag) == 0


async def test_csv_import_stores_every_row_and_reports_each(stack, council, tag):
    http = stack.http
    expert_party = await Party(http, "expert", f"Chen Jie {tag}").register()
    csv = (
        "\ufeffName,Domain,Specialties,Affiliations,Party_ID,Expert_ID\n"
        f"Zhang Wei {tag},renovation,waterproofing; plumbing,"
        f"ORG-GUILIN-DECOR|employed|2019-03-01|2022-06-30;ORG-BANK|paid|2024-01-01,,\n"
        "\n"
        f'"Li, Na {tag}",car,engine;transmission,,,EXP-{tag}-LI\n'
        f"Chen Jie {tag},renovation,structure,,{expert_party.id},EXP-{tag}-CHEN\n"
    )

    response = await http.post(
        "/experts/import", content=csv.encode(), headers={**council.auth, "Content-Type": "text/csv"}
    )

    assert response.status_code == 200, response.text
    report = response.json()
    assert report["imported"] == 3
    assert [(r["row"], r["status"]) for r in report["rows"]] == [(2, "ok"), (4, "ok"), (5, "ok")]
    generated, li, chen = (r["expert_id"] for r in report["rows"])
    assert generated.startswith("EXP-") and len(generated) == 12
    assert (li, chen) == (f"EXP-{tag}-LI", f"EXP-{tag}-CHEN")

    zhang = (await http.get(f"/experts/{generated}", headers=council.auth)).json()
    assert zhang["specialties"] == ["plumbing", "waterproofing"]
    assert zhang["affiliations"] == [
        {"org_id": "ORG-GUILIN-DECOR", "kind": "employed", "start": "2019-03-01", "end": "2022-06-30"},
        {"org_id": "ORG-BANK", "kind": "paid", "start": "2024-01-01", "end": None},
    ]
    li_na = (await http.get(f"/experts/{li}", headers=council.auth)).json()
    assert (li_na["name"], li_na["domain"], li_na["affiliations"]) == (f"Li, Na {tag}", "car", [])
    assert (await http.get(f"/experts/{chen}", headers=council.auth)).json()["party_id"] == expert_party.id
    assert stored_count(stack, tag) == 3


async def test_csv_import_with_bad_rows_reports_each_and_stores_nothing(stack, council, tag):
    http = stack.http
    assert (await http.post("/experts", json=body(tag, "-OLD"), headers=council.auth)).status_code == 201
    owner = await Party(http, "owner", "Li Na").register()
    csv = CSV_HEADER + "\n".join(
        [
            f"EXP-{tag}-1,Good Row {tag},renovation,plumbing,,",  # row 2: fine on its own
            f"EXP-{tag}-2,Tiler {tag},renovation,tiling,,",  # row 3
            f"EXP-{tag}-1,Twin {tag},renovation,painting,,",  # row 4: id already on row 2
            f"EXP-{tag}-OLD,Old {tag},renovation,painting,,",  # row 5: id already in the registry
            f"EXP-{tag}-5,Dates {tag},car,engine,ORG-X|paid|2024-02-30;ORG-Y|boss|2020-01-01,",  # row 6
            f"EXP-{tag}-6,Owner {tag},car,body,,{owner.id}",  # row 7
            f"EXP-{tag}-7,,boats,engine,ORG-Z|paid,",  # row 8
        ]
    )

    response = await http.post(
        "/experts/import", content=csv, headers={**council.auth, "Content-Type": "text/csv; charset=utf-8"}
    )

    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail["code"] == "invalid_rows"
    assert "nothing was imported" in detail["reason"]
    assert [(r["row"], r["field"], r["code"]) for r in detail["rows"]] == [
        (3, "specialties", "unknown_specialty"),
        (4, "expert_id", "expert_id_repeated"),
        (5, "expert_id", "expert_exists"),
        (6, "affiliations[0].start", "not_a_date"),
        (6, "affiliations[1].kind", "unknown_affiliation_kind"),
        (7, "party_id", "not_an_expert_party"),
        (8, "affiliations[0]", "bad_affiliation"),
        (8, "name", "value_required"),
    ]
    rows = {(r["row"], r["field"]): r for r in detail["rows"]}
    # said from the catalogue with the row's values (English, as the request names no language),
    # the import's own words kept as the reason
    for row in detail["rows"]:
        assert row["message"] == message(row["code"], "en", row["params"])
    assert rows[(3, "specialties")]["params"]["specialty"] == "tiling"
    assert "unknown renovation specialty 'tiling'" in rows[(3, "specialties")]["reason"]
    assert rows[(4, "expert_id")]["message"] == f"The expert ID EXP-{tag}-1 is already on row 2 of this file."
    assert rows[(5, "expert_id")]["params"] == {"expert_id": f"EXP-{tag}-OLD"}
    assert rows[(6, "affiliations[0].start")]["params"] == {"value": "2024-02-30"}
    assert owner.id in rows[(7, "party_id")]["message"]
    assert rows[(8, "affiliations[0]")]["params"] == {"text": "ORG-Z|paid"}
    assert stored_count(stack, tag) == 1  # only the expert made before the import
    missing = await http.get(f"/experts/EXP-{tag}-1", headers=council.auth)
    assert missing.status_code == 404


async def test_csv_import_says_each_rows_refusal_in_the_readers_language(stack, council, tag):
    owner = await Party(stack.http, "owner", "李娜").register()
    csv = CSV_HEADER + "\n".join(
        [
            f"EXP-{tag}-1,高明 {tag},renovation,tiling,,",  # row 2
            f"EXP-{tag}-1,钱慧 {tag},renovation,painting,ORG-X|paid|2024-03-01|2023-01-01,",  # row 3
            f"EXP-{tag}-3,孙立 {tag},car,body,,{owner.id}",  # row 4
        ]
    )
    headers = {**council.auth, "Content-Type": "text/csv", "Accept-Language": "zh-CN"}
    response = await stack.http.post("/experts/import", content=csv.encode(), headers=headers)

    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail["message"] == message("invalid_rows", "zh-CN")
    said = {(r["row"], r["code"]): r["message"] for r in detail["rows"]}
    known = "waterproofing, electrical, plumbing, carpentry, painting, structure"
    assert said == {
        (2, "unknown_specialty"): f"“tiling”不是这个领域的专长；可填写的专长有：{known}。",
        (3, "expert_id_repeated"): f"专家编号 EXP-{tag}-1 已在本文件第 2 行出现。",
        (3, "ends_before_start"): "关系的结束日期早于开始日期（2023-01-01 早于 2024-03-01）。",
        (4, "not_an_expert_party"): f"这个账户（{owner.id}）不是专家账户。",
    }
    assert all(r["reason"] and r["reason"] != r["message"] for r in detail["rows"])
    assert stored_count(stack, tag) == 0


async def test_csv_import_reads_the_charset_the_request_names(stack, council, tag):
    csv = CSV_HEADER + f"EXP-{tag},张伟 {tag},renovation,waterproofing,ORG-桂林装饰|employed|2019-03-01,\n"
    headers = {**council.auth, "Content-Type": "text/csv; charset=gb18030"}

    response = await stack.http.post("/experts/import", content=csv.encode("gb18030"), headers=headers)

    assert response.status_code == 200, response.text
    stored = (await stack.http.get(f"/experts/EXP-{tag}", headers=council.auth)).json()
    assert (stored["name"], stored["affiliations"][0]["org_id"]) == (f"张伟 {tag}", "ORG-桂林装饰")
    found = await stack.http.get("/experts", params={"q": f"张伟 {tag}"}, headers=council.auth)
    assert [e["expert_id"] for e in found.json()["data"]] == [f"EXP-{tag}"]


@pytest.mark.parametrize(
    ("content", "content_type", "status", "code"),
    [
        (
            CSV_HEADER.encode() + b"EXP-1,Zhang,renovation,plumbing,,\n",
            "application/octet-stream",  # as application/json the edge refuses it first: not JSON
            415,
            "csv_required",
        ),
        (b"name,domain\nZhang,renovation\n", "text/csv", 422, "invalid_csv"),
        (
            b"name,domain,specialties,speciality\nZhang,renovation,plumbing,x\n",
            "text/csv",
            422,
            "invalid_csv",
        ),
        (CSV_HEADER.encode(), "text/csv", 422, "invalid_csv"),
        (b"", "text/csv", 422, "invalid_csv"),
        (CSV_HEADER.encode() + "Zhang,renovation".encode("utf-16"), "text/csv", 422, "invalid_csv"),
        (CSV_HEADER.encode(), "text/csv; charset=klingon", 422, "invalid_csv"),
        (CSV_HEADER.encode() + b"x" * (2 * 1024 * 1024), "text/csv", 413, "csv_too_large"),
        (CSV_HEADER.encode() + b"Zh\x00ang,renovation,plumbing,\n", "text/csv", 422, "invalid_csv"),
    ],
    ids=[
        "not-csv",
        "missing-column",
        "unknown-column",
        "header-only",
        "empty",
        "not-utf8",
        "unknown-charset",
        "too-large",
        "nul-character",  # Python's csv reads it; PostgreSQL stores no text holding it
    ],
)
async def test_unreadable_csv_files_are_refused_with_a_code(
    stack, council, content, content_type, status, code
):
    response = await stack.http.post(
        "/experts/import", content=content, headers={**council.auth, "Content-Type": content_type}
    )

    assert (response.status_code, response.json()["detail"]["code"]) == (status, code)


async def test_openapi_documents_the_csv_body(stack):
    spec = (await stack.http.get("/openapi.json")).json()
    operation = spec["paths"]["/experts/import"]["post"]

    assert list(operation["requestBody"]["content"]) == ["text/csv"]
    assert "text/csv" in operation["description"]
    assert operation["tags"] == ["expert registry"]
