"""Videos: the location atoms of an MP4 or QuickTime file blanked in a copy for everyone but the uploader.

A phone writes where a clip was shot into `moov` as a `©xyz` atom (QuickTime's ISO 6709
string) or a `loci` box (3GPP), under `udta` or `meta`; an iPhone writes it as QuickTime
metadata, a `meta` box whose `keys` name `com.apple.quicktime.location.ISO6709` (and other
`...location...` keys) and whose `ilst` holds each value under its key's index. The copy
keeps every byte but those atoms' contents, which are zeroed in place: no box changes size,
so the sample offsets (`stco`, `co64`) stay right and the copy plays as the original does.
The file is read box by box and streamed into the copy, never whole: only `moov` (the index,
a few MB even for a long clip) is held in memory, and one over `MAX_MOOV` is refused.
"""

import struct
from typing import Final

from evidence.refusals import EvidenceRefused
from evidence.store import EvidenceStore

LOCATION_ATOMS: Final = {b"\xa9xyz", b"loci"}
CONTAINERS: Final = {b"moov", b"trak", b"udta", b"meta", b"ilst"}
MAX_MOOV: Final = 32 * 1024 * 1024


def _boxes(data: bytes, start: int, end: int) -> list[tuple[bytes, int, int, int]]:
    """(type, box start, payload start, box end) of each box in data[start:end]."""
    found = []
    at = start
    while at + 8 <= end:
        size, kind = struct.unpack(">I4s", data[at : at + 8])
        header = 8
        if size == 1 and at + 16 <= end:
            size, header = struct.unpack(">Q", data[at + 8 : at + 16])[0], 16
        elif size == 0:
            size = end - at
        if size < header or at + size > end:
            break  # a damaged box: stop reading this level, blank what was found
        found.append((kind, at, at + header, at + size))
        at += size
    return found


def _looks_like_box(data: bytes, at: int, end: int) -> bool:
    if at + 8 > end:
        return False
    size = struct.unpack(">I", data[at : at + 4])[0]
    return 8 <= size <= end - at and data[at + 4 : at + 8].isascii()


def _location_key_indexes(data: bytes, start: int, end: int) -> set[bytes]:
    """The `ilst` item types (1-based key indexes, big-endian) of a `keys` box's location keys."""
    found = set()
    at = start + 8  # version, flags and the entry count
    index = 1
    while at + 8 <= end:
        size = struct.unpack(">I", data[at : at + 4])[0]
        if size < 8 or at + size > end:
            break
        if b"location" in data[at + 8 : at + size]:
            found.add(struct.pack(">I", index))
        at += size
        index += 1
    return found


def blank_locations(moov: bytearray) -> int:
    """Zero the contents of every location atom in `moov` (its header stays, so sizes hold);
    how many there were."""
    data = bytes(moov)
    count = 0
    pending: list[tuple[int, int, frozenset[bytes]]] = [(0, len(moov), frozenset())]
    while pending:
        start, end, located = pending.pop()
        boxes = _boxes(data, start, end)
        keyed = frozenset().union(
            *(
                _location_key_indexes(data, payload, box_end)
                for kind, _, payload, box_end in boxes
                if kind == b"keys"
            )
        )
        for kind, _box, payload, box_end in boxes:
            if kind in LOCATION_ATOMS or kind in located:
                moov[payload:box_end] = bytes(box_end - payload)
                count += 1
            elif kind in CONTAINERS:
                # ISO `meta` is a full box (4 bytes of version and flags); QuickTime's is not.
                if kind == b"meta" and not _looks_like_box(data, payload, box_end):
                    payload += 4
                pending.append((payload, box_end, keyed if kind == b"ilst" else frozenset()))
    return count


async def _top_level_moov(store: EvidenceStore, key: str, size: int) -> tuple[int, int] | None:
    """Where the `moov` box is: (start, end), or None if the file has none."""
    at = 0
    while at + 8 <= size:
        head = await store.read_range(key, at, min(at + 16, size))
        box_size, kind = struct.unpack(">I4s", head[:8])
        if box_size == 1 and len(head) >= 16:
            box_size = struct.unpack(">Q", head[8:16])[0]
        elif box_size == 0:
            box_size = size - at
        if box_size < 8:
            return None
        if kind == b"moov":
            return at, min(at + box_size, size)
        at += box_size
    return None


async def write_location_free_copy(store: EvidenceStore, key: str, size: int, target: str) -> bool:
    """Write the copy without location atoms to `target` if the file has any; whether it did."""
    found = await _top_level_moov(store, key, size)
    if found is None:
        return False
    start, end = found
    if end - start > MAX_MOOV:
        raise EvidenceRefused(
            422, "unreadable_video", f"the video's index is over {MAX_MOOV // (1024 * 1024)} MB"
        )
    moov = bytearray(await store.read_range(key, start, end))
    if not blank_locations(moov):
        return False
    at = 0
    async with store.writer(target) as writer:  # a failed read aborts the copy's upload
        async for chunk in store.stream(key):
            chunk_end = at + len(chunk)
            if chunk_end <= start or at >= end:
                await writer.write(chunk)
            else:
                piece = bytearray(chunk)
                low, high = max(start, at), min(end, chunk_end)
                piece[low - at : high - at] = moov[low - start : high - start]
                await writer.write(bytes(piece))
            at = chunk_end
    return True
