"""What a fund carries into its next run (docs/ADVANCE_COMPENSATION.md, "The fund's runs").

A fund lives as long as its business, years of deposits, overdue cases and advances, each leaving
some fifteen events in its workflow's history. So the workflow continues as new every so many
changes (or when Temporal suggests it), and this is all the new run starts from, besides the
terms and the skew window of its input. The rule is the escrow's at its warranty
(domain/escrow/carry.py): everything the fund's snapshot shows is carried as it stands, so
`GET /funds/{id}`, the council's list and the pages read the whole life after the switch as
before; and it is also everything the machine checks:

- the pledge, the ledger and the movements: what may be withdrawn or paid in advance, and each
  movement's business key, so none is instructed twice and a retried advance gets a key of its own;
- the deposits by bank transaction id: a confirmation the bank sends again is a duplicate;
- the claims: a case learned before may still be paid in advance, once, and still holds the
  pledge and the money above it for its hold;
- `opened_at`, shown in the snapshot.

The parts every signed-step process carries are `StepsCarry`'s (domain/steps/machine.py): the
version (the read model takes only newer ones), the alerts, the trail's head and length only (the
entries are in the audit table, which the switch waits to be caught up), the nonces of steps
still inside the skew window (an older envelope is refused by the window whatever its nonce), the
signers' key rings whole, and the council as learned, members who joined later included.
"""

from dataclasses import dataclass

from domain.fund.state import FundLedger, FundMovement
from domain.fund.terms import AdvanceClaim
from domain.open_actions import Stamp
from domain.steps.machine import StepsCarry

# A fund's changes (steps, deposits, cases learned, bank receipts) in one run before it continues
# as new, each some fifteen events: a history of a few thousand, which replays quickly.
VERSIONS_PER_RUN = 200


@dataclass(kw_only=True)
class FundCarry(StepsCarry):
    opened_at: Stamp
    pledged_fen: int
    ledger: FundLedger
    movements: list[FundMovement]  # every business key instructed, none pending at the switch
    deposits: dict[str, int]  # by bank transaction id: a re-sent confirmation is a duplicate
    claims: dict[str, AdvanceClaim]  # by case id, as learned
