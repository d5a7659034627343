"""Evidence uploads: a 5 MB photo and a 50 MB video through an API process of its own.

Starts the API alone (migrated SQLite, the local evidence store, in a temporary directory;
uploads need no Temporal), registers a party, then uploads a real noisy JPEG of about 5 MB
and a 50 MB MP4-like file (an `ftyp` box and filler) over HTTP. It prints, per file, the
upload's wall time (the photo's includes making its thumbnail, which happens at upload), the
thumbnail's share of it (the same photo thumbnailed in this process), the time to fetch the
thumbnail, and the API process's resident memory before and at its peak (sampled every 10 ms).
The peak is what streaming is for: it should stay far below the file's size.

    .venv/bin/python -m bench.evidence_upload
"""

import asyncio
import contextlib
import hashlib
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from bench.stack import bench_settings, rss_mb
from cli.dev import settings_env
from client.businesses import give_demo_licence
from client.party import Party
from evidence.photos import prepare_photo
from tests.kits.evidence_files import mp4_header, photo

MB = 1024 * 1024
PHOTO_BYTES = 5 * MB
VIDEO_BYTES = 50 * MB


def five_mb_photo() -> bytes:
    """A noisy JPEG of at least 5 MB (noise does not compress away)."""
    side = 1600
    while len(data := photo(side, side * 3 // 4, quality=95)) < PHOTO_BYTES:
        side += 200
    return data


def video_chunks(total: int) -> Iterator[bytes]:
    head = mp4_header(total)
    yield head
    left = total - len(head)
    block = random.Random(15).randbytes(MB)  # the same bytes each time: hashed, then sent
    while left > 0:
        yield block[: min(MB, left)]
        left -= min(MB, left)


def video_digest(total: int) -> str:
    hasher = hashlib.sha256()
    for chunk in video_chunks(total):
        hasher.update(chunk)
    return f"sha256:{hasher.hexdigest()}"


@contextlib.contextmanager
def api_process(data_dir: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    settings = bench_settings(data_dir)
    env = {**os.environ, **settings_env(settings), "PYTHONUNBUFFERED": "1"}
    escrow = [sys.executable, "-m", "cli.main"]
    subprocess.run([*escrow, "migrate"], env=env, check=True, capture_output=True)
    with open(data_dir / "api.log", "wb") as log:
        api = subprocess.Popen([*escrow, "api"], env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            yield api, f"http://127.0.0.1:{settings.api_port}"
        finally:
            api.terminate()
            api.wait(timeout=30)


class PeakRss:
    """The process's resident memory, sampled until stopped; `peak` since the last `reset`."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0.0

    def reset(self) -> float:
        self.peak = rss_mb(self.pid)
        return self.peak

    async def sample(self) -> None:
        while True:
            self.peak = max(self.peak, rss_mb(self.pid))
            await asyncio.sleep(0.01)


async def until_up(http: httpx.AsyncClient) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.TransportError):
            await http.get("/health")  # any answer: without Temporal it is 503, and uploads need none
            return
        await asyncio.sleep(0.2)
    raise RuntimeError("the API did not start")


async def run(data_dir: Path) -> Table:
    table = Table(title="evidence uploads (one API process, local store)")
    for column in (
        "file",
        "size MB",
        "upload s",
        "thumbnail s",
        "fetch thumbnail s",
        "API RSS before MB",
        "API RSS peak MB",
    ):
        table.add_column(column, justify="right" if column != "file" else "left")
    picture = five_mb_photo()
    started = time.perf_counter()
    prepare_photo(picture, "image/jpeg")
    thumbnail_seconds = time.perf_counter() - started
    with api_process(data_dir) as (api, url):
        async with httpx.AsyncClient(base_url=url, timeout=300) as http:
            await until_up(http)
            party = await give_demo_licence(Party(http, "contractor", "Bench contractor")).register()
            rss = PeakRss(api.pid)
            sampler = asyncio.create_task(rss.sample())
            try:
                before = rss.reset()
                started = time.perf_counter()
                digest = await party.upload_evidence(picture, name="site.jpg")
                upload = time.perf_counter() - started
                started = time.perf_counter()
                thumb = await http.get(f"/evidence/{digest}/thumbnail", headers=party.auth)
                thumb.raise_for_status()
                fetch = time.perf_counter() - started
                table.add_row(
                    "photo (JPEG)", f"{len(picture) / MB:.1f}", f"{upload:.2f}", f"{thumbnail_seconds:.2f}",
                    f"{fetch:.3f}", f"{before:.0f}", f"{rss.peak:.0f}",
                )  # fmt: skip

                before = rss.reset()
                digest = video_digest(VIDEO_BYTES)

                async def body() -> AsyncIterator[bytes]:
                    for chunk in video_chunks(VIDEO_BYTES):
                        yield chunk

                started = time.perf_counter()
                response = await http.put(
                    f"/evidence/{digest}",
                    content=body(),
                    headers=party.auth | {"Content-Type": "video/mp4"},
                )
                upload = time.perf_counter() - started
                stored = response.raise_for_status().json()
                if (response.status_code, stored["size_bytes"]) != (201, VIDEO_BYTES):
                    raise RuntimeError(f"the video was not stored whole: {response.status_code} {stored}")
                table.add_row(
                    "video (MP4)",
                    f"{VIDEO_BYTES / MB:.0f}",
                    f"{upload:.2f}",
                    "-",
                    "-",
                    f"{before:.0f}",
                    f"{rss.peak:.0f}",
                )
            finally:
                sampler.cancel()
    return table


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-evidence-") as folder:
        Console(width=120).print(asyncio.run(run(Path(folder))))


if __name__ == "__main__":
    main()
