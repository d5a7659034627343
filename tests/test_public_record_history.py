"""The public record over a realistic history: hundreds of escrows and dozens of cases, every
one driven through the real workflows, then the lists, scorecards, decisions and alerts checked
against figures the test computes from its own ledger of what it did.
"""

import asyncio
import csv
import io
import json
import math
import os
import sqlite3
import subprocess
import sys
from collections import Counter, defaultdict
from contextlib import closing
from datetime import UTC, datetime, timedelta
from statistics import fmean, pstdev

import pytest
from sqlmodel import Session, select

from client.escrow_session import eventually
from db.models import CaseProjection, EscrowProjection, ProjectionMilestone
from domain.calendar import SHANGHAI
from public_record.periods import Quarter
from public_record.store import publish
from tests.conftest import running_stack, stack_settings
from tests.kits.public_record_kit import HistoryKit, Ledger
from workflows.case import CaseWorkflow
from workflows.case_types import case_workflow_id
from workflows.escrow import EscrowWorkflow
from workflows.escrow_types import escrow_workflow_id

MEDIATION_SUCCESS = {"settled", "withdrawn"}
NOT_MEDIATED = {"open", "rejected"}


def quarter_of(moment: datetime) -> str:
    local = moment.astimezone(SHANGHAI)
    return f"{local.year}Q{(local.month - 1) // 3 + 1}"


