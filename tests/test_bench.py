"""`escrow bench --quick` runs on a stack of its own and ends with its one-line summary.

No figure is asserted (they depend on the machine and its load); the line's shape is,
and that the run met no errors.
"""

import re
import subprocess
import sys

LINE = re.compile(
    r"^bench: lifecycle_ratio=\d+\.\d\d events_per_escrow=\d+ step_p50_ms=\d+ step_p99_ms=\d+ "
    r"release_p99_ms=\d+ rss_worker_mb_10k=\d+ rss_server_mb_10k=\d+$"
)


def test_quick_bench_prints_its_line() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "cli.main", "bench", "--quick"],
        capture_output=True,
        text=True,
        timeout=600,
        env={"NO_COLOR": "1", "PATH": "/usr/bin:/bin", "COLUMNS": "120"},
    )
    lines = run.stdout.strip().splitlines()
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert LINE.match(lines[-1]), lines[-1]
    assert "errors" in run.stdout and "lifecycle_ratio" in run.stdout
    assert int(re.search(r"events_per_escrow=(\d+)", lines[-1]).group(1)) > 50
