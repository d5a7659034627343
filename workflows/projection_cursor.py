"""How far a workflow's read model has caught up with its machine.

Each projection carries only the trail entries and alerts the read model does not hold
yet, so the cursor counts what was sent; a projection that failed sends nothing, so the
next one carries its entries too. It is plain workflow state (no commands), so sharing it
between the escrow and the case workflow changes no history.
"""

from dataclasses import asdict, dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from domain.steps.machine import Alert
from workflows.catch_up import CatchUp

Snapshot = TypeVar("Snapshot", covariant=True)


class Projectable(Protocol[Snapshot]):
    version: int
    alerts: list[Alert]

    @property
    def trail_length(self) -> int: ...

    def snapshot(self) -> Snapshot: ...

    def trail_records(self, start: int) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class Unprojected(Generic[Snapshot]):
    version: int
    snapshot: Snapshot
    trail: list[dict[str, Any]]
    alerts: list[dict[str, Any]]


@dataclass
class ProjectionCursor:
    version: int | None  # the machine version last projected; None before the first
    trail: int = 0
    alerts: int = 0
    catch_up: CatchUp = field(default_factory=lambda: CatchUp("projection"))

    @classmethod
    def holding(cls, machine: Projectable[object]) -> "ProjectionCursor":
        """A run continued as new: its read model holds the carried life already, since the
        switch waited for it, so the cursor starts at the carried version, trail and alerts."""
        return cls(version=machine.version, trail=machine.trail_length, alerts=len(machine.alerts))

    def behind(self, machine: Projectable[object]) -> bool:
        return machine.version != self.version

    def wants(self, machine: Projectable[object]) -> bool:
        """Behind, and not only waiting for the catch-up timer after a failure at this very version."""
        return self.behind(machine) and not self.catch_up.waits(machine.version)

    def unprojected(self, machine: Projectable[Snapshot]) -> Unprojected[Snapshot]:
        """The snapshot with the trail entries and alerts the read model lacks (alerts as the
        snapshot writes them: the converter turns their moments into isoformat either way)."""
        alerts = [asdict(alert) for alert in machine.alerts[self.alerts :]]
        return Unprojected(machine.version, machine.snapshot(), machine.trail_records(self.trail), alerts)

    def projected(self, sent: Unprojected[object]) -> None:
        self.version = sent.version
        self.trail += len(sent.trail)
        self.alerts += len(sent.alerts)
