"""What an escrow carries into its warranty run (docs/ESCROW.md, "The warranty run").

When every stage is done and the retention is held, an escrow's life changes character: from
weeks of signed steps and payouts to two to five years of waiting for a claim. The workflow
continues as new there, so that tail runs on current code with a short history; this is all the
new run starts from, besides the terms, the council list it started with and the skew window of its input.

The rule: everything the escrow's snapshot shows is carried as it stands, so every page and
every API reply reads the same before and after the switch (the whole life: stages as settled,
movements, ledger, disputes, claims, alerts), and it is also everything the machine checks in
warranty (claims against the retention and its `warranty_due`, disputes over holdbacks or the
retention, the ledger and movements behind the money rule, the deposits against a re-sent
confirmation). Two things are not carried whole:

- the trail: only its head hash and length. The next entry links to that head, so the chain
  runs unbroken from the terms hash; the entries themselves are in the audit table, which the
  read model fills from every projection (the switch waits until it has caught up), and that
  is where `escrow audit` and the audit API read the earlier run's entries from.
- the nonces: only those of steps still inside the timestamp skew window at the switch. Any
  older envelope is refused by that window (`stale_timestamp`) whatever its nonce, so its
  nonce guards nothing; one signed within the window could still be replayed, so it stays.

The parts every signed-step process carries (version, alerts, trail head and length, nonces,
key rings, the council as learned) are `StepsCarry`'s (domain/steps/machine.py), which this
extends; the fund carries the same (domain/fund/carry.py).

The parties' key rings are carried whole (every key each party added, revoked or recovered as
the escrow learned it): a party's next step is checked against them, and a device added in the
first run signs in the warranty run without its event being sent again.

The projection cursor is not carried either: the switch waits for the read model to hold
this very version, so the new run's cursor starts at the carried version, trail length and
alert count.
"""

from dataclasses import dataclass

from domain.escrow.state import (
    CancellationRequest,
    ChangeProposal,
    Dispute,
    Ledger,
    Movement,
    Retention,
    Stage,
    WarrantyClaim,
)
from domain.open_actions import Stamp
from domain.steps.machine import StepsCarry


@dataclass(kw_only=True)
class WarrantyCarry(StepsCarry):
    created_at: Stamp  # the funding deadline the snapshot shows is reckoned from it
    signed_by: list[str]
    stages: list[Stage]  # as settled; holdbacks may still be released or disputed
    retention: Retention  # with its warranty_due, the new run's one timer
    ledger: Ledger
    movements: list[Movement]  # every business key instructed, so none is instructed twice
    deposits: dict[str, int]  # by bank transaction id: a re-sent confirmation is a duplicate
    disputes: list[Dispute]  # open ones go on deciding; numbers (and their keys) continue
    claims: list[WarrantyClaim]
    changes_applied: int  # explains a shortfall to the money rule
    change_proposal: ChangeProposal | None
    cancel_signed_by: list[str]
    cancellation: CancellationRequest | None
