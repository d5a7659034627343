"""The public record's tables on SQLite and PostgreSQL: first-seen milestones, frozen lists, expiry."""

import json
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from client.businesses import demo_credit_code
from db import businesses, crud
from db.models import Party, ProjectionMilestone
from public_record.periods import Quarter
from public_record.store import (
    get_notice,
    get_published,
    keep_notices,
    list_published,
    load_history,
    notice_districts,
    publish,
    record_milestones,
)
from tests.db.factories import TOKEN_LIFETIME, make_party, make_public_key

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


def test_a_district_notice_is_kept_once_and_never_replaced(session: Session) -> None:
    """The notices beside a published list: stored per district, a second publication's bytes ignored."""
    quarter = Quarter(2027, 3)
    publish(session=session, quarter=quarter, now=NOW)
    made = keep_notices(
        session=session, quarter=quarter, notices={"450300": b"%PDF-a", "330100": b"%PDF-b"}, now=NOW
    )
    assert made == ["330100", "450300"]
    again = keep_notices(
        session=session, quarter=quarter, notices={"450300": b"%PDF-changed", "110101": b"%PDF-c"}, now=NOW
    )
    assert again == ["110101"]
    assert notice_districts(session=session, quarter=quarter) == ["110101", "330100", "450300"]
    kept = get_notice(session=session, quarter=quarter, district="450300")
    assert kept is not None and (kept.pdf, kept.made_at) == (b"%PDF-a", NOW)
    assert get_notice(session=session, quarter=Quarter(2027, 2), district="450300") is None
    assert keep_notices(session=session, quarter=quarter, notices={}) == []


def test_the_record_reads_the_verified_licence_and_nothing_a_business_only_typed(session: Session) -> None:
    """Issue 17 point 3 on both backends: load_history carries the licence of verified businesses only."""

    def contractor(name: str) -> Party:
        party, _ = crud.create_party(
            session=session,
            role="contractor",
            display_name="Twin Decor",
            public_key=make_public_key(),
            token_lifetime=TOKEN_LIFETIME,
            address="1 Lijiang Road",
            credit_code=demo_credit_code(),
            legal_name=name,
        )
        return party

    verified, unverified, revoked = (
        contractor("双子装饰有限公司"),
        contractor("冒名装饰"),
        contractor("撤销装饰"),
    )
    council = make_party(session, "council", "Desk")
    businesses.mark_verified(
        session=session, business=verified, verifier_id=council.id, checked="licence seen"
    )
    businesses.mark_verified(
        session=session, business=revoked, verifier_id=council.id, checked="licence seen"
    )
    businesses.revoke_verification(session=session, business=revoked, council_id=council.id, reason="revoked")

    history = load_history(session=session)
    shown = history.business(verified.id)
    assert (shown.name, shown.credit_code, shown.address) == (
        "双子装饰有限公司",
        verified.credit_code,
        "1 Lijiang Road",
    )
    for hidden in (unverified, revoked):
        shown = history.business(hidden.id)
        assert (shown.name, shown.credit_code, shown.address) == (f"{hidden.id} (not verified)", None, None)
