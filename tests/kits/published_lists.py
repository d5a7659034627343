"""A quarter's list frozen by hand, as `escrow publish` would have stored it, for tests that need a
published list with chosen rows (the pages that read it, the notices made from it)."""

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from db.models import PublishedList, utcnow
from public_record.periods import Quarter
from public_record.quarterly import ListedBusiness, list_document


def freeze_list(
    engine: Engine, quarter: Quarter, rows: list[ListedBusiness], complaints: int
) -> dict[str, Any]:
    """Store `rows` as `quarter`'s published list, kept for a year from now; the stored document."""
    now = utcnow()
    kept_until = now + timedelta(days=365)
    document = list_document(
        quarter, rows, published_at=now, expires_at=kept_until, complaints_in_quarter=complaints
    )
    with Session(engine) as session:
        session.add(
            PublishedList(
                quarter=str(quarter),
                published_at=now,
                expires_at=kept_until,
                document_json=json.dumps(document, ensure_ascii=False),
            )
        )
        session.commit()
    return document
