import threading

from sqlalchemy import Engine
from sqlmodel import Session

from db import crud
from db.engine import session_scope


def test_ids_are_sequential_per_prefix_and_year(session: Session) -> None:
    assert crud.next_escrow_id(session=session, year=2026) == "ESC-2026-00001"
    assert crud.next_escrow_id(session=session, year=2026) == "ESC-2026-00002"
    assert crud.next_escrow_id(session=session, year=2027) == "ESC-2027-00001"
    assert crud.next_id(session=session, prefix="CASE", year=2026) == "CASE-2026-00001"
    assert crud.next_escrow_id(session=session, year=2026) == "ESC-2026-00003"


def test_concurrent_callers_get_distinct_gap_free_ids(clean_engine: Engine) -> None:
    threads_count, per_thread = 8, 25
    barrier = threading.Barrier(threads_count)
    results: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            with session_scope(clean_engine) as session:
                barrier.wait()
                ids = [crud.next_escrow_id(session=session, year=2026) for _ in range(per_thread)]
        except BaseException as exc:
            errors.append(exc)
            return
        with lock:
            results.extend(ids)

    threads = [threading.Thread(target=worker) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    expected = [f"ESC-2026-{n:05d}" for n in range(1, threads_count * per_thread + 1)]
    assert sorted(results) == expected
