"""The catch-up schedule of a non-money duty that keeps failing (workflows/catch_up.py), as plain state."""

from datetime import UTC, datetime, timedelta

from workflows.activity_policies import CATCH_UP_FIRST, CATCH_UP_LONGEST
from workflows.catch_up import CatchUp

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def test_the_wait_doubles_from_a_minute_to_a_day_and_stays_there_for_years():
    catch_up, now, waits = CatchUp("projection"), T0, []
    for _ in range(5 * 365 + 20):  # a whole waterproofing warranty of daily failures
        catch_up.failed(7, now)
        waits.append(catch_up.retry_at - now)
        now = catch_up.retry_at
    assert waits[:3] == [CATCH_UP_FIRST, 2 * CATCH_UP_FIRST, 4 * CATCH_UP_FIRST]
    assert waits == sorted(waits) and waits[-1] == CATCH_UP_LONGEST
    assert sum(1 for wait in waits if wait < CATCH_UP_LONGEST) == 11  # 1 min * 2**11 > a day
    assert catch_up.since == T0  # the run of failures the council was told about began here


def test_the_same_work_waits_for_the_timer_and_new_work_is_tried_at_once():
    catch_up = CatchUp("projection")
    assert not catch_up.behind and catch_up.due(3, T0)
    catch_up.failed(3, T0)
    assert catch_up.behind and catch_up.waits(3)
    assert not catch_up.due(3, T0 + CATCH_UP_FIRST - timedelta(seconds=1))
    assert catch_up.due(3, T0 + CATCH_UP_FIRST)
    assert catch_up.due(4, T0) and not catch_up.waits(4)  # a later step changed what it would write
    catch_up.caught_up()
    assert (catch_up.behind, catch_up.since, catch_up.alerted) == (False, None, False)
    catch_up.failed(5, T0 + timedelta(days=3))
    assert catch_up.retry_at == T0 + timedelta(days=3) + CATCH_UP_FIRST  # a new run starts over
