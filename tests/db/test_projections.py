import json
import random
import threading

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from db import crud
from db.engine import session_scope
from tests.db.factories import make_party, projection


def test_newer_versions_apply_and_older_or_equal_are_ignored(session: Session) -> None:
    owner, contractor = make_party(session), make_party(session, "contractor")

    assert crud.upsert_escrow_projection(session=session, **projection("ESC-1", 2, owner, contractor))
    first = crud.get_escrow_projection(session=session, escrow_id="ESC-1")
    created_at = first.created_at

    stale = projection("ESC-1", 1, owner, contractor, status="draft")
    replayed = projection("ESC-1", 2, owner, contractor, status="cancelled")
    assert not crud.upsert_escrow_projection(session=session, **stale)
    assert not crud.upsert_escrow_projection(session=session, **replayed)
    stored = crud.get_escrow_projection(session=session, escrow_id="ESC-1")
    assert (stored.version, stored.status) == (2, "funded")

    newer = projection(
        "ESC-1", 3, owner, contractor, status="releasing", released_fen=3_000_000, held_fen=7_000_000
    )
    assert crud.upsert_escrow_projection(session=session, **newer)
    stored = crud.get_escrow_projection(session=session, escrow_id="ESC-1")
    assert (stored.version, stored.status, stored.released_fen) == (3, "releasing", 3_000_000)
    assert json.loads(stored.summary_json) == {"escrow_id": "ESC-1", "version": 3}
    assert stored.created_at == created_at
    assert stored.updated_at >= created_at


def test_concurrent_out_of_order_writers_end_on_the_newest(clean_engine: Engine) -> None:
    with session_scope(clean_engine) as session:
        owner, contractor = make_party(session), make_party(session, "contractor")
    versions = list(range(1, 41))
    random.Random(7).shuffle(versions)
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def writer(mine: list[int]) -> None:
        try:
            with session_scope(clean_engine) as session:
                barrier.wait()
                for version in mine:
                    crud.upsert_escrow_projection(
                        session=session,
                        **projection("ESC-9", version, owner, contractor, status=f"v{version}"),
                    )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(versions[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    with session_scope(clean_engine) as session:
        stored = crud.get_escrow_projection(session=session, escrow_id="ESC-9")
    assert (stored.version, stored.status) == (40, "v40")


def test_snapshot_breaking_conservation_is_refused(session: Session) -> None:
    owner, contractor = make_party(session), make_party(session, "contractor")
    broken = projection("ESC-2", 1, owner, contractor, released_fen=1)

    with pytest.raises(IntegrityError):
        crud.upsert_escrow_projection(session=session, **broken)
    assert crud.get_escrow_projection(session=session, escrow_id="ESC-2") is None


def test_float_amounts_never_reach_the_database(session: Session) -> None:
    owner, contractor = make_party(session), make_party(session, "contractor")

    with pytest.raises(TypeError):
        crud.upsert_escrow_projection(
            session=session, **projection("ESC-3", 1, owner, contractor, total_fen=10_000_000.0)
        )
    assert crud.get_escrow_projection(session=session, escrow_id="ESC-3") is None


def test_parties_must_exist(session: Session) -> None:
    owner, contractor = make_party(session), make_party(session, "contractor")

    with pytest.raises(IntegrityError):
        crud.upsert_escrow_projection(
            session=session,
            **projection("ESC-4", 1, owner, contractor, inspector_id="P-NOBODY0000"),
        )


def test_a_party_sees_only_its_own_escrows_newest_first(session: Session) -> None:
    owner, other_owner = make_party(session), make_party(session)
    contractor = make_party(session, "contractor")
    inspector = make_party(session, "inspector")
    stranger = make_party(session)
    for escrow_id, escrow_owner, escrow_inspector in [
        ("ESC-2026-00001", owner, inspector),
        ("ESC-2026-00002", other_owner, None),
        ("ESC-2026-00003", owner, None),
        ("ESC-2026-00004", other_owner, inspector),
    ]:
        crud.upsert_escrow_projection(
            session=session,
            **projection(
                escrow_id, 1, escrow_owner, contractor, inspector_id=escrow_inspector and escrow_inspector.id
            ),
        )

    def ids(party_id: str, **page: int) -> list[str]:
        escrows = crud.list_escrows_for_party(session=session, party_id=party_id, **page)
        return [escrow.escrow_id for escrow in escrows]

    assert ids(owner.id) == ["ESC-2026-00003", "ESC-2026-00001"]
    assert ids(other_owner.id) == ["ESC-2026-00004", "ESC-2026-00002"]
    assert ids(inspector.id) == ["ESC-2026-00004", "ESC-2026-00001"]
    assert ids(contractor.id) == [f"ESC-2026-0000{n}" for n in (4, 3, 2, 1)]
    assert ids(contractor.id, limit=2, offset=1) == ["ESC-2026-00003", "ESC-2026-00002"]
    assert ids(stranger.id) == []
