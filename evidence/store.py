"""The evidence store behind one small interface, on obstore: local files, memory or an
S3-compatible bucket, chosen by settings (`ESCROW_EVIDENCE_STORE`).

Layout (docs/EVIDENCE.md): a file under `sha256/<2 hex>/<2 hex>/<64 hex>`, a photo's thumbnail
under `thumbnails/<same>.jpg`, a copy without location metadata under `public/<same>`, and
uploads in progress under `incoming/<uuid>` until their hash is checked.
"""

import contextlib
from collections.abc import AsyncIterator
from datetime import datetime
from typing import TYPE_CHECKING

import obstore
from obstore.exceptions import NotFoundError
from obstore.store import LocalStore, MemoryStore, S3Store

from config.settings import Settings

if TYPE_CHECKING:
    from obstore import AsyncWritableFile
    from obstore.store import ObjectStore

# Multipart parts on S3 are at least 5 MB: an upload keeps at most this much in memory.
WRITE_BUFFER = 5 * 1024 * 1024
READ_CHUNK = 256 * 1024


def _hex(digest: str) -> str:
    hex_ = digest.removeprefix("sha256:")
    return f"{hex_[:2]}/{hex_[2:4]}/{hex_}"


def original_key(digest: str) -> str:
    return f"sha256/{_hex(digest)}"


def thumbnail_key(digest: str) -> str:
    return f"thumbnails/{_hex(digest)}.jpg"


def public_key(digest: str) -> str:
    return f"public/{_hex(digest)}"


class EvidenceStore:
    """What the API and the sweep do with bytes, whichever object store holds them."""

    def __init__(self, store: "ObjectStore") -> None:
        self._store = store

    def writer(self, key: str) -> "AsyncWritableFile":
        """A streamed (multipart, on a bucket) write; the object appears whole when it is closed."""
        return obstore.open_writer_async(self._store, key, buffer_size=WRITE_BUFFER)

    async def put(self, key: str, data: bytes) -> None:
        await obstore.put_async(self._store, key, data)

    async def read(self, key: str) -> bytes:
        """A small object whole (a photo, a thumbnail: their kinds' limits bound them)."""
        result = await obstore.get_async(self._store, key)
        return bytes(await result.bytes_async())

    async def read_range(self, key: str, start: int, end: int) -> bytes:
        return bytes(await obstore.get_range_async(self._store, key, start=start, end=end))

    async def stream(self, key: str) -> AsyncIterator[bytes]:
        result = await obstore.get_async(self._store, key)
        async for chunk in result.stream(min_chunk_size=READ_CHUNK):
            yield bytes(chunk)

    async def move(self, source: str, target: str) -> None:
        await obstore.rename_async(self._store, source, target)

    async def delete(self, *keys: str) -> None:
        for key in keys:
            await self._delete_one(key)

    async def _delete_one(self, key: str) -> None:
        with contextlib.suppress(NotFoundError, FileNotFoundError):  # already gone: idempotent
            await obstore.delete_async(self._store, key)

    def delete_now(self, *keys: str) -> None:
        """Synchronous delete, for an activity running on the worker's thread pool."""
        for key in keys:
            with contextlib.suppress(NotFoundError, FileNotFoundError):
                obstore.delete(self._store, key)

    def incoming_before(self, cutoff: datetime) -> list[str]:
        """Uploads in progress older than `cutoff`: left behind by an API process that stopped
        mid-upload (a finished or refused upload removes its own)."""
        return [
            meta["path"]
            for batch in obstore.list(self._store, prefix="incoming/")
            for meta in batch
            if meta["last_modified"] < cutoff
        ]

    async def exists(self, key: str) -> bool:
        try:
            await obstore.head_async(self._store, key)
        except (NotFoundError, FileNotFoundError):
            return False
        return True


def make_store(settings: Settings) -> EvidenceStore:
    if settings.evidence_store == "memory":
        return EvidenceStore(MemoryStore())
    if settings.evidence_store == "s3":
        return EvidenceStore(_bucket(settings))
    root = settings.data_dir / "evidence"
    root.mkdir(parents=True, exist_ok=True)
    return EvidenceStore(LocalStore(root.resolve(), automatic_cleanup=True))


def _bucket(settings: Settings) -> S3Store:
    """The bucket as the settings describe it, and only as they do: obstore also reads `AWS_*`
    variables, and one left in the environment for the aws CLI (`AWS_ENDPOINT_URL_S3`,
    `AWS_VIRTUAL_HOSTED_STYLE_REQUEST`) would otherwise win over ESCROW_EVIDENCE_S3_ENDPOINT and
    send the files elsewhere. Plain HTTP only when the endpoint itself says `http://` (a MinIO
    on the deployment's own network); path-style addressing unless the provider needs the
    bucket in the host name (ESCROW_EVIDENCE_S3_VIRTUAL_HOSTED, e.g. OSS and COS)."""
    endpoint = settings.evidence_s3_endpoint
    return S3Store(
        settings.evidence_s3_bucket,
        prefix=settings.evidence_s3_prefix or None,
        endpoint=endpoint,
        aws_endpoint_url_s3=endpoint,
        virtual_hosted_style_request=settings.evidence_s3_virtual_hosted,
        region=settings.evidence_s3_region,
        access_key_id=settings.evidence_s3_key_id.get_secret_value(),
        secret_access_key=settings.evidence_s3_secret.get_secret_value(),
        client_options={"allow_http": endpoint.startswith("http://")},
    )
