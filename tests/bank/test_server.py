"""The standalone process: migrates its own database, then serves on the configured port."""

import asyncio
import os
import sys
from pathlib import Path

from cli.dev import free_port
from sandbox_bank.client import BankClient

STARTUP_TIMEOUT = 30.0


async def test_run_migrates_and_serves_from_settings(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "ESCROW_DATA_DIR": str(tmp_path),
        "ESCROW_BANK_DATABASE_URL": "",
        "ESCROW_BANK_PORT": str(port),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from config.settings import Settings; from sandbox_bank.server import run; run(Settings())",
        env=env,
        cwd=Path(__file__).parents[2],
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stderr is not None
        await asyncio.wait_for(_line_containing(process.stderr, b"Uvicorn running on"), STARTUP_TIMEOUT)
        async with BankClient(f"http://127.0.0.1:{port}", 10) as client:
            assert await client.health()
            assert (await client.open_account("ESC-2026-00001")).created
    finally:
        process.terminate()
        await process.wait()

    assert (tmp_path / "bank.db").exists()


async def _line_containing(stream: asyncio.StreamReader, needle: bytes) -> None:
    while line := await stream.readline():
        if needle in line:
            return
    raise AssertionError("the bank exited before serving")
