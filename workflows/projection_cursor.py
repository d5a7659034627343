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

S = TypeVar("S")
S_co = TypeVar("S_co", covariant=True)


class Projectable(Protocol[S_co]):
    version: int
    alerts: list[Alert]

    def snapshot(self) -> S_co: ...

    def trail_records(self, start: int) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class Unprojected(Generic[S]):
    version: int
    snapshot: S
    trail: list[dict[str, Any]]
    alerts: list[dict[str, Any]]


@dataclass
class ProjectionCursor:
    version: int | None  # the machine version last projected; None before the first
    trail: int = 0
    alerts: int = 0
    catch_up: CatchUp = field(default_factory=lambda: CatchUp("projection"))

    def behind(self, machine: Projectable[object]) -> bool:
        return machine.version != self.version

    def wants(self, machine: Projectable[object]) -> bool:
        """Behind, and not only waiting for the catch-up timer after a failure at this very version."""
        return self.behind(machine) and not self.catch_up.waits(machine.version)

    def unprojected(self, machine: Projectable[S]) -> Unprojected[S]:
        alerts = [asdict(alert) for alert in machine.alerts[self.alerts :]]
        return Unprojected(machine.version, machine.snapshot(), machine.trail_records(self.trail), alerts)

    def projected(self, sent: Unprojected[S]) -> None:
        self.version = sent.version
        self.trail += len(sent.trail)
        self.alerts += len(sent.alerts)
