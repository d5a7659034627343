"""A streamed upload: hashed and written chunk by chunk, kept only if it hashes to its name.

The bytes go to `incoming/<uuid>` as they arrive (a multipart upload on a bucket), with the
SHA-256 computed on the way; nothing holds the whole file. A stream past the largest limit is
stopped at once. At the end the digest is compared with the one the file is uploaded under: a
mismatch deletes the temporary object (`hash_mismatch`), a match prepares what others see (a
photo's thumbnail and location-free copy, a video's location-free copy) and moves the file to
its final key. Any refusal on the way leaves nothing behind.
"""

import asyncio
import hashlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

from evidence import video
from evidence.kinds import LARGEST, SNIFF_BYTES, FileType, sniff, too_large
from evidence.photos import prepare_photo
from evidence.refusals import EvidenceRefused
from evidence.store import EvidenceStore, original_key, public_key, thumbnail_key


@dataclass(frozen=True)
class Stored:
    digest: str
    size_bytes: int
    file_type: FileType
    has_public_copy: bool


async def _receive(
    store: EvidenceStore, chunks: AsyncIterator[bytes], temp: str
) -> tuple[str, int, FileType]:
    hasher = hashlib.sha256()
    size = 0
    head = b""
    file_type: FileType | None = None
    # Leaving the block on a refusal aborts the write (on a bucket, the multipart upload) rather
    # than completing an object only to delete it; leaving it normally completes the object.
    async with store.writer(temp) as writer:
        async for chunk in chunks:
            size += len(chunk)
            if size > LARGEST:
                raise too_large(LARGEST)
            if file_type is None:
                head += chunk[: SNIFF_BYTES - len(head)]
                if len(head) >= SNIFF_BYTES:
                    file_type = sniff(head)
            hasher.update(chunk)
            await writer.write(chunk)
        file_type = file_type or sniff(head)
        if size > file_type.limit:
            raise too_large(file_type.limit, file_type.kind)
    return f"sha256:{hasher.hexdigest()}", size, file_type


async def store_upload(store: EvidenceStore, digest: str, chunks: AsyncIterator[bytes]) -> Stored:
    """Receive, check and store the file uploaded under `digest`; `EvidenceRefused` if it may not be."""
    temp = f"incoming/{uuid.uuid4().hex}"
    made: list[str] = [temp]
    try:
        actual, size, file_type = await _receive(store, chunks, temp)
        if actual != digest:
            raise EvidenceRefused(
                422, "hash_mismatch", f"the bytes hash to {actual}, not to {digest}: nothing was stored"
            )
        has_public = await _prepare(store, digest, temp, size, file_type, made)
        await store.move(temp, original_key(digest))
    except BaseException:
        await store.delete(*made)
        raise
    return Stored(digest, size, file_type, has_public)


async def _prepare(
    store: EvidenceStore, digest: str, temp: str, size: int, file_type: FileType, made: list[str]
) -> bool:
    """A photo's thumbnail and the location-free copy others see; whether that copy exists."""
    if file_type.kind == "photo":
        data = await store.read(temp)  # a photo is at most 20 MB (kinds.LIMITS)
        prepared = await asyncio.to_thread(prepare_photo, data, file_type.media_type)
        made.append(thumbnail_key(digest))
        await store.put(thumbnail_key(digest), prepared.thumbnail)
        if prepared.public_copy is not None:
            made.append(public_key(digest))
            await store.put(public_key(digest), prepared.public_copy)
        return prepared.public_copy is not None
    if file_type.kind == "video":
        made.append(public_key(digest))
        return await video.write_location_free_copy(store, temp, size, public_key(digest))
    return False
