import threading

from sqlalchemy import Engine
from sqlmodel import Session

from db.engine import session_scope
from db.request_records import get_request_record, record_request

KEY = {"scope": "escrow.create", "party_id": "P-OWNER", "key": "key-0001"}


def _record(session: Session, answer: str, **changes: str):
    return record_request(
        session=session,
        **(KEY | changes),
        request_hash=f"hash-of-{answer}",
        answer_json=answer,
        workflow_input_json=f"input-of-{answer}",
    )


def test_the_first_record_wins_and_a_second_gets_it_back(session: Session) -> None:
    assert get_request_record(session=session, **KEY) is None

    first, first_inserted = _record(session, "first")
    second, second_inserted = _record(session, "second")

    assert (first_inserted, second_inserted) == (True, False)
    assert (second.answer_json, second.request_hash, second.workflow_input_json) == (
        "first",
        "hash-of-first",
        "input-of-first",
    )
    assert get_request_record(session=session, **KEY).answer_json == "first"


def test_keys_are_per_scope_and_per_party(session: Session) -> None:
    _record(session, "escrow")
    other_party, inserted_for_party = _record(session, "theirs", party_id="P-CONTRACTOR")
    other_scope, inserted_for_scope = _record(session, "case", scope="case.file")

    assert (inserted_for_party, inserted_for_scope) == (True, True)
    assert (other_party.answer_json, other_scope.answer_json) == ("theirs", "case")


def test_concurrent_recorders_all_get_the_one_stored_row(clean_engine: Engine) -> None:
    count = 8
    barrier = threading.Barrier(count)
    seen: list[tuple[str, bool]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def recorder(n: int) -> None:
        try:
            with session_scope(clean_engine) as session:
                barrier.wait()
                stored, inserted = _record(session, f"answer-{n}")
                with lock:
                    seen.append((stored.answer_json, inserted))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=recorder, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len({answer for answer, _ in seen}) == 1
    winner = [answer for answer, inserted in seen if inserted]
    assert winner == [seen[0][0]]
