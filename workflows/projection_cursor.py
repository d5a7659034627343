"""How far a workflow's read model has caught up with its machine.

Each projection carries only the trail entries and alerts the read model does not hold
yet, so the cursor counts what was sent; a projection that failed sends nothing, so the
next one carries its entries too. It is plain workflow state (no commands), so sharing it
between the escrow and the case workflow changes no history.
"""

from dataclasses import dataclass, field
from typing import Any, Protocol

from workflows.catch_up import CatchUp


class Projectable(Protocol):
    version: int

    def snapshot(self) -> dict[str, Any]: ...

    def trail_records(self, start: int) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class Unprojected:
    version: int
    snapshot: dict[str, Any]
    trail: list[dict[str, Any]]
    alerts: list[dict[str, Any]]


@dataclass
class ProjectionCursor:
    version: int | None  # the machine version last projected; None before the first
    trail: int = 0
    alerts: int = 0
    catch_up: CatchUp = field(default_factory=lambda: CatchUp("projection"))

    def behind(self, machine: Projectable) -> bool:
        return machine.version != self.version

    def wants(self, machine: Projectable) -> bool:
        """Behind, and not only waiting for the catch-up timer after a failure at this very version."""
        return self.behind(machine) and not self.catch_up.waits(machine.version)

    def unprojected(self, machine: Projectable) -> Unprojected:
        snapshot = machine.snapshot()
        return Unprojected(
            machine.version, snapshot, machine.trail_records(self.trail), snapshot["alerts"][self.alerts :]
        )

    def projected(self, sent: Unprojected) -> None:
        self.version = sent.version
        self.trail += len(sent.trail)
        self.alerts += len(sent.alerts)
