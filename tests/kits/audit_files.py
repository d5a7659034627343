"""What the tests of `escrow audit --files DIR` and `--files-from-store` share: two evidence files,
a real escrow trail naming them, and the command run as an auditor runs it."""

import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.kits.machine_kit import export, funded

REPO = Path(__file__).parents[2]
PHOTO, CLIP = b"\xff\xd8 a photo of the kitchen wall", b"\x00\x00\x00\x18ftypmp4 the floor drain"


def trail_naming(photo: str, clip: str) -> dict[str, Any]:
    """A real escrow trail: the contractor asks for stage 1's inspection with a photo, the owner
    disputes the stage with a clip."""
    kit = funded()
    kit.step("contractor", "inspection.request", {"stage": 1, "evidence": [photo]})
    kit.dispute(stages=[1], evidence=[clip])
    return export(kit.m)


def audit(trail: Path, *options: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`escrow audit --verify TRAIL` with these options (and these settings), as an auditor runs it."""
    command = [sys.executable, "-m", "cli.main", "audit", "--verify", str(trail), *options]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=60, env={"COLUMNS": "200", **(env or {})}, cwd=REPO
    )
