"""CSV cells that a spreadsheet would run as a formula are written as text (OWASP's rule)."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from db.engine import make_engine
from db.models import PublishedList
from domain.spreadsheet import csv_text, neutral_cell
from public_record.periods import Quarter
from public_record.quarterly import ListedBusiness, list_document
from tests.kits.servers import api_alone


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Guilin Decor = best", "Guilin Decor = best"),
        ("桂林装饰", "桂林装饰"),
        ("0.5000", "0.5000"),
        ("", ""),
    ],
)
def test_a_cell_a_spreadsheet_would_run_gets_a_leading_quote(cell, written):
    assert neutral_cell(cell) == written
    assert list(csv.reader(io.StringIO(csv_text([[cell, "next"]]), newline=""))) == [[written, "next"]]


async def test_the_public_quarterly_csv_neutralises_a_business_name_and_address(tmp_path):
    business = ListedBusiness(
        rank=1,
        party_id="P-AAAAAAAAAA",
        name='=HYPERLINK("http://evil.example","Guilin Decor")',
        address="@SUM(1+1)",
        complaints=3,
        mediated=2,
        mediation_successes=1,
        mediation_rate=0.5,
        outcomes={},
    )
    published = datetime.now(UTC)
    document = list_document(
        Quarter.parse("2026Q3"),
        [business],
        published_at=published,
        expires_at=published + timedelta(days=365),
        complaints_in_quarter=3,
    )
    async with api_alone(tmp_path) as http:
        engine = make_engine(f"sqlite:///{tmp_path / 'escrow.db'}")
        with Session(engine) as session:
            session.add(
                PublishedList(
                    quarter="2026Q3",
                    published_at=published,
                    expires_at=published + timedelta(days=365),
                    document_json=json.dumps(document),
                )
            )
            session.commit()
        engine.dispose()
        answer = await http.get("/public/quarters/2026Q3.csv")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    header, row = csv.reader(io.StringIO(answer.text))
    assert dict(zip(header, row, strict=True)) == {
        "rank": "1",
        "party_id": "P-AAAAAAAAAA",
        "name": '\'=HYPERLINK("http://evil.example","Guilin Decor")',
        "address": "'@SUM(1+1)",
        "complaints": "3",
        "mediated": "2",
        "mediation_successes": "1",
        "mediation_rate": "0.5000",
        "credit_code": "",
    }
