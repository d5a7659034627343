"""The public record's tables on SQLite and PostgreSQL: first-seen milestones, frozen lists, expiry."""

import json
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from db.models import ProjectionMilestone
from public_record.periods import Quarter
from public_record.store import get_published, list_published, publish, record_milestones

NOW = datetime(2027, 10, 2, 1, tzinfo=UTC)


def test_a_milestone_keeps_the_first_moment_it_was_seen(session: Session) -> None:
    first, later = NOW, NOW + timedelta(hours=3)
    assert record_milestones(session=session, subject_id="ESC-1", keys=["stage-1:release"], at=first) == 1
    stored = record_milestones(
        session=session, subject_id="ESC-1", keys=["stage-1:release", "dispute-1:closed"], at=later
    )
    assert stored == 1  # only the new key
    assert record_milestones(session=session, subject_id="ESC-1", keys=[], at=later) == 0
    rows = {m.key: m.at for m in session.exec(select(ProjectionMilestone)).all()}
    assert rows == {"stage-1:release": first, "dispute-1:closed": later}


def test_a_quarter_is_published_once_and_served_for_a_year(session: Session) -> None:
    document, created = publish(session=session, quarter=Quarter(2027, 3), now=NOW)
    assert created and document["businesses"] == [] and document["complaints_in_quarter"] == 0
    again, created = publish(session=session, quarter=Quarter(2027, 3), now=NOW + timedelta(days=5))
    assert not created and again == document  # frozen: the first publication stands
    row = get_published(session=session, quarter=Quarter(2027, 3))
    assert (row.published_at, row.expires_at) == (NOW, NOW + timedelta(days=365))
    assert json.loads(row.document_json)["expires_at"] == (NOW + timedelta(days=365)).isoformat()

    publish(session=session, quarter=Quarter(2026, 2), now=NOW - timedelta(days=400))
    assert [r.quarter for r in list_published(session=session, now=NOW)] == ["2027Q3"]
    assert get_published(session=session, quarter=Quarter(2027, 1)) is None