def month_of(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m")


def expected_list(ledger: Ledger, quarter: str) -> list[dict]:
    groups = defaultdict(list)
    for c in ledger.complaints:
        if c.raised_by == "consumer" and quarter_of(c.filed_at) == quarter:
            groups[c.business_id].append(c.outcome)
    ranked = sorted(groups, key=lambda p: (-len(groups[p]), ledger.names[p], p))[:20]
    rows = []
    for rank, party_id in enumerate(ranked, start=1):
        outcomes = groups[party_id]
        mediated = sum(o not in NOT_MEDIATED for o in outcomes)
        successes = sum(o in MEDIATION_SUCCESS for o in outcomes)
        rows.append(
            {
                "rank": rank,
                "party_id": party_id,
                "name": ledger.names[party_id],
                "credit_code": ledger.codes[party_id],
                "complaints": len(outcomes),
                "mediated": mediated,
                "mediation_successes": successes,
                "mediation_rate": successes / mediated if mediated else None,
            }
        )
    return rows


def expected_alerts(ledger: Ledger, month: str) -> set[tuple[str, str, int]]:
    """docs/PUBLIC_RECORD.md: count >= max(5, mean + 3 * max(sd, sqrt(mean), 1)) over the 3 months before."""
    year, number = map(int, month.split("-"))
    previous = []
    for back in (3, 2, 1):
        y, m = divmod(year * 12 + number - 1 - back, 12)
        previous.append(f"{y}-{m + 1:02d}")
    counts: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for c in ledger.complaints:
        if c.raised_by == "consumer":
            counts[("category", c.category)][month_of(c.filed_at)] += 1
            counts[("business", c.business_id)][month_of(c.filed_at)] += 1
    found = set()
    for (subject, key), per_month in counts.items():
        baseline = [per_month[m] for m in previous]
        mean = fmean(baseline)
        limit = max(5, mean + 3 * max(pstdev(baseline), math.sqrt(mean), 1))
        if per_month[month] >= limit:
            found.add((subject, key, per_month[month]))
    return found


async def read_model_caught_up(stack, ledger: Ledger) -> None:
    """Wait until every escrow's and case's read model holds its workflow's last state."""
    cases = [c.key for c in ledger.complaints if c.key.startswith("CASE-")]
    versions = {}
    for escrow_id in ledger.escrows:
        handle = stack.temporal.get_workflow_handle_for(EscrowWorkflow.run, escrow_workflow_id(escrow_id))
        versions[escrow_id] = (await handle.query(EscrowWorkflow.snapshot)).version
    for case_id in cases:
        handle = stack.temporal.get_workflow_handle_for(CaseWorkflow.run, case_workflow_id(case_id))
        versions[case_id] = (await handle.query(CaseWorkflow.snapshot)).version
    closed = sum(c.outcome != "open" for c in ledger.complaints if c.key.startswith("CASE-"))

    def stored() -> tuple[list[str], int, int]:
        """(subjects whose read model lags, release milestones, conclusion milestones)."""
        with Session(stack.engine) as session:
            rows = {r.escrow_id: r.version for r in session.exec(select(EscrowProjection)).all()}
            rows |= {r.case_id: r.version for r in session.exec(select(CaseProjection)).all()}
            marks = session.exec(select(ProjectionMilestone)).all()
        releases = sum(m.key.endswith(":release") for m in marks if m.subject_id in ledger.escrows)
        concluded = sum(m.key == "concluded" for m in marks if m.subject_id in cases)
        return sorted(k for k, v in versions.items() if rows.get(k) != v), releases, concluded

    await eventually(
        lambda: asyncio.to_thread(stored),
        lambda seen: seen == ([], len(ledger.stages), closed),
        "the read models to catch up",
        120,
    )


def run_cli(stack, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("ESCROW_DATABASE_URL", "DATABASE_URL")}
    env |= {"ESCROW_DATA_DIR": str(stack.settings.data_dir), "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "cli.main", *args], env=env, capture_output=True, text=True)


@pytest.fixture
async def stack(temporal_env, tmp_path, thread_pool):
    """A stack of its own (databases, bank, API, worker, expert registry), so the record holds only
    this history, whatever other tests left in the shared one."""
    settings = stack_settings(temporal_env, tmp_path)
    async with running_stack(temporal_env.client, settings, thread_pool, own_ids=True) as own:
        yield own


def keep_copy(database, target: str) -> None:
    """Copy through SQLite's backup API: opening and closing the live file directly would drop
    this process's locks on it (POSIX locks are per process) and let another process corrupt it."""
    with closing(sqlite3.connect(database)) as source, closing(sqlite3.connect(target)) as copy:
        source.backup(copy)


@pytest.fixture
async def history(stack):
    kit = HistoryKit(stack)
    ledger = await kit.build(stack.engine)
    await read_model_caught_up(stack, ledger)
    if target := os.environ.get("PUBLIC_RECORD_HISTORY_COPY"):  # for bench/publish.py
        keep_copy(stack.settings.data_dir / "escrow.db", target)
    return kit, ledger


async def test_public_record_matches_what_the_history_did(stack, history):
    kit, ledger = history
    http = stack.http
    complaints = [c for c in ledger.complaints if c.raised_by == "consumer"]
    assert len(ledger.escrows) >= 200 and len([c for c in complaints if c.key.startswith("CASE-")]) >= 40

    # 1. every dispute counted, by business, category and outcome
    counts = (await http.get("/public/counts.json")).json()
    assert counts["disputes"] == len(ledger.complaints)
    assert counts["complaints"] == len(complaints)
    assert counts["by_outcome"] == dict(Counter(c.outcome for c in complaints))
    assert {k: v["count"] for k, v in counts["by_category"].items()} == dict(
        Counter(c.category for c in complaints)
    )
    assert {k: v["count"] for k, v in counts["by_business"].items()} == dict(
        Counter(c.business_id for c in complaints)
    )
    quarters = Counter(quarter_of(c.filed_at) for c in complaints)
    assert {k: v["count"] for k, v in counts["by_quarter"].items()} == dict(quarters)
    assert {"2027Q1", "2027Q2", "2027Q3"} <= set(quarters)

    # 2. quarterly lists, published by the CLI, frozen, as page, JSON and CSV
    for quarter in sorted(quarters):
        published = run_cli(stack, "publish", "--quarter", quarter)
        assert published.returncode == 0, published.stdout + published.stderr
        document = (await http.get(f"/public/quarters/{quarter}.json")).json()
        expected = expected_list(ledger, quarter)
        assert [{k: b[k] for k in expected[0]} for b in document["businesses"]] == expected
        assert document["complaints_in_quarter"] == quarters[quarter]
        assert all(b["address"] for b in document["businesses"])  # every business registered one
        table = list(csv.reader(io.StringIO((await http.get(f"/public/quarters/{quarter}.csv")).text)))
        assert [row[1] for row in table[1:]] == [b["party_id"] for b in expected]
        assert [int(row[4]) for row in table[1:]] == [b["complaints"] for b in expected]
        assert [row[-1] for row in table[1:]] == [b["credit_code"] for b in expected]
        page = await http.get(f"/public/quarters/{quarter}")
        assert page.status_code == 200 and expected[0]["name"] in page.text and "<svg" in page.text
        assert expected[0]["credit_code"] in page.text
    assert "Quickfix Decor" in run_cli(stack, "publish", "--quarter", "2027Q2").stdout  # shown again
    # the spike tops its quarter, printed by its verified legal name and code
    assert expected_list(ledger, "2027Q2")[0]["name"] == "Quickfix Decor Co., Ltd."

    before = (await http.get("/public/quarters/2027Q2.json")).json()
    await kit.escrow(999, kit.spike, 5, "refund")  # a complaint after publication
    await read_model_caught_up(stack, ledger)
    assert (await http.get("/public/quarters/2027Q2.json")).json() == before
    assert (await http.get("/public/counts.json")).json()["complaints"] == len(complaints) + 1

    # expired lists are not served
    with Session(stack.engine) as session:
        publish(session=session, quarter=Quarter(2025, 3), now=datetime.now(UTC) - timedelta(days=366))
    gone = await http.get("/public/quarters/2025Q3.json")
    assert gone.status_code == 410 and gone.json()["detail"]["code"] == "list_expired"
    assert (await http.get("/public/quarters/2025Q4.csv")).status_code == 404

    # 3. scorecards, with the number of cases behind each figure
    cards = {c["party_id"]: c for c in (await http.get("/public/scorecards.json")).json()}
    stages_by = defaultdict(list)
    for stage in ledger.stages:
        stages_by[stage.contractor_id].append(stage)
    for contractor_id, stages in stages_by.items():
        card = cards[contractor_id]
        first_pass = sum(s.first_pass for s in stages)
        assert card["first_pass_rate"] == {"value": first_pass / len(stages), "n": len(stages)}
        assert card["rework_share"] == {"value": (len(stages) - first_pass) / len(stages), "n": len(stages)}
        assert card["median_days_to_release"]["n"] == len(stages)
        assert 0 <= card["median_days_to_release"]["value"] < 1  # the bank pays within the hour
        theirs = [
            c for c in ledger.complaints if c.business_id == contractor_id and c.raised_by == "consumer"
        ]
        assert (card["disputes_raised"], card["disputes_lost"]) == (
            len(theirs),
            sum(c.outcome == "for_consumer" for c in theirs),
        )
    inspectors = {c["party_id"]: c for c in (await http.get("/public/scorecards.json?role=inspector")).json()}
    for inspector in kit.inspectors:
        theirs = [s for s in ledger.stages if s.inspector_id == inspector.id]
        assert inspectors[inspector.id]["first_pass_rate"]["n"] == len(theirs)
        assert inspectors[inspector.id]["first_pass_rate"]["value"] == sum(
            s.first_pass for s in theirs
        ) / len(theirs)
    assert (await http.get("/public/scorecards")).status_code == 200

    # 4. published decisions: every final panel decision, anonymised, searchable by category
    decisions = (await http.get("/public/decisions.json")).json()
    assert sorted(d["case_id"] for d in decisions) == sorted(ledger.decisions)
    published_text = json.dumps(decisions, ensure_ascii=False)
    leaked = [secret for secret in ledger.consumer_secrets if secret in published_text]
    assert leaked == []
    assert all("[consumer]" in d["summary"] and "[phone]" in d["summary"] for d in decisions)
    car = (await http.get("/public/decisions.json", params={"domain": "car"})).json()
    assert sorted(d["case_id"] for d in car) == sorted(
        c.key for c in ledger.complaints if c.key in ledger.decisions and c.category.startswith("car/")
    )
    plumbing = (await http.get("/public/decisions.json", params={"specialty": "plumbing"})).json()
    assert sorted(d["case_id"] for d in plumbing) == sorted(
        c.key for c in ledger.complaints if c.key in ledger.decisions and c.category == "renovation/plumbing"
    )
    page = await http.get("/public/decisions", params={"domain": "renovation", "lang": "en"})
    assert page.status_code == 200 and "Published decisions" in page.text

    # 5. alerts against each subject's own baseline, as the test counts them itself
    ledger_now = [c for c in ledger.complaints]  # includes the complaint added after publication
    months = sorted({month_of(c.filed_at) for c in ledger_now})
    for month in months:
        seen = (
            await http.get("/council/complaint-alerts", params={"month": month}, headers=kit.council.auth)
        ).json()
        assert {(a["subject"], a["key"], a["count"]) for a in seen} == expected_alerts(ledger, month), month
    spike = (
        await http.get("/council/complaint-alerts", params={"month": "2027-04"}, headers=kit.council.auth)
    ).json()
    assert ("business", kit.spike.id, 7) in {(a["subject"], a["key"], a["count"]) for a in spike}
    assert (await http.get("/council/complaint-alerts", headers=kit.contractors[0].auth)).status_code == 403
