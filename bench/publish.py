"""How long publishing a quarter takes, on a copy of a real history.

The history comes from the realistic-history test (every escrow and case driven through
the workflows); it leaves a copy of its database when asked:

    PUBLIC_RECORD_HISTORY_COPY=/tmp/history.db .venv/bin/pytest -p no:cacheprovider \
        tests/test_public_record_history.py
    .venv/bin/python -m bench.publish /tmp/history.db --quarter 2027Q2

Each round copies the database afresh (a quarter is published once) and times
`publish` (read every projection, count, rank, store the frozen list), then the
pure counting alone, then serving the stored list. Prints the median and worst.
"""

import argparse
import shutil
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from statistics import median
from typing import TypeVar

from sqlmodel import Session

from db.engine import make_engine
from public_record.complaints import all_disputes
from public_record.facts import History
from public_record.periods import Quarter
from public_record.quarterly import ListedBusiness, quarterly_list
from public_record.store import get_published, load_history, publish

T = TypeVar("T")


def timed(action: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def count_and_rank(history: History, quarter: Quarter) -> list[ListedBusiness]:
    return quarterly_list(history, all_disputes(history), quarter)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("database", type=Path, help="a SQLite copy of a history")
    parser.add_argument("--quarter", default="2027Q2")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    quarter = Quarter.parse(args.quarter)
    publish_s, load_s, count_s, serve_s = [], [], [], []
    with tempfile.TemporaryDirectory() as scratch:
        for _ in range(args.rounds):
            copy = Path(scratch) / "history.db"
            shutil.copyfile(args.database, copy)
            engine = make_engine(f"sqlite:///{copy}")
            with Session(engine) as session:
                seconds, (document, created) = timed(lambda: publish(session=session, quarter=quarter))
                assert created
                publish_s.append(seconds)
                seconds, history = timed(lambda: load_history(session=session))
                load_s.append(seconds)
                seconds, _ = timed(partial(count_and_rank, history, quarter))
                count_s.append(seconds)
                seconds, _ = timed(lambda: get_published(session=session, quarter=quarter))
                serve_s.append(seconds)
            engine.dispose()
    print(
        f"history: {len(history.escrows)} escrows, {len(history.cases)} cases, "
        f"{len(all_disputes(history))} disputes; {args.quarter}: "
        f"{document['complaints_in_quarter']} complaints, {len(document['businesses'])} businesses listed"
    )
    for name, values in (
        ("publish (read + count + store)", publish_s),
        ("  read every projection", load_s),
        ("  count and rank (pure)", count_s),
        ("serve the stored list", serve_s),
    ):
        print(f"{name:32s} median {1000 * median(values):8.1f} ms   worst {1000 * max(values):8.1f} ms")


if __name__ == "__main__":
    main()
