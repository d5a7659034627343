"""Why a seat changed hands, as the draw record keeps it: "code: detail", the convention of the
draw's exclusion reasons (expert_panels/draw.py `exclusion_code`), so the council's page shows the
code in the reader's language and the detail (a party's own words) as they typed it.

The reason goes into the draw record (`Replacement.reason`) and the expert's set-aside reason (an
`excluded` exclusion of a later draw), so both re-run offline as recorded.
"""

from enum import StrEnum

from expert_panels.draw import STRUCK


class SeatChange(StrEnum):
    STRUCK = STRUCK  # detail: "<side>: <the side's reason>"
    DECLINED = "declined"  # detail: the expert's reason
    DECLARATION_TIMED_OUT = "declaration_timed_out"  # no detail


def seat_change(code: SeatChange, *details: str) -> str:
    return ": ".join([code.value, *details])
